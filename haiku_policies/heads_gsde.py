"""The gSDE policy head: features `[..., H]` -> `GSDENormal`.

Shapes: `[...]` any leading batch dims, `H` feature dims, `A` action dims.

See "Smooth Exploration for Robotic Reinforcement Learning" by Raffin, Kober
and Stulp (2021, https://arxiv.org/abs/2005.05719).

Parameter names (the checkpoint contract): `loc/{w,b}` and `log_std`, of
shape `[H, A]` (`full_std=True`) or `[H, 1]` (`full_std=False`).
"""

import haiku as hk
import jax
import jax.numpy as jnp

from haiku_policies import _checks
from haiku_policies import initializers
from haiku_policies.distributions.gsde import GSDENormal

__all__ = ["GSDEHead"]


def _expln(x: jax.Array) -> jax.Array:
  """`exp(x)` for `x <= 0`, `log1p(x) + 1` above (the gSDE paper's expln).

  Each branch sees only its own side of 0, so neither overflows nor gives
  the other a NaN gradient.
  """
  return jnp.where(x <= 0.0, jnp.exp(jnp.minimum(x, 0.0)),
                   jnp.log1p(jnp.maximum(x, 0.0)) + 1.0)


class GSDEHead(hk.Module):
  """Features `[..., H]` -> `GSDENormal`: gSDE's state-dependent exploration.

  The head computes, as SB3's `StateDependentNoiseDistribution` with its
  mean layer:

  * `loc = linear(features)`, `[..., A]`;
  * the exploration stds `noise_std = std(log_std)`, `[H, A]`, from a learned
    parameter `log_std`: one per feature and action (`full_std=True`), or one
    per feature shared by every action (`full_std=False`, `[H, 1]`,
    broadcast: SB3's reduced form). `std` is `exp`, or with
    `use_expln=True` the paper's `expln` (`exp(x)` for `x <= 0`,
    `log1p(x) + 1` above), which keeps the std from growing exponentially;
  * the latent features `z` of the noise are the head's inputs, with the
    gradient stopped (`learn_features=False`, SB3's default) so that the
    exploration does not shape the torso, or not (`learn_features=True`).

  Act with `dist.sample_and_log_prob_from_noise(noise)`, where `noise` is a
  `GSDENoise` from `gsde_noise_init` that the caller carries and redraws
  with `gsde_noise_update` every `n` steps; learn with `dist.log_prob`,
  `dist.entropy` (PPO) or through the pathwise action (SAC). `GSDENormal`
  gives the maths.

  >>> import haiku as hk, jax, jax.numpy as jnp
  >>> from haiku_policies.heads_gsde import GSDEHead
  >>> from haiku_policies.distributions.gsde_noise import gsde_noise_init
  >>> def act(h, noise):
  ...   return GSDEHead(2, squash=True)(h).sample_and_log_prob_from_noise(noise)
  >>> f = hk.without_apply_rng(hk.transform(act))
  >>> h = jnp.ones((3, 8))
  >>> noise = gsde_noise_init(jax.random.PRNGKey(1), 8, 2, batch_shape=(3,))
  >>> params = f.init(jax.random.PRNGKey(0), h, noise)
  >>> params["gsde_head"]["log_std"].shape
  (8, 2)
  >>> action, log_prob = f.apply(params, h, noise)
  >>> action.shape, log_prob.shape, bool(jnp.all(jnp.abs(action) <= 1.0))
  ((3, 2), (3,), True)
  """

  def __init__(
      self,
      action_size: int,
      *,
      full_std: bool = True,
      use_expln: bool = False,
      learn_features: bool = False,
      squash: bool = False,
      log_std_init: float = -2.0,
      epsilon: float = 1e-6,
      w_init: initializers.WInit = None,
      b_init: hk.initializers.Initializer | None = None,
      name: str | None = None,
  ):
    """Constructs the head.

    Args:
      action_size: the number of action dims `A`.
      full_std: whether `log_std` is `[H, A]` (True) or `[H, 1]` (False).
      use_expln: whether the std is `expln(log_std)` rather than
        `exp(log_std)`.
      learn_features: whether gradients flow from the noise and the scale
        into the features.
      squash: whether actions are `tanh`-squashed into `[-1, 1]`.
      log_std_init: the initial value of every `log_std` entry (SB3's
        `log_std_init`; the initial std is `exp` of it, or `expln`).
      epsilon: the variance floor of `GSDENormal` (> 0).
      w_init: the initializer of the `loc` layer: an initializer, None
        (Haiku default), "orthogonal" (gain 0.01, as PPO) or
        "variance_scaling".
      b_init: the bias initializer of the `loc` layer; None for zeros.
      name: the module name; defaults to "gsde_head".

    Raises:
      TypeError: if `action_size` is not an int, a flag is not a bool,
        `log_std_init` or `epsilon` is not a number, or `w_init` has the
        wrong type.
      ValueError: if `action_size` < 1, `log_std_init` is not finite,
        `epsilon` is not finite and > 0, or `w_init` is an unknown string.
    """
    owner = type(self).__name__
    action_size = _checks.integer(action_size, owner=owner, arg="action_size")
    flags = {
        arg: _checks.flag(value, owner=owner, arg=arg)
        for arg, value in (("full_std", full_std), ("use_expln", use_expln),
                           ("learn_features", learn_features), ("squash",
                                                                squash))
    }
    log_std_init = _checks.finite_float(
        log_std_init, owner=owner, arg="log_std_init")
    epsilon = _checks.positive_float(epsilon, owner=owner, arg="epsilon")
    w_init = initializers.resolve_w_init(
        w_init, gain=initializers.POLICY_GAIN, owner=owner)
    super().__init__(name=name)
    self.action_size = action_size
    self.full_std = flags["full_std"]
    self.use_expln = flags["use_expln"]
    self.learn_features = flags["learn_features"]
    self.squash = flags["squash"]
    self.log_std_init = log_std_init
    self.epsilon = epsilon
    self._w_init = w_init
    self._b_init = b_init

  def __call__(self, inputs: jax.Array) -> GSDENormal:
    """Returns the action distribution.

    Args:
      inputs: `[..., H]` float features, also the noise's features `z`.

    Returns:
      A `GSDENormal` with `loc` `[..., A]`, `features` `[..., H]` and
      `noise_std` `[H, A]`.

    Raises:
      AssertionError: (chex) if `inputs` has rank 0 or a non-float dtype.
    """
    _checks.float_input(
        inputs, owner=type(self).__name__, arg="inputs", spec="[..., H]")
    loc = hk.Linear(
        self.action_size,
        w_init=self._w_init,
        b_init=self._b_init,
        name="loc",
    )(
        inputs)
    feature_size = inputs.shape[-1]
    log_std = hk.get_parameter(
        "log_std", [feature_size, self.action_size if self.full_std else 1],
        dtype=inputs.dtype,
        init=hk.initializers.Constant(self.log_std_init))
    std = _expln(log_std) if self.use_expln else jnp.exp(log_std)
    features = inputs if self.learn_features else jax.lax.stop_gradient(inputs)
    return GSDENormal(
        loc,
        features,
        jnp.broadcast_to(std, (feature_size, self.action_size)),
        squash=self.squash,
        epsilon=self.epsilon)
