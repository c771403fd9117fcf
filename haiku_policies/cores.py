"""Recurrent cores that reset their state where an episode starts.

Shapes: `T` time steps, `[...]` any batch dims (usually `B`, one per
environment), `F` input features, `H` hidden size.

A core is a Haiku `hk.RNNCore` whose inputs are a pair `(x, is_first)`: `x`
the features and `is_first` a bool flag, True where the step is the first of
an episode. Before it updates, the core replaces the state of each flagged
batch element by the initial state (zeros), so no memory leaks from one
episode into the next, while the other elements carry on. This is
`hk.ResetCore`'s rule, with the flag checked. Two calls share one set of
parameters:

* acting, one step: `core((x, is_first), state) -> (outputs, new_state)` with
  `x` `[..., F]`, `is_first` `[...]` and a state of `[..., H]` arrays;
* learning, a sequence: `core.unroll((x, is_first), state) ->
  (outputs, final_state)` with `x` `[T, ..., F]` and `is_first` `[T, ...]`
  time-major (the step applied along `T` with `hk.dynamic_unroll`), giving
  the outputs the steps give.

`is_first_t` marks a step whose observation starts an episode: it is
`done_tm1`, the previous step's end-of-episode flag (termination or
truncation), and True at the very first step (where the zero initial state
makes it optional). A learner unrolls each rollout from the core state stored
when the rollout was collected, so store `state` at every rollout start.
`initial_state(batch_size)` returns the zeros; the state is a plain pytree of
arrays (`hk.LSTMState(hidden, cell)` or one array), so it is checkpointed,
sharded and mapped with `vmap` like parameters.

Composing torso -> core -> heads: build one function whose `unroll` flag picks
the call, so acting and learning share the parameter names (`conv_torso/...`,
`lstm_core/lstm/linear`, `categorical_head/linear`, `value_head/linear`). The
heads take the core's `[..., H]` outputs unchanged. A separate value network
is the same function with its own torso and core under other names (e.g.
`LSTMCore(16, name="value_core")`), and its own state to carry.

>>> import haiku as hk, jax, jax.numpy as jnp
>>> from haiku_policies import CategoricalHead, ConvTorso, LSTMCore, ValueHead
>>> def network(obs, is_first, state, unroll):
...   h = ConvTorso((8,), output_sizes=(16,))(obs)  # [..., 10, 10, 4] -> [..., 16]
...   core = LSTMCore(16)
...   h, state = (core.unroll if unroll else core)((h, is_first), state)
...   return CategoricalHead(3)(h), ValueHead()(h), state
>>> net = hk.without_apply_rng(hk.transform(network))
>>> zeros = hk.transform(lambda b: LSTMCore(16).initial_state(b))
>>> state = zeros.apply({}, None, 2)  # [B=2, H=16] hidden and cell.
>>> obs = jnp.ones((5, 2, 10, 10, 4), jnp.uint8)  # [T, B, H, W, C]
>>> is_first = jnp.zeros((5, 2), bool).at[0].set(True)
>>> params = net.init(jax.random.PRNGKey(0), obs, is_first, state, True)
>>> dist, value, _ = net.apply(params, obs, is_first, state, True)  # learn
>>> dist.logits.shape, value.shape
((5, 2, 3), (5, 2))
>>> dist_0, _, state_1 = net.apply(params, obs[0], is_first[0], state, False)
>>> bool(jnp.allclose(dist_0.logits, dist.logits[0], atol=1e-6))  # act
True
"""

import math
from typing import Any

import haiku as hk
import jax
import jax.numpy as jnp

from haiku_policies import _checks

__all__ = ["GRUCore", "LSTMCore"]


