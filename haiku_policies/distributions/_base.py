"""Base class for distributions parameterized by `loc` and `scale` `[..., A]`."""

from typing import Any, Tuple

import distrax
import jax

from haiku_policies.distributions import _validation


class LocScaleDistribution(distrax.Distribution):
  """Validates and holds `loc`/`scale`; the last axis is the event."""

  def __init__(self, loc: Any, scale: Any):
    loc, scale = _validation.loc_and_scale(type(self).__name__, loc, scale)
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
  def event_shape(self) -> Tuple[int, ...]:
    return self._loc.shape[-1:]

  @property
  def batch_shape(self) -> Tuple[int, ...]:
    return self._loc.shape[:-1]
