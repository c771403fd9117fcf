"""Action specs read from environments: the bounds of continuous actions
(gymnasium, gymnax, dm_env, Brax, MJX) and the sizes of MultiDiscrete ones.

Shapes: `A` action dims, `K` sub-actions.

`action_bounds` and `action_nvec` read the spec by its attributes, so this
module imports none of gymnasium, gymnax or dm_env (they are optional
dependencies).
"""

from typing import Any

import numpy as np

from haiku_policies import _checks

__all__ = ["action_bounds", "action_nvec"]


def _discrete_kind(space: Any) -> str | None:
  """Names the discrete spec type, or None if `space` is not discrete."""
  if hasattr(space, "num_values"):  # dm_env.specs.DiscreteArray.
    return "dm_env DiscreteArray"
  library = type(space).__module__.split(".")[0]  # "gymnasium", "gymnax".
  if hasattr(space, "num_categories") or hasattr(
      space,
      "nvec") or (hasattr(space, "n") and not hasattr(space, "low")
                 ):  # (Multi)Discrete, MultiBinary of gymnasium or gymnax.
    return f"{library} {type(space).__name__}"
  return None


def action_bounds(space: Any) -> tuple[np.ndarray, np.ndarray]:
  """Returns the `(low, high)` bounds of a continuous action spec.

  Supported specs: `gymnasium.spaces.Box`, `gymnax.environments.spaces.Box`
  (whose bounds may be scalars; they are broadcast to its shape),
  `dm_env.specs.BoundedArray`, and a Brax or MuJoCo Playground environment
  itself: those have no action space, only an integer `action_size`, and
  take actions in `[-1, 1]` in every dim.

  Args:
    space: the action spec.

  Returns:
    `(low, high)`, two `[A]` float32 numpy arrays with `low < high` and both
    finite.

  Raises:
    TypeError: for a discrete spec (gymnasium `Discrete`/`MultiDiscrete`/
      `MultiBinary`, gymnax `Discrete`, dm_env `DiscreteArray`), an integer
      Box, or an object that is not a spec.
    ValueError: for an unbounded spec (dm_env `Array`, or any infinite bound),
      a shape other than `(A,)`, or `low >= high` in some dim.

  >>> import gymnasium as gym
  >>> from haiku_policies.specs import action_bounds
  >>> low, high = action_bounds(gym.spaces.Box(-2.0, 2.0, (1,)))
  >>> low.tolist(), high.tolist()
  ([-2.0], [2.0])
  """
  kind = _discrete_kind(space)
  if kind is not None:
    raise TypeError(
        f"action_bounds: got a discrete {kind} spec; bounds exist only for "
        "continuous Box/BoundedArray specs. Use CategoricalHead for discrete "
        "actions (MultiCategoricalHead with action_nvec for MultiDiscrete).")
  if isinstance(getattr(space, "action_size", None), (int, np.integer)):
    size = int(space.action_size)  # A Brax or MuJoCo Playground env.
    if size < 1:
      raise ValueError(
          f"action_bounds: {type(space).__name__}.action_size must be >= 1, "
          f"got {size}.")
    return -np.ones(size, np.float32), np.ones(size, np.float32)
  if hasattr(space, "minimum") and hasattr(space, "maximum"):
    low, high = space.minimum, space.maximum  # dm_env BoundedArray.
  elif hasattr(space, "low") and hasattr(space, "high"):
    low, high = space.low, space.high  # gymnasium or gymnax Box.
  elif hasattr(space, "shape") and hasattr(space, "dtype"):
    raise ValueError(
        f"action_bounds: {type(space).__name__} has no bounds (unbounded "
        "spec). Use a BoundedArray/Box, or pass explicit (low, high) bounds.")
  else:
    raise TypeError(
        "action_bounds: `space` must be a gymnasium/gymnax Box or a dm_env "
        f"BoundedArray, got {type(space).__name__}.")
  shape = tuple(space.shape)
  dtype = np.dtype(space.dtype)
  if not np.issubdtype(dtype, np.floating):
    raise TypeError(
        f"action_bounds: got a spec with dtype {dtype}; integer actions are "
        "discrete. Use CategoricalHead for discrete actions.")
  if len(shape) != 1:
    raise ValueError(
        f"action_bounds: the action shape must be (A,), got {shape}. Flatten "
        "the action space first.")
  low = np.broadcast_to(np.asarray(low, np.float64), shape).astype(np.float32)
  high = np.broadcast_to(np.asarray(high, np.float64), shape).astype(np.float32)
  if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high))):
    raise ValueError(
        f"action_bounds: the spec is unbounded, got low={low}, high={high}. "
        "Rescale the environment to finite bounds (e.g. a RescaleAction "
        "wrapper) or pass explicit (low, high) bounds.")
  if not np.all(low < high):
    raise ValueError(
        f"action_bounds: need low < high in every dim, got low={low}, "
        f"high={high}.")
  return low, high


