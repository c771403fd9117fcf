"""Value and Q-function heads, and ensembles of Q-functions and of quantiles.

Shapes: `[...]` any leading batch dims, `H` feature dims, `O` observation dims,
`A` action dims, `N` ensemble size, `M` quantiles per critic.
"""

from collections.abc import Callable, Sequence

import haiku as hk
import jax
import jax.numpy as jnp

from haiku_policies import _checks
from haiku_policies import initializers
from haiku_policies import torsos

__all__ = ["CriticEnsemble", "QHead", "QuantileCriticEnsemble", "ValueHead"]


def _check_obs_and_action(owner, obs, action):
  """chex checks: float `[..., O]` obs and `[..., A]` action, same leading dims."""
  _checks.float_input(obs, owner=owner, arg="obs", spec="[..., O]")
  _checks.float_input(action, owner=owner, arg="action", spec="[..., A]")
  _checks.same_leading_shape(obs, action, owner=owner, args=("obs", "action"))


class ValueHead(hk.Module):
  """A linear value head: features `[..., H] -> [...]`.

  The output layer is `linear` with one unit; the trailing unit axis is
  indexed away (`[..., 0]`), never squeezed, so any leading dims survive.

  >>> import haiku as hk, jax, jax.numpy as jnp
  >>> from haiku_policies.critics import ValueHead
  >>> net = hk.without_apply_rng(hk.transform(lambda h: ValueHead()(h)))
  >>> params = net.init(jax.random.PRNGKey(0), jnp.zeros((4, 8)))
  >>> net.apply(params, jnp.zeros((4, 8))).shape
  (4,)
  """

  def __init__(
      self,
      *,
      w_init: initializers.WInit = None,
      b_init: hk.initializers.Initializer | None = None,
      name: str | None = None,
  ):
    """Constructs the head.

    Args:
      w_init: an initializer, None (Haiku default), "orthogonal" (gain 1, as
        PPO value heads) or "variance_scaling".
      b_init: the bias initializer; None for zeros.
      name: the module name; defaults to "value_head".

    Raises:
      TypeError: if `w_init` has the wrong type.
      ValueError: if `w_init` is an unknown string.
    """
    w_init = initializers.resolve_w_init(
        w_init, gain=initializers.VALUE_GAIN, owner=type(self).__name__)
    super().__init__(name=name)
    self.w_init = w_init
    self.b_init = b_init

  def __call__(self, inputs: jax.Array) -> jax.Array:
    """Returns the values.

    Args:
      inputs: `[..., H]` float features.

    Returns:
      `[...]` values.

    Raises:
      AssertionError: (chex) if `inputs` has rank 0 or a non-float dtype.
    """
    _checks.float_input(
        inputs, owner=type(self).__name__, arg="inputs", spec="[..., H]")
    out = hk.Linear(
        1, w_init=self.w_init, b_init=self.b_init, name="linear")(
            inputs)
    return out[..., 0]


