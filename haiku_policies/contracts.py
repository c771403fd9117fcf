"""`assert_tree_on_devices`: a testing helper for device placement.

The library's own input checks live in `haiku_policies._checks`.
"""

from collections.abc import Sequence
from typing import Any

import jax

__all__ = ["assert_tree_on_devices"]


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

  A testing helper: call it in tests (or debugging sessions) to check where
  params, optimiser state or a replicated `pmap` state live. No module of the
  library calls it, and it does not belong in a training step: it reads each
  leaf's devices on the host, so call it on concrete arrays, outside `jit`.

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
      raise AssertionError(f"assert_tree_on_devices: leaf {where} is a host "
                           f"{type(leaf).__name__}, not a jax.Array on "
                           f"{sorted(map(str, expected))}."
                           " Move it with jax.device_put(...).")
    actual = frozenset(leaf.devices())
    if actual != expected:
      raise AssertionError(
          f"assert_tree_on_devices: leaf {where} is on "
          f"{sorted(map(str, actual))}, expected {sorted(map(str, expected))}.")
