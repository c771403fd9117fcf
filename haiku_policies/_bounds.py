"""One place that validates action bounds, for distributions, heads and noise.

Bounds are static: they are read as float64 NumPy arrays at construction, so
they become constants under `jit`.
"""

from typing import Any, Tuple

import numpy as np


def check_values(owner: str, low: np.ndarray, high: np.ndarray, *,
                 finite: bool) -> None:
  """Checks same-shape float64 bounds.

  Args:
    owner: the class or function name used in messages.
    low: lower bounds.
    high: upper bounds, same shape.
    finite: whether infinite bounds are refused; otherwise a dimension may
      have both bounds infinite (unsquashed) but not one.

  Raises:
    ValueError: for NaN, refused or one-sided infinite bounds, or
      `low >= high`.
  """
  if np.any(np.isnan(low)) or np.any(np.isnan(high)):
    raise ValueError(
        f"{owner}: `low` and `high` must not be NaN, got low={low}, "
        f"high={high}.")
  infinite = np.isinf(low) | np.isinf(high)
  if finite and np.any(infinite):
    raise ValueError(
        f"{owner}: `low` and `high` must be finite, got low={low}, "
        f"high={high}. Rescale the environment to finite bounds.")
  one_sided = np.isinf(low) != np.isinf(high)
  if np.any(one_sided):
    raise ValueError(
        f"{owner}: a dimension must have both bounds finite (squashed) or both "
        f"infinite (unsquashed), got low={low}, high={high} at dimensions "
        f"{np.flatnonzero(one_sided).tolist()}. Use finite bounds there.")
  if not np.all(low < high):
    raise ValueError(
        f"{owner}: `low` must be < `high` in every dimension, got low={low}, "
        f"high={high}. Swap or widen the bounds.")


def from_action_spec(action_spec: Any, owner: str, *,
                     finite: bool) -> Tuple[np.ndarray, np.ndarray]:
  """Turns an int `A` (bounds ±1) or a pair `(low, high)` of `[A]` arrays into
  validated float64 `[A]` arrays.

  Raises:
    TypeError: if `action_spec` is neither an int nor a pair.
    ValueError: if `A < 1`, the shapes differ or are not `(A,)`, or
      `check_values` refuses the values.
  """
  if isinstance(action_spec, (int, np.integer)) and not isinstance(
      action_spec, bool):
    if action_spec < 1:
      raise ValueError(
          f"{owner}: an int `action_spec` is the action size and must be >= 1,"
          f" got action_spec={action_spec}.")
    return -np.ones(action_spec), np.ones(action_spec)
  if not (isinstance(action_spec, (tuple, list)) and len(action_spec) == 2):
    raise TypeError(
        f"{owner}: `action_spec` must be an int A (bounds [-1, 1]) or a pair "
        f"(low, high) of [A] arrays, e.g. action_bounds(env.action_space); got "
        f"{type(action_spec).__name__}.")
  low = np.asarray(action_spec[0], np.float64)
  high = np.asarray(action_spec[1], np.float64)
  if low.ndim != 1 or low.shape != high.shape or low.shape[0] < 1:
    raise ValueError(
        f"{owner}: `low` and `high` must both have shape (A,) with A >= 1, got "
        f"shapes {low.shape} and {high.shape}.")
  check_values(owner, low, high, finite=finite)
  return low, high
