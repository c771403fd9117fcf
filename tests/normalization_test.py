"""Tests for the running normaliser, against NumPy float64 statistics.

Cross-device merging under `pmap` is tested in `pmap_modules_test.py`; here the
same `axis_name` reduction is checked under `vmap`.
"""

from absl.testing import absltest
from absl.testing import parameterized
import chex
import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies.normalization import RunningNormalizer
from haiku_policies.normalization import normalize
from haiku_policies.normalization import normalizer_init
from haiku_policies.normalization import normalizer_update

RTOL = 1e-5
ATOL = 1e-5
# Stability run: 1000 batches of 10k samples = 1e7 samples per feature.
NUM_BATCHES = 1000
BATCH = 10_000
STABLE_VAR_RTOL = 1e-3
STABLE_MEAN_ATOL_IN_STDS = 1e-2


def _batches(shapes, seed=0):
  rng = np.random.default_rng(seed)
  return [(rng.normal(size=(*s, 3)) * [1.0, 5.0, 0.1] +
           [0.0, -3.0, 50.0]).astype(np.float32) for s in shapes]


def _far_from_zero(seed, shape):
  rng = np.random.default_rng(seed)
  return (50.0 + 0.1 * rng.normal(size=shape)).astype(np.float32)


class PureFunctionsTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  def test_update_matches_numpy_over_batches_of_any_leading_shape(self):
    batches = _batches([(5,), (2, 7), (3,), (1,), (4, 2, 2)])
    update = self.variant(normalizer_update)
    state = normalizer_init(3)
    for x in batches:
      state = update(state, x)
    data = np.concatenate([x.reshape(-1, 3) for x in batches
                          ]).astype(np.float64)
    self.assertEqual(float(state.count), len(data))
    np.testing.assert_allclose(state.mean, data.mean(0), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(state.var, data.var(0), rtol=RTOL, atol=ATOL)

  @chex.variants(with_jit=True, without_jit=True)
  def test_batch_mean_within_one_ulp_far_from_zero(self):
    # A feature at 50 with std 0.1: a one-pass float32 mean is off by up to 3
    # ulps of 50 here (seeds 0-5); the corrected two-pass mean by at most 1.
    update = self.variant(normalizer_update)
    for seed in range(6):
      x = _far_from_zero(seed, (1000, 1))
      state = update(normalizer_init(1), x)
      exact = x.astype(np.float64).mean()
      self.assertLessEqual(
          abs(float(state.mean[0]) - exact), np.spacing(np.float32(exact)),
          f"seed {seed}")

  def test_merged_mean_within_one_ulp_far_from_zero(self):
    # The same data split over 4 devices (vmap with axis_name): the merged
    # mean is corrected like a single batch's.
    for seed in range(6):
      x = _far_from_zero(seed, (1000, 1))
      merged = jax.vmap(
          lambda x: normalizer_update(normalizer_init(1), x, axis_name="d"),
          axis_name="d")(
              x.reshape(4, 250, 1))
      exact = x.astype(np.float64).mean()
      self.assertLessEqual(
          abs(float(merged.mean[0, 0]) - exact), np.spacing(np.float32(exact)),
          f"seed {seed}")

  def test_single_unbatched_sample_counts_once(self):
    state = normalizer_update(normalizer_init(2), jnp.asarray([1.0, 3.0]))
    self.assertEqual(float(state.count), 1.0)
    np.testing.assert_allclose(state.mean, [1.0, 3.0])
    np.testing.assert_allclose(state.var, [0.0, 0.0])

  def test_empty_batch_leaves_state_unchanged(self):
    state = normalizer_update(normalizer_init(3), _batches([(4,)])[0])
    after = normalizer_update(state, jnp.zeros((0, 3)))
    chex.assert_trees_all_close(after, state)

  def test_initial_state_normalizes_to_identity(self):
    x = _batches([(4,)])[0]
    np.testing.assert_allclose(normalize(normalizer_init(3), x), x, rtol=1e-6)

  def test_normalize_standardises_and_clips(self):
    x = _batches([(1000,)])[0]
    state = normalizer_update(normalizer_init(3), x)
    y = np.asarray(normalize(state, x), np.float64)
    np.testing.assert_allclose(y.mean(0), 0.0, atol=1e-4)
    np.testing.assert_allclose(y.std(0), 1.0, rtol=1e-4)
    clipped = np.asarray(normalize(state, x, clip=1.0))
    self.assertEqual(np.abs(clipped).max(), 1.0)
    np.testing.assert_allclose(
        clipped, np.clip(y, -1.0, 1.0), rtol=1e-5, atol=1e-6)

  def test_normalize_keeps_input_dtype(self):
    state = normalizer_init(3)
    self.assertEqual(
        normalize(state, jnp.zeros((2, 3), jnp.bfloat16)).dtype, jnp.bfloat16)

  def test_axis_name_merges_like_one_concatenated_batch(self):
    x = np.stack(_batches([(6,), (6,), (6,)], seed=3))  # [devices, B, O].
    prior = normalizer_update(normalizer_init(3), _batches([(5,)], seed=4)[0])
    merged = jax.vmap(
        lambda x: normalizer_update(prior, x, axis_name="d"), axis_name="d")(
            x)
    expected = normalizer_update(prior, x.reshape(-1, 3))
    for d in range(3):
      chex.assert_trees_all_close(
          jax.tree_util.tree_map(lambda y: y[d], merged),
          expected,
          rtol=RTOL,
          atol=ATOL,
      )

  def test_float32_statistics_stable_after_1e7_samples(self):
    # A feature with mean/std = 1e5 defeats sum-of-squares formulas in float32.
    rng = np.random.default_rng(0)
    loc = np.array([1e3, -5.0])
    std = np.array([1e-2, 3.0])
    data = (rng.standard_normal(
        (NUM_BATCHES, BATCH, 2), np.float32) * std + loc).astype(np.float32)

    @jax.jit
    def run(data):
      step = lambda s, x: (normalizer_update(s, x), None)
      return jax.lax.scan(step, normalizer_init(2), data)[0]

    state = run(data)
    ref = data.reshape(-1, 2).astype(np.float64)
    self.assertEqual(float(state.count), 1e7)
    np.testing.assert_allclose(state.var, ref.var(0), rtol=STABLE_VAR_RTOL)
    np.testing.assert_array_less(
        np.abs(np.asarray(state.mean, np.float64) - ref.mean(0)),
        STABLE_MEAN_ATOL_IN_STDS * std,
    )


class RunningNormalizerTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  def test_module_state_matches_pure_functions(self):
    batches = _batches([(8,), (2, 4)])
    f = hk.transform_with_state(lambda x: RunningNormalizer(clip=3.0)(x))
    params, state = f.init(None, batches[0])
    apply = self.variant(f.apply)
    expected = normalizer_init(3)
    for x in batches:
      y, state = apply(params, state, None, x)
      expected = normalizer_update(expected, x)
      np.testing.assert_allclose(
          y, normalize(expected, x, clip=3.0), rtol=RTOL, atol=ATOL)
    stats = state["running_normalizer"]
    np.testing.assert_allclose(stats["mean"], expected.mean, rtol=RTOL)
    np.testing.assert_allclose(stats["var"], expected.var, rtol=RTOL)

  def test_init_does_not_count_the_init_batch(self):
    f = hk.transform_with_state(lambda x: RunningNormalizer()(x))
    params, state = f.init(None, _batches([(8,)])[0])
    self.assertEqual(params, {})
    chex.assert_trees_all_close(state["running_normalizer"],
                                normalizer_init(3)._asdict())

  @parameterized.parameters(False, True)
  def test_update_flag_controls_state_change(self, update):
    x = _batches([(8,)])[0]
    f = hk.transform_with_state(lambda x: RunningNormalizer()(x, update=update))
    params, state = f.init(None, x)
    _, new_state = f.apply(params, state, None, x)
    self.assertEqual(
        float(new_state["running_normalizer"]["count"]), 8.0 if update else 0.0)


if __name__ == "__main__":
  absltest.main()
