"""Maps from an unconstrained pre-activation to a standard deviation.

Shapes: `[...]` any leading batch dims, `A` action dims.

Four families cover what users of other libraries expect:

* "softplus" (Acme, Brax): `softplus(x) + min_std`; min_std 1e-3, no max.
* "clipped_exp" (SB3, SBX): `exp(clip(x, log min_std, log max_std))`;
  bounds e^-20 and e^2.
* "tanh" (CleanRL): `exp(log_min + (log_max - log_min) (tanh(x) + 1) / 2)`
  with `log_min = log min_std`, `log_max = log max_std`; bounds e^-5 and e^2.
* "exp" (PPO `log_std`): `exp(x)`; no bounds.

Gradients at the bounds:

* "clipped_exp" blocks them: outside `[log min_std, log max_std]` the clip has
  zero derivative, so a pre-activation that drifts out of range stays there
  until other gradients pull the layer back.
* "tanh" shrinks them smoothly by `sech(x)^2`; in float32 this is exactly 0
  once `|x| > ~9`, where the std is pinned to its bound.
* "softplus" never blocks them: its derivative `sigmoid(x)` only vanishes as the
  std approaches `min_std` asymptotically.
* "exp" never blocks them (and bounds nothing).

Each transform has an exact `inverse`, used by the heads so that a zero
pre-activation maps to `init_std` at initialisation.
"""

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies import _checks

__all__ = ["STD_TRANSFORMS", "StdTransform", "make_std_transform"]

STD_TRANSFORMS = ("softplus", "clipped_exp", "tanh", "exp")
# (min_std, max_std) defaults per kind; None means unbounded on that side.
_DEFAULTS = {
    "softplus": (1e-3, None),
    "clipped_exp": (math.exp(-20.0), math.exp(2.0)),
    "tanh": (math.exp(-5.0), math.exp(2.0)),
    "exp": (None, None),
}


@dataclasses.dataclass(frozen=True)
class StdTransform:
  """A positive map `pre-activation [..., A] -> std [..., A]` and its inverse.

  Build one with `make_std_transform`, which validates the bounds. The table
  in this module's docstring gives the formula for each `kind`. The bounds are
  Python floats, so calling the transform adds no Python-side work to a jitted
  step beyond tracing.

  Attributes:
    kind: one of `STD_TRANSFORMS`.
    min_std: the lower bound, or None when there is none.
    max_std: the upper bound, or None when there is none.

  >>> import jax.numpy as jnp
  >>> from haiku_policies.std_transforms import make_std_transform
  >>> t = make_std_transform("tanh", min_std=0.01, max_std=1.0)
  >>> x = t.inverse(0.5)
  >>> bool(jnp.allclose(t(jnp.asarray(x)), 0.5))
  True
  """

  kind: str
  min_std: float | None
  max_std: float | None

  @property
  def blocks_gradient_at_bounds(self) -> bool:
    """Whether the derivative is exactly zero beyond a bound (clip)."""
    return self.kind == "clipped_exp"

  def _floor(self) -> float:
    """`min_std`, or 0 where there is none."""
    return 0.0 if self.min_std is None else self.min_std

  def _log_bounds(self) -> tuple[float, float]:
    """`log min_std` and `log max_std`, which "clipped_exp" and "tanh" need."""
    if self.min_std is None or self.max_std is None:
      raise ValueError(
          f"StdTransform: std_transform={self.kind!r} needs `min_std` and "
          f"`max_std`, got min_std={self.min_std}, max_std={self.max_std}. "
          "Build it with make_std_transform, which fills in the defaults.")
    return math.log(self.min_std), math.log(self.max_std)

  def __call__(self, x: jax.Array) -> jax.Array:
    """Returns the std `[..., A]` for the pre-activation `x` `[..., A]`.

    Raises:
      ValueError: if the kind is "clipped_exp" or "tanh" and a bound is None
        (possible only for a `StdTransform` built by hand).
    """
    if self.kind == "softplus":
      return jax.nn.softplus(x) + self._floor()
    if self.kind == "clipped_exp":
      log_min, log_max = self._log_bounds()
      return jnp.exp(jnp.clip(x, log_min, log_max))
    if self.kind == "tanh":
      log_min, log_max = self._log_bounds()
      half_range = 0.5 * (log_max - log_min)
      return jnp.exp(log_min + half_range * (jnp.tanh(x) + 1.0))
    return jnp.exp(x)

  def inverse(
      self,
      std: float | np.ndarray,
      *,
      owner: str = "StdTransform",
      arg: str = "std",
  ) -> np.ndarray:
    """Returns the pre-activation that maps to `std`, computed in float64.

    Args:
      std: a float or numpy array strictly inside `(min_std, max_std)`.
      owner: the name used in error messages (the calling module).
      arg: the argument name used in error messages.

    Returns:
      A float64 numpy array of the same shape.

    Raises:
      ValueError: if some `std` is not strictly inside the bounds (the inverse
        would be infinite, or sit where the gradient is blocked), or, as for
        `__call__`, a bound the kind needs is None.
    """
    std = np.asarray(std, dtype=np.float64)
    if not np.all(np.isfinite(std)):
      raise ValueError(f"{owner}: `{arg}` must be finite, got {arg}={std}.")
    lo = self._floor()
    hi = math.inf if self.max_std is None else self.max_std
    if not (np.all(std > lo) and np.all(std < hi)):
      raise ValueError(
          f"{owner}: `{arg}` must lie strictly inside ({lo}, {hi}) for "
          f"std_transform={self.kind!r}, got {arg}={std}. Pick a value inside "
          "the bounds or widen `min_std`/`max_std`.")
    if self.kind == "softplus":
      return np.log(np.expm1(std - lo))
    if self.kind == "tanh":
      log_min, log_max = self._log_bounds()
      return np.arctanh(2.0 * (np.log(std) - log_min) / (log_max - log_min) -
                        1.0)
    return np.log(std)


