"""Argument checks: the one home of every input check in the library.

Shapes: `[...]` any leading batch dims, `A` action dims.

Every check takes `owner` (the class or function that starts the message) and
the argument's name, and words its message as "Owner: `arg` must be ..., got
arg=value. Fix." Two kinds of check:

* Eager checks of Python values (constructor and helper arguments, bounds,
  distribution parameters): a wrong type raises `TypeError`, a wrong value
  `ValueError`. Each returns the value in its checked form (an `int`, a
  `float`, float64 NumPy bounds).
* Call-time checks of array inputs (`float_input`, `bool_input`,
  `same_leading_shape`) read static shapes and dtypes only, so under `jax.jit`
  they cost nothing after tracing. They report through chex assertions
  (`AssertionError`; `chex.disable_asserts()` turns them off).

Checks on array values (`scale > 0`, finite `loc`) need concrete arrays: they
run eagerly and are skipped for traced values, where they would cost a
device-to-host sync.
"""

from collections.abc import Callable, Sequence
import math
from typing import Any

import chex
import jax
import jax.numpy as jnp
import numpy as np

_INT_TYPES = (int, np.integer)
_REAL_TYPES = (int, float, np.integer, np.floating)


def _got(arg: str, value: Any) -> str:
  return f"got {arg}={value!r} ({type(value).__name__})"


# Python values.


def integer(value: Any, *, owner: str, arg: str, minimum: int = 1) -> int:
  """Checks a Python or NumPy int (not a bool) >= `minimum`; returns an int.

  Raises:
    TypeError: if `value` is not an int.
    ValueError: if `value < minimum`.
  """
  if isinstance(value, bool) or not isinstance(value, _INT_TYPES):
    raise TypeError(f"{owner}: `{arg}` must be an int, {_got(arg, value)}.")
  if value < minimum:
    raise ValueError(
        f"{owner}: `{arg}` must be an int >= {minimum}, got {arg}={value}.")
  return int(value)


def _real(value: Any, owner: str, arg: str, what: str) -> float:
  if isinstance(value, bool) or not isinstance(value, _REAL_TYPES):
    raise TypeError(f"{owner}: `{arg}` must be {what}, {_got(arg, value)}.")
  return float(value)


def positive_float(value: Any, *, owner: str, arg: str) -> float:
  """Checks a finite real number > 0 (not a bool); returns it as a float.

  Raises:
    TypeError: if `value` is not a Python or NumPy number.
    ValueError: if `value` is not finite or `<= 0`.
  """
  what = "a finite float > 0"
  number = _real(value, owner, arg, what)
  if not (math.isfinite(number) and number > 0.0):
    raise ValueError(f"{owner}: `{arg}` must be {what}, got {arg}={number}.")
  return number


def nonnegative_float(value: Any, *, owner: str, arg: str) -> float:
  """Checks a finite real number >= 0 (not a bool); returns it as a float.

  Raises:
    TypeError: if `value` is not a Python or NumPy number.
    ValueError: if `value` is not finite or `< 0`.
  """
  what = "a finite float >= 0"
  number = _real(value, owner, arg, what)
  if not (math.isfinite(number) and number >= 0.0):
    raise ValueError(f"{owner}: `{arg}` must be {what}, got {arg}={number}.")
  return number


def finite_float(value: Any, *, owner: str, arg: str) -> float:
  """Checks a finite real number (not a bool); returns it as a float.

  Raises:
    TypeError: if `value` is not a Python or NumPy number.
    ValueError: if `value` is not finite.
  """
  what = "a finite float"
  number = _real(value, owner, arg, what)
  if not math.isfinite(number):
    raise ValueError(f"{owner}: `{arg}` must be {what}, got {arg}={number}.")
  return number


def flag(value: Any, *, owner: str, arg: str) -> bool:
  """Checks a Python or NumPy bool; returns it as a bool.

  A string such as "False" is truthy, so anything but a bool is refused.

  Raises:
    TypeError: if `value` is not a bool.
  """
  if not isinstance(value, (bool, np.bool_)):
    raise TypeError(f"{owner}: `{arg}` must be a bool (True or False), "
                    f"{_got(arg, value)}.")
  return bool(value)


def function(value: Any, *, owner: str, arg: str) -> Callable[..., Any]:
  """Checks that `value` is callable; returns it.

  Raises:
    TypeError: if it is not.
  """
  if not callable(value):
    raise TypeError(
        f"{owner}: `{arg}` must be callable, {_got(arg, value)}. Pass a "
        "function, e.g. jax.nn.relu.")
  return value


