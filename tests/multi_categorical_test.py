"""Tests for `MultiCategorical`, against a product of `distrax.Categorical`s.

The reference builds one `distrax.Categorical` per sub-action from its slice
of the flat logits (masked entries set to `-inf`), so it shares nothing with
the padded layout under test. Random programs compile for seconds and each
eager op compiles on its own, so ours and the reference are computed together
in one jitted program, `_outputs` (cached), that the tests read; the special
cases jit their own small functions. The conformance list compares `jit` with
eager for `MultiCategoricalHead`.
"""

import functools

from absl.testing import absltest
from absl.testing import parameterized
import distrax
import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies import MultiCategorical

RTOL = 1e-5
ATOL = 1e-5
KEY = jax.random.PRNGKey(3)
NVEC = (3, 5, 2)
BATCH = 4
SAMPLES = 500  # Draws per row.
# Row 0: value 1 of sub-action 0 and values 0, 4 of sub-action 1 masked;
# row 2: only value 3 of sub-action 1 allowed; the other rows unmasked.
MASK = np.ones((BATCH, sum(NVEC)), bool)
MASK[0, [1, 3, 7]] = False
MASK[2, 3:8] = [False, False, False, True, False]
OFFSETS = np.cumsum((0,) + NVEC[:-1])  # Of each sub-action in the logits.


def _logits(shape=(BATCH,), nvec=NVEC, seed=0):
  rng = np.random.default_rng(seed)
  return rng.normal(size=(*shape, sum(nvec))).astype(np.float32)


def _values(seed=2, nvec=NVEC):
  rng = np.random.default_rng(seed)
  return np.stack([rng.integers(0, n, BATCH) for n in nvec],
                  -1).astype(np.int32)


def _split(x, nvec=NVEC):
  return jnp.split(x, np.cumsum(nvec)[:-1], axis=-1)


def _reference(logits, nvec=NVEC, mask=None):
  """One `distrax.Categorical` per sub-action, masked entries at `-inf`."""
  if mask is not None:
    logits = jnp.where(mask, logits, -jnp.inf)
  return [distrax.Categorical(logits=l) for l in _split(logits, nvec)]


def _padded_reference(logits, mask=None):
  """A `distrax.Categorical` over `[..., K, max(NVEC)]`, `-inf` padding."""
  if mask is not None:
    logits = jnp.where(mask, logits, -jnp.inf)
  blocks = [
      jnp.pad(b, [(0, 0), (0, max(NVEC) - n)], constant_values=-jnp.inf)
      for b, n in zip(_split(logits), NVEC)
  ]
  return distrax.Categorical(logits=jnp.stack(blocks, axis=-2))


@functools.lru_cache(maxsize=None)
def _outputs():
  """Ours and the reference's draws and summaries, in one jitted program.

  With the standard logits, `MASK` or no mask (keys `masked_...` or not),
  and `_values()` (made allowed in the masked rows); the draws use `MASK`;
  `q_logits` give the second distribution of the KL.
  """
  values = _values()
  masked_values = values.copy()
  masked_values[0], masked_values[2, 1] = [0, 2, 0], 3

  def outputs(logits, q_logits):
    out = {}
    for name, mask, value in (("", None, values), ("masked_", MASK,
                                                   masked_values)):
      dist = MultiCategorical(logits, NVEC, mask=mask)
      reference = _reference(logits, mask=mask)
      if mask is not None:  # One draw each: random programs are costly.
        sample, sample_log_prob = dist.sample_and_log_prob(
            seed=KEY, sample_shape=SAMPLES)
        out["sample"] = sample
        out["sample_log_prob"] = sample_log_prob
        out["sample_reference_log_prob"] = sum(
            d.log_prob(sample[..., k]) for k, d in enumerate(reference))
        out["reference_sample"] = _padded_reference(logits, mask).sample(
            seed=KEY, sample_shape=SAMPLES)
      out[name + "log_prob"] = dist.log_prob(value)
      out[name + "reference_log_prob"] = sum(
          d.log_prob(value[:, k]) for k, d in enumerate(reference))
      out[name + "entropy"] = dist.entropy()
      out[name + "reference_entropy"] = sum(d.entropy() for d in reference)
      out[name + "mode"] = dist.mode()
      out[name + "reference_mode"] = jnp.stack([d.mode() for d in reference],
                                               -1)
      out[name + "logits"] = dist.logits
      out[name + "probs"] = dist.probs
      out[name + "reference_logits"] = jnp.concatenate(
          [d.logits for d in reference], -1)
    q = MultiCategorical(q_logits, NVEC)
    out["kl"] = MultiCategorical(logits, NVEC).kl_divergence(q)
    out["reference_kl"] = sum(
        p.kl_divergence(q)
        for p, q in zip(_reference(logits), _reference(q_logits)))
    return out

  return jax.jit(outputs)(_logits(seed=0), _logits(seed=1))


def _assert_matches_reference(name):
  out = _outputs()
  for prefix in ("", "masked_"):
    np.testing.assert_allclose(
        out[prefix + name],
        out[prefix + "reference_" + name],
        rtol=RTOL,
        atol=ATOL,
        err_msg=prefix + name)


