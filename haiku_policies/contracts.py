"""Input contracts shared by the modules, and a device-placement assertion.

Shapes: `[...]` any leading batch dims, `O` observation dims, `A` action dims.

The input checks run on static shapes and dtypes only, so under `jax.jit` they
cost nothing after tracing. They report through chex assertions (so
`chex.disable_asserts()` turns them off) with a message that names the module,
the argument, the expected shape and the actual shape and dtype.
"""

from collections.abc import Sequence
from typing import Any

import chex
import jax
import jax.numpy as jnp

__all__ = [
    "assert_tree_on_devices",
    "check_bool_input",
    "check_float_input",
    "check_same_leading_shape",
]


def _shape_and_dtype(
    x: Any, owner: str, arg: str
) -> tuple[tuple[int, ...], Any]:
  shape = getattr(x, "shape", None)
  dtype = getattr(x, "dtype", None)
  if shape is None or dtype is None:
    raise TypeError(
        f"{owner}: `{arg}` must be an array with a shape and a dtype, got "
        f"{type(x).__name__}. Wrap it with jnp.asarray(...)."
    )
  return tuple(shape), dtype


def check_float_input(
    x: Any,
    *,
    owner: str,
    arg: str,
    spec: str,
    last_dim: int | None = None,
) -> None:
  """Asserts that `x` is a floating-point array of shape `[..., last_dim]`.

  Args:
    x: the array to check.
    owner: the name of the checking module or function, e.g. "GaussianHead".
    arg: the argument name, e.g. "inputs".
    spec: the documented shape, e.g. "[..., O]".
    last_dim: the required size of the last axis, or None for any size.

  Raises:
    TypeError: if `x` has no shape or dtype.
    AssertionError: (from chex) if `x` has rank 0, the wrong last dimension, or
      a non-floating dtype.

  >>> import jax.numpy as jnp
  >>> from haiku_policies.contracts import check_float_input
  >>> check_float_input(jnp.zeros((2, 3)), owner="Demo", arg="obs",
  ...                   spec="[..., 3]", last_dim=3)
  """
  shape, dtype = _shape_and_dtype(x, owner, arg)
  # Checked in Python first so that the success path formats no message.
  shape_ok = len(shape) >= 1 and (last_dim is None or shape[-1] == last_dim)
  dtype_ok = jnp.issubdtype(dtype, jnp.floating)
  if shape_ok and dtype_ok:
    return
  expected = "rank >= 1" if last_dim is None else f"last dim {last_dim}"
  message = (
      f"{owner}: `{arg}` must be a float array of shape {spec} ({expected}), "
      f"got shape {shape} and dtype {dtype}."
  )
  if not shape_ok:
    chex.assert_shape(x, (..., last_dim), custom_message=message)
  chex.assert_type(x, float, custom_message=message)


def check_bool_input(
    x: Any, *, owner: str, arg: str, spec: str, last_dim: int
) -> None:
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
  message = (
      f"{owner}: `{arg}` must be a bool array of shape {spec} (last dim "
      f"{last_dim}), got shape {shape} and dtype {dtype}."
  )
  if not shape_ok:
    chex.assert_shape(x, (..., last_dim), custom_message=message)
  chex.assert_type(x, bool, custom_message=message)


def check_same_leading_shape(
    a: Any, b: Any, *, owner: str, args: tuple[str, str]
) -> None:
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
      f"[...], got shapes {a.shape} and {b.shape}. Broadcast them first."
  )
  chex.assert_shape(b, (*a.shape[:-1], None), custom_message=message)


def _as_device_set(
    devices: jax.Device | Sequence[jax.Device] | None,
) -> frozenset[jax.Device]:
  if devices is None:
    return frozenset([jax.devices()[0]])
  if isinstance(devices, jax.Device):
    return frozenset([devices])
  return frozenset(devices)


def assert_tree_on_devices(
    tree: Any,
    devices: jax.Device | Sequence[jax.Device] | None = None,
) -> None:
  """Asserts that every leaf of `tree` is a `jax.Array` on exactly `devices`.

  Unlike `chex.assert_tree_is_on_device`, whose default platform is gpu/tpu,
  this works the same on CPU-only machines: by default it expects the first
  device of the default backend, `jax.devices()[0]`. Pass the devices a `pmap`
  ran on (e.g. `jax.local_devices()[:2]`) to check a replicated or sharded
  tree: each leaf must then span exactly that set.

  Args:
    tree: a pytree of arrays, e.g. Haiku params or state.
    devices: a device, a sequence of devices, or None for `jax.devices()[0]`.

  Raises:
    AssertionError: naming the first offending leaf path, where it lives and
      where it was expected; host values (numpy arrays, Python scalars) count
      as offending.

  >>> import jax, jax.numpy as jnp
  >>> from haiku_policies.contracts import assert_tree_on_devices
  >>> params = {"w": jnp.zeros((2, 3))}
  >>> assert_tree_on_devices(params, jax.devices()[0])
  """
  expected = _as_device_set(devices)
  leaves, _ = jax.tree_util.tree_flatten_with_path(tree)
  for path, leaf in leaves:
    where = jax.tree_util.keystr(path) or "<root>"
    if not isinstance(leaf, jax.Array):
      raise AssertionError(
          f"assert_tree_on_devices: leaf {where} is a host "
          f"{type(leaf).__name__}, not a jax.Array on "
          f"{sorted(map(str, expected))}."
          " Move it with jax.device_put(...)."
      )
    actual = frozenset(leaf.devices())
    if actual != expected:
      raise AssertionError(
          f"assert_tree_on_devices: leaf {where} is on "
          f"{sorted(map(str, actual))}, expected {sorted(map(str, expected))}."
      )
