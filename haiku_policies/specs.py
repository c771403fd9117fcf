"""Action bounds from environment specs: gymnasium, gymnax, dm_env, Brax, MJX.

Shapes: `A` action dims.

`action_bounds` reads the spec by its attributes, so this module imports none
of gymnasium, gymnax or dm_env (they are optional dependencies).
"""

from typing import Any

import numpy as np

__all__ = ["action_bounds"]


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
        "actions.")
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
