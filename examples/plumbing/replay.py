"""A uniform replay buffer held in JAX arrays, for jitted off-policy agents.

The buffer is a pytree of fixed-size arrays, so it lives inside the jitted
training state and inside checkpoints. Glossary: `C` capacity, `E` vectorised
environments, `B` batch, `O` observation dims, `A` action dims.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp


class Buffer(NamedTuple):
  obs: jax.Array  # [C, O]
  action: jax.Array  # [C, A]
  reward: jax.Array  # [C]
  next_obs: jax.Array  # [C, O]
  discount: jax.Array  # [C], 0 where the episode terminated.
  index: jax.Array  # Next row to write.
  size: jax.Array  # Rows filled so far.


def init(capacity: int, obs_size: int, action_size: int) -> Buffer:
  """An empty buffer of `capacity` transitions."""
  zeros = lambda *shape: jnp.zeros((capacity,) + shape, jnp.float32)
  return Buffer(
      zeros(obs_size), zeros(action_size), zeros(), zeros(obs_size), zeros(),
      jnp.zeros((), jnp.int32), jnp.zeros((), jnp.int32))


def add(buffer: Buffer, obs, action, reward, next_obs, discount) -> Buffer:
  """Writes `E` transitions (`[E, ...]` each), overwriting the oldest."""
  capacity = buffer.reward.shape[0]
  rows = (buffer.index + jnp.arange(reward.shape[0])) % capacity
  new = (obs, action, reward, next_obs, discount)
  fields = [
      old.at[rows].set(value.astype(old.dtype))
      for old, value in zip(buffer[:5], new)
  ]
  return Buffer(
      *fields,
      index=(buffer.index + reward.shape[0]) % capacity,
      size=jnp.minimum(buffer.size + reward.shape[0], capacity))


def sample(buffer: Buffer, key: jax.Array, batch_size: int) -> Buffer:
  """`batch_size` transitions drawn uniformly with replacement (`[B, ...]`)."""
  rows = jax.random.randint(key, (batch_size,), 0, buffer.size)
  return buffer._replace(
      **{name: getattr(buffer, name)[rows] for name in Buffer._fields[:5]})
