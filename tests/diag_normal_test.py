"""Tests for `DiagNormal`, cross-checked against distrax and SciPy."""

from absl.testing import absltest
from absl.testing import parameterized
import chex
import distrax
import jax
import jax.numpy as jnp
import numpy as np
from scipy import stats

from haiku_policies import DiagNormal
import jax_compat
import reference

RTOL = 1e-5
ATOL = 1e-5
KEY = jax.random.PRNGKey(42)


def _params(shape=(3, 2), seed=0):
  rng = np.random.default_rng(seed)
  loc = rng.normal(size=shape).astype(np.float32)
  scale = np.exp(rng.normal(size=shape)).astype(np.float32)
  return loc, scale


class DiagNormalTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  @parameterized.parameters({"sample_shape": ()}, {"sample_shape": 1},
                            {"sample_shape": (4,)}, {"sample_shape": (2, 3)})
  def test_sample_matches_distrax(self, sample_shape):
    loc, scale = _params()
    ours = self.variant(lambda l, s: DiagNormal(l, s).sample(
        seed=KEY, sample_shape=sample_shape))
    theirs = self.variant(lambda l, s: distrax.MultivariateNormalDiag(l, s).
                          sample(seed=KEY, sample_shape=sample_shape))
    a, b = ours(loc, scale), theirs(loc, scale)
    self.assertEqual(a.shape, np.shape(np.empty(sample_shape)) + loc.shape)
    np.testing.assert_array_max_ulp(np.asarray(a), np.asarray(b), maxulp=1)

  @chex.variants(with_jit=True, without_jit=True)
  def test_sample_is_loc_plus_scale_times_eps(self):
    loc, scale = _params()
    sample = self.variant(lambda l, s: DiagNormal(l, s).sample(seed=KEY))(loc,
                                                                          scale)
    eps = jax.random.normal(KEY, (1,) + loc.shape)[0]
    np.testing.assert_allclose(sample, loc + scale * eps, rtol=RTOL)

  @chex.variants(with_jit=True, without_jit=True)
  def test_log_prob_matches_distrax_and_scipy(self):
    loc, scale = _params()
    x = np.random.default_rng(1).normal(size=loc.shape).astype(np.float32)
    ours = self.variant(lambda l, s, x: DiagNormal(l, s).log_prob(x))(loc,
                                                                      scale, x)
    theirs = distrax.MultivariateNormalDiag(loc, scale).log_prob(x)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL)
    scipy_ref = stats.norm.logpdf(x.astype(np.float64), loc, scale).sum(-1)
    np.testing.assert_allclose(ours, scipy_ref, rtol=RTOL)

  @chex.variants(with_jit=True, without_jit=True)
  def test_sample_and_log_prob_consistent(self):
    loc, scale = _params()
    sample, log_prob = self.variant(lambda l, s: DiagNormal(
        l, s).sample_and_log_prob(seed=KEY, sample_shape=5))(loc, scale)
    self.assertEqual(log_prob.shape, (5, 3))
    np.testing.assert_allclose(
        log_prob, DiagNormal(loc, scale).log_prob(sample), rtol=RTOL)

  def test_pathwise_gradients(self):
    loc, scale = _params()
    eps = jax.random.normal(KEY, (1,) + loc.shape)[0]
    grad_loc, grad_scale = jax.grad(
        lambda l, s: DiagNormal(l, s).sample(seed=KEY).sum(), (0, 1))(loc,
                                                                      scale)
    np.testing.assert_allclose(grad_loc, np.ones_like(loc))
    np.testing.assert_allclose(grad_scale, eps, rtol=RTOL)

  def test_log_prob_gradient_matches_finite_differences(self):
    loc, scale = _params((2,))
    x = np.array([0.3, -1.2], np.float32)
    grad = jax.grad(lambda l: DiagNormal(l, scale).log_prob(x))(loc)
    numeric = reference.central_difference(
        lambda l: stats.norm.logpdf(x, l, scale).sum(), loc)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-4)

  @chex.variants(with_jit=True, without_jit=True)
  def test_entropy_matches_scipy(self):
    loc, scale = _params()
    entropy = self.variant(lambda l, s: DiagNormal(l, s).entropy())(loc, scale)
    np.testing.assert_allclose(
        entropy, stats.norm.entropy(loc, scale).sum(-1), rtol=RTOL)

  def test_summaries_are_loc_and_scale(self):
    loc, scale = _params()
    dist = DiagNormal(loc, scale)
    for summary in (dist.mean(), dist.mode(), dist.median()):
      np.testing.assert_array_equal(summary, loc)
    np.testing.assert_array_equal(dist.stddev(), scale)
    np.testing.assert_allclose(dist.variance(), scale**2, rtol=RTOL)

  @chex.variants(with_jit=True, without_jit=True)
  def test_kl_matches_distrax_and_monte_carlo(self):
    loc_p, scale_p = _params(seed=0)
    loc_q, scale_q = _params(seed=1)
    kl = self.variant(
        lambda a, b, c, d: DiagNormal(a, b).kl_divergence(DiagNormal(c, d)))(
            loc_p, scale_p, loc_q, scale_q)
    theirs = distrax.MultivariateNormalDiag(loc_p, scale_p).kl_divergence(
        distrax.MultivariateNormalDiag(loc_q, scale_q))
    np.testing.assert_allclose(kl, theirs, rtol=1e-4, atol=ATOL)
    np.testing.assert_allclose(
        kl,
        reference.normal_kl(loc_p, scale_p, loc_q, scale_q),
        rtol=1e-5,
        atol=ATOL)
    p, q = DiagNormal(loc_p, scale_p), DiagNormal(loc_q, scale_q)
    x, log_p = p.sample_and_log_prob(seed=KEY, sample_shape=200_000)
    samples = np.asarray(log_p - q.log_prob(x), np.float64)
    stderr = samples.std(0) / np.sqrt(samples.shape[0])
    np.testing.assert_array_less(np.abs(samples.mean(0) - kl), 5 * stderr)

  def test_kl_against_other_type_raises(self):
    with self.assertRaisesRegex(NotImplementedError, "another DiagNormal"):
      DiagNormal(jnp.zeros(2), jnp.ones(2)).kl_divergence(
          distrax.MultivariateNormalDiag(jnp.zeros(2), jnp.ones(2)))

  def test_shapes(self):
    dist = DiagNormal(jnp.zeros((5, 4, 3)), jnp.ones(3))
    self.assertEqual(dist.batch_shape, (5, 4))
    self.assertEqual(dist.event_shape, (3,))
    self.assertEqual(dist.sample(seed=KEY, sample_shape=2).shape, (2, 5, 4, 3))

  def test_vmap_matches_batched(self):
    loc, scale = _params((4, 2))
    x = np.ones((4, 2), np.float32)
    batched = DiagNormal(loc, scale).log_prob(x)
    mapped = jax.vmap(lambda l, s, x: DiagNormal(l, s).log_prob(x))(loc, scale,
                                                                    x)
    np.testing.assert_allclose(mapped, batched, rtol=RTOL)

  def test_passes_through_jit_as_pytree(self):
    loc, scale = _params()
    dist = jax.jit(DiagNormal)(loc, scale)
    self.assertIsInstance(dist, DiagNormal)
    np.testing.assert_array_equal(dist.loc, loc)

  def test_bfloat16_computes_in_float32(self):
    dist = DiagNormal(jnp.zeros(2, jnp.bfloat16), jnp.ones(2, jnp.bfloat16))
    sample, log_prob = dist.sample_and_log_prob(seed=KEY)
    self.assertEqual(sample.dtype, jnp.float32)
    self.assertEqual(log_prob.dtype, jnp.float32)
    self.assertEqual(dist.entropy().dtype, jnp.float32)

  def test_float64_under_x64(self):
    with jax_compat.enable_x64(True):
      dist = DiagNormal(jnp.zeros(2, jnp.float64), jnp.ones(2, jnp.float64))
      self.assertEqual(dist.sample(seed=KEY).dtype, jnp.float64)
      self.assertEqual(dist.log_prob(jnp.zeros(2)).dtype, jnp.float64)