class _ResettingCore(hk.RNNCore):
  """A Haiku core, `_CORE`, whose state resets where `is_first` is True.

  A subclass sets `_CORE`, the Haiku core's class (not a method making it:
  Haiku would put the method's name, `~_core`, into the parameter names), its
  module name `_CORE_NAME`, and the structure of its state,
  `_STATE_STRUCTURE`, with `_STATE_SPEC` saying it in words.
  """

  _CORE: type[hk.LSTM] | type[hk.GRU]
  _CORE_NAME: str
  _STATE_STRUCTURE: jax.tree_util.PyTreeDef
  _STATE_SPEC: str

  def __init__(self, hidden_size: int, *, name: str | None):
    owner = type(self).__name__
    hidden_size = _checks.integer(hidden_size, owner=owner, arg="hidden_size")
    super().__init__(name=name)
    self.hidden_size = hidden_size

  def initial_state(self, batch_size: int | None) -> Any:
    """Returns the initial (zero) state.

    Args:
      batch_size: the batch size `B`, or None for one unbatched element.

    Returns:
      A state of float32 zeros, `[B, H]` arrays (`[H]` when `batch_size` is
      None).

    Raises:
      TypeError: if `batch_size` is neither an int nor None.
      ValueError: if `batch_size` < 1.
    """
    if batch_size is not None:
      batch_size = _checks.integer(
          batch_size, owner=type(self).__name__, arg="batch_size")
    return self._CORE(
        self.hidden_size, name=self._CORE_NAME).initial_state(batch_size)

  def _checked(self, inputs: Any, state: Any, unroll: bool) -> Any:
    return _checks.core_inputs(
        inputs,
        state,
        owner=type(self).__name__,
        hidden_size=self.hidden_size,
        state_structure=self._STATE_STRUCTURE,
        state_spec=self._STATE_SPEC,
        unroll=unroll)

  def __call__(self, inputs: Any, state: Any) -> tuple[jax.Array, Any]:
    """Takes one step, first resetting the state where `is_first` is True.

    Args:
      inputs: a pair `(x, is_first)`: `x` a `[..., F]` float array, `is_first`
        a `[...]` bool array, True where an episode starts.
      state: the previous state, with `[..., H]` arrays.

    Returns:
      `(outputs, new_state)`: `[..., H]` outputs and the new state.

    Raises:
      TypeError: if `inputs` is not a pair or `state` has another structure
        than `initial_state` returns.
      AssertionError: (chex) if `x` is not a float array of rank >= 1,
        `is_first` not a bool array of shape `x.shape[:-1]`, or the state
        arrays not `[..., H]` float arrays with the batch dims of `x`.
    """
    x, is_first = self._checked(inputs, state, unroll=False)
    batch_shape = x.shape[:-1]
    size = math.prod(batch_shape)  # The core takes one batch dim: fold them.
    x = jnp.reshape(x, (size, x.shape[-1]))
    is_first = jnp.reshape(is_first, (size, 1))
    state = jax.tree_util.tree_map(
        lambda s: jnp.reshape(s, (size, self.hidden_size)), state)
    core = self._CORE(self.hidden_size, name=self._CORE_NAME)
    state = jax.tree_util.tree_map(
        lambda zero, s: jnp.where(is_first, zero.astype(s.dtype), s),
        core.initial_state(size), state)
    outputs, state = core(x, state)
    return jax.tree_util.tree_map(
        lambda y: jnp.reshape(y, (*batch_shape, self.hidden_size)),
        (outputs, state))

  def unroll(self, inputs: Any, state: Any) -> tuple[jax.Array, Any]:
    """Steps through a time-major sequence: `hk.dynamic_unroll` of the step.

    Args:
      inputs: a pair `(x, is_first)`: `x` a `[T, ..., F]` float array,
        `is_first` a `[T, ...]` bool array, True where an episode starts.
      state: the state before the first step, with `[..., H]` arrays.

    Returns:
      `(outputs, final_state)`: `[T, ..., H]` outputs and the state after
      the last step.

    Raises:
      TypeError: if `inputs` is not a pair or `state` has another structure
        than `initial_state` returns.
      AssertionError: (chex) if `x` is not a float array of rank >= 2,
        `is_first` not a bool array of shape `x.shape[:-1]`, or the state
        arrays not `[..., H]` float arrays with the batch dims `x.shape[1:-1]`
        (batch-major `[B, T, F]` inputs with a `[B, H]` state fail here when
        `T != B`).
    """
    inputs = self._checked(inputs, state, unroll=True)
    return hk.dynamic_unroll(self, inputs, state)