def one_of(
    value: Any,
    choices: Sequence[str],
    *,
    owner: str,
    arg: str,
    alternative: str = "",
) -> str:
  """Checks that `value` is one of the strings `choices`; returns it.

  Args:
    value: the argument.
    choices: the accepted names.
    owner: the class or function name used in messages.
    arg: the argument name.
    alternative: what the caller accepts besides the names, e.g. ", an
      initializer or None", for the message.

  Raises:
    TypeError: if `value` is not a string.
    ValueError: if it is not one of `choices`.
  """
  what = f"one of {tuple(choices)}{alternative}"
  if not isinstance(value, str):
    raise TypeError(f"{owner}: `{arg}` must be {what}, {_got(arg, value)}.")
  if value not in choices:
    raise ValueError(f"{owner}: `{arg}` must be {what}, got {arg}={value!r}.")
  return value


def int_sequence(
    value: Any,
    *,
    owner: str,
    arg: str,
    example: str,
    item: str,
    allow_empty: bool,
) -> tuple[int, ...]:
  """Checks a sequence (or 1-D array) of ints >= 1; returns a tuple of ints.

  Args:
    value: the argument.
    owner: the class or function name used in messages.
    arg: the argument name.
    example: a valid value for the message, e.g. "(256, 256)".
    item: what one entry is, for the message, e.g. "layer size".
    allow_empty: whether `()` is accepted.

  Raises:
    TypeError: if `value` is not a sequence of ints.
    ValueError: if it is a NumPy array that is not 1-D, is empty (and not
      allowed), or holds an entry < 1.
  """
  if isinstance(value, np.ndarray):
    if value.ndim != 1:
      raise ValueError(
          f"{owner}: `{arg}` must be a 1-D sequence of ints such as {example}, "
          f"got an array of shape {value.shape}. Flatten it first.")
    value = value.tolist()
  if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
    raise TypeError(f"{owner}: `{arg}` must be a sequence of ints such as "
                    f"{example}, {_got(arg, value)}.")
  sizes = tuple(value)
  if not allow_empty and not sizes:
    raise ValueError(f"{owner}: `{arg}` must hold at least one {item}, got ().")
  for size in sizes:
    if isinstance(size, bool) or not isinstance(size, _INT_TYPES):
      raise TypeError(f"{owner}: `{arg}` must be a sequence of ints, got "
                      f"{arg}={sizes!r} (holding a {type(size).__name__}).")
    if size < 1:
      raise ValueError(f"{owner}: every entry of `{arg}` must be an int >= 1, "
                       f"got {arg}={sizes!r}.")
  return tuple(int(size) for size in sizes)


def output_sizes(value: Any, *, owner: str,
                 allow_empty: bool) -> tuple[int, ...]:
  """Checks layer widths; returns them as a tuple of ints (`int_sequence`)."""
  return int_sequence(
      value,
      owner=owner,
      arg="output_sizes",
      example="(256, 256)",
      item="layer size",
      allow_empty=allow_empty)


def nvec(value: Any, *, owner: str) -> tuple[int, ...]:
  """Checks MultiDiscrete sub-action sizes `nvec`; returns a tuple of ints.

  Raises:
    TypeError: if `value` is not a sequence (or 1-D array) of ints.
    ValueError: if it is empty, not 1-D, or holds a size < 1.
  """
  return int_sequence(
      value,
      owner=owner,
      arg="nvec",
      example="(3, 5, 2)",
      item="sub-action size",
      allow_empty=False)


# Action bounds. Bounds are static: they are read as float64 NumPy arrays at
# construction, so they become constants under `jit`.


def _is_concrete(x: Any) -> bool:
  """Whether `x` holds values Python can read (not a JAX tracer)."""
  return not isinstance(x, jax.core.Tracer)


def _bound_array(value: Any, owner: str, arg: str) -> np.ndarray:
  if not _is_concrete(value):
    raise TypeError(
        f"{owner}: `{arg}` must be a concrete value (a Python float or a "
        "NumPy array), not a traced JAX value. Bounds are static: build them "
        "with `np.asarray(...)` (a `jnp.array` made inside `jit` is traced) "
        "and close over them instead of passing them through `jit`/`vmap`.")
  try:
    return np.asarray(value, np.float64)
  except (TypeError, ValueError):
    raise TypeError(
        f"{owner}: `{arg}` must be a float or an [A] array of floats, "
        f"{_got(arg, value)}.") from None