def make_std_transform(
    kind: str | StdTransform = "softplus",
    min_std: float | None = None,
    max_std: float | None = None,
    *,
    owner: str = "make_std_transform",
) -> StdTransform:
  """Builds and validates a `StdTransform`.

  Args:
    kind: one of "softplus", "clipped_exp", "tanh", "exp", or a ready
      `StdTransform` (then `min_std`/`max_std` must be None).
    min_std: the lower bound; None takes the family default (see the module
      docstring). "exp" accepts no bounds.
    max_std: the upper bound; None takes the family default. "softplus" and
      "exp" accept none.
    owner: the name used in error messages (the calling module).

  Returns:
    The transform.

  Raises:
    TypeError: if `kind` or a bound has the wrong type.
    ValueError: for an unknown `kind`, a bound the kind does not support, a
      bound <= 0 or not finite, or `min_std >= max_std`.

  >>> import jax.numpy as jnp
  >>> from haiku_policies.std_transforms import make_std_transform
  >>> t = make_std_transform("softplus", min_std=0.01)
  >>> t.kind, t.min_std, t.max_std
  ('softplus', 0.01, None)
  >>> t(jnp.zeros((3, 2))).shape
  (3, 2)
  """
  if isinstance(kind, StdTransform):
    if min_std is not None or max_std is not None:
      raise ValueError(
          f"{owner}: pass `min_std`/`max_std` either to make_std_transform or "
          f"here, not both; got std_transform={kind}, min_std={min_std}, "
          f"max_std={max_std}.")
    return kind
  kind = _checks.one_of(
      kind,
      STD_TRANSFORMS,
      owner=owner,
      arg="std_transform",
      alternative=" or a StdTransform",
  )
  if min_std is not None:
    min_std = _checks.positive_float(min_std, owner=owner, arg="min_std")
  if max_std is not None:
    max_std = _checks.positive_float(max_std, owner=owner, arg="max_std")
  default_min, default_max = _DEFAULTS[kind]
  if kind in ("softplus", "exp") and max_std is not None:
    raise ValueError(
        f"{owner}: std_transform={kind!r} has no upper bound, so `max_std` "
        f"must be None, got max_std={max_std}. Use 'clipped_exp' or 'tanh' for a "
        "bounded std.")
  if kind == "exp" and min_std is not None:
    raise ValueError(
        f"{owner}: std_transform='exp' has no lower bound, so `min_std` "
        f"must be None, got min_std={min_std}. Use 'softplus', 'clipped_exp' or 'tanh'."
    )
  min_std = default_min if min_std is None else min_std
  max_std = default_max if max_std is None else max_std
  if min_std is not None and max_std is not None and not min_std < max_std:
    raise ValueError(f"{owner}: `min_std` must be > 0 and < `max_std`, got "
                     f"min_std={min_std}, max_std={max_std}.")
  return StdTransform(kind=kind, min_std=min_std, max_std=max_std)
