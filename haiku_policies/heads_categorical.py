"""Categorical policy heads with optional action masks: `CategoricalHead`
(one discrete action) and `MultiCategoricalHead` (MultiDiscrete actions).

Shapes: `[...]` any leading batch dims, `H` feature dims, `A` number of
actions, `K` sub-actions, `N = sum(nvec)` logits of all sub-actions.
"""

from typing import Any

import distrax
import haiku as hk
import jax
import jax.numpy as jnp

from haiku_policies import _checks
from haiku_policies import initializers
from haiku_policies.distributions import MultiCategorical

__all__ = ["CategoricalHead", "MultiCategoricalHead"]


class CategoricalHead(hk.Module):
  """Features `[..., H]` -> `distrax.Categorical` over `A` actions.

  The logits are `linear(features)`; parameters `linear/w` and `linear/b`.

  Masking: with `mask` `[..., A]` (True = allowed), masked logits are replaced
  by `finfo(dtype).min / 2`. Their probabilities underflow to exactly zero, so
  they are never sampled, `entropy()` ignores them (distrax multiplies by
  `exp(log_prob)`, which is 0) and no gradient reaches their logits; unlike
  `-inf` this keeps `log_prob` of a masked action and every gradient finite.
  A row with every action masked cannot be rejected inside `jit` without a
  host sync: it becomes a uniform distribution over all `A` actions (all
  logits equal), so padded or terminal rows in a batch do not produce NaN. Keep
  at least one action allowed in rows whose result you use.

  >>> import haiku as hk, jax, jax.numpy as jnp
  >>> from haiku_policies.heads_categorical import CategoricalHead
  >>> f = hk.without_apply_rng(
  ...     hk.transform(lambda h, m: CategoricalHead(3)(h, mask=m).probs))
  >>> h, mask = jnp.ones((2, 8)), jnp.array([[True, False, True]] * 2)
  >>> params = f.init(jax.random.PRNGKey(0), h, mask)
  >>> f.apply(params, h, mask)[:, 1].tolist()
  [0.0, 0.0]
  """

  def __init__(
      self,
      num_actions: int,
      *,
      w_init: initializers.WInit = None,
      b_init: hk.initializers.Initializer | None = None,
      name: str | None = None,
  ):
    """Constructs the head.

    Args:
      num_actions: the number of actions `A` >= 1.
      w_init: an initializer, None (Haiku default), "orthogonal" (gain 0.01,
        as PPO) or "variance_scaling".
      b_init: the bias initializer; None for zeros.
      name: the module name; defaults to "categorical_head".

    Raises:
      TypeError: if `num_actions` is not an int or `w_init` has the wrong type.
      ValueError: if `num_actions` < 1 or `w_init` is an unknown string.
    """
    owner = type(self).__name__
    num_actions = _checks.integer(num_actions, owner=owner, arg="num_actions")
    w_init = initializers.resolve_w_init(
        w_init, gain=initializers.POLICY_GAIN, owner=owner)
    super().__init__(name=name)
    self.num_actions = num_actions
    self._w_init = w_init
    self._b_init = b_init

  def __call__(self,
               inputs: jax.Array,
               mask: Any | None = None) -> distrax.Categorical:
    """Returns the action distribution.

    Args:
      inputs: `[..., H]` float features.
      mask: optional `[..., A]` bool array, True where the action is allowed;
        it must broadcast against the logits `[..., A]`.

    Returns:
      A `distrax.Categorical` with logits `[..., A]` (int32 samples).

    Raises:
      AssertionError: (chex) if `inputs` has rank 0 or a non-float dtype, or
        `mask` is not a bool `[..., A]` array.
    """
    owner = type(self).__name__
    _checks.float_input(inputs, owner=owner, arg="inputs", spec="[..., H]")
    if mask is not None:
      _checks.bool_input(
          mask,
          owner=owner,
          arg="mask",
          spec="[..., A]",
          last_dim=self.num_actions,
      )
    logits = hk.Linear(
        self.num_actions,
        w_init=self._w_init,
        b_init=self._b_init,
        name="linear",
    )(
        inputs)
    if mask is not None:
      masked_value = jnp.finfo(logits.dtype).min / 2
      logits = jnp.where(mask, logits, masked_value)
    return distrax.Categorical(logits=logits)