class LSTMCore(_ResettingCore):
  """An LSTM (`hk.LSTM`) that resets its state where an episode starts.

  One step maps `(x [..., F], is_first [...])` and a state
  `hk.LSTMState(hidden [..., H], cell [..., H])` to `hidden` `[..., H]` and
  the new state; `unroll` does the same over time-major `[T, ...]` sequences
  (see the module docstring for the convention). Where `is_first` is True
  the hidden and cell states are zeroed before the update. The LSTM is Haiku's
  (see "Recurrent Neural Network Regularization" by Zaremba et al. (2014,
  https://arxiv.org/abs/1409.2329)): one linear layer over `concat(x,
  hidden)` gives the four gates, and 1 is added to the forget gate's
  pre-activation so that it starts mostly open. Its weights use Haiku's
  default initializer (truncated normal, stddev `1/sqrt(F + H)`).

  Parameters: `lstm/linear` with `w` `[F + H, 4H]` and `b` `[4H]` (part of
  the checkpoint contract).

  >>> import haiku as hk, jax, jax.numpy as jnp
  >>> from haiku_policies.cores import LSTMCore
  >>> def step(x, is_first):
  ...   core = LSTMCore(8)
  ...   return core((x, is_first), core.initial_state(x.shape[0]))
  >>> f = hk.without_apply_rng(hk.transform(step))
  >>> x, is_first = jnp.ones((3, 5)), jnp.array([True, False, True])
  >>> params = f.init(jax.random.PRNGKey(0), x, is_first)
  >>> out, state = f.apply(params, x, is_first)
  >>> out.shape, state.hidden.shape, state.cell.shape
  ((3, 8), (3, 8), (3, 8))
  """

  _CORE = hk.LSTM
  _CORE_NAME = "lstm"
  # Only the structure is used: the leaves stand in for the two arrays.
  _STATE_STRUCTURE = jax.tree_util.tree_structure(hk.LSTMState(
      0, 0))  # type: ignore[arg-type]
  _STATE_SPEC = "an hk.LSTMState(hidden, cell) of two [..., H] arrays"

  def __init__(self, hidden_size: int, *, name: str | None = None):
    """Constructs the core.

    Args:
      hidden_size: the size `H` >= 1 of the hidden and cell states.
      name: the module name; defaults to "lstm_core".

    Raises:
      TypeError: if `hidden_size` is not an int.
      ValueError: if `hidden_size` < 1.
    """
    super().__init__(hidden_size, name=name)


class GRUCore(_ResettingCore):
  """A GRU (`hk.GRU`) that resets its state where an episode starts.

  One step maps `(x [..., F], is_first [...])` and a `[..., H]` state to
  `[..., H]` outputs equal to the new state; `unroll` does the same over
  time-major `[T, ...]` sequences (see the module docstring for the
  convention). Where `is_first` is True the state is zeroed before the
  update. The GRU is Haiku's, with biases (see "Empirical Evaluation of Gated
  Recurrent Neural Networks on Sequence Modeling" by Chung et al. (2014,
  https://arxiv.org/abs/1412.3555)), its weights initialised by
  `VarianceScaling(1.0)` and its biases by zeros.

  Parameters: `gru/w_i` `[F, 3H]`, `gru/w_h` `[H, 3H]` and `gru/b` `[3H]`
  (part of the checkpoint contract).

  >>> import haiku as hk, jax, jax.numpy as jnp
  >>> from haiku_policies.cores import GRUCore
  >>> def learn(x, is_first):  # x [T, B, F], is_first [T, B].
  ...   core = GRUCore(4)
  ...   return core.unroll((x, is_first), core.initial_state(x.shape[1]))
  >>> f = hk.without_apply_rng(hk.transform(learn))
  >>> x, is_first = jnp.ones((6, 2, 3)), jnp.zeros((6, 2), bool)
  >>> params = f.init(jax.random.PRNGKey(0), x, is_first)
  >>> out, final_state = f.apply(params, x, is_first)
  >>> out.shape, final_state.shape
  ((6, 2, 4), (2, 4))
  """

  _CORE = hk.GRU
  _CORE_NAME = "gru"
  _STATE_STRUCTURE = jax.tree_util.tree_structure(0)
  _STATE_SPEC = "one [..., H] array"

  def __init__(self, hidden_size: int, *, name: str | None = None):
    """Constructs the core.

    Args:
      hidden_size: the size `H` >= 1 of the state.
      name: the module name; defaults to "gru_core".

    Raises:
      TypeError: if `hidden_size` is not an int.
      ValueError: if `hidden_size` < 1.
    """
    super().__init__(hidden_size, name=name)