def bounds(
    low: Any,
    high: Any,
    *,
    owner: str,
    finite: bool,
    size: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
  """Checks action bounds; returns them as float64 arrays of one shape.

  Each bound is a scalar or an `[A]` array; the two broadcast against each
  other (and against `(size,)` when `size` is given).

  Args:
    low: scalar or `[A]` lower bounds (concrete).
    high: scalar or `[A]` upper bounds (concrete).
    owner: the class or function name used in messages.
    finite: whether infinite bounds are refused; otherwise a dimension may
      have both bounds infinite (unsquashed) but not one.
    size: the action dimension `A` the bounds must fit, if known.

  Returns:
    `low` and `high` broadcast to `(size,)`, or to their common shape (`()`
    or `(A,)`) when `size` is None.

  Raises:
    TypeError: for traced or non-numeric bounds.
    ValueError: for shapes that are not scalars or `[A]` arrays of one `A`
      (or not `A = size`), NaN, refused or one-sided infinite bounds, or
      `low >= high`.
  """
  low_a = _bound_array(low, owner, "low")
  high_a = _bound_array(high, owner, "high")
  target = "one shape (A,)" if size is None else f"shape ({size},)"
  try:
    if low_a.ndim > 1 or high_a.ndim > 1:
      raise ValueError
    shape = np.broadcast_shapes(low_a.shape, high_a.shape,
                                () if size is None else (size,))
  except ValueError:
    raise ValueError(
        f"{owner}: `low` and `high` must be scalars or [A] arrays that "
        f"broadcast to {target}, got shapes {low_a.shape} and "
        f"{high_a.shape}.") from None
  if shape and shape[0] < 1:
    raise ValueError(
        f"{owner}: `low` and `high` must have A >= 1 dimensions, got shapes "
        f"{low_a.shape} and {high_a.shape}.")
  low_a = np.array(np.broadcast_to(low_a, shape))
  high_a = np.array(np.broadcast_to(high_a, shape))
  if np.any(np.isnan(low_a)) or np.any(np.isnan(high_a)):
    raise ValueError(
        f"{owner}: `low` and `high` must not be NaN, got low={low_a}, "
        f"high={high_a}.")
  infinite = np.isinf(low_a) | np.isinf(high_a)
  if finite and np.any(infinite):
    raise ValueError(
        f"{owner}: `low` and `high` must be finite, got low={low_a}, "
        f"high={high_a}. Rescale the environment to finite bounds.")
  one_sided = np.isinf(low_a) != np.isinf(high_a)
  if np.any(one_sided):
    raise ValueError(
        f"{owner}: a dimension must have both bounds finite (squashed) or both "
        f"infinite (unsquashed), got low={low_a}, high={high_a} at dimensions "
        f"{np.flatnonzero(one_sided).tolist()}. Use finite bounds there.")
  if not np.all(low_a < high_a):
    raise ValueError(f"{owner}: `low` must be < `high` in every dimension, got "
                     f"low={low_a}, high={high_a}. Swap or widen the bounds.")
  return low_a, high_a


def action_spec(spec: Any, *, owner: str,
                finite: bool) -> tuple[np.ndarray, np.ndarray]:
  """Checks a head's `action_spec`; returns `[A]` float64 `(low, high)`.

  Args:
    spec: an int `A` (bounds ±1) or a pair `(low, high)` checked by `bounds`,
      at least one of them an `[A]` array (it gives the action size).
    owner: the class name used in messages.
    finite: as for `bounds`.

  Raises:
    TypeError: if `spec` is neither an int nor a pair, or `bounds` refuses
      the types.
    ValueError: if `A < 1`, both bounds are scalars, or `bounds` refuses the
      values.
  """
  if isinstance(spec, _INT_TYPES) and not isinstance(spec, bool):
    size = integer(spec, owner=owner, arg="action_spec")
    return -np.ones(size), np.ones(size)
  if not (isinstance(spec, (tuple, list)) and len(spec) == 2):
    raise TypeError(
        f"{owner}: `action_spec` must be an int A (bounds [-1, 1]) or a pair "
        f"(low, high) of [A] arrays, e.g. action_bounds(env.action_space); "
        f"{_got('action_spec', spec)}.")
  low, high = bounds(spec[0], spec[1], owner=owner, finite=finite)
  if low.ndim != 1:
    raise ValueError(
        f"{owner}: `action_spec` (low, high) must hold an [A] array to give "
        f"the action size A, got scalars low={low}, high={high}. Pass "
        "(np.full(A, low), np.full(A, high)).")
  return low, high


# Distribution parameters and values.


def _float_array(value: Any, *, owner: str, arg: str) -> jax.Array:
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


def _at_least_float32(dtype: Any) -> jnp.dtype:
  """`dtype`, or float32 for bfloat16/float16 (computed in float32)."""
  dtype = jnp.dtype(dtype)
  return jnp.dtype(jnp.float32) if jnp.finfo(dtype).bits < 32 else dtype


def _event_params(first: Any, second: Any, *, owner: str,
                  names: tuple[str, str]) -> tuple[jax.Array, jax.Array]:
  """Two float parameters of a `[..., A]` distribution, broadcast together.

  Raises:
    TypeError: for non-floating dtypes.
    ValueError: for a rank-0 first parameter, shapes that do not broadcast, or
      a second parameter that changes the last axis `A` of the first.
  """
  a, b = names
  first = _float_array(first, owner=owner, arg=a)
  second = _float_array(second, owner=owner, arg=b)
  if first.ndim < 1:
    raise ValueError(
        f"{owner}: `{a}` must have rank >= 1 with the action dimensions last, "
        f"`[..., A]`, got shape {first.shape}. For one action dimension use "
        f"`{a}[..., None]`.")
  try:
    shape = jnp.broadcast_shapes(first.shape, second.shape)
  except ValueError:
    raise ValueError(
        f"{owner}: `{a}` and `{b}` must have broadcastable shapes `[..., A]`, "
        f"got {a}.shape={first.shape}, {b}.shape={second.shape}. "
        "Give both the same shape.") from None
  if shape[-1] != first.shape[-1]:
    raise ValueError(
        f"{owner}: `{b}` must not change the action dimension of `{a}`, got "
        f"{a}.shape={first.shape}, {b}.shape={second.shape}.")
  dtype = _at_least_float32(jnp.result_type(first.dtype, second.dtype))
  return (
      jnp.broadcast_to(first.astype(dtype), shape),
      jnp.broadcast_to(second.astype(dtype), shape),
  )


def _positive_if_concrete(x: jax.Array, *, owner: str, arg: str,
                          fix: str) -> None:
  """Raises ValueError if concrete `x` holds a value that is not finite > 0."""
  if _is_concrete(x):
    values = np.asarray(x)
    if not np.all((values > 0) & np.isfinite(values)):
      raise ValueError(f"{owner}: `{arg}` must be finite and > 0, got "
                       f"min({arg})={values.min()}. {fix}")


def loc_and_scale(loc: Any, scale: Any, *,
                  owner: str) -> tuple[jax.Array, jax.Array]:
  """Checks `loc` and `scale` of a `[..., A]` distribution.

  Returns:
    `loc` and `scale` broadcast to one shape `[..., A]`, in a dtype of at
    least float32 (bfloat16 and float16 inputs are upcast).

  Raises:
    TypeError: for non-floating dtypes.
    ValueError: for rank-0 `loc`, shapes that do not broadcast, or concrete
      `loc` that is not finite or `scale` that is not finite and > 0.
  """
  loc, scale = _event_params(loc, scale, owner=owner, names=("loc", "scale"))
  if _is_concrete(loc) and not np.all(np.isfinite(np.asarray(loc))):
    raise ValueError(f"{owner}: `loc` must be finite, got loc={loc}.")
  _positive_if_concrete(
      scale,
      owner=owner,
      arg="scale",
      fix=("Map raw outputs through a positive transform, e.g. "
           "`jax.nn.softplus(x) + 1e-3`."))
  return loc, scale


def concentrations(alpha: Any, beta: Any, *,
                   owner: str) -> tuple[jax.Array, jax.Array]:
  """Checks the concentrations `alpha` and `beta` of a `[..., A]` Beta.

  Returns:
    `alpha` and `beta` broadcast to one shape `[..., A]`, in a dtype of at
    least float32.

  Raises:
    TypeError: for non-floating dtypes.
    ValueError: for rank-0 `alpha`, shapes that do not broadcast, or concrete
      values that are not finite and > 0.
  """
  alpha, beta = _event_params(alpha, beta, owner=owner, names=("alpha", "beta"))
  for arg, value in (("alpha", alpha), ("beta", beta)):
    _positive_if_concrete(
        value,
        owner=owner,
        arg=arg,
        fix=("Map raw outputs through a positive transform, e.g. "
             "`1.0 + jax.nn.softplus(x)` (> 1: unimodal)."))
  return alpha, beta


def gsde_params(loc: Any, features: Any, noise_std: Any, *,
                owner: str) -> tuple[jax.Array, jax.Array, jax.Array]:
  """Checks the parameters of a gSDE distribution.

  Args:
    loc: `[..., A]` float means.
    features: `[..., H]` float latent features, leading dims broadcasting
      against those of `loc`.
    noise_std: `[H, A]` float stds of the exploration matrix's entries.
    owner: the class name used in messages.

  Returns:
    The three arrays in one dtype of at least float32.

  Raises:
    TypeError: for non-floating dtypes.
    ValueError: for rank-0 `loc` or `features`, leading dims that do not
      broadcast, `noise_std` of a shape other than `[H, A]`, or (concrete
      values only) `noise_std` that is not finite and > 0.
  """
  loc = _float_array(loc, owner=owner, arg="loc")
  features = _float_array(features, owner=owner, arg="features")
  noise_std = _float_array(noise_std, owner=owner, arg="noise_std")
  for arg, value, spec in (("loc", loc, "[..., A]"), ("features", features,
                                                      "[..., H]")):
    if value.ndim < 1:
      raise ValueError(f"{owner}: `{arg}` must have shape {spec} (rank >= 1), "
                       f"got shape {value.shape}.")
  try:
    jnp.broadcast_shapes(loc.shape[:-1], features.shape[:-1])
  except ValueError:
    raise ValueError(
        f"{owner}: `loc` and `features` must have leading dims [...] that "
        f"broadcast, got loc.shape={loc.shape}, features.shape="
        f"{features.shape}.") from None
  expected = (features.shape[-1], loc.shape[-1])
  if noise_std.shape != expected:
    raise ValueError(
        f"{owner}: `noise_std` must have shape [H, A] = {expected} (H from "
        f"`features`, A from `loc`), got shape {noise_std.shape}.")
  _positive_if_concrete(
      noise_std,
      owner=owner,
      arg="noise_std",
      fix="Map the learned log-std through `jnp.exp`.")
  dtype = _at_least_float32(
      jnp.result_type(loc.dtype, features.dtype, noise_std.dtype))
  return loc.astype(dtype), features.astype(dtype), noise_std.astype(dtype)


def gsde_noise(noise: Any, *, owner: str, shape: tuple[int, int],
               batch_shape: tuple[int, ...]) -> jax.Array:
  """Checks a gSDE exploration noise `eps`: `[H, A]` or `[..., H, A]`.

  Args:
    noise: the standard-normal matrices `eps`.
    owner: the class name used in messages.
    shape: the matrix shape `(H, A)`.
    batch_shape: the distribution's batch dims `[...]`; the noise's leading
      dims must broadcast to them without growing them.

  Returns:
    The noise as a JAX array.

  Raises:
    TypeError: for a non-floating dtype.
    ValueError: for a shape other than `[..., H, A]` with leading dims that
      broadcast to `batch_shape`.
  """
  noise = _float_array(noise, owner=owner, arg="noise")
  try:  # Leading dims that grow the batch broadcast to another shape.
    fits = (
        noise.shape[-2:] == shape and jnp.broadcast_shapes(
            noise.shape[:-2], batch_shape) == tuple(batch_shape))
  except ValueError:
    fits = False
  if not fits:
    raise ValueError(
        f"{owner}: `noise` must have shape [H, A] = {shape} (one matrix for "
        f"the batch) or [..., H, A] with [...] broadcasting to the batch dims "
        f"{tuple(batch_shape)} (one matrix per batch element), got shape "
        f"{noise.shape}. Draw it with gsde_noise_init(key, {shape[0]}, "
        f"{shape[1]}, batch_shape=...).")
  return noise


def event(value: Any, *, owner: str, size: int, dtype: jnp.dtype) -> jax.Array:
  """Casts a `[..., A]` value to score to `dtype` and checks its last axis.

  Raises:
    ValueError: if `value` has rank 0 or a last axis other than `size`.
  """
  value = jnp.asarray(value)
  if value.ndim < 1 or value.shape[-1] != size:
    raise ValueError(
        f"{owner}: the value to score must have shape `[..., {size}]`, "
        f"got shape {value.shape}.")
  return value.astype(dtype)


def discrete_event(value: Any, *, owner: str, size: int) -> jax.Array:
  """Checks integer `[..., K]` sub-actions to score; returns them as int32.

  Raises:
    TypeError: if `value` does not have an integer dtype.
    ValueError: if `value` has rank 0 or a last axis other than `size`.
  """
  value = jnp.asarray(value)
  if not jnp.issubdtype(value.dtype, jnp.integer):
    raise TypeError(
        f"{owner}: the value to score must be an integer array of "
        f"sub-actions `[..., {size}]`, got dtype {value.dtype}. Cast it, e.g. "
        "`value.astype(jnp.int32)`.")
  if value.ndim < 1 or value.shape[-1] != size:
    raise ValueError(
        f"{owner}: the value to score must have shape `[..., {size}]` (one "
        f"entry per sub-action), got shape {value.shape}.")
  return value.astype(jnp.int32)


def logits(value: Any, *, owner: str, size: int) -> jax.Array:
  """Checks `[..., size]` float logits; returns them in at least float32.

  Raises:
    TypeError: for a non-floating dtype.
    ValueError: for rank 0 or a last axis other than `size`.
  """
  value = _float_array(value, owner=owner, arg="logits")
  if value.ndim < 1 or value.shape[-1] != size:
    raise ValueError(
        f"{owner}: `logits` must have shape `[..., {size}]` (the sub-actions' "
        f"logits concatenated, sum(nvec) = {size}), got shape {value.shape}.")
  return value.astype(_at_least_float32(value.dtype))


def mask(value: Any, *, owner: str, shape: tuple[int, ...]) -> jax.Array:
  """Checks a bool `mask` that must broadcast against logits of `shape`.

  Returns:
    The mask as a JAX bool array.

  Raises:
    TypeError: for a non-bool dtype.
    ValueError: for rank 0, a last axis other than `shape[-1]`, or leading
      dims that do not broadcast against `shape[:-1]`.
  """
  value = jnp.asarray(value)
  if value.dtype != jnp.bool_:
    raise TypeError(
        f"{owner}: `mask` must be a bool array (True = allowed), got dtype "
        f"{value.dtype}. Build it with a comparison or `.astype(bool)`.")
  try:
    if value.ndim < 1 or value.shape[-1] != shape[-1]:
      raise ValueError
    jnp.broadcast_shapes(value.shape, shape)
  except ValueError:
    raise ValueError(
        f"{owner}: `mask` must have shape `[..., {shape[-1]}]` and broadcast "
        f"against the logits' shape {shape}, got shape {value.shape}."
    ) from None
  return value


# Call-time array inputs (chex).


def _shape_and_dtype(x: Any, owner: str,
                     arg: str) -> tuple[tuple[int, ...], Any]:
  shape = getattr(x, "shape", None)
  dtype = getattr(x, "dtype", None)
  if shape is None or dtype is None:
    raise TypeError(
        f"{owner}: `{arg}` must be an array with a shape and a dtype, got "
        f"{type(x).__name__}. Wrap it with jnp.asarray(...).")
  return tuple(shape), dtype


def float_input(
    x: Any,
    *,
    owner: str,
    arg: str,
    spec: str,
    last_dim: int | None = None,
    min_rank: int = 1,
    rank_hint: str = "",
) -> None:
  """Asserts that `x` is a floating-point array of shape `[..., last_dim]`.

  Args:
    x: the array to check.
    owner: the name of the checking module or function, e.g. "GaussianHead".
    arg: the argument name, e.g. "inputs".
    spec: the documented shape, e.g. "[..., O]".
    last_dim: the required size of the last axis, or None for any size.
    min_rank: the smallest rank allowed (with `last_dim` None).
    rank_hint: a fix appended to the message when the rank is too small.

  Raises:
    TypeError: if `x` has no shape or dtype.
    AssertionError: (from chex) if `x` has rank 0, the wrong last dimension, or
      a non-floating dtype.

  >>> import jax.numpy as jnp
  >>> from haiku_policies._checks import float_input
  >>> float_input(jnp.zeros((2, 3)), owner="Demo", arg="obs",
  ...             spec="[..., 3]", last_dim=3)
  """
  shape, dtype = _shape_and_dtype(x, owner, arg)
  # Checked in Python first so that the success path formats no message.
  rank_ok = len(shape) >= min_rank
  shape_ok = rank_ok and (last_dim is None or shape[-1] == last_dim)
  dtype_ok = jnp.issubdtype(dtype, jnp.floating)
  if shape_ok and dtype_ok:
    return
  expected = (f"rank >= {min_rank}"
              if last_dim is None else f"last dim {last_dim}")
  message = (
      f"{owner}: `{arg}` must be a float array of shape {spec} ({expected}), "
      f"got shape {shape} and dtype {dtype}.{'' if rank_ok else rank_hint}")
  if not shape_ok:
    chex.assert_shape(
        x, (None,) * (min_rank - 1) + (..., last_dim), custom_message=message)
  chex.assert_type(x, float, custom_message=message)


def bool_input(x: Any, *, owner: str, arg: str, spec: str,
               last_dim: int) -> None:
  """Asserts that `x` is a boolean array of shape `[..., last_dim]`.

  Args:
    x: the array to check.
    owner: the name of the checking module or function.
    arg: the argument name.
    spec: the documented shape, e.g. "[..., A]".
    last_dim: the required size of the last axis.

  Raises:
    TypeError: if `x` has no shape or dtype.
    AssertionError: (from chex) if `x` has rank 0, the wrong last dimension, or
      a non-bool dtype.
  """
  shape, dtype = _shape_and_dtype(x, owner, arg)
  shape_ok = len(shape) >= 1 and shape[-1] == last_dim
  dtype_ok = dtype == jnp.bool_
  if shape_ok and dtype_ok:
    return
  message = (f"{owner}: `{arg}` must be a bool array of shape {spec} (last dim "
             f"{last_dim}), got shape {shape} and dtype {dtype}.")
  if not shape_ok:
    chex.assert_shape(x, (..., last_dim), custom_message=message)
  chex.assert_type(x, bool, custom_message=message)


def same_leading_shape(a: Any, b: Any, *, owner: str, args: tuple[str,
                                                                  str]) -> None:
  """Asserts that two `[..., X]` arrays share their leading dims `[...]`.

  Args:
    a: the first array, rank >= 1.
    b: the second array, rank >= 1.
    owner: the name of the checking module or function.
    args: the two argument names.

  Raises:
    AssertionError: (from chex) if `a.shape[:-1] != b.shape[:-1]`.
  """
  if a.shape[:-1] == b.shape[:-1]:
    return
  message = (
      f"{owner}: `{args[0]}` and `{args[1]}` must share their leading dims "
      f"[...], got shapes {a.shape} and {b.shape}. Broadcast them first.")
  chex.assert_shape(b, (*a.shape[:-1], None), custom_message=message)


def image_input(x: Any,
                *,
                owner: str,
                arg: str,
                min_size: tuple[int, int] = (1, 1)) -> None:
  """Asserts that `x` is a channel-last image array `[..., H, W, C]`.

  Args:
    x: the array to check.
    owner: the name of the checking module, e.g. "ImpalaTorso".
    arg: the argument name, e.g. "inputs".
    min_size: the smallest `(H, W)` the module accepts.

  Raises:
    TypeError: if `x` has no shape or dtype.
    AssertionError: (from chex) if `x` has rank < 3, `H` or `W` below
      `min_size`, or a dtype other than uint8, bool or floating point.

  >>> import jax.numpy as jnp
  >>> from haiku_policies._checks import image_input
  >>> image_input(jnp.zeros((2, 8, 8, 3), jnp.uint8), owner="Demo",
  ...             arg="inputs")
  """
  shape, dtype = _shape_and_dtype(x, owner, arg)
  rank_ok = len(shape) >= 3
  size_ok = rank_ok and shape[-3] >= min_size[0] and shape[-2] >= min_size[1]
  dtype_ok = (
      dtype in (jnp.uint8, jnp.bool_) or jnp.issubdtype(dtype, jnp.floating))
  if size_ok and dtype_ok:
    return
  message = (
      f"{owner}: `{arg}` must be a channel-last image array of shape "
      f"[..., H, W, C] with H >= {min_size[0]} and W >= {min_size[1]}, and "
      "dtype uint8 (scaled by 1/255), bool or float (used as given), got "
      f"shape {shape} and dtype {dtype}.")
  if not rank_ok:
    chex.assert_shape(
        x, (..., None, None, None),
        custom_message=message + " Add the missing axes, e.g. `x[..., None]` "
        "for one channel.")
  for axis, least in ((-3, min_size[0]), (-2, min_size[1])):
    chex.assert_axis_dimension_gteq(x, axis, least, custom_message=message)
  chex.assert_type(
      x,
      float,
      custom_message=message + " Cast integer pixels in [0, 255] to uint8, "
      "or scale them to float yourself.")


def core_inputs(
    inputs: Any,
    state: Any,
    *,
    owner: str,
    hidden_size: int,
    state_structure: Any,
    state_spec: str,
    unroll: bool,
) -> tuple[Any, Any]:
  """Checks a recurrent core's `inputs = (x, is_first)` against its `state`.

  For a step, `x` is `[..., F]`, `is_first` `[...]` and every state leaf
  `[..., H]`, sharing the batch dims `[...]`. For an unroll, `x` is
  `[T, ..., F]` and `is_first` `[T, ...]` (time first), and the state has the
  batch dims `[...]` after `T`.

  Args:
    inputs: the pair `(x, is_first)`.
    state: the core state.
    owner: the name of the checking core, e.g. "LSTMCore".
    hidden_size: the core's `H`.
    state_structure: the pytree structure the state must have.
    state_spec: that structure in words, e.g. "an hk.LSTMState(hidden, cell)".
    unroll: whether the inputs are a time-major sequence.

  Returns:
    The pair `(x, is_first)`.

  Raises:
    TypeError: if `inputs` is not a pair, an array has no shape or dtype, or
      `state` has another pytree structure.
    AssertionError: (from chex) for a rank, shape or dtype that does not fit.
  """
  if not (isinstance(inputs, (tuple, list)) and len(inputs) == 2):
    raise TypeError(
        f"{owner}: `inputs` must be a pair (x, is_first) of a float array "
        f"and a bool array, got {type(inputs).__name__}. Call "
        "core((x, is_first), state) or core.unroll((x, is_first), state).")
  x, is_first = inputs
  x_shape, _ = _shape_and_dtype(x, owner, "x")
  first_shape, first_dtype = _shape_and_dtype(is_first, owner, "is_first")
  if jax.tree_util.tree_structure(state) != state_structure:
    raise TypeError(
        f"{owner}: `state` must be {state_spec}, as `initial_state` returns, "
        f"got {jax.tree_util.tree_structure(state)}. Start from "
        "`initial_state(batch_size)`, or restore a checkpoint into its "
        "structure.")
  leaves = [
      _shape_and_dtype(leaf, owner, "state")
      for leaf in jax.tree_util.tree_leaves(state)
  ]
  rank = 2 if unroll else 1
  x_spec, lead = ("[T, ..., F]", "[T, ...]") if unroll else ("[..., F]",
                                                             "[...]")
  swap = (" `unroll` takes time-major inputs [T, B, ...]: swap batch-major "
          "[B, T, ...] data with jnp.swapaxes(a, 0, 1)." if unroll else "")
  float_input(
      x, owner=owner, arg="x", spec=x_spec, min_rank=rank, rank_hint=swap)
  shape_ok = first_shape == x_shape[:-1]
  if not (shape_ok and first_dtype == jnp.bool_):
    fix = " A float flag becomes `done.astype(bool)`."
    if first_shape == (*x_shape[:-1], 1):
      fix = " Drop the trailing axis: `is_first[..., 0]`."
    elif not shape_ok:
      fix = swap
    message = (
        f"{owner}: `is_first` must be a bool array of shape {lead} = "
        f"{x_shape[:-1]} (the leading dims of `x`), got shape {first_shape} "
        f"and dtype {first_dtype}.{fix}")
    chex.assert_shape(is_first, x_shape[:-1], custom_message=message)
    chex.assert_type(is_first, bool, custom_message=message)
  expected = (*x_shape[rank - 1:-1], hidden_size)
  if any(shape != expected or not jnp.issubdtype(dtype, jnp.floating)
         for shape, dtype in leaves):
    batch_dims = "x.shape[1:-1]" if unroll else "x.shape[:-1]"
    message = (
        f"{owner}: `state` must hold float arrays of shape [..., H] = "
        f"{expected} ([...] = {batch_dims}, H = {hidden_size}), got shapes "
        f"{tuple(shape for shape, _ in leaves)} and dtypes "
        f"{tuple(str(dtype) for _, dtype in leaves)}. Start from "
        f"`initial_state(batch_size)`.{swap}")
    state_leaves = jax.tree_util.tree_leaves(state)
    chex.assert_shape(state_leaves, expected, custom_message=message)
    chex.assert_type(state_leaves, float, custom_message=message)
  return x, is_first


def per_layer(value: Any,
              *,
              owner: str,
              arg: str,
              num_layers: int | None = None) -> tuple[int, ...]:
  """Checks one int >= 1 per layer; returns them as a tuple of ints.

  Args:
    value: a non-empty sequence of ints, or (when `num_layers` is given) one
      int for every layer.
    owner: the class name used in messages.
    arg: the argument name.
    num_layers: the number of layers `value` must describe, if known.

  Raises:
    TypeError: if `value` is neither a sequence nor (with `num_layers`) an
      int, or holds a non-int.
    ValueError: if it is empty, has another length than `num_layers`, or
      holds an int < 1.
  """
  if num_layers is not None and isinstance(
      value, _INT_TYPES) and not isinstance(value, bool):
    return (integer(value, owner=owner, arg=arg),) * num_layers
  if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
    what = "a sequence of ints" + ("" if num_layers is None else " or an int")
    raise TypeError(f"{owner}: `{arg}` must be {what}, {_got(arg, value)}.")
  entries = tuple(
      integer(entry, owner=owner, arg=f"{arg}[{i}]")
      for i, entry in enumerate(value))
  if not entries or num_layers not in (None, len(entries)):
    need = ("at least one entry"
            if num_layers is None else f"{num_layers} entries, one per layer")
    raise ValueError(
        f"{owner}: `{arg}` must hold {need}, got {arg}={tuple(value)!r}.")
  return entries