class QHead(hk.Module):
  """A Q-function `(obs [..., O], action [..., A]) -> [...]` (or `[..., M]`).

  Computes `linear(MLPTorso(concat(obs, action)))` with one output unit, or
  with `num_quantiles=M` units: `M` quantiles of the return (quantile
  regression, TQC). With `output_sizes=()` it is a linear head over
  `concat(features, action)`. The observation may be torso features.

  >>> import haiku as hk, jax, jax.numpy as jnp
  >>> from haiku_policies.critics import QHead
  >>> q = hk.without_apply_rng(hk.transform(lambda o, a: QHead((32, 32))(o, a)))
  >>> obs, act = jnp.zeros((5, 3)), jnp.zeros((5, 2))
  >>> params = q.init(jax.random.PRNGKey(0), obs, act)
  >>> q.apply(params, obs, act).shape
  (5,)
  """

  def __init__(
      self,
      output_sizes: Sequence[int] = (256, 256),
      *,
      activation: Callable[[jax.Array], jax.Array] = jax.nn.relu,
      layer_norm: bool = False,
      w_init: initializers.WInit = None,
      num_quantiles: int | None = None,
      name: str | None = None,
  ):
    """Constructs the Q-function.

    Args:
      output_sizes: the hidden layer widths; () for a linear head.
      activation: the hidden nonlinearity.
      layer_norm: whether hidden layers use LayerNorm (DroQ/SBX critics).
      w_init: an initializer, None (Haiku default), "orthogonal" (gain sqrt 2
        hidden, 1 output) or "variance_scaling" (Acme, every layer).
      num_quantiles: None for one Q-value per input (`[...]`), or the number
        of quantiles `M >= 1` it outputs instead (`[..., M]`).
      name: the module name; defaults to "q_head".

    Raises:
      TypeError: if `output_sizes` is not a sequence of ints, `activation` is
        not callable, `w_init` has the wrong type or `num_quantiles` is
        neither None nor an int.
      ValueError: if a size is < 1, `w_init` is an unknown string or
        `num_quantiles` < 1.
    """
    owner = type(self).__name__
    sizes = _checks.output_sizes(output_sizes, owner=owner, allow_empty=True)
    _checks.function(activation, owner=owner, arg="activation")
    initializers.resolve_w_init(
        w_init, gain=initializers.VALUE_GAIN, owner=owner)
    if num_quantiles is not None:
      num_quantiles = _checks.integer(
          num_quantiles, owner=owner, arg="num_quantiles")
    super().__init__(name=name)
    self.output_sizes = sizes
    self.activation = activation
    self.layer_norm = bool(layer_norm)
    self.num_quantiles = num_quantiles
    self._w_init = w_init

  def __call__(self, obs: jax.Array, action: jax.Array) -> jax.Array:
    """Returns Q-values.

    Args:
      obs: `[..., O]` float observations or features.
      action: `[..., A]` float actions with the same leading dims.

    Returns:
      `[...]` Q-values, or `[..., M]` quantiles with `num_quantiles=M`.

    Raises:
      AssertionError: (chex) if an input has rank 0, a non-float dtype, or the
        leading dims differ.
    """
    owner = type(self).__name__
    _check_obs_and_action(owner, obs, action)
    x = jnp.concatenate([obs, action.astype(obs.dtype)], axis=-1)
    if self.output_sizes:
      x = torsos.MLPTorso(
          self.output_sizes,
          activation=self.activation,
          layer_norm=self.layer_norm,
          w_init=self._w_init,
      )(
          x)
    w_init = initializers.resolve_w_init(
        self._w_init, gain=initializers.VALUE_GAIN, owner=owner)
    out = hk.Linear(self.num_quantiles or 1, w_init=w_init, name="linear")(x)
    return out if self.num_quantiles else out[..., 0]


