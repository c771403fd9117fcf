"""Beta distribution rescaled to per-dimension action bounds `[low, high]`.

Shapes: `[...]` batch dims, `A` action (event) dims, `n` samples.
"""

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies import _checks
from haiku_policies.distributions import _base


def log_beta_function(alpha: jax.Array, beta: jax.Array) -> jax.Array:
  """Elementwise `log B(alpha, beta)` as `lgamma` differences.

  As distrax computes it: three `lgamma` primitives, where
  `jax.scipy.special.betaln` is ~65 ops (~200 with its gradient), slow to
  compile and to run eagerly. The absolute error is about
  `ulp(lgamma(alpha + beta))`, e.g. 5e-4 in float32 at `alpha + beta = 1e3`,
  the order of the rounding of the `(alpha - 1) log y` terms there.
  """
  lgamma = jax.lax.lgamma
  return lgamma(alpha) + lgamma(beta) - lgamma(alpha + beta)


def beta_entropy(alpha: jax.Array, beta: jax.Array) -> jax.Array:
  """Elementwise entropy of `Beta(alpha, beta)` on `(0, 1)`."""
  digamma = jax.scipy.special.digamma
  return (log_beta_function(alpha, beta) - (alpha - 1.0) * digamma(alpha) -
          (beta - 1.0) * digamma(beta) +
          (alpha + beta - 2.0) * digamma(alpha + beta))


def beta_kl(alpha_p: jax.Array, beta_p: jax.Array, alpha_q: jax.Array,
            beta_q: jax.Array) -> jax.Array:
  """Elementwise `KL(Beta(alpha_p, beta_p) || Beta(alpha_q, beta_q))`."""
  digamma = jax.scipy.special.digamma
  return (log_beta_function(alpha_q, beta_q) -
          log_beta_function(alpha_p, beta_p) +
          (alpha_p - alpha_q) * digamma(alpha_p) +
          (beta_p - beta_q) * digamma(beta_p) +
          (alpha_q - alpha_p + beta_q - beta_p) * digamma(alpha_p + beta_p))


