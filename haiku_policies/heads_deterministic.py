"""Deterministic policy head (DDPG, TD3) and its two noise helpers.

Shapes: `[...]` any leading batch dims, `H` feature dims, `A` action dims.

Both noise helpers scale the Gaussian noise by the half-range
`h = (high - low) / 2` of each dim and clip the noisy action to the bounds, as
CleanRL's TD3 does after fixing cleanrl#279 (noise that ignored the action
range, and clipping to the wrong range, left environments with bounds other
than ±1 barely explored or wrongly smoothed). `noise_scale` and `noise_clip`
are therefore fractions of the half-range: 0.1 means 10% of it in every dim.
See "Addressing Function Approximation Error in Actor-Critic Methods" by
Fujimoto, van Hoof and Meger (2018, https://arxiv.org/abs/1802.09477).
"""

from typing import Any

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies import _checks
from haiku_policies import initializers

__all__ = [
    "DeterministicHead",
    "add_exploration_noise",
    "add_target_smoothing_noise",
]


class DeterministicHead(hk.Module):
  """Features `[..., H]` -> actions `[..., A]` inside `[low, high]`.

  Computes `c + h * tanh(linear(features))` with `c = (high + low) / 2` and
  `h = (high - low) / 2` (CleanRL's `action_bias` and `action_scale`). The
  bounds are constants folded into the compiled step. Parameters: `linear/w`
  and `linear/b`. Use `add_exploration_noise` when acting and
  `add_target_smoothing_noise` for TD3 targets.

  >>> import haiku as hk, jax, jax.numpy as jnp, numpy as np
  >>> from haiku_policies.heads_deterministic import DeterministicHead
  >>> bounds = (np.array([-2.0]), np.array([2.0]))
  >>> f = hk.without_apply_rng(
  ...     hk.transform(lambda h: DeterministicHead(bounds)(h)))
  >>> params = f.init(jax.random.PRNGKey(0), jnp.ones((3, 8)))
  >>> a = f.apply(params, 100.0 * jnp.ones((3, 8)))
  >>> a.shape, bool(jnp.all(jnp.abs(a) <= 2.0))
  ((3, 1), True)
  """

  def __init__(
      self,
      action_spec: int | tuple[Any, Any],
      *,
      w_init: initializers.WInit = None,
      b_init: hk.initializers.Initializer | None = None,
      name: str | None = None,
  ):
    """Constructs the head.

    Args:
      action_spec: an int `A` for bounds `[-1, 1]^A`, or `(low, high)`, two
        finite `[A]` arrays (see `haiku_policies.specs.action_bounds`); one of
        them may be a scalar, broadcast to `[A]`.
      w_init: an initializer, None (Haiku default), "orthogonal" (gain 0.01)
        or "variance_scaling".
      b_init: the bias initializer; None for zeros.
      name: the module name; defaults to "deterministic_head".

    Raises:
      TypeError: if `action_spec` is neither an int nor a pair, a bound is
        traced or not numeric, or `w_init` has the wrong type.
      ValueError: if the bounds are not finite scalars or `[A]` arrays (at
        least one `[A]`) with `low < high`, `A` < 1, or `w_init` is an unknown
        string.
    """
    owner = type(self).__name__
    low, high = _checks.action_spec(action_spec, owner=owner, finite=True)
    w_init = initializers.resolve_w_init(
        w_init, gain=initializers.POLICY_GAIN, owner=owner)
    super().__init__(name=name)
    self.action_size = low.shape[0]
    self.low = low
    self.high = high
    self._centre = (high + low) / 2
    self._half = (high - low) / 2
    self._w_init = w_init
    self._b_init = b_init

  def __call__(self, inputs: jax.Array) -> jax.Array:
    """Returns deterministic actions.

    Args:
      inputs: `[..., H]` float features.

    Returns:
      `[..., A]` actions in `[low, high]`.

    Raises:
      AssertionError: (chex) if `inputs` has rank 0 or a non-float dtype.
    """
    _checks.float_input(
        inputs, owner=type(self).__name__, arg="inputs", spec="[..., H]")
    pre = hk.Linear(
        self.action_size,
        w_init=self._w_init,
        b_init=self._b_init,
        name="linear",
    )(
        inputs)
    dtype = pre.dtype
    action = jnp.asarray(self._centre,
                         dtype) + jnp.asarray(self._half, dtype) * jnp.tanh(pre)
    # `centre ± half` can round one ulp past a bound in float32.
    return jnp.clip(action, jnp.asarray(self.low, dtype),
                    jnp.asarray(self.high, dtype))