class MultiCategoricalTest(parameterized.TestCase):

  def test_log_prob_matches_product_of_distrax_categoricals(self):
    _assert_matches_reference("log_prob")

  def test_entropy_matches_product_of_distrax_categoricals(self):
    _assert_matches_reference("entropy")

  def test_sample_matches_distrax_over_padded_logits(self):
    out = _outputs()
    self.assertEqual(out["sample"].shape, (SAMPLES, BATCH, len(NVEC)))
    self.assertEqual(out["sample"].dtype, jnp.int32)
    np.testing.assert_array_equal(out["sample"], out["reference_sample"])

  def test_sample_and_log_prob_scores_the_sample(self):
    out = _outputs()
    np.testing.assert_allclose(
        out["sample_log_prob"],
        out["sample_reference_log_prob"],
        rtol=RTOL,
        atol=ATOL)

  def test_masked_values_are_never_sampled(self):
    flat = np.asarray(_outputs()["sample"]) + OFFSETS
    allowed = np.take_along_axis(
        np.broadcast_to(MASK, (SAMPLES,) + MASK.shape), flat, -1)
    self.assertTrue(np.all(allowed))

  def test_mode_is_the_argmax_of_each_sub_action(self):
    _assert_matches_reference("mode")

  def test_logits_are_normalised_per_sub_action_in_flat_layout(self):
    out = _outputs()
    for prefix, allowed in (("", np.ones_like(MASK)), ("masked_", MASK)):
      expected = out[prefix + "reference_logits"]  # -inf where masked.
      np.testing.assert_allclose(
          np.asarray(out[prefix + "logits"])[allowed],
          np.asarray(expected)[allowed],
          rtol=RTOL,
          atol=ATOL)
      np.testing.assert_allclose(
          out[prefix + "probs"], np.exp(expected), rtol=RTOL, atol=ATOL)

  def test_kl_matches_sum_of_distrax_categorical_kls(self):
    out = _outputs()
    np.testing.assert_allclose(
        out["kl"], out["reference_kl"], rtol=RTOL, atol=ATOL)

  def test_one_sub_action_is_a_categorical(self):

    @jax.jit
    def scores(logits, values):
      dist = MultiCategorical(logits, (4,))
      reference = distrax.Categorical(logits=logits)
      return (dist.log_prob(values),
              dist.entropy()), (reference.log_prob(values[:, 0]),
                                reference.entropy())

    ours, theirs = scores(_logits(nvec=(4,)), _values(nvec=(4,)))
    for got, expected in zip(ours, theirs):  # log_prob, then entropy.
      np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)

  def test_masked_values_have_zero_probability_and_finite_gradients(self):
    # Every value of sub-action 1, masked or not, scored in row 0.
    every = np.stack([np.zeros(5), np.arange(5), np.zeros(5)], -1)[:, None]

    def loss(logits):
      dist = MultiCategorical(logits, NVEC, mask=MASK)
      scores = dist.log_prob(every.astype(np.int32))[:, 0]
      return scores.sum() + dist.entropy().sum(), (scores, dist.probs)

    grads, (scores, probs) = jax.jit(jax.grad(loss, has_aux=True))(_logits())
    np.testing.assert_array_equal(np.asarray(probs)[~MASK], 0.0)
    self.assertTrue(np.all(np.isfinite(scores)))
    self.assertTrue(np.all(np.asarray(scores)[[0, 4]] < -1e37))
    self.assertTrue(np.all(np.isfinite(grads)))
    np.testing.assert_array_equal(np.asarray(grads)[~MASK], 0.0)

  def test_all_masked_sub_action_is_uniform_over_its_own_values(self):
    # Sub-action 0 has 3 values and 2 padding entries: uniform over the 3.
    mask = np.ones_like(MASK)
    mask[1, :3] = False  # Every value of sub-action 0 in row 1.

    @jax.jit
    def summaries(logits):
      dist = MultiCategorical(logits, NVEC, mask=mask)
      others = _reference(logits[1])[1:]
      expected_entropy = jnp.log(3.0) + sum(d.entropy() for d in others)
      return dist.probs[1], dist.entropy()[1], others[0].probs, expected_entropy

    probs, entropy, expected_probs, expected_entropy = summaries(_logits())
    blocks = _split(probs)
    np.testing.assert_allclose(blocks[0], 1.0 / 3.0, rtol=RTOL)
    np.testing.assert_allclose(blocks[1], expected_probs, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(entropy, expected_entropy, rtol=RTOL)

  def test_log_prob_of_every_sub_action_masked_stays_finite(self):
    mask = np.zeros((1, sum(NVEC)), bool)
    mask[0, OFFSETS] = True  # Only value 0 of each sub-action.
    log_prob = jax.jit(lambda x: MultiCategorical(x, NVEC, mask=mask).log_prob(
        jnp.array([[2, 4, 1]])))(
            _logits((1,)))
    self.assertTrue(np.isfinite(log_prob[0]))
    self.assertLess(float(log_prob[0]), -1e37)

  def test_out_of_range_values_score_minus_infinity(self):
    values = np.array([[3, 0, 0], [-1, 0, 0], [0, 5, 0], [0, 0, 2]], np.int32)
    log_prob = jax.jit(lambda x, v: MultiCategorical(x, NVEC).log_prob(v))(
        _logits(), values)
    np.testing.assert_array_equal(log_prob, -np.inf)

  def test_mask_broadcasts_against_logits(self):
    logits = _logits((2, 3))
    probs = jax.jit(lambda x, m: MultiCategorical(x, NVEC, mask=m).probs)
    np.testing.assert_array_equal(
        probs(logits, MASK[0]),
        probs(logits, np.broadcast_to(MASK[0], logits.shape)))

  def test_kl_refuses_other_nvec_and_other_distributions(self):
    dist = MultiCategorical(_logits(), NVEC)
    with self.assertRaisesRegex(ValueError, "same nvec"):
      dist.kl_divergence(MultiCategorical(_logits(), (5, 3, 2)))
    with self.assertRaisesRegex(NotImplementedError, "another MultiCat"):
      dist.kl_divergence(distrax.Categorical(logits=_logits()))


if __name__ == "__main__":
  absltest.main()