def _library(space: Any) -> str:
  """`"gymnasium Box"`, `"gymnax Tuple"`...: the spec's library and type."""
  return f"{type(space).__module__.split('.')[0]} {type(space).__name__}"


def _tuple_of_discrete(space: Any) -> list[Any] | None:
  """The `Discrete` members of a gymnasium/gymnax `Tuple`, else None."""
  members = getattr(space, "spaces", None)
  if not isinstance(members, (tuple, list)) or not members:
    return None
  if all(
      hasattr(m, "n") and tuple(getattr(m, "shape", ())) == () and
      not hasattr(m, "low") for m in members):
    return list(members)
  return None


def _zero_start(space: Any, start: Any) -> None:
  if np.any(np.asarray(start) != 0):
    raise ValueError(
        f"action_nvec: {_library(space)} has `start`={np.asarray(start)}, "
        "but MultiCategorical samples each sub-action in [0, n). Use a space "
        "with start 0, or add the start to the sampled actions yourself and "
        "pass nvec explicitly.")


def action_nvec(space: Any) -> tuple[int, ...]:
  """Returns the sub-action sizes `nvec` of a MultiDiscrete action spec.

  Supported specs: `gymnasium.spaces.MultiDiscrete` with a 1-D `nvec` and
  `start` 0, `gymnasium.spaces.MultiBinary` of shape `(K,)` (`nvec` all 2),
  and a gymnasium or gymnax `Tuple` of `Discrete` spaces (gymnax has no
  MultiDiscrete space: a `Tuple` of `Discrete` is its equivalent).
  The result is what `MultiCategorical` and `MultiCategoricalHead` take.

  Args:
    space: the action spec.

  Returns:
    `nvec`, a tuple of `K >= 1` Python ints, each >= 1.

  Raises:
    TypeError: for any other spec (a single `Discrete`: use
      `CategoricalHead`; a `Box`: use `action_bounds`).
    ValueError: for a multi-dimensional `nvec` or MultiBinary (flatten the
      space first), a nonzero `start`, or a sub-action with fewer than 1
      value.

  >>> import gymnasium as gym
  >>> from haiku_policies.specs import action_nvec
  >>> action_nvec(gym.spaces.MultiDiscrete([3, 5, 2]))
  (3, 5, 2)
  """
  if hasattr(space, "nvec"):  # gymnasium MultiDiscrete.
    nvec = np.asarray(space.nvec)
    if nvec.ndim != 1:
      raise ValueError(
          f"action_nvec: {_library(space)} must have a 1-D `nvec`, got shape "
          f"{nvec.shape}. Flatten the action space first (one sub-action per "
          "entry).")
    _zero_start(space, getattr(space, "start", 0))
    return _checks.nvec(nvec, owner="action_nvec")
  shape = tuple(getattr(space, "shape", None) or ())
  if hasattr(space, "n") and not hasattr(space, "low") and shape:
    if len(shape) != 1:  # gymnasium MultiBinary.
      raise ValueError(
          f"action_nvec: {_library(space)} must have shape (K,), got {shape}. "
          "Flatten the action space first (one sub-action per entry).")
    return (2,) * shape[0]
  members = _tuple_of_discrete(space)
  if members is not None:  # gymnax or gymnasium Tuple of Discrete.
    for member in members:
      _zero_start(member, getattr(member, "start", 0))
    return _checks.nvec([m.n for m in members], owner="action_nvec")
  if hasattr(space, "n") or hasattr(space, "num_values"):
    fix = "use CategoricalHead(space.n) for one discrete action"
  elif hasattr(space, "low") or hasattr(space, "minimum"):
    fix = "use action_bounds for continuous actions"
  else:
    fix = "describe the sub-actions' sizes as nvec yourself"
  raise TypeError(
      "action_nvec: `space` must be a gymnasium MultiDiscrete or "
      "MultiBinary, or a gymnasium/gymnax Tuple of Discrete spaces, got "
      f"{_library(space)}; "
      f"{fix}.")
