"""Product of independent categoricals over MultiDiscrete actions.

Shapes: `[...]` batch dims, `K` sub-actions (`len(nvec)`), `N = sum(nvec)`
logits, `M = max(nvec)`, `n` samples.
"""

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies import _checks
from haiku_policies.distributions import _base


def _layout(nvec: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
  """Static gather indices `[K, M]` from flat `[N]` logits, and validity."""
  offsets = np.cumsum((0,) + nvec[:-1])
  columns = np.arange(max(nvec))
  valid = columns[None, :] < np.asarray(nvec)[:, None]
  index = np.where(valid, offsets[:, None] + columns[None, :], 0)
  return index, valid


class MultiCategorical(_base.DrawnDistribution):
  """`K` independent categoricals with `nvec[k]` values each (MultiDiscrete).

  Logits layout: one flat `[..., N]` array, `N = sum(nvec)`, the sub-actions'
  logits concatenated in order (what one `hk.Linear(N)` outputs, and SB3's
  layout). Inside, they are gathered once into a padded `[..., K, M]` array
  (`M = max(nvec)`, static indices), so every method is one vectorised op
  over all sub-actions rather than a Python loop of `K` categoricals.

  A sample is `[..., K]` int32, entry `k` in `[0, nvec[k])`; `log_prob` and
  `entropy` are sums over the `K` sub-actions; `mode` is the per-sub-action
  argmax. For the same key, samples equal those of
  `distrax.Categorical` over the padded logits with `-inf` padding (one
  categorical per sub-action, in its batch).

  Masking follows `CategoricalHead`: with `mask` `[..., N]` (True = allowed,
  in the logits' layout), masked logits are replaced by
  `finfo(dtype).min / (2 K)` (`/ 2` when `K = 1`, exactly `CategoricalHead`'s
  value). Their probabilities underflow to exactly zero, so they are never
  sampled, entropy ignores them and no gradient reaches their logits, while
  `log_prob` of a masked action stays finite: the `/ K` keeps even a sum of
  `K` masked sub-actions above `finfo.min / 2`. A sub-action with every value
  masked becomes uniform over its own `nvec[k]` values (all its logits
  equal), so padded or terminal rows do not produce NaN; keep at least one
  value allowed per sub-action in rows whose result you use. Padding entries
  hold `finfo(dtype).min / K`, below any masked logit, so they get zero
  probability even then. Mask with `mask`, not with `-inf` logits (which
  would make `entropy` NaN, as `0 * -inf`).

  `log_prob` of a value outside `[0, nvec[k])` in some sub-action is `-inf`,
  as in `distrax.Categorical`. `kl_divergence` is exact against a
  `MultiCategorical` with the same `nvec`.

  >>> import jax, jax.numpy as jnp
  >>> dist = MultiCategorical(jnp.zeros((4, 3 + 5 + 2)), nvec=(3, 5, 2))
  >>> action, log_prob = dist.sample_and_log_prob(seed=jax.random.PRNGKey(0))
  >>> action.shape, log_prob.shape
  ((4, 3), (4,))
  >>> bool(jnp.allclose(dist.entropy(), jnp.log(3.0 * 5.0 * 2.0)))
  True
  """

  def __init__(self, logits: Any, nvec: Any, *, mask: Any | None = None):
    """Initializes the distribution.

    Args:
      logits: `[..., N]` float array, the sub-actions' unnormalised logits
        concatenated, `N = sum(nvec)`.
      nvec: the number of values of each sub-action, a sequence (or 1-D
        array) of `K >= 1` ints >= 1, e.g. `(3, 5, 2)` or
        `action_nvec(env.action_space)`.
      mask: optional `[..., N]` bool array, True where a value is allowed; it
        must broadcast against `logits`.

    Raises:
      TypeError: if `nvec` is not a sequence of ints, `logits` is not
        floating point, or `mask` is not bool.
      ValueError: if `nvec` is empty, not 1-D or holds a size < 1, `logits`
        does not end in `sum(nvec)`, or `mask` has another last axis or
        leading dims that do not broadcast.
    """
    owner = type(self).__name__
    nvec = _checks.nvec(nvec, owner=owner)
    logits = _checks.logits(logits, owner=owner, size=sum(nvec))
    if mask is not None:
      mask = _checks.mask(mask, owner=owner, shape=logits.shape)
    super().__init__()
    self._nvec = nvec  # A tuple of ints: static pytree metadata.
    dtype = logits.dtype
    num = len(nvec)
    index, valid = _layout(nvec)
    if mask is not None:
      logits = jnp.broadcast_to(logits,
                                jnp.broadcast_shapes(logits.shape, mask.shape))
      logits = jnp.where(mask, logits, jnp.finfo(dtype).min / (2 * num))
    padded = jnp.where(valid, logits[..., index], jnp.finfo(dtype).min / num)
    self._log_probs = jax.nn.log_softmax(padded, axis=-1)  # [..., K, M].

  @property
  def nvec(self) -> tuple[int, ...]:
    """The number of values of each sub-action, `K` ints."""
    return self._nvec

  @property
  def event_shape(self) -> tuple[int, ...]:
    return (len(self._nvec),)

  @property
  def batch_shape(self) -> tuple[int, ...]:
    return self._log_probs.shape[:-2]

  def _flat(self, padded: jax.Array) -> jax.Array:
    """`[..., K, M]` -> the `[..., N]` entries that are not padding."""
    _, valid = _layout(self._nvec)
    flat = padded.reshape(*padded.shape[:-2], -1)
    return flat[..., np.flatnonzero(valid)]

  @property
  def logits(self) -> jax.Array:
    """Normalised log-probabilities `[..., N]`, in the logits' layout."""
    return self._flat(self._log_probs)

  @property
  def probs(self) -> jax.Array:
    """Probabilities `[..., N]`; each sub-action's block sums to 1."""
    return self._flat(jnp.exp(self._log_probs))

  def _score(self, value: jax.Array) -> jax.Array:
    """`sum_K log p(value_k)` of int32 `[..., K]` values."""
    one_hot = jax.nn.one_hot(
        value, self._log_probs.shape[-1], dtype=self._log_probs.dtype)
    log_probs = jnp.sum(self._log_probs * one_hot, axis=-1)
    outside = (value < 0) | (value >= np.asarray(self._nvec))
    return jnp.where(outside, -jnp.inf, log_probs).sum(-1)

  def _draw(self, key: jax.Array, sample_shape: tuple[int, ...]):
    shape = sample_shape + self._log_probs.shape[:-1]
    sample = jax.random.categorical(
        key, self._log_probs, axis=-1, shape=shape).astype(jnp.int32)
    return sample, self._score(sample), None

  def log_prob(self, value: Any) -> jax.Array:
    """Log-probability of `value`, summed over the sub-actions.

    Args:
      value: `[..., K]` integer sub-actions, broadcastable against the batch
        shape.

    Returns:
      `[...]` log-probabilities; `-inf` where a sub-action is out of range.

    Raises:
      TypeError: if `value` is not an integer array.
      ValueError: if the last axis of `value` is not `K`.
    """
    value = _checks.discrete_event(
        value, owner=type(self).__name__, size=len(self._nvec))
    return self._score(value)

  def entropy(self) -> jax.Array:
    """Exact entropy `[...]`, the sum of the sub-actions' entropies."""
    probs = jnp.exp(self._log_probs)
    return -jnp.sum(probs * self._log_probs, axis=(-2, -1))

  def mode(self) -> jax.Array:
    """The most likely value of each sub-action, `[..., K]` int32."""
    return jnp.argmax(self._log_probs, axis=-1).astype(jnp.int32)

  def kl_divergence(self, other_dist, **kwargs) -> jax.Array:
    """Exact `KL(self || other_dist)` for a `MultiCategorical`, `[...]`.

    Raises:
      NotImplementedError: if `other_dist` is not a `MultiCategorical`.
      ValueError: if the two `nvec` differ.
    """
    del kwargs
    if not isinstance(other_dist, MultiCategorical):
      raise NotImplementedError(
          "MultiCategorical.kl_divergence: only defined against another "
          f"MultiCategorical with the same nvec, got "
          f"{type(other_dist).__name__}.")
    if self._nvec != other_dist.nvec:
      raise ValueError(
          "MultiCategorical.kl_divergence: both distributions must have the "
          f"same nvec, got {self._nvec} and {other_dist.nvec}.")
    other = other_dist._log_probs  # pylint: disable=protected-access
    probs = jnp.exp(self._log_probs)
    return jnp.sum(probs * (self._log_probs - other), axis=(-2, -1))
