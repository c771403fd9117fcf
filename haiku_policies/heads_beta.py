"""Beta policy head for bounded actions without a tanh squash.

Shapes: `[...]` any leading batch dims, `H` feature dims, `A` action dims.
"""

from typing import Any

import haiku as hk
import jax

from haiku_policies import _checks
from haiku_policies import initializers
from haiku_policies.distributions import Beta

__all__ = ["BetaHead"]


class BetaHead(hk.Module):
  """Features `[..., H]` -> `Beta` over `[..., A]` actions in `[low, high]`.

  Two linear layers give the pre-activations of the two shape parameters,
  mapped as `alpha = min_concentration + softplus(linear_alpha(features))`
  and likewise `beta`. With the default `min_concentration = 1` both stay
  > 1, so the density is unimodal and zero at the bounds: the policy cannot
  pile its mass onto a bound, and its log-density and gradients stay finite
  at every action it samples. This is the parameterisation of "Improving
  Stochastic Policy Gradients in Continuous Control with Deep Reinforcement
  Learning using the Beta Distribution" by Chou, Maturana and Scherer (2017,
  http://proceedings.mlr.press/v70/chou17a.html). A smaller
  `min_concentration` (> 0) admits U-shaped and J-shaped densities, for bang-
  bang control; `Beta` keeps their `log_prob` finite at the bounds by
  clipping (see its docstring).

  With `w_init="orthogonal"` (gain 0.01) and zero biases both
  pre-activations start near 0, so `alpha = beta = min_concentration + log 2`
  (1.69 by default): a symmetric density centred in the bounds. Unlike a Gaussian,
  the Beta needs no clipping of actions before the environment, and no bias
  arises from clipping (Chou et al.'s motivation).

  Parameters (the checkpoint contract): `alpha/{w,b}` and `beta/{w,b}`.

  >>> import haiku as hk, jax, jax.numpy as jnp, numpy as np
  >>> from haiku_policies.heads_beta import BetaHead
  >>> bounds = (np.array([-2.0, 0.0]), np.array([2.0, 1.0]))
  >>> def policy(h):
  ...   dist = BetaHead(bounds)(h)
  ...   return dist.sample_and_log_prob(seed=hk.next_rng_key())
  >>> f = hk.transform(policy)
  >>> params = f.init(jax.random.PRNGKey(0), jnp.ones((3, 8)))
  >>> action, log_prob = f.apply(params, jax.random.PRNGKey(1), jnp.ones((3, 8)))
  >>> action.shape, log_prob.shape, bool(np.all((action >= bounds[0]) &
  ...                                           (action <= bounds[1])))
  ((3, 2), (3,), True)
  """

  def __init__(
      self,
      action_spec: int | tuple[Any, Any],
      *,
      min_concentration: float = 1.0,
      w_init: initializers.WInit = None,
      b_init: hk.initializers.Initializer | None = None,
      name: str | None = None,
  ):
    """Constructs the head.

    Args:
      action_spec: an int `A` for bounds `[-1, 1]^A`, or `(low, high)`, two
        finite `[A]` arrays (see `haiku_policies.specs.action_bounds`); one of
        them may be a scalar, broadcast to `[A]`.
      min_concentration: the lower bound `c > 0` of `alpha` and `beta`
        (`c + softplus(.)`); 1 (the default) keeps the density unimodal.
      w_init: the initializer of both layers: an initializer, None (Haiku
        default), "orthogonal" (gain 0.01, as PPO) or "variance_scaling".
      b_init: the bias initializer of both layers; None for zeros.
      name: the module name; defaults to "beta_head".

    Raises:
      TypeError: if `action_spec` is neither an int nor a pair, a bound is
        traced or not numeric, `min_concentration` is not a number, or
        `w_init` has the wrong type.
      ValueError: if `A` < 1, the bounds are not finite scalars or `[A]`
        arrays (at least one `[A]`) with `low < high`, `min_concentration`
        is not finite and > 0, or `w_init` is an unknown string.
    """
    owner = type(self).__name__
    low, high = _checks.action_spec(action_spec, owner=owner, finite=True)
    min_concentration = _checks.positive_float(
        min_concentration, owner=owner, arg="min_concentration")
    w_init = initializers.resolve_w_init(
        w_init, gain=initializers.POLICY_GAIN, owner=owner)
    super().__init__(name=name)
    self.action_size = low.shape[0]
    self.low = tuple(low.tolist())
    self.high = tuple(high.tolist())
    self.min_concentration = min_concentration
    self._w_init = w_init
    self._b_init = b_init

  def __call__(self, inputs: jax.Array) -> Beta:
    """Returns the action distribution.

    Args:
      inputs: `[..., H]` float features.

    Returns:
      A `Beta` with `alpha` and `beta` `[..., A]` and the head's bounds.

    Raises:
      AssertionError: (chex) if `inputs` has rank 0 or a non-float dtype.
    """
    _checks.float_input(
        inputs, owner=type(self).__name__, arg="inputs", spec="[..., H]")

    def concentration(name):
      pre = hk.Linear(
          self.action_size,
          w_init=self._w_init,
          b_init=self._b_init,
          name=name,
      )(
          inputs)
      return self.min_concentration + jax.nn.softplus(pre)

    return Beta(
        concentration("alpha"),
        concentration("beta"),
        low=self.low,
        high=self.high)
