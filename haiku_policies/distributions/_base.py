"""Base classes: one `_draw` behind every sampling method, and `loc`/`scale`."""

from typing import Any

import distrax
import jax
import numpy as np

from haiku_policies import _checks


def seed_and_shape(seed: Any,
                   sample_shape: Any) -> tuple[jax.Array, tuple[int, ...]]:
  """A PRNG key from a key or an integer seed, and `sample_shape` as a tuple."""
  key = jax.random.PRNGKey(seed) if isinstance(seed,
                                               (int, np.integer)) else seed
  if isinstance(sample_shape, (int, np.integer)):
    return key, (int(sample_shape),)
  return key, tuple(int(n) for n in sample_shape)


def check_kl_partner(dist: Any, other: Any) -> None:
  """Raises unless `other` has `dist`'s class and its static bounds.

  For the bounded distributions (`TanhNormal`, `Beta`), whose bounds are
  tuples `_low` and `_high`: the KL is exact only against the same family on
  the same bounds.

  Raises:
    NotImplementedError: if `other` is not an instance of `type(dist)`.
    ValueError: if the bounds differ (the KL is then infinite or undefined).
  """
  name = type(dist).__name__
  if not isinstance(other, type(dist)):
    raise NotImplementedError(
        f"{name}.kl_divergence: only defined against another {name} with the "
        f"same bounds, got {type(other).__name__}.")
  # pylint: disable=protected-access
  if (dist._low, dist._high) != (other._low, other._high):
    raise ValueError(
        f"{name}.kl_divergence: both distributions must have the same bounds, "
        f"got low={dist._low}, high={dist._high} and low={other._low}, "
        f"high={other._high}.")


class DrawnDistribution(distrax.Distribution):
  """Routes `sample`, `sample_and_log_prob` and distrax's `_sample_n*` to one
  `_draw`.

  Subclasses implement `_draw(key, sample_shape) -> (sample, log_prob,
  extra)`, which draws the noise with the full sample shape at once (no
  `[n, ...]` axis and reshape, so `sample_shape=()` adds no ops under `jit`).
  `extra` is whatever else the draw has to offer (the pre-squash value of
  `TanhNormal`), or None.
  """

  def _draw(self, key: jax.Array, sample_shape: tuple[int, ...]):
    raise NotImplementedError

  def sample(self, *, seed, sample_shape=()) -> jax.Array:
    return self._draw(*seed_and_shape(seed, sample_shape))[0]

  def sample_and_log_prob(self, *, seed,
                          sample_shape=()) -> tuple[jax.Array, jax.Array]:
    return self._draw(*seed_and_shape(seed, sample_shape))[:2]

  def _sample_n(self, key: jax.Array, n: int) -> jax.Array:
    return self._draw(key, (n,))[0]

  def _sample_n_and_log_prob(self, key: jax.Array,
                             n: int) -> tuple[jax.Array, jax.Array]:
    return self._draw(key, (n,))[:2]


class LocScaleDistribution(DrawnDistribution):
  """Validates and holds `loc`/`scale`; the last axis is the event."""

  def __init__(self, loc: Any, scale: Any):
    loc, scale = _checks.loc_and_scale(loc, scale, owner=type(self).__name__)
    super().__init__()
    self._loc = loc
    self._scale = scale

  @property
  def loc(self) -> jax.Array:
    """Mean of the (pre-squash) Gaussian, `[..., A]`."""
    return self._loc

  @property
  def scale(self) -> jax.Array:
    """Standard deviation of the (pre-squash) Gaussian, `[..., A]`."""
    return self._scale

  @property
  def event_shape(self) -> tuple[int, ...]:
    return self._loc.shape[-1:]

  @property
  def batch_shape(self) -> tuple[int, ...]:
    return self._loc.shape[:-1]