class Beta(_base.DrawnDistribution):
  r"""Beta distribution over per-dimension bounds `[low, high]`, `[..., A]`.

  The action is `x = low + (high - low) y` with `y ~ Beta(alpha, beta)` on
  `(0, 1)` in every dimension, so
  `p(x) = y^(alpha-1) (1-y)^(beta-1) / (B(alpha, beta) (high - low))`. Both
  concentrations must be > 0; `BetaHead` keeps them > 1 (unimodal, zero
  density at the bounds). The last axis is the event
  (`event_shape == (A,)`); `log_prob` and `entropy` sum over it.

  Sampling is reparameterized: `y = G_a / (G_a + G_b)` with `G_a ~
  Gamma(alpha)` and `G_b ~ Gamma(beta)`, drawn in log space by
  `jax.random.loggamma` with the two keys of `jax.random.split(key)` (one
  gamma primitive vmapped over both keys, which draws the same bits as two
  calls and compiles one rejection loop instead of two). This is
  `jax.random.beta`'s own construction, so with bounds `[0, 1]` the same key
  gives the same sample as `distrax.Beta(alpha, beta)` (whose batch holds
  our event axis). JAX's gamma sampler has implicit reparameterization gradients,
  so `dx/dalpha` and `dx/dbeta` are exact pathwise derivatives. See "Implicit
  Reparameterization Gradients" by Figurnov, Mohamed and Mnih (2018,
  https://arxiv.org/abs/1805.08498).

  Log-density and numerical safety (finite for every finite value):

  * `log_prob(x)` clips `x` into `[low, high]`, then works from the gaps to
    the bounds, `g_lo = x - low` and `g_hi = high - x` (exact near a bound,
    unlike `1 - y`), with `log y = log g_lo - log(high - low)` and likewise
    `log(1 - y)`. Both `log y` and `log(1 - y)` are then clipped below at
    `log eps`, `eps = finfo(dtype).eps` (1.2e-7 in float32, 2.2e-16 in
    float64), in `log_prob` and for a draw alike: values at or beyond a bound
    score as if they lay `eps` (in units of `y`) inside it. So `log_prob` is
    finite there for every `alpha, beta > 0`, its gradient with respect to
    the value too, and the score's gradient
    `d log p / d alpha = log y - digamma(alpha) + digamma(alpha + beta)` stays
    bounded (`|log y| <= -log eps`, 15.9 in float32). `eps` rather than
    `finfo.tiny`: float32 `y` cannot come closer than `eps / 2` to 1, so a
    smaller clip would treat the two bounds differently.
  * `sample_and_log_prob` scores the draw from the log-gammas
    (`log y = log G_a - log(G_a + G_b)`), exact before the same clip, so it
    never rounds `1 - y`. `log_prob` of the returned sample agrees with it
    except where rounding `x` to the dtype moved a draw within a few ulps of
    a bound.

  `mean()`, `variance()`, `stddev()` and `entropy()` are closed forms (the
  entropy of `y` plus `log(high - low)` per dimension). `mode()` is
  `low + (high - low) (alpha - 1) / (alpha + beta - 2)` when both
  concentrations exceed 1, the bound the density diverges at when only one
  does (`alpha <= 1 < beta`: `low`; `beta <= 1 < alpha`: `high`), and NaN
  where no single mode exists (both <= 1: uniform or U-shaped), as
  distrax's. `kl_divergence` is exact against a `Beta` with the same bounds.

  `low`/`high` are static and finite (validated at construction).
  `alpha, beta > 0` and finite are checked only when the arrays are concrete
  (outside `jit`).

  >>> import jax, jax.numpy as jnp
  >>> dist = Beta(jnp.full((4, 2), 2.0), jnp.full((4, 2), 3.0), -1.0, 1.0)
  >>> action, log_prob = dist.sample_and_log_prob(seed=jax.random.PRNGKey(0))
  >>> action.shape, log_prob.shape, bool(jnp.all(jnp.abs(action) <= 1.0))
  ((4, 2), (4,), True)
  >>> bool(jnp.all(jnp.isfinite(dist.log_prob(jnp.full((4, 2), 5.0)))))
  True
  """

  def __init__(self, alpha: Any, beta: Any, low: Any = 0.0, high: Any = 1.0):
    """Initializes the distribution.

    Args:
      alpha: `[..., A]` float array, the first shape parameter (> 0); a
        larger `alpha` moves mass towards `high`.
      beta: `[..., A]` float array, the second shape parameter (> 0),
        broadcastable to `alpha`; a larger `beta` moves mass towards `low`.
      low: scalar or `[A]` finite lower bounds (concrete, not traced).
      high: scalar or `[A]` finite upper bounds, `> low`.

    Raises:
      TypeError: non-floating `alpha`/`beta`, or traced or non-numeric bounds.
      ValueError: rank-0 `alpha`, shapes that do not broadcast (bounds:
        scalars or `[A]` arrays, with `A` the last axis of `alpha`), infinite
        or NaN bounds, `low >= high`, or (concrete values only)
        `alpha`/`beta` that are not finite and > 0.
    """
    owner = type(self).__name__
    alpha, beta = _checks.concentrations(alpha, beta, owner=owner)
    low_a, high_a = _checks.bounds(
        low, high, owner=owner, finite=True, size=alpha.shape[-1])
    super().__init__()
    self._alpha = alpha
    self._beta = beta
    # Tuples of Python floats: static pytree metadata, constants under jit.
    self._low = tuple(low_a.tolist())
    self._high = tuple(high_a.tolist())

  @property
  def alpha(self) -> jax.Array:
    """The first shape parameter, `[..., A]`."""
    return self._alpha

  @property
  def beta(self) -> jax.Array:
    """The second shape parameter, `[..., A]`."""
    return self._beta

  @property
  def low(self) -> jax.Array:
    """Lower bounds, `[A]`."""
    return jnp.asarray(self._low, self._alpha.dtype)

  @property
  def high(self) -> jax.Array:
    """Upper bounds, `[A]`."""
    return jnp.asarray(self._high, self._alpha.dtype)

  @property
  def event_shape(self) -> tuple[int, ...]:
    return self._alpha.shape[-1:]

  @property
  def batch_shape(self) -> tuple[int, ...]:
    return self._alpha.shape[:-1]

  def _range(self) -> jax.Array:
    """`high - low`, `[A]` (computed in float64, then cast)."""
    width = np.asarray(self._high) - np.asarray(self._low)
    return jnp.asarray(width, self._alpha.dtype)

  def _unit_bounds(self) -> bool:
    return all(l == 0.0 and h == 1.0 for l, h in zip(self._low, self._high))

  def _log_prob_unit(self, log_y: jax.Array, log_1my: jax.Array) -> jax.Array:
    """`sum_A log p(x)` from `log y` and `log(1 - y)`, each clipped at eps."""
    log_eps = jnp.log(jnp.finfo(self._alpha.dtype).eps)
    log_y = jnp.maximum(log_y, log_eps)
    log_1my = jnp.maximum(log_1my, log_eps)
    log_density = ((self._alpha - 1.0) * log_y + (self._beta - 1.0) * log_1my -
                   log_beta_function(self._alpha, self._beta) -
                   jnp.log(self._range()))
    return log_density.sum(-1)

  def _draw(self, key: jax.Array, sample_shape: tuple[int, ...]):
    shape = sample_shape + self._alpha.shape
    dtype = self._alpha.dtype
    # One gamma primitive for both (its rejection loop compiles for seconds):
    # vmapped over the two keys, it draws the same bits as two calls.
    log_gamma_a, log_gamma_b = jax.vmap(
        lambda k, c: jax.random.loggamma(k, c, shape, dtype))(
            jax.random.split(key),
            jnp.stack([
                jnp.broadcast_to(self._alpha, shape),
                jnp.broadcast_to(self._beta, shape)
            ]))
    # As jax.random.beta: scale by the larger gamma so neither overflows.
    log_max = jnp.maximum(log_gamma_a, log_gamma_b)
    gamma_a = jnp.exp(log_gamma_a - log_max)
    gamma_b = jnp.exp(log_gamma_b - log_max)
    total = gamma_a + gamma_b
    y = gamma_a / total
    log_total = jnp.log(total)
    log_prob = self._log_prob_unit(log_gamma_a - log_max - log_total,
                                   log_gamma_b - log_max - log_total)
    if self._unit_bounds():
      return y, log_prob, None
    # `low + width * y` can round one ulp past a bound: clip.
    sample = jnp.clip(self.low + self._range() * y, self.low, self.high)
    return sample, log_prob, None

  def log_prob(self, value: Any) -> jax.Array:
    """Log-density of `value`; finite at and beyond the bounds (see above).

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
        size=self._alpha.shape[-1],
        dtype=self._alpha.dtype)
    value = jnp.clip(value, self.low, self.high)
    # The floor keeps the log and its gradient finite at a bound; the clip
    # at eps is `_log_prob_unit`'s, as for a draw.
    floor = jnp.finfo(self._alpha.dtype).tiny
    log_width = jnp.log(self._range())
    log_y = jnp.log(jnp.maximum(value - self.low, floor)) - log_width
    log_1my = jnp.log(jnp.maximum(self.high - value, floor)) - log_width
    return self._log_prob_unit(log_y, log_1my)

  def entropy(self) -> jax.Array:
    """Exact entropy, `[...]`: `sum_A H(y) + log(high - low)`."""
    return (beta_entropy(self._alpha, self._beta) +
            jnp.log(self._range())).sum(-1)

  def mean(self) -> jax.Array:
    """`low + (high - low) alpha / (alpha + beta)`, `[..., A]`."""
    return self.low + self._range() * self._alpha / (self._alpha + self._beta)

  def variance(self) -> jax.Array:
    """`(high - low)^2 alpha beta / ((alpha + beta)^2 (alpha + beta + 1))`."""
    total = self._alpha + self._beta
    unit = self._alpha * self._beta / (jnp.square(total) * (total + 1.0))
    return jnp.square(self._range()) * unit

  def stddev(self) -> jax.Array:
    """The square root of `variance()`, `[..., A]`."""
    return jnp.sqrt(self.variance())

  def mode(self) -> jax.Array:
    """The density's argmax, `[..., A]`; NaN where there is no single one.

    With both concentrations > 1 it is interior; with one of them <= 1 it is
    the bound where the density is largest; with both <= 1 (uniform or
    U-shaped) it is undefined and returned as NaN.
    """
    alpha, beta = self._alpha, self._beta
    interior = (alpha - 1.0) / jnp.where(
        (alpha > 1.0) & (beta > 1.0), alpha + beta - 2.0, 1.0)
    unit = jnp.where((alpha > 1.0) & (beta > 1.0), interior,
                     jnp.where(beta > 1.0, 0.0,
                               jnp.where(alpha > 1.0, 1.0, jnp.nan)))
    return self.low + self._range() * unit

  def kl_divergence(self, other_dist, **kwargs) -> jax.Array:
    """Exact `KL(self || other_dist)` for a `Beta` with equal bounds, `[...]`.

    The affine map to `[low, high]` is the same for both, so the KL equals
    that of the unit Betas.

    Raises:
      NotImplementedError: if `other_dist` is not a `Beta`.
      ValueError: if the bounds differ (the KL is then infinite or undefined).
    """
    del kwargs
    _base.check_kl_partner(self, other_dist)
    return beta_kl(self._alpha, self._beta, other_dist.alpha,
                   other_dist.beta).sum(-1)
