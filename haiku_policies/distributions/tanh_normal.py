"""Tanh-squashed diagonal Gaussian rescaled to action bounds.

Shapes: `[...]` batch dims, `A` action (event) dims, `n` samples.
"""

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies import _checks
from haiku_policies.distributions import _base
from haiku_policies.distributions import _quadrature
from haiku_policies.distributions import diag_normal

_MODE_NEWTON_STEPS = 40


class TanhNormal(_base.LocScaleDistribution):
  r"""Diagonal Gaussian squashed by tanh into per-dimension bounds `[low, high]`.

  With `u = loc + scale * eps`, `eps ~ N(0, I)` (the pre-squash value), the
  action is `a = c + h * tanh(u)` with `c = (high + low) / 2` and
  `h = (high - low) / 2`. Dimensions whose bounds are both infinite are left
  unsquashed (`a = u`). For bounds ±1 and the same key, samples equal those of
  `distrax.Transformed(MultivariateNormalDiag(loc, scale), Block(Tanh(), 1))`.

  Log-density and numerical safety (float32 never gives NaN or inf):

  * `log p(a) = log N(u; loc, scale) - sum_d log|da_d/du_d|`, with
    `log|da/du| = log h + log(1 - tanh(u)^2)` (the Jacobian of the rescaling
    to `[low, high]` included), and `log(1 - tanh(u)^2)` evaluated as
    `2 (log 2 - u - softplus(-2u))`, finite for all finite `u`.
  * `sample_and_log_prob` and `log_prob_pre_squash` score the pre-squash draw
    `u` directly and never invert tanh. `sample_and_log_prob_with_pre_squash`
    also returns `u`, for replay buffers that want to skip the inverse.
  * `log_prob(a)` must invert the squash. It never forms `atanh(z)`; it uses
    the gaps to the bounds, `g_lo = a - low` and `g_hi = high - a`, which are
    exact for `a` near a bound: `u = (log g_lo - log g_hi) / 2` and
    `log|da/du| = log g_lo + log g_hi - log h`. Each gap is clipped below at
    `h * finfo(dtype).eps`, so actions at (or rounded onto) a bound, and
    actions outside `[low, high]`, score as if they lay that close to the
    bound (`|u| <= ~8.3` in float32). A saturated sample whose pre-squash
    value was larger can only be scored exactly from `u`.
  * Gradients with respect to `loc` and `scale` are finite everywhere.

  `entropy()` and `mean()` are deterministic and differentiable per-dimension
  quadratures (see `_quadrature`); `median()` is `c + h tanh(loc)`; `mode()` is
  the density's argmax. The Jacobian pushes the mode towards the nearer bound,
  so it differs from the median whenever `loc != 0`; at `loc = 0` they agree
  until `scale > 1/sqrt(2)`, where the density becomes bimodal.

  `low`/`high` are static (Python floats, validated at construction). `loc`
  and `scale` values are checked only when concrete (outside `jit`).

  >>> import jax, jax.numpy as jnp
  >>> dist = TanhNormal(jnp.zeros((4, 2)), jnp.ones((4, 2)), low=-2.0, high=2.0)
  >>> action, log_prob, u = dist.sample_and_log_prob_with_pre_squash(
  ...     seed=jax.random.PRNGKey(0))
  >>> action.shape, log_prob.shape, bool(jnp.all(jnp.abs(action) <= 2.0))
  ((4, 2), (4,), True)
  >>> bool(jnp.allclose(dist.log_prob_pre_squash(u), log_prob))
  True
  """

  def __init__(self, loc: Any, scale: Any, low: Any = -1.0, high: Any = 1.0):
    """Initializes the distribution.

    Args:
      loc: `[..., A]` float array, mean of the pre-squash Gaussian.
      scale: `[..., A]` float array, its standard deviation (> 0).
      low: scalar or `[A]` lower action bounds (concrete, not traced).
      high: scalar or `[A]` upper action bounds; a dimension with
        `low = -inf, high = inf` is unsquashed.

    Raises:
      TypeError: non-floating `loc`/`scale`, or traced or non-numeric bounds.
      ValueError: rank-0 `loc`, shapes that do not broadcast (bounds: scalars
        or `[A]` arrays, with `A` the last axis of `loc`), one-sided
        infinite bounds, `low >= high`, NaN bounds, or (concrete values only)
        `scale <= 0` or non-finite values.
    """
    super().__init__(loc, scale)
    # Tuples of Python floats: static pytree metadata, constants under jit.
    low_a, high_a = _checks.bounds(
        low,
        high,
        owner=type(self).__name__,
        finite=False,
        size=self._loc.shape[-1])
    self._low = tuple(low_a.tolist())
    self._high = tuple(high_a.tolist())

  @property
  def low(self) -> jax.Array:
    """Lower bounds, `[A]`."""
    return jnp.asarray(self._low, self._loc.dtype)

  @property
  def high(self) -> jax.Array:
    """Upper bounds, `[A]`."""
    return jnp.asarray(self._high, self._loc.dtype)

  # Static bound constants (NumPy, float64).

  def _squashed(self) -> np.ndarray:
    return np.isfinite(np.asarray(self._low))

  def _unit_bounds(self) -> bool:
    return all(l == -1.0 and h == 1.0 for l, h in zip(self._low, self._high))

  def _affine(self) -> tuple[jax.Array, jax.Array]:
    """Centre `c` and half-range `h`; 0 and 1 where unsquashed."""
    squashed = self._squashed()
    low = np.where(squashed, self._low, -1.0)
    high = np.where(squashed, self._high, 1.0)
    centre, half = (high + low) / 2, (high - low) / 2
    dtype = self._loc.dtype
    return jnp.asarray(centre, dtype), jnp.asarray(half, dtype)

  def _where_squashed(self, squashed_value, unsquashed_value):
    mask = self._squashed()
    if mask.all():
      return squashed_value
    return jnp.where(mask, squashed_value, unsquashed_value)

  # Squashing.

  def squash(self, pre_squash: jax.Array) -> jax.Array:
    """Maps pre-squash values `u` `[..., A]` to actions in the bounds."""
    if self._unit_bounds():
      # XLA's tanh stays in [-1, 1] (distrax issue #235 was a tanh that did
      # not; tested here), so no clip: it would cost two kernels per step.
      return jnp.tanh(pre_squash)
    # `centre + half * tanh` can round one ulp past a bound: clip.
    centre, half = self._affine()
    dtype = self._loc.dtype
    return jnp.clip(
        self._where_squashed(centre + half * jnp.tanh(pre_squash), pre_squash),
        jnp.asarray(self._low, dtype), jnp.asarray(self._high, dtype))

  def _log_det_jacobian(self, pre_squash: jax.Array) -> jax.Array:
    """`sum_d log|da_d/du_d|` at `u`, `[..., A]` → `[...]`."""
    _, half = self._affine()
    log_det = jnp.log(half) + _quadrature.log1m_tanh_sq(pre_squash)
    return self._where_squashed(log_det, 0.0).sum(-1)

  # Sampling and scoring.

  def _draw(self, key: jax.Array, sample_shape: tuple[int, ...]):
    pre_squash, base_log_prob = diag_normal.reparameterized_sample_and_log_prob(
        key, sample_shape, self._loc, self._scale)
    log_prob = base_log_prob - self._log_det_jacobian(pre_squash)
    return self.squash(pre_squash), log_prob, pre_squash

  def sample_and_log_prob_with_pre_squash(
      self, *, seed, sample_shape=()) -> tuple[jax.Array, jax.Array, jax.Array]:
    """One draw as `(action, log_prob, pre_squash)`.

    Args:
      seed: PRNG key or integer seed.
      sample_shape: leading sample shape.

    Returns:
      `action` `[*sample_shape, ..., A]`, `log_prob` `[*sample_shape, ...]`
      (scored from the pre-squash value, no inverse) and `pre_squash`
      `[*sample_shape, ..., A]`.
    """
    return self._draw(*_base.seed_and_shape(seed, sample_shape))

  def log_prob_pre_squash(self, pre_squash: Any) -> jax.Array:
    """Log-density of the action `squash(pre_squash)`.

    Exact for any finite `pre_squash`, including values whose tanh rounds to
    a bound.

    Args:
      pre_squash: `[..., A]` pre-squash values `u`.

    Returns:
      `[...]` log-densities of the actions, summed over `A`.

    Raises:
      ValueError: if the last axis of `pre_squash` is not `A`.
    """
    pre_squash = _checks.event(
        pre_squash,
        owner=type(self).__name__,
        size=self._loc.shape[-1],
        dtype=self._loc.dtype)
    base = diag_normal.normal_log_prob(pre_squash, self._loc,
                                       self._scale).sum(-1)
    return base - self._log_det_jacobian(pre_squash)

  def log_prob(self, value: Any) -> jax.Array:
    """Log-density of actions; finite at and beyond the bounds (see above).

    Args:
      value: `[..., A]` actions.

    Returns:
      `[...]` log-densities, summed over `A`.

    Raises:
      ValueError: if the last axis of `value` is not `A`.
    """
    action = _checks.event(
        value,
        owner=type(self).__name__,
        size=self._loc.shape[-1],
        dtype=self._loc.dtype)
    dtype = self._loc.dtype
    _, half = self._affine()
    squashed = self._squashed()
    low = jnp.asarray(np.where(squashed, self._low, -1.0), dtype)
    high = jnp.asarray(np.where(squashed, self._high, 1.0), dtype)
    tiny = half * jnp.finfo(dtype).eps
    safe = self._where_squashed(action, 0.0)
    log_gap_lo = jnp.log(jnp.maximum(safe - low, tiny))
    log_gap_hi = jnp.log(jnp.maximum(high - safe, tiny))
    pre_squash = self._where_squashed(0.5 * (log_gap_lo - log_gap_hi), action)
    log_det = self._where_squashed(log_gap_lo + log_gap_hi - jnp.log(half), 0.0)
    base = diag_normal.normal_log_prob(pre_squash, self._loc, self._scale)
    return (base - log_det).sum(-1)

  # Summaries.

  def entropy(self) -> jax.Array:
    """Entropy `[...]` by deterministic quadrature (no sampling).

    `H(a) = H(u) + sum_d (log h_d + E[log(1 - tanh(u_d)^2)])`.
    """
    _, half = self._affine()
    log_det = jnp.log(half) + _quadrature.expected_log1m_tanh_sq(
        self._loc, self._scale)
    return (diag_normal.normal_entropy(self._scale) +
            self._where_squashed(log_det, 0.0)).sum(-1)

  def mean(self) -> jax.Array:
    """`E[a]`, `[..., A]`, by deterministic quadrature."""
    centre, half = self._affine()
    expected = centre + half * _quadrature.expected_tanh(self._loc, self._scale)
    return self._where_squashed(expected, self._loc)

  def median(self) -> jax.Array:
    """`c + h tanh(loc)`, `[..., A]` (tanh is monotone)."""
    return self.squash(self._loc)

  def mode(self) -> jax.Array:
    """The density's argmax per dimension, `[..., A]`.

    In `u` the log-density of the action is
    `-(u - loc)^2 / (2 scale^2) + 2 log cosh(u) + const`. Its stationary points
    solve `g(u) = (u - |loc|) / scale^2 - 2 tanh(u) = 0` after reflecting to
    `loc >= 0`; the global maximum then lies in `u >= 0` (the reflection
    `u -> -u` lowers the density by `2 u |loc| / scale^2`), where `g` is
    convex with `g(0) <= 0`. Newton's method from `|loc| + 2 scale^2` (where
    `g >= 0`) descends monotonically onto that root.
    """
    mean_abs = jnp.abs(self._loc)
    variance = jnp.square(self._scale)

    def newton(_, u):
      tanh = jnp.tanh(u)
      g = (u - mean_abs) / variance - 2.0 * tanh
      slope = 1.0 / variance - 2.0 * (1.0 - jnp.square(tanh))
      step = jnp.where(slope > 0, g / jnp.where(slope > 0, slope, 1.0), 0.0)
      return jnp.maximum(u - step, 0.0)

    root = jax.lax.fori_loop(0, _MODE_NEWTON_STEPS, newton,
                             mean_abs + 2.0 * variance)
    # At loc = 0 the two modes have equal density; return the upper one.
    mode = jnp.where(self._loc < 0, -root, root)
    return self.squash(self._where_squashed(mode, self._loc))

  def kl_divergence(self, other_dist, **kwargs) -> jax.Array:
    """Exact `KL(self || other_dist)` for a `TanhNormal` with equal bounds.

    The squash is the same bijection for both, so the KL equals that of the
    pre-squash Gaussians.

    Raises:
      NotImplementedError: if `other_dist` is not a `TanhNormal`.
      ValueError: if the bounds differ (the KL is then infinite or undefined).
    """
    del kwargs
    _base.check_kl_partner(self, other_dist)
    return diag_normal.normal_kl(self._loc, self._scale, other_dist.loc,
                                 other_dist.scale).sum(-1)
