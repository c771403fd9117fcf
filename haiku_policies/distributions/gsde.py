"""The generalized State-Dependent Exploration (gSDE) distribution.

Shapes: `[...]` batch dims, `H` latent feature dims, `A` action (event) dims,
`n` samples.
"""

from typing import Any

import jax
import jax.numpy as jnp

from haiku_policies import _checks
from haiku_policies.distributions import _base
from haiku_policies.distributions import diag_normal
from haiku_policies.distributions import tanh_normal
from haiku_policies.distributions.gsde_noise import GSDENoise


class GSDENormal(_base.DrawnDistribution):
  r"""Gaussian policy whose exploration noise is a linear function of features.

  See "Smooth Exploration for Robotic Reinforcement Learning" by Raffin, Kober
  and Stulp (2021, https://arxiv.org/abs/2005.05719).

  With mean `loc` `[..., A]`, latent features `z` `[..., H]` and the stds
  `noise_std` `[H, A]` of an exploration matrix, gSDE acts with

    `u = loc + z (noise_std * E)`,   `E` `[H, A]` standard normal,

  and `E` stays fixed for `n` steps (a `GSDENoise` state the caller carries
  and redraws, see `gsde_noise_update`), so the noise is a smooth,
  deterministic function of the state between redraws instead of white noise
  at every step. `sample_from_noise` and `sample_and_log_prob_from_noise`
  draw these actions.

  Over `E`, each `u_a` is Gaussian with variance `sum_h z_h^2 noise_std_ha^2`,
  independently across `a`. The distribution scores that Gaussian, as SB3's
  `StateDependentNoiseDistribution` does:

    `scale = sqrt((z ** 2) @ (noise_std ** 2) + epsilon)`,

  where `epsilon` (1e-6, SB3's default) keeps `scale > 0` at `z = 0`.
  `log_prob`, `entropy`, `mean`, `mode`, `median` and `kl_divergence` are
  those of `DiagNormal(loc, scale)`, or with `squash=True` of
  `TanhNormal(loc, scale)` (bounds ±1, action `tanh(u)`):

  * The squashed log-density uses the exact Jacobian `log(1 - tanh(u)^2)`,
    computed stably; SB3 adds 1e-6 inside that log, which changes the value
    by about `1e-6 / (1 - tanh(u)^2)` per dimension.
  * SB3's squashed `mode()` is `tanh(loc)`, here `median()`; `mode()` here is
    the density's argmax (see `TanhNormal`). SB3 has no squashed entropy;
    here it is `TanhNormal`'s deterministic quadrature.

  `sample(seed=...)` draws from the scored density, `loc + scale * N(0, I)`,
  which in distribution is a fresh matrix for every draw and batch element
  (up to `epsilon`); for gSDE's smooth exploration act with
  `sample_from_noise`. Its actions are differentiable in `loc`, `noise_std`
  and `z` (`du/dnoise_std = z E`); `GSDEHead` stops the gradient at `z`
  unless `learn_features=True`.

  >>> import jax, jax.numpy as jnp
  >>> from haiku_policies.distributions.gsde import GSDENormal
  >>> from haiku_policies.distributions.gsde_noise import gsde_noise_init
  >>> dist = GSDENormal(jnp.zeros((4, 2)), jnp.ones((4, 8)),
  ...                   jnp.full((8, 2), 0.1))
  >>> noise = gsde_noise_init(jax.random.PRNGKey(0), 8, 2)
  >>> action, log_prob = dist.sample_and_log_prob_from_noise(noise)
  >>> action.shape, log_prob.shape
  ((4, 2), (4,))
  >>> bool(jnp.allclose(action[0], action[1]))  # Same features, same noise.
  True
  """

  def __init__(
      self,
      loc: Any,
      features: Any,
      noise_std: Any,
      *,
      squash: bool = False,
      epsilon: float = 1e-6,
  ):
    """Initializes the distribution.

    Args:
      loc: `[..., A]` float means (of the pre-squash Gaussian).
      features: `[..., H]` float latent features `z`, leading dims
        broadcasting against those of `loc`.
      noise_std: `[H, A]` float stds of the exploration matrix's entries
        (> 0).
      squash: whether actions are `tanh(u)`, in `[-1, 1]`.
      epsilon: the variance floor added before the square root (> 0).

    Raises:
      TypeError: for non-floating arrays, a non-bool `squash` or a
        non-number `epsilon`.
      ValueError: for rank-0 `loc` or `features`, leading dims that do not
        broadcast, `noise_std` of a shape other than `[H, A]`, `epsilon` not
        finite and > 0, or (concrete values only) `noise_std` that is not
        finite and > 0.
    """
    owner = type(self).__name__
    loc, features, noise_std = _checks.gsde_params(
        loc, features, noise_std, owner=owner)
    squash = _checks.flag(squash, owner=owner, arg="squash")
    epsilon = _checks.positive_float(epsilon, owner=owner, arg="epsilon")
    super().__init__()
    self._features = features
    self._noise_std = noise_std
    self._squash = squash
    self._epsilon = epsilon
    variance = jnp.square(features) @ jnp.square(noise_std)
    scale = jnp.sqrt(variance + epsilon)
    self._base: diag_normal.DiagNormal | tanh_normal.TanhNormal
    if squash:
      self._base = tanh_normal.TanhNormal(loc, scale)
    else:
      self._base = diag_normal.DiagNormal(loc, scale)

  @property
  def loc(self) -> jax.Array:
    """Mean of the (pre-squash) Gaussian, `[..., A]`."""
    return self._base.loc

  @property
  def scale(self) -> jax.Array:
    """Standard deviation of the (pre-squash) Gaussian, `[..., A]`."""
    return self._base.scale

  @property
  def features(self) -> jax.Array:
    """The latent features `z`, `[..., H]`."""
    return self._features

  @property
  def noise_std(self) -> jax.Array:
    """The stds of the exploration matrix's entries, `[H, A]`."""
    return self._noise_std

  @property
  def squash(self) -> bool:
    """Whether actions are squashed by tanh into `[-1, 1]`."""
    return self._squash

  @property
  def event_shape(self) -> tuple[int, ...]:
    return self._base.event_shape

  @property
  def batch_shape(self) -> tuple[int, ...]:
    return self._base.batch_shape

  # gSDE noise.

  def exploration_noise(self, noise: GSDENoise | jax.Array) -> jax.Array:
    """The noise `z (noise_std * E)` added to `loc`, `[..., A]`.

    Args:
      noise: a `GSDENoise`, or its `eps`: `[H, A]` (one matrix for the whole
        batch) or `[..., H, A]` (one per batch element; the leading dims
        broadcast to the batch dims).

    Returns:
      `[..., A]` pre-squash noise.

    Raises:
      TypeError: if the noise is not floating point.
      ValueError: if its shape is not `[H, A]` or `[..., H, A]` as above.
    """
    eps = noise.eps if isinstance(noise, GSDENoise) else noise
    eps = _checks.gsde_noise(
        eps,
        owner=type(self).__name__,
        shape=self._noise_std.shape,
        batch_shape=self.batch_shape)
    matrix = self._noise_std * eps.astype(self._noise_std.dtype)
    if matrix.ndim == 2:  # One matrix: one matmul for the whole batch.
      return self._features @ matrix
    return (self._features[..., None, :] @ matrix)[..., 0, :]

  def sample_and_log_prob_from_noise(
      self, noise: GSDENoise | jax.Array) -> tuple[jax.Array, jax.Array]:
    """The gSDE action for the exploration noise `noise`, and its log-density.

    Args:
      noise: as for `exploration_noise`.

    Returns:
      The action `[..., A]` (`tanh`-squashed when `squash`) and its
      log-density `[...]`, scored from the pre-squash value (no inverse).

    Raises:
      TypeError: if the noise is not floating point.
      ValueError: if its shape does not fit (see `exploration_noise`).
    """
    pre_squash = self.loc + self.exploration_noise(noise)
    if isinstance(self._base, tanh_normal.TanhNormal):
      return (self._base.squash(pre_squash),
              self._base.log_prob_pre_squash(pre_squash))
    return pre_squash, self._base.log_prob(pre_squash)

  def sample_from_noise(self, noise: GSDENoise | jax.Array) -> jax.Array:
    """The gSDE action `[..., A]` for the exploration noise `noise`.

    Args:
      noise: as for `exploration_noise`.

    Raises:
      TypeError: if the noise is not floating point.
      ValueError: if its shape does not fit (see `exploration_noise`).
    """
    return self.sample_and_log_prob_from_noise(noise)[0]

  # The scored Gaussian (or tanh-Gaussian).

  def _draw(self, key: jax.Array, sample_shape: tuple[int, ...]):
    return self._base._draw(key, sample_shape)  # pylint: disable=protected-access

  def log_prob(self, value: Any) -> jax.Array:
    """Log-density of actions `[..., A]`, summed over `A`: `[...]`.

    Raises:
      ValueError: if the last axis of `value` is not `A`.
    """
    return self._base.log_prob(value)

  def entropy(self) -> jax.Array:
    """Entropy `[...]`: exact, or by quadrature when `squash`."""
    return self._base.entropy()

  def mean(self) -> jax.Array:
    """`E[action]`, `[..., A]`: `loc`, or by quadrature when `squash`."""
    return self._base.mean()

  def mode(self) -> jax.Array:
    """The density's argmax, `[..., A]`: `loc` unless `squash`."""
    return self._base.mode()

  def median(self) -> jax.Array:
    """`loc`, or `tanh(loc)` when `squash` (SB3's deterministic action)."""
    return self._base.median()

  def kl_divergence(self, other_dist, **kwargs) -> jax.Array:
    """Exact `KL(self || other_dist)`, `[...]`, for another `GSDENormal`.

    Raises:
      NotImplementedError: if `other_dist` is not a `GSDENormal` with the
        same `squash`.
    """
    del kwargs
    if not (isinstance(other_dist, GSDENormal) and
            other_dist.squash == self._squash):
      raise NotImplementedError(
          "GSDENormal.kl_divergence: only defined against another GSDENormal "
          f"with squash={self._squash}, got {type(other_dist).__name__}.")
    return self._base.kl_divergence(other_dist._base)  # pylint: disable=protected-access
