"""Tests for `LSTMCore` and `GRUCore`.

References: Haiku's own `hk.ResetCore` around the raw `hk.LSTM`/`hk.GRU` for a
step, the step taken in a Python loop for `unroll`, and the initial-state step
for a reset. Parameters, `jit`, `vmap`, leading dims, gradients and `pmap` are
checked in the conformance list.
"""

from absl.testing import absltest
from absl.testing import parameterized
import chex
import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from conformance_test import random_params
from haiku_policies.conv_torsos import ConvTorso
from haiku_policies.cores import GRUCore
from haiku_policies.cores import LSTMCore
from haiku_policies.critics import ValueHead
from haiku_policies.heads_categorical import CategoricalHead

RTOL = 1e-5
ATOL = 1e-6
T, B, F, H = 5, 3, 2, 4
# Resets mid-sequence, at other steps for each element; element 1 never
# resets after t = 0, so it carries the given state.
IS_FIRST = np.array(
    [[False, False, True], [False, False, False], [True, False, False],
     [False, False, True], [True, False, False]], bool)
# (test name, core, raw Haiku core, module name, raw core name).
CORES = (
    ("lstm", LSTMCore, hk.LSTM, "lstm_core", "lstm"),
    ("gru", GRUCore, hk.GRU, "gru_core", "gru"),
)


def _x(shape, seed=0):
  return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def _state(core_cls, batch_size, seed=1):
  """A nonzero state of `core_cls`'s structure, so that resets show."""
  zeros = hk.transform(lambda: core_cls(H).initial_state(batch_size)).apply(
      {}, None)
  leaves, treedef = jax.tree_util.tree_flatten(zeros)
  return jax.tree_util.tree_unflatten(
      treedef, [_x(leaf.shape, seed + i) for i, leaf in enumerate(leaves)])


def _step_and_unroll(core_cls):
  """Transforms of one step and of an unroll, sharing parameters."""
  step = hk.without_apply_rng(
      hk.transform(lambda x, first, s: core_cls(H)((x, first), s)))
  unroll = hk.without_apply_rng(
      hk.transform(lambda x, first, s: core_cls(H).unroll((x, first), s)))
  return step, unroll


def _steps(step_apply, params, x, is_first, state):
  """Takes the steps in a Python loop; returns `[T, ...]` outputs and state."""
  outputs = []
  for t in range(x.shape[0]):
    out, state = step_apply(params, x[t], is_first[t], state)
    outputs.append(out)
  return jnp.stack(outputs), state


class CoresTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  @parameterized.named_parameters(*CORES)
  def test_steps_match_haiku_reset_core(self, core_cls, raw_cls, name, raw):
    step, _ = _step_and_unroll(core_cls)
    reference = hk.without_apply_rng(
        hk.transform(lambda x, first, s: hk.ResetCore(raw_cls(H, name=raw))
                     ((x, first), s)))
    x, state = _x((T, B, F)), _state(core_cls, B)
    params = random_params(step.init, x[0], IS_FIRST[0], state)
    raw_params = {k.removeprefix(f"{name}/"): v for k, v in params.items()}
    out, final = _steps(self.variant(step.apply), params, x, IS_FIRST, state)
    expected, expected_final = _steps(
        self.variant(reference.apply), raw_params, x, IS_FIRST, state)
    chex.assert_trees_all_close((out, final), (expected, expected_final),
                                rtol=RTOL,
                                atol=ATOL)

  @chex.variants(with_jit=True, without_jit=True)
  @parameterized.named_parameters(*CORES)
  def test_unroll_matches_steps_with_resets(self, core_cls, *_):
    step, unroll = _step_and_unroll(core_cls)
    x, state = _x((T, B, F)), _state(core_cls, B)
    params = random_params(unroll.init, x, IS_FIRST, state)
    out, final = self.variant(unroll.apply)(params, x, IS_FIRST, state)
    expected, expected_final = _steps(step.apply, params, x, IS_FIRST, state)
    self.assertEqual(out.shape, (T, B, H))
    chex.assert_trees_all_close((out, final), (expected, expected_final),
                                rtol=RTOL,
                                atol=ATOL)

  @parameterized.named_parameters(*CORES)
  def test_reset_replaces_the_state_of_flagged_elements_only(
      self, core_cls, *_):
    step, _ = _step_and_unroll(core_cls)
    x, state = _x((B, F)), _state(core_cls, B)
    zeros = jax.tree_util.tree_map(jnp.zeros_like, state)
    flagged = np.array([True, False, True])
    never = np.zeros(B, bool)
    params = random_params(step.init, x, flagged, state)
    out, new_state = step.apply(params, x, flagged, state)
    from_zeros = step.apply(params, x, never, zeros)
    from_state = step.apply(params, x, never, state)
    chosen = jax.tree_util.tree_map(
        lambda z, s: np.where(flagged[:, None], z, s), from_zeros, from_state)
    chex.assert_trees_all_close((out, new_state), chosen, rtol=RTOL, atol=ATOL)
    # The two candidates differ, so picking the wrong one would fail.
    self.assertGreater(
        float(jnp.min(jnp.abs(from_zeros[0] - from_state[0]))), 1e-3)

  @parameterized.named_parameters(*CORES)
  def test_reset_cuts_the_gradient_to_earlier_steps(self, core_cls, *_):
    _, unroll = _step_and_unroll(core_cls)
    x, state = _x((T, B, F)), _state(core_cls, B)
    params = random_params(unroll.init, x, IS_FIRST, state)

    def last_outputs(x0):
      out, _ = unroll.apply(params,
                            jnp.asarray(x).at[0].set(x0), IS_FIRST, state)
      return jnp.sum(out[-1])

    grad = np.asarray(jax.jit(jax.grad(last_outputs))(jnp.asarray(x[0])))
    # Elements 0 and 2 reset after t = 0; element 1 remembers it.
    np.testing.assert_array_equal(grad[[0, 2]], 0.0)
    self.assertTrue(np.all(grad[1] != 0.0), msg=grad)

  @parameterized.named_parameters(*CORES)
  def test_initial_state_is_zeros_of_the_batch_size(self, core_cls, *_):
    state = _state(core_cls, B)
    for batch_size, shape in ((B, (B, H)), (None, (H,))):
      initial = hk.transform(lambda b: core_cls(H).initial_state(b)).apply(
          {}, None, batch_size)
      self.assertEqual(
          jax.tree_util.tree_structure(initial),
          jax.tree_util.tree_structure(state))
      for leaf in jax.tree_util.tree_leaves(initial):
        self.assertEqual(leaf.dtype, jnp.float32)
        np.testing.assert_array_equal(leaf, np.zeros(shape))

  def test_conv_lstm_policy_and_value_over_time_and_batch(self):

    def network(obs, is_first, state, unroll):
      h = ConvTorso((4,), strides=2, output_sizes=(8,))(obs)
      core = LSTMCore(H)
      h, state = (core.unroll if unroll else core)((h, is_first), state)
      return CategoricalHead(3)(h).logits, ValueHead()(h), state

    net = hk.without_apply_rng(hk.transform(network))
    pixels = np.random.default_rng(0).integers(0, 256, size=(T, B, 8, 8, 2))
    obs, state = pixels.astype(np.uint8), _state(LSTMCore, B)
    params = random_params(lambda key, *xs: net.init(key, *xs, unroll=True),
                           obs, IS_FIRST, state)
    learn = jax.jit(lambda p, *xs: net.apply(p, *xs, unroll=True))
    act = jax.jit(lambda p, *xs: net.apply(p, *xs, unroll=False))
    logits, values, final = learn(params, obs, IS_FIRST, state)
    self.assertEqual((logits.shape, values.shape), ((T, B, 3), (T, B)))
    for t in range(T):
      logits_t, values_t, state = act(params, obs[t], IS_FIRST[t], state)
      chex.assert_trees_all_close((logits_t, values_t), (logits[t], values[t]),
                                  rtol=RTOL,
                                  atol=ATOL)
    chex.assert_trees_all_close(state, final, rtol=RTOL, atol=ATOL)


if __name__ == "__main__":
  absltest.main()