class MultiCategoricalHead(hk.Module):
  """Features `[..., H]` -> `MultiCategorical` over `K` sub-actions.

  For MultiDiscrete action spaces (`nvec`, e.g. from `action_nvec`): one
  linear layer gives the `N = sum(nvec)` logits of all sub-actions,
  concatenated in order (the `MultiCategorical` layout); parameters
  `linear/w` and `linear/b`. The optional `mask` `[..., N]` (True = allowed)
  follows `CategoricalHead`'s rule per sub-action: masked values get zero
  probability with finite `log_prob` and gradients, and a sub-action with
  every value masked becomes uniform over its own values (see
  `MultiCategorical`).

  >>> import haiku as hk, jax, jax.numpy as jnp
  >>> from haiku_policies.heads_categorical import MultiCategoricalHead
  >>> def policy(h, m):
  ...   dist = MultiCategoricalHead((3, 2))(h, mask=m)
  ...   return dist.sample(seed=hk.next_rng_key(), sample_shape=100)
  >>> f = hk.transform(policy)
  >>> h = jnp.ones((2, 8))
  >>> mask = jnp.array([[True, False, True, True, True]] * 2)
  >>> params = f.init(jax.random.PRNGKey(0), h, mask)
  >>> actions = f.apply(params, jax.random.PRNGKey(1), h, mask)
  >>> actions.shape, bool(jnp.any(actions[..., 0] == 1))
  ((100, 2, 2), False)
  """

  def __init__(
      self,
      nvec: Any,
      *,
      w_init: initializers.WInit = None,
      b_init: hk.initializers.Initializer | None = None,
      name: str | None = None,
  ):
    """Constructs the head.

    Args:
      nvec: the number of values of each sub-action, a sequence (or 1-D
        array) of `K >= 1` ints >= 1, e.g. `action_nvec(env.action_space)`.
      w_init: an initializer, None (Haiku default), "orthogonal" (gain 0.01,
        as PPO) or "variance_scaling".
      b_init: the bias initializer; None for zeros.
      name: the module name; defaults to "multi_categorical_head".

    Raises:
      TypeError: if `nvec` is not a sequence of ints or `w_init` has the wrong
        type.
      ValueError: if `nvec` is empty, not 1-D or holds a size < 1, or
        `w_init` is an unknown string.
    """
    owner = type(self).__name__
    nvec = _checks.nvec(nvec, owner=owner)
    w_init = initializers.resolve_w_init(
        w_init, gain=initializers.POLICY_GAIN, owner=owner)
    super().__init__(name=name)
    self.nvec = nvec
    self._w_init = w_init
    self._b_init = b_init

  def __call__(self,
               inputs: jax.Array,
               mask: Any | None = None) -> MultiCategorical:
    """Returns the action distribution.

    Args:
      inputs: `[..., H]` float features.
      mask: optional `[..., N]` bool array, True where a value is allowed; it
        must broadcast against the logits `[..., N]`.

    Returns:
      A `MultiCategorical` with logits `[..., N]` (int32 `[..., K]` samples).

    Raises:
      AssertionError: (chex) if `inputs` has rank 0 or a non-float dtype, or
        `mask` is not a bool `[..., N]` array.
      ValueError: if the leading dims of `mask` do not broadcast against
        those of the logits.
    """
    owner = type(self).__name__
    _checks.float_input(inputs, owner=owner, arg="inputs", spec="[..., H]")
    if mask is not None:
      _checks.bool_input(
          mask,
          owner=owner,
          arg="mask",
          spec="[..., N]",
          last_dim=sum(self.nvec))
    logits = hk.Linear(
        sum(self.nvec),
        w_init=self._w_init,
        b_init=self._b_init,
        name="linear",
    )(
        inputs)
    return MultiCategorical(logits, self.nvec, mask=mask)