class CriticEnsemble(hk.Module):
  """`N` independent Q-functions computed as one batched network: `[N, ...]`.

  Twin critics (TD3, SAC) are `num_critics=2`; REDQ/DroQ use more. Each member
  is a `QHead`; their parameters are stacked along a leading `N` axis and
  initialised from `N` different keys (`jax.vmap` over the member's init, so
  every member gets exactly the initialisation a lone `QHead` would). The
  forward pass is `jax.vmap` over the stacked parameters with the inputs
  shared: the first layer is one matmul `[..., O+A] x [N, O+A, H]` and every
  later layer one batched matmul, never `N` separate ones.

  Parameters are named `critic_ensemble/q_head/mlp_torso/linear_{i}` and
  `critic_ensemble/q_head/linear`, each with a leading `N` axis. Take the
  minimum over members with `q.min(axis=0)`. To evaluate only some members
  (TD3's actor loss uses Q1 alone), apply the same function to the parameters
  sliced along that axis: `jax.tree.map(lambda p: p[:1], params)` gives the
  `[1, ...]` Q-values of member 0 for 1/N of the cost.

  >>> import haiku as hk, jax, jax.numpy as jnp
  >>> from haiku_policies.critics import CriticEnsemble
  >>> f = hk.transform(lambda o, a: CriticEnsemble(2, (32, 32))(o, a))
  >>> obs, act = jnp.zeros((5, 3)), jnp.zeros((5, 2))
  >>> params = f.init(jax.random.PRNGKey(0), obs, act)
  >>> f.apply(params, None, obs, act).shape
  (2, 5)
  """

  def __init__(
      self,
      num_critics: int,
      output_sizes: Sequence[int] = (256, 256),
      *,
      activation: Callable[[jax.Array], jax.Array] = jax.nn.relu,
      layer_norm: bool = False,
      w_init: initializers.WInit = None,
      name: str | None = None,
  ):
    """Constructs the ensemble.

    Args:
      num_critics: the number of members `N` >= 1.
      output_sizes: the hidden layer widths of each member.
      activation: the hidden nonlinearity.
      layer_norm: whether hidden layers use LayerNorm (DroQ/SBX critics).
      w_init: as for `QHead`.
      name: the module name; defaults to "critic_ensemble".

    Raises:
      TypeError: if `num_critics` is not an int (Python or NumPy), or another
        argument has the wrong type (as for `QHead`).
      ValueError: if `num_critics` < 1, a size is < 1 or `w_init` is an
        unknown string.
    """
    owner = type(self).__name__
    num_critics = _checks.integer(num_critics, owner=owner, arg="num_critics")
    sizes = _checks.output_sizes(output_sizes, owner=owner, allow_empty=True)
    _checks.function(activation, owner=owner, arg="activation")
    initializers.resolve_w_init(
        w_init, gain=initializers.VALUE_GAIN, owner=owner)
    super().__init__(name=name)
    self.num_critics = num_critics
    self.output_sizes = sizes
    self.activation = activation
    self.layer_norm = bool(layer_norm)
    self.num_quantiles: int | None = None  # Q-values, not quantiles.
    self._w_init = w_init

  def __call__(self, obs: jax.Array, action: jax.Array) -> jax.Array:
    """Returns the members' Q-values.

    Args:
      obs: `[..., O]` float observations or features.
      action: `[..., A]` float actions with the same leading dims.

    Returns:
      `[N, ...]` Q-values.

    Raises:
      AssertionError: (chex) if an input has rank 0, a non-float dtype, or the
        leading dims differ.
    """
    owner = type(self).__name__
    _check_obs_and_action(owner, obs, action)

    def member(o, a):
      return QHead(
          self.output_sizes,
          activation=self.activation,
          layer_norm=self.layer_norm,
          w_init=self._w_init,
          num_quantiles=self.num_quantiles,
      )(o, a)

    transformed: hk.Transformed = hk.without_apply_rng(hk.transform(member))
    init, apply = transformed.init, transformed.apply
    params = None
    keys = None  # Apply time: the lifted init is not called.
    if hk.running_init():
      # A second call of this instance during init reuses the stacked params
      # (a lift would otherwise try to register them twice).
      prefix = self.module_name + "/"
      params = {
          k[len(prefix):]: v
          for k, v in hk.get_params().items()
          if k.startswith(prefix)
      } or None
      if params is None:
        keys = jax.random.split(hk.next_rng_key(), self.num_critics)
    if params is None:
      params = hk.experimental.transparent_lift(
          jax.vmap(init, in_axes=(0, None, None)))(keys, obs, action)
    return jax.vmap(apply, in_axes=(0, None, None))(params, obs, action)