def _noise_args(owner: str, action: jax.Array, low: Any, high: Any,
                **scales: Any) -> tuple[jax.Array, jax.Array, jax.Array]:
  low, high = _checks.bounds(low, high, owner=owner, finite=True)
  last_dim = low.shape[0] if low.ndim else None
  _checks.float_input(
      action, owner=owner, arg="action", spec="[..., A]", last_dim=last_dim)
  for arg, value in scales.items():
    # Arrays (e.g. a traced, decaying scale) are the caller's contract.
    if not isinstance(value, (jax.Array, np.ndarray)):
      _checks.nonnegative_float(value, owner=owner, arg=arg)
  dtype = action.dtype
  half = jnp.asarray((high - low) / 2, dtype)
  return jnp.asarray(low, dtype), jnp.asarray(high, dtype), half


def add_exploration_noise(
    key: jax.Array,
    action: jax.Array,
    low: Any,
    high: Any,
    *,
    noise_scale: float = 0.1,
) -> jax.Array:
  """Adds TD3/DDPG exploration noise scaled to the bounds, then clips.

  Returns `clip(action + noise_scale * h * eps, low, high)` with
  `eps ~ N(0, I)` and `h = (high - low) / 2`.

  Args:
    key: a PRNG key.
    action: `[..., A]` float actions.
    low: scalar or `[A]` lower bounds (concrete); they broadcast against
      `high`.
    high: scalar or `[A]` upper bounds (concrete).
    noise_scale: the noise std as a fraction of the half-range (TD3: 0.1); a
      float or a scalar array (e.g. a decaying schedule; arrays are not
      checked).

  Returns:
    `[..., A]` noisy actions inside `[low, high]`.

  Raises:
    TypeError: for traced or non-numeric bounds, or a `noise_scale` that is
      neither a number nor an array.
    ValueError: for bounds that do not broadcast to one `[A]` shape, are not
      finite or have `low >= high`, or a negative or non-finite
      `noise_scale`.
    AssertionError: (chex) if `action` is not a float `[..., A]` array.

  >>> import jax, jax.numpy as jnp
  >>> from haiku_policies.heads_deterministic import add_exploration_noise
  >>> a = add_exploration_noise(jax.random.PRNGKey(0), jnp.zeros((5, 2)),
  ...                           -2.0, 2.0, noise_scale=0.1)
  >>> a.shape, bool(jnp.all(jnp.abs(a) <= 2.0))
  ((5, 2), True)
  """
  low, high, half = _noise_args(
      "add_exploration_noise", action, low, high, noise_scale=noise_scale)
  eps = jax.random.normal(key, action.shape, action.dtype)
  return jnp.clip(action + noise_scale * half * eps, low, high)


def add_target_smoothing_noise(
    key: jax.Array,
    action: jax.Array,
    low: Any,
    high: Any,
    *,
    noise_scale: float = 0.2,
    noise_clip: float = 0.5,
) -> jax.Array:
  """Adds TD3 target-policy smoothing noise scaled to the bounds, then clips.

  Returns `clip(action + h * clip(noise_scale * eps, -noise_clip, noise_clip),
  low, high)` with `eps ~ N(0, I)` and `h = (high - low) / 2`: the noise is
  clipped in units of the half-range, then the action to the bounds.

  Args:
    key: a PRNG key.
    action: `[..., A]` float target-policy actions.
    low: scalar or `[A]` lower bounds (concrete); they broadcast against
      `high`.
    high: scalar or `[A]` upper bounds (concrete).
    noise_scale: the noise std as a fraction of the half-range (TD3: 0.2).
    noise_clip: the noise bound as a fraction of the half-range (TD3: 0.5).

  Returns:
    `[..., A]` smoothed target actions inside `[low, high]`.

  Raises:
    TypeError: for traced or non-numeric bounds, or a `noise_scale` or
      `noise_clip` that is neither a number nor an array.
    ValueError: for bounds that do not broadcast to one `[A]` shape, are not
      finite or have `low >= high`, or a negative or non-finite
      `noise_scale`/`noise_clip`.
    AssertionError: (chex) if `action` is not a float `[..., A]` array.

  >>> import jax, jax.numpy as jnp
  >>> from haiku_policies.heads_deterministic import add_target_smoothing_noise
  >>> a = add_target_smoothing_noise(jax.random.PRNGKey(0), jnp.zeros((5, 1)),
  ...                                -2.0, 2.0)
  >>> bool(jnp.all(jnp.abs(a) <= 0.5 * 2.0))
  True
  """
  low, high, half = _noise_args(
      "add_target_smoothing_noise",
      action,
      low,
      high,
      noise_scale=noise_scale,
      noise_clip=noise_clip,
  )
  eps = jax.random.normal(key, action.shape, action.dtype)
  noise = jnp.clip(noise_scale * eps, -noise_clip, noise_clip)
  return jnp.clip(action + half * noise, low, high)
