"""Tests for `CategoricalHead` and `MultiCategoricalHead`, against NumPy
softmax references."""

from absl.testing import absltest
from absl.testing import parameterized
import chex
import distrax
import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies import MultiCategorical
from haiku_policies.heads_categorical import CategoricalHead
from haiku_policies.heads_categorical import MultiCategoricalHead

RTOL = 1e-5
ATOL = 1e-6
KEY = jax.random.PRNGKey(0)
MASK = np.array([[True, False, True, True], [False, False, True, False]])


def _features(shape, seed=0):
  return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def _masked_softmax(logits, mask):
  logits = np.where(mask, np.asarray(logits, np.float64), -np.inf)
  e = np.exp(logits - logits.max(-1, keepdims=True))
  return e / e.sum(-1, keepdims=True)


def _head(fn):
  return hk.without_apply_rng(hk.transform(fn))


class CategoricalHeadTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  def test_logits_are_linear_and_distribution_is_distrax_categorical(self):
    h = _features((2, 8))
    f = _head(lambda h: CategoricalHead(4)(h))
    params = f.init(KEY, h)
    dist = self.variant(f.apply)(params, h)
    self.assertIsInstance(dist, distrax.Categorical)
    raw = (
        h @ params["categorical_head/linear"]["w"] +
        params["categorical_head/linear"]["b"])
    # distrax normalises the logits it stores: compare log-probabilities.
    expected = np.log(_masked_softmax(raw, np.ones_like(raw, bool)))
    np.testing.assert_allclose(dist.logits, expected, rtol=RTOL, atol=ATOL)

  @chex.variants(with_jit=True, without_jit=True)
  def test_masked_probabilities_match_renormalised_softmax(self):
    h = _features((2, 8))
    f = _head(lambda h, m: CategoricalHead(4)(h, mask=m))
    params = f.init(KEY, h, MASK)
    dist = self.variant(f.apply)(params, h, MASK)
    raw = (
        h @ params["categorical_head/linear"]["w"] +
        params["categorical_head/linear"]["b"])
    probs = np.asarray(dist.probs)
    np.testing.assert_array_equal(probs[~MASK], 0.0)
    np.testing.assert_allclose(
        probs, _masked_softmax(raw, MASK), rtol=RTOL, atol=ATOL)
    entropy = -np.sum(
        np.where(MASK, probs * np.log(np.where(MASK, probs, 1.0)), 0.0), -1)
    np.testing.assert_allclose(dist.entropy(), entropy, rtol=RTOL, atol=ATOL)

  def test_masked_actions_are_never_sampled(self):
    h = _features((2, 8))
    f = hk.transform(lambda h, m: CategoricalHead(4, w_init=jnp.zeros)(
        h, mask=m).sample(seed=hk.next_rng_key(), sample_shape=2000))
    samples = np.asarray(f.apply(f.init(KEY, h, MASK), KEY, h, MASK))
    allowed = np.take_along_axis(
        np.broadcast_to(MASK, (2000, 2, 4)), samples[..., None], -1)
    self.assertTrue(np.all(allowed))
    self.assertEqual(set(np.unique(samples[:, 0]).tolist()), {0, 2, 3})

  def test_log_prob_and_gradients_stay_finite_for_masked_actions(self):
    h = _features((2, 8))
    f = _head(lambda h, m: CategoricalHead(4)
              (h, mask=m).log_prob(jnp.array([1, 0])))
    params = f.init(KEY, h, MASK)
    log_prob = np.asarray(f.apply(params, h, MASK))
    self.assertTrue(np.all(np.isfinite(log_prob)))
    self.assertTrue(np.all(log_prob < -1e30))
    grads = jax.grad(lambda p: f.apply(p, h, MASK).sum())(params)
    for g in jax.tree_util.tree_leaves(grads):
      self.assertTrue(np.all(np.isfinite(g)))

  def test_all_masked_row_is_uniform(self):
    h = _features((2, 8))
    mask = np.array([[False] * 4, [True, False, False, False]])
    f = _head(lambda h, m: CategoricalHead(4)(h, mask=m).probs)
    probs = np.asarray(f.apply(f.init(KEY, h, mask), h, mask))
    np.testing.assert_allclose(probs[0], 0.25, rtol=RTOL)
    np.testing.assert_allclose(probs[1], [1.0, 0.0, 0.0, 0.0], atol=ATOL)

  @parameterized.parameters(((4,),), ((2, 4),), ((3, 2, 4),))
  def test_mask_broadcasts_against_logits(self, mask_shape):
    h = _features((3, 2, 8))
    mask = np.broadcast_to(np.array([True, True, False, True]), mask_shape)
    f = _head(lambda h, m: CategoricalHead(4)(h, mask=m).probs)
    probs = np.asarray(f.apply(f.init(KEY, h, mask), h, mask))
    self.assertEqual(probs.shape, (3, 2, 4))
    np.testing.assert_array_equal(probs[..., 2], 0.0)


class MultiCategoricalHeadTest(absltest.TestCase):

  def test_logits_are_linear_and_masked_per_sub_action(self):
    nvec, h = (3, 2), _features((2, 8))
    mask = np.array([[True, False, True, False, True]] * 2)
    f = _head(lambda h, m: MultiCategoricalHead(nvec)(h, mask=m))
    params = jax.jit(f.init)(KEY, h, mask)
    dist = jax.jit(f.apply)(params, h, mask)
    self.assertIsInstance(dist, MultiCategorical)
    self.assertEqual(dist.nvec, nvec)
    layer = params["multi_categorical_head/linear"]
    raw = h.astype(np.float64) @ layer["w"] + layer["b"]
    expected = np.concatenate([
        _masked_softmax(raw[:, :3], mask[:, :3]),
        _masked_softmax(raw[:, 3:], mask[:, 3:])
    ], -1)
    np.testing.assert_allclose(dist.probs, expected, rtol=RTOL, atol=ATOL)


if __name__ == "__main__":
  absltest.main()
