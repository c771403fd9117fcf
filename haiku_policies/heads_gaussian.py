"""Gaussian policy heads: `GaussianHead` and `TanhGaussianHead`.

Shapes: `[...]` any leading batch dims, `H` feature dims, `A` action dims.

Both heads map features to a mean `loc = linear(features)` and a standard
deviation `scale = std_transform(pre)`, where the pre-activation `pre` is

* state dependent (`state_dependent_std=True`, SAC style): a second linear
  layer `std` on the same features. Its weights are initialised to zero and
  its bias to `std_transform.inverse(init_std)`, so at initialisation the std
  equals `init_std` for every input (up to float32 rounding). Zero weights do
  not stop learning: the weight gradient is `features^T dL/dpre`, which does
  not depend on the weights.
* state independent (`state_dependent_std=False`, PPO style): a parameter
  `raw_std` of shape `[A]`, initialised to `std_transform.inverse(init_std)`,
  broadcast over the leading dims.

`std_transform` is one of "softplus" (Acme/Brax: `softplus(pre) + min_std`),
"clipped_exp" (SB3/SBX: `exp(clip(pre, log min_std, log max_std))`), "tanh"
(CleanRL: `log std = tanh(pre)` rescaled into `[log min_std, log max_std]`) or
"exp" (PPO `log_std`); see `haiku_policies.std_transforms` for the defaults.
Of these, "clipped_exp" blocks gradients beyond its bounds (the clip has zero
derivative there) and "tanh" shrinks them by `sech(pre)^2` (exactly zero in
float32 once `|pre| > ~9`); "softplus" and "exp" never block them.

Parameter names (the checkpoint contract): `loc/{w,b}` and `std/{w,b}`, or
`loc/{w,b}` and `raw_std` when the std is state independent.
"""

from typing import Any

import haiku as hk
import jax

from haiku_policies import _checks
from haiku_policies import initializers
from haiku_policies import std_transforms
from haiku_policies.distributions import DiagNormal
from haiku_policies.distributions import TanhNormal

__all__ = ["GaussianHead", "TanhGaussianHead"]


class _GaussianHeadBase(hk.Module):
  """Shared `loc`/`scale` computation of the Gaussian heads."""

  def __init__(
      self,
      action_size: int,
      *,
      state_dependent_std: bool,
      std_transform: str | std_transforms.StdTransform,
      min_std: float | None,
      max_std: float | None,
      init_std: float,
      w_init: initializers.WInit,
      b_init: hk.initializers.Initializer | None,
      name: str | None,
  ):
    owner = type(self).__name__
    action_size = _checks.integer(action_size, owner=owner, arg="action_size")
    transform = std_transforms.make_std_transform(
        std_transform, min_std, max_std, owner=owner)
    init_std = _checks.positive_float(init_std, owner=owner, arg="init_std")
    std_bias = float(transform.inverse(init_std, owner=owner, arg="init_std"))
    loc_w_init = initializers.resolve_w_init(
        w_init, gain=initializers.POLICY_GAIN, owner=owner)
    super().__init__(name=name)
    self.action_size = action_size
    self.state_dependent_std = bool(state_dependent_std)
    self.std_transform = transform
    self.init_std = init_std
    self._std_bias = std_bias
    self._loc_w_init = loc_w_init
    self._b_init = b_init

  @hk.transparent
  def _loc_and_scale(self, inputs: jax.Array) -> tuple[jax.Array, jax.Array]:
    _checks.float_input(
        inputs, owner=type(self).__name__, arg="inputs", spec="[..., H]")
    loc = hk.Linear(
        self.action_size,
        w_init=self._loc_w_init,
        b_init=self._b_init,
        name="loc",
    )(
        inputs)
    std_init = hk.initializers.Constant(self._std_bias)
    if self.state_dependent_std:
      pre = hk.Linear(
          self.action_size,
          w_init=hk.initializers.Constant(0.0),
          b_init=std_init,
          name="std",
      )(
          inputs)
    else:
      pre = hk.get_parameter(
          "raw_std", [self.action_size], dtype=inputs.dtype, init=std_init)
    return loc, self.std_transform(pre)