class QuantileCriticEnsemble(CriticEnsemble):
  """`N` critics of `M` return quantiles each, as one batched network.

  The distributional critics of TQC. See "Controlling Overestimation Bias with
  Truncated Mixture of Continuous Distributional Quantile Critics" by
  Kuznetsov, Shvechikov, Grishin and Vetrov (2020,
  https://arxiv.org/abs/2005.04269). Each member is a
  `QHead(num_quantiles=M)`, stacked and mapped exactly as in `CriticEnsemble`
  (same initialisation, one batched matmul per layer), and the output is
  `[N, ..., M]`. Parameters are named
  `quantile_critic_ensemble/q_head/mlp_torso/linear_{i}` and
  `quantile_critic_ensemble/q_head/linear` (`w` `[N, H, M]`).

  Quantile `j` estimates the return's quantile at level
  `tau_j = (2 j + 1) / (2 M)`. TQC's target pools the `N * M` target atoms of
  each transition, sorts them and drops the `d * N` largest (`d` per critic):
  `jnp.sort(jnp.moveaxis(z, 0, -1).reshape(*z.shape[1:-1], -1))[..., :k]`
  with `k = (M - d) * N`. The loss pairs with `rlax.quantile_regression_loss
  (dist_src, tau_src, dist_target, huber_param=1.0)`, which takes one
  critic's `[M]` quantiles and one transition's `[k]` targets: map it over
  the batch and the critics with `jax.vmap`. It sums over the `M` quantiles
  and averages over the targets (TQC averages over both: divide by `M` to
  match its scale).

  >>> import haiku as hk, jax, jax.numpy as jnp
  >>> from haiku_policies.critics import QuantileCriticEnsemble
  >>> f = hk.transform(lambda o, a: QuantileCriticEnsemble(2, 5, (32,))(o, a))
  >>> obs, act = jnp.zeros((4, 3)), jnp.zeros((4, 2))
  >>> params = f.init(jax.random.PRNGKey(0), obs, act)
  >>> z = f.apply(params, None, obs, act)
  >>> z.shape
  (2, 4, 5)
  >>> pooled = jnp.sort(jnp.moveaxis(z, 0, -1).reshape(4, -1))[..., :8]
  >>> pooled.shape  # Drop d = 1 of M = 5 per critic: (5 - 1) * 2 = 8.
  (4, 8)
  """

  def __init__(
      self,
      num_critics: int,
      num_quantiles: int,
      output_sizes: Sequence[int] = (256, 256),
      *,
      activation: Callable[[jax.Array], jax.Array] = jax.nn.relu,
      layer_norm: bool = False,
      w_init: initializers.WInit = None,
      name: str | None = None,
  ):
    """Constructs the ensemble.

    Args:
      num_critics: the number of members `N` >= 1.
      num_quantiles: the number of quantiles `M` >= 1 of each member.
      output_sizes: the hidden layer widths of each member.
      activation: the hidden nonlinearity.
      layer_norm: whether hidden layers use LayerNorm (DroQ/SBX critics).
      w_init: as for `QHead`.
      name: the module name; defaults to "quantile_critic_ensemble".

    Raises:
      TypeError: if `num_critics` or `num_quantiles` is not an int, or
        another argument has the wrong type (as for `QHead`).
      ValueError: if `num_critics` or `num_quantiles` is < 1, a size is < 1
        or `w_init` is an unknown string.
    """
    num_quantiles = _checks.integer(
        num_quantiles, owner=type(self).__name__, arg="num_quantiles")
    super().__init__(
        num_critics,
        output_sizes,
        activation=activation,
        layer_norm=layer_norm,
        w_init=w_init,
        name=name)
    self.num_quantiles = num_quantiles

  def __call__(self, obs: jax.Array, action: jax.Array) -> jax.Array:
    """Returns the members' quantiles.

    Args:
      obs: `[..., O]` float observations or features.
      action: `[..., A]` float actions with the same leading dims.

    Returns:
      `[N, ..., M]` quantiles, ascending in level but not sorted in value.

    Raises:
      AssertionError: (chex) if an input has rank 0, a non-float dtype, or the
        leading dims differ.
    """
    return super().__call__(obs, action)