class DiagNormalBadInputTest(parameterized.TestCase):

  @parameterized.named_parameters(
      ("rank0", 0.0, 1.0, ValueError, "`loc` must have rank >= 1"),
      ("mismatch", np.zeros(3), np.ones(2), ValueError, "broadcastable"),
      ("int_loc", np.zeros(2, np.int32), np.ones(2), TypeError,
       "`loc` must be a floating-point"),
      ("int_scale", np.zeros(2), np.ones(
          2, np.int32), TypeError, "`scale` must be a floating-point"),
      ("zero_scale", np.zeros(2), np.zeros(2), ValueError, "`scale` must be"),
      ("nan_loc", np.array([np.nan, 0.0
                           ]), np.ones(2), ValueError, "`loc` must be finite"),
  )
  def test_bad_construction(self, loc, scale, error, message):
    with self.assertRaisesRegex(error, "DiagNormal: .*" + message):
      DiagNormal(loc, scale)

  def test_log_prob_wrong_event_size(self):
    with self.assertRaisesRegex(ValueError, r"shape `\[\.\.\., 2\]`"):
      DiagNormal(jnp.zeros(2), jnp.ones(2)).log_prob(jnp.zeros(3))

  def test_scale_value_unchecked_under_jit(self):
    # Documented: value checks need concrete arrays; under jit they are skipped.
    dist = jax.jit(lambda s: DiagNormal(jnp.zeros(2), s).scale)(-jnp.ones(2))
    np.testing.assert_array_equal(dist, -np.ones(2))


if __name__ == "__main__":
  absltest.main()
