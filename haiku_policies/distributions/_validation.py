"""Argument checks shared by the distributions.

Checks on shapes and dtypes are static and run under `jit` too. Checks on
values (`scale > 0`, finiteness) need concrete arrays: they run eagerly and are
skipped for traced values, where they would cost a device-to-host sync.
"""

from typing import Any, Tuple

import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies import _bounds


def is_concrete(x: Any) -> bool:
  """Whether `x` holds values Python can read (not a JAX tracer)."""
  return not isinstance(x, jax.core.Tracer)


def as_float_array(owner: str, arg: str, value: Any) -> jax.Array:
  """Converts `value` to a JAX array and checks it has a floating dtype.

  Raises:
    TypeError: if the dtype is not floating point.
  """
  if isinstance(value, (list, tuple)):
    value = np.asarray(value)
  dtype = getattr(value, "dtype", None)
  if dtype is None:
    if isinstance(value, (bool, int)):
      dtype = np.dtype(type(value))
    else:
      value = jnp.asarray(value)
      dtype = value.dtype
  if not jnp.issubdtype(dtype, jnp.floating):
    raise TypeError(
        f"{owner}: `{arg}` must be a floating-point array, got dtype {dtype}. "
        f"Cast it, e.g. `{arg}.astype(jnp.float32)`.")
  return jnp.asarray(value)


def compute_dtype(*dtypes) -> jnp.dtype:
  """The dtype a distribution computes in: float32 at least."""
  dtype = jnp.result_type(*dtypes)
  if jnp.finfo(dtype).bits < 32:
    dtype = jnp.dtype(jnp.float32)
  return dtype


def loc_and_scale(owner: str, loc: Any,
                  scale: Any) -> Tuple[jax.Array, jax.Array]:
  """Validates `loc` and `scale` of a `[..., A]` distribution.

  Returns:
    `loc` and `scale` broadcast to one shape `[..., A]`, in a dtype of at
    least float32 (bfloat16 and float16 inputs are upcast).

  Raises:
    TypeError: for non-floating dtypes.
    ValueError: for rank-0 `loc`, shapes that do not broadcast, or concrete
      `scale` values that are not finite and > 0.
  """
  loc = as_float_array(owner, "loc", loc)
  scale = as_float_array(owner, "scale", scale)
  if loc.ndim < 1:
    raise ValueError(
        f"{owner}: `loc` must have rank >= 1 with the action dimensions last, "
        f"`[..., A]`, got shape {loc.shape}. For one action dimension use "
        "`loc[..., None]`.")
  try:
    shape = jnp.broadcast_shapes(loc.shape, scale.shape)
  except ValueError:
    raise ValueError(
        f"{owner}: `loc` and `scale` must have broadcastable shapes `[..., A]`, "
        f"got loc.shape={loc.shape}, scale.shape={scale.shape}. "
        "Give both the same shape.") from None
  if shape[-1] != loc.shape[-1]:
    raise ValueError(
        f"{owner}: `scale` must not change the action dimension of `loc`, got "
        f"loc.shape={loc.shape}, scale.shape={scale.shape}.")
  if is_concrete(loc) and not np.all(np.isfinite(np.asarray(loc))):
    raise ValueError(f"{owner}: `loc` must be finite, got {loc}.")
  if is_concrete(scale):
    values = np.asarray(scale)
    if not np.all((values > 0) & np.isfinite(values)):
      raise ValueError(
          f"{owner}: `scale` must be finite and > 0, got min(scale)="
          f"{values.min()}. Map raw outputs through a positive transform, e.g. "
          "`jax.nn.softplus(x) + 1e-3`.")
  dtype = compute_dtype(loc.dtype, scale.dtype)
  return (jnp.broadcast_to(loc.astype(dtype), shape),
          jnp.broadcast_to(scale.astype(dtype), shape))


def action_bounds(owner: str, low: Any, high: Any,
                  size: int) -> Tuple[Tuple[float, ...], Tuple[float, ...]]:
  """Validates per-dimension action bounds.

  Args:
    owner: the class name used in messages.
    low: scalar or `[A]` lower bounds.
    high: scalar or `[A]` upper bounds.
    size: the action dimension `A`.

  Returns:
    `low` and `high` as tuples of `A` Python floats (static metadata, so they
    are constants under `jit` and not pytree leaves).

  Raises:
    TypeError: for traced bounds.
    ValueError: for bad shapes, NaN, one-sided infinite bounds or
      `low >= high`.
  """
  out = []
  for arg, value in (("low", low), ("high", high)):
    if not is_concrete(value):
      raise TypeError(
          f"{owner}: `{arg}` must be a concrete value (a Python float or a "
          "NumPy array), not a traced JAX value. Bounds are static: build them "
          "with `np.asarray(...)` (a `jnp.array` made inside `jit` is traced) "
          "and close over them instead of passing them through `jit`/`vmap`.")
    array = np.asarray(value, dtype=np.float64)
    if array.ndim > 1 or (array.ndim == 1 and array.shape[0] not in (1, size)):
      raise ValueError(
          f"{owner}: `{arg}` must be a scalar or have shape ({size},) to match "
          f"the action dimension of `loc`, got shape {array.shape}.")
    out.append(np.broadcast_to(array, (size,)))
  low_a, high_a = out
  _bounds.check_values(owner, low_a, high_a, finite=False)
  return tuple(low_a.tolist()), tuple(high_a.tolist())
