"""Diagonal Gaussian with the reparameterized sample written out.

Shapes: `[...]` batch dims, `A` action (event) dims, `n` samples.
"""

import math
from typing import Any

import jax
import jax.numpy as jnp

from haiku_policies import _checks
from haiku_policies.distributions import _base

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def normal_log_prob(x: jax.Array, loc: jax.Array,
                    scale: jax.Array) -> jax.Array:
  """Elementwise log-density of `Normal(loc, scale)` at `x`."""
  z = (x - loc) / scale
  return -0.5 * jnp.square(z) - jnp.log(scale) - _HALF_LOG_2PI


def normal_entropy(scale: jax.Array) -> jax.Array:
  """Elementwise entropy of `Normal(loc, scale)`."""
  return 0.5 + _HALF_LOG_2PI + jnp.log(scale)


def normal_kl(loc_p: jax.Array, scale_p: jax.Array, loc_q: jax.Array,
              scale_q: jax.Array) -> jax.Array:
  """Elementwise `KL(Normal(loc_p, scale_p) || Normal(loc_q, scale_q))`."""
  ratio = scale_p / scale_q
  return 0.5 * (jnp.square(ratio) + jnp.square(
      (loc_p - loc_q) / scale_q) - 1.0) - jnp.log(ratio)


def reparameterized_sample_and_log_prob(
    key: jax.Array, sample_shape: tuple[int, ...], loc: jax.Array,
    scale: jax.Array) -> tuple[jax.Array, jax.Array]:
  """`loc + scale * eps`, `eps ~ N(0, I)`, and its log-density, from `eps`.

  The noise has shape `sample_shape + loc.shape` and the same values that
  `distrax.MultivariateNormalDiag` draws for the same key (it draws `[n, ...]`
  and reshapes, which gives the same bits), so the samples agree with distrax.
  Scoring `eps` rather than `(sample - loc) / scale` keeps the log-density
  exact and its gradient w.r.t. `scale` exactly `-1 / scale` even when `scale`
  is tiny next to `|loc|`, where the rounded sample would quantise `z`.

  Returns:
    The sample `[*sample_shape, ..., A]` and its log-density
    `[*sample_shape, ...]`.
  """
  eps = jax.random.normal(key, sample_shape + loc.shape, dtype=loc.dtype)
  log_prob = (-0.5 * jnp.square(eps) - jnp.log(scale) - _HALF_LOG_2PI).sum(-1)
  return loc + scale * eps, log_prob


class DiagNormal(_base.LocScaleDistribution):
  """Multivariate Gaussian with diagonal covariance over `[..., A]`.

  Sampling is reparameterized and written out: `x = loc + scale * eps` with
  `eps ~ N(0, I)`, so gradients flow pathwise to `loc` and `scale`
  (`dx/dloc = 1`, `dx/dscale = eps`). For the same key the sample equals that
  of `distrax.MultivariateNormalDiag(loc, scale)`.

  `loc` and `scale` must broadcast to one shape `[..., A]`; the last axis is
  the event (`event_shape == (A,)`) and the others are batch dimensions.
  bfloat16/float16 inputs are computed in float32; float64 stays float64 under
  `jax_enable_x64`. `scale > 0` and finite `loc` are checked only when the
  arrays are concrete (outside `jit`); under `jit` they are the caller's
  contract.

  >>> import jax, jax.numpy as jnp
  >>> dist = DiagNormal(jnp.zeros((4, 2)), jnp.ones((4, 2)))
  >>> action, log_prob = dist.sample_and_log_prob(seed=jax.random.PRNGKey(0))
  >>> action.shape, log_prob.shape
  ((4, 2), (4,))
  """

  def __init__(self, loc: Any, scale: Any):
    """Initializes the distribution.

    Args:
      loc: `[..., A]` float array of means.
      scale: `[..., A]` float array of standard deviations, broadcastable to
        `loc`.

    Raises:
      TypeError: if `loc` or `scale` is not floating point.
      ValueError: if `loc` has rank 0, the shapes do not broadcast, or
        (concrete values only) `scale <= 0` or a value is not finite.
    """
    super().__init__(loc, scale)

  def _draw(self, key: jax.Array, sample_shape: tuple[int, ...]):
    sample, log_prob = reparameterized_sample_and_log_prob(
        key, sample_shape, self._loc, self._scale)
    return sample, log_prob, sample

  def log_prob(self, value: Any) -> jax.Array:
    """Log-density of `value`.

    Args:
      value: `[..., A]` points, broadcastable against the batch shape.

    Returns:
      `[...]` log-densities, summed over the event dimension `A`.

    Raises:
      ValueError: if the last axis of `value` is not `A`.
    """
    value = _checks.event(
        value,
        owner=type(self).__name__,
        size=self._loc.shape[-1],
        dtype=self._loc.dtype)
    return normal_log_prob(value, self._loc, self._scale).sum(-1)

  def entropy(self) -> jax.Array:
    """Exact entropy, `[...]`."""
    return normal_entropy(self._scale).sum(-1)

  def mean(self) -> jax.Array:
    return self._loc

  def mode(self) -> jax.Array:
    return self._loc

  def median(self) -> jax.Array:
    return self._loc

  def stddev(self) -> jax.Array:
    return self._scale

  def variance(self) -> jax.Array:
    return jnp.square(self._scale)

  def kl_divergence(self, other_dist, **kwargs) -> jax.Array:
    """Exact `KL(self || other_dist)` for another `DiagNormal`, `[...]`.

    Raises:
      NotImplementedError: if `other_dist` is not a `DiagNormal`.
    """
    del kwargs
    if not isinstance(other_dist, DiagNormal):
      raise NotImplementedError(
          "DiagNormal.kl_divergence: only defined against another DiagNormal, "
          f"got {type(other_dist).__name__}.")
    return normal_kl(self._loc, self._scale, other_dist.loc,
                     other_dist.scale).sum(-1)
