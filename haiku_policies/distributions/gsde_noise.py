"""The exploration-noise state of gSDE, drawn and redrawn by the caller.

Shapes: `[...]` batch dims (one matrix per environment), `H` latent feature
dims, `A` action dims.

gSDE explores with `eps(s) = z(s) (sigma * E)`, a linear function of the
latent features `z(s)` whose matrix stays fixed for `n` steps (see
`GSDENormal`). The state holds the standard-normal matrix `E`, not the
scaled one: the scale `sigma` is a parameter, applied when the noise is used,
so the state never goes stale when the parameters change, holds no parameter
and needs no `hk.transform` to draw. It is a pytree of two arrays: carry it
through `jax.lax.scan`, `jit` and `vmap`, and checkpoint it with the rest of
the acting state.
"""

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from haiku_policies import _checks


class GSDENoise(NamedTuple):
  """gSDE exploration noise: standard-normal matrices and their age.

  Attributes:
    eps: `[H, A]` (one matrix for every batch element) or `[..., H, A]` (one
      per batch element) float standard-normal entries `E`.
    steps: `[]` int32, the updates since `eps` was drawn.

  >>> import jax
  >>> from haiku_policies.distributions.gsde_noise import gsde_noise_init
  >>> noise = gsde_noise_init(jax.random.PRNGKey(0), 8, 2, batch_shape=(4,))
  >>> noise.eps.shape, int(noise.steps)
  ((4, 8, 2), 0)
  """

  eps: jax.Array
  steps: jax.Array


def gsde_noise_init(
    key: jax.Array,
    feature_size: int,
    action_size: int,
    *,
    batch_shape: Any = (),
) -> GSDENoise:
  """Draws a fresh gSDE noise state.

  Args:
    key: a PRNG key.
    feature_size: the latent feature dims `H` (the head's input size).
    action_size: the action dims `A`.
    batch_shape: `()` for one matrix shared by the whole batch (SB3's
      `exploration_mat`), or the batch dims `[...]` for one matrix per
      environment (SB3's `exploration_matrices`).

  Returns:
    A `GSDENoise` with `eps` `[*batch_shape, H, A]` and `steps` 0.

  Raises:
    TypeError: if a size is not an int or `batch_shape` not a sequence of
      ints.
    ValueError: if a size or a batch dim is < 1.

  >>> import jax
  >>> from haiku_policies.distributions.gsde_noise import gsde_noise_init
  >>> gsde_noise_init(jax.random.PRNGKey(0), 8, 2).eps.shape
  (8, 2)
  """
  owner = "gsde_noise_init"
  feature_size = _checks.integer(feature_size, owner=owner, arg="feature_size")
  action_size = _checks.integer(action_size, owner=owner, arg="action_size")
  batch_shape = _checks.int_sequence(
      batch_shape,
      owner=owner,
      arg="batch_shape",
      example="(num_envs,)",
      item="batch dim",
      allow_empty=True)
  eps = jax.random.normal(key, (*batch_shape, feature_size, action_size))
  return GSDENoise(eps, jnp.zeros((), jnp.int32))


def gsde_noise_update(noise: GSDENoise, key: jax.Array, *,
                      every: int) -> GSDENoise:
  """Counts one step; redraws the matrices once `every` steps have passed.

  Call it once per environment step, after acting: each drawn matrix then
  serves exactly `every` actions (SB3's `sde_sample_freq`). To redraw only at
  the start of a rollout (SB3's `sde_sample_freq=-1`), call
  `gsde_noise_init` there instead. It is pure and branch-free (a `where`),
  so it runs inside `jit`, `vmap` and `jax.lax.scan`.

  Args:
    noise: the current state.
    key: a PRNG key for the redraw (used only when it happens).
    every: the number of steps `n >= 1` each matrix serves.

  Returns:
    The next state: `eps` unchanged and `steps + 1`, or fresh `eps` of the
    same shape and `steps` 0.

  Raises:
    TypeError: if `noise` is not a `GSDENoise` or `every` not an int.
    ValueError: if `every` < 1.

  >>> import jax
  >>> from haiku_policies.distributions.gsde_noise import gsde_noise_init
  >>> from haiku_policies.distributions.gsde_noise import gsde_noise_update
  >>> noise = gsde_noise_init(jax.random.PRNGKey(0), 8, 2)
  >>> same = gsde_noise_update(noise, jax.random.PRNGKey(1), every=2)
  >>> fresh = gsde_noise_update(same, jax.random.PRNGKey(2), every=2)
  >>> bool((same.eps == noise.eps).all()), bool((fresh.eps == noise.eps).any())
  (True, False)
  """
  owner = "gsde_noise_update"
  if not isinstance(noise, GSDENoise):
    raise TypeError(
        f"{owner}: `noise` must be a GSDENoise, got {type(noise).__name__}. "
        "Draw it with gsde_noise_init.")
  every = _checks.integer(every, owner=owner, arg="every")
  steps = noise.steps + 1
  redraw = steps >= every
  fresh = jax.random.normal(key, noise.eps.shape, noise.eps.dtype)
  return GSDENoise(
      jnp.where(redraw, fresh, noise.eps),
      jnp.where(redraw, jnp.zeros_like(steps), steps))