class GaussianHead(_GaussianHeadBase):
  """Features `[..., H]` -> `DiagNormal` over `[..., A]` actions.

  Unbounded actions: PPO on continuous control, or any policy whose
  environment clips. See the module docstring for the std options, the exact
  initial std and which transforms block gradients.

  >>> import haiku as hk, jax, jax.numpy as jnp
  >>> from haiku_policies.heads_gaussian import GaussianHead
  >>> f = hk.transform(lambda h: GaussianHead(2, init_std=0.5)(h).scale)
  >>> params = f.init(jax.random.PRNGKey(0), jnp.ones((3, 8)))
  >>> bool(jnp.allclose(f.apply(params, None, jnp.ones((3, 8))), 0.5))
  True
  """

  def __init__(
      self,
      action_size: int,
      *,
      state_dependent_std: bool = True,
      std_transform: str | std_transforms.StdTransform = "softplus",
      min_std: float | None = None,
      max_std: float | None = None,
      init_std: float = 1.0,
      w_init: initializers.WInit = None,
      b_init: hk.initializers.Initializer | None = None,
      name: str | None = None,
  ):
    """Constructs the head.

    Args:
      action_size: the number of action dims `A`.
      state_dependent_std: whether the std is a function of the features
        (True) or a learned `[A]` parameter (False).
      std_transform: "softplus", "clipped_exp", "tanh", "exp" or a
        `StdTransform`.
      min_std: the lower std bound; None for the family default.
      max_std: the upper std bound; None for the family default.
      init_std: the std at initialisation, strictly inside the bounds.
      w_init: the initializer of the `loc` layer: an initializer, None
        (Haiku default), "orthogonal" (gain 0.01, as PPO) or
        "variance_scaling".
      b_init: the bias initializer of the `loc` layer; None for zeros.
      name: the module name; defaults to "gaussian_head".

    Raises:
      TypeError: if `action_size` is not an int (Python or NumPy), or
        `std_transform`, `init_std`, a bound or `w_init` has the wrong type.
      ValueError: if `action_size` < 1, the bounds are invalid for the
        transform, `init_std` is not strictly inside them, or `w_init` is an
        unknown string.
    """
    super().__init__(
        action_size,
        state_dependent_std=state_dependent_std,
        std_transform=std_transform,
        min_std=min_std,
        max_std=max_std,
        init_std=init_std,
        w_init=w_init,
        b_init=b_init,
        name=name,
    )

  def __call__(self, inputs: jax.Array) -> DiagNormal:
    """Returns the action distribution.

    Args:
      inputs: `[..., H]` float features.

    Returns:
      A `DiagNormal` with `loc` and `scale` `[..., A]`.

    Raises:
      AssertionError: (chex) if `inputs` has rank 0 or a non-float dtype.
    """
    loc, scale = self._loc_and_scale(inputs)
    return DiagNormal(loc, scale)


class TanhGaussianHead(_GaussianHeadBase):
  """Features `[..., H]` -> `TanhNormal` with per-dimension bounds.

  SAC-style policies: the action is `c + h tanh(u)` with `u ~ N(loc, scale)`,
  `c = (high + low) / 2` and `h = (high - low) / 2`, so samples stay in
  `[low, high]`; `TanhNormal` documents how its log-density stays finite. A
  dimension with both bounds infinite is left unsquashed. The `loc` is not
  clipped. The std options are those of `GaussianHead` (module docstring).

  >>> import haiku as hk, jax, jax.numpy as jnp, numpy as np
  >>> from haiku_policies.heads_gaussian import TanhGaussianHead
  >>> bounds = (np.array([-2.0, 0.0]), np.array([2.0, 1.0]))
  >>> def policy(h):
  ...   dist = TanhGaussianHead(bounds)(h)
  ...   return dist.sample_and_log_prob(seed=hk.next_rng_key())
  >>> f = hk.transform(policy)
  >>> params = f.init(jax.random.PRNGKey(0), jnp.ones((3, 8)))
  >>> key = jax.random.PRNGKey(1)
  >>> action, log_prob = f.apply(params, key, jnp.ones((3, 8)))
  >>> action.shape, log_prob.shape
  ((3, 2), (3,))
  """

  def __init__(
      self,
      action_spec: int | tuple[Any, Any],
      *,
      state_dependent_std: bool = True,
      std_transform: str | std_transforms.StdTransform = "softplus",
      min_std: float | None = None,
      max_std: float | None = None,
      init_std: float = 1.0,
      w_init: initializers.WInit = None,
      b_init: hk.initializers.Initializer | None = None,
      name: str | None = None,
  ):
    """Constructs the head.

    Args:
      action_spec: an int `A` for bounds `[-1, 1]^A`, or `(low, high)`, two
        `[A]` arrays (see `haiku_policies.specs.action_bounds`); one of them
        may be a scalar, broadcast to `[A]`.
      state_dependent_std: as for `GaussianHead`.
      std_transform: as for `GaussianHead`.
      min_std: as for `GaussianHead`.
      max_std: as for `GaussianHead`.
      init_std: the std of `u` at initialisation.
      w_init: as for `GaussianHead`.
      b_init: as for `GaussianHead`.
      name: the module name; defaults to "tanh_gaussian_head".

    Raises:
      TypeError: if `action_spec` is neither an int nor a pair, a bound is
        traced or not numeric, or another argument has the wrong type (see
        `GaussianHead`).
      ValueError: if `A` < 1, the bounds are not scalars or `[A]` arrays of
        one `A` (at least one `[A]`), hold NaN, are infinite on one side only
        or have `low >= high` somewhere, or another argument is invalid (see
        `GaussianHead`).
    """
    low, high = _checks.action_spec(
        action_spec, owner=type(self).__name__, finite=False)
    super().__init__(
        len(low),
        state_dependent_std=state_dependent_std,
        std_transform=std_transform,
        min_std=min_std,
        max_std=max_std,
        init_std=init_std,
        w_init=w_init,
        b_init=b_init,
        name=name,
    )
    self.low = tuple(low.tolist())
    self.high = tuple(high.tolist())

  def __call__(self, inputs: jax.Array) -> TanhNormal:
    """Returns the action distribution.

    Args:
      inputs: `[..., H]` float features.

    Returns:
      A `TanhNormal` with `loc` and `scale` `[..., A]` and the head's bounds.

    Raises:
      AssertionError: (chex) if `inputs` has rank 0 or a non-float dtype.
    """
    loc, scale = self._loc_and_scale(inputs)
    return TanhNormal(loc, scale, low=self.low, high=self.high)
