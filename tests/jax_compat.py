"""Test shims for JAX APIs that moved since the oldest supported JAX (0.4.30)."""

import jax


def enable_x64(new_val: bool = True):
  """Context manager: `jax.enable_x64` (JAX >= 0.8) or its older home."""
  if hasattr(jax, "enable_x64"):
    return jax.enable_x64(new_val)
  from jax.experimental import enable_x64 as experimental_enable_x64  # pylint: disable=g-import-not-at-top
  return experimental_enable_x64(new_val)
