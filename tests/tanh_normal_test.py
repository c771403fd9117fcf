"""Tests for `TanhNormal`, cross-checked against distrax, SciPy and quadrature.

The regression tests at the end reproduce distrax issues #7, #216 and #235.
"""

from absl.testing import absltest
from absl.testing import parameterized
import chex
import distrax
import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies import DiagNormal
from haiku_policies import TanhNormal
import jax_compat
import reference

RTOL = 1e-5
# Log-densities are float32 sums of O(1) terms: where one sums to near 0, an
# ulp of a term is a large relative error, so compare with this atol too.
LOG_PROB_ATOL = 5e-6
SUMMARY_ATOL = 1e-4  # Entropy and mean against float64 quadrature.
KEY = jax.random.PRNGKey(7)
LOW = np.array([-2.0, 0.5, -np.inf], np.float32)
HIGH = np.array([3.0, 0.75, np.inf], np.float32)


def _params(shape=(3, 2), seed=0):
  rng = np.random.default_rng(seed)
  loc = rng.normal(size=shape).astype(np.float32)
  scale = np.exp(0.5 * rng.normal(size=shape)).astype(np.float32)
  return loc, scale


def _distrax_tanh(loc, scale):
  return distrax.Transformed(
      distrax.MultivariateNormalDiag(loc, scale),
      distrax.Block(distrax.Tanh(), 1))


def _saturating_grid():
  """`loc` up to ±1e3 and `scale` from 1e-6 to 1e2, as `[N, 1]` arrays."""
  loc, scale = np.meshgrid(
      np.array([-1e3, -20.0, -5.0, 0.0, 5.0, 20.0, 1e3]), np.logspace(-6, 2, 9))
  return (loc.reshape(-1, 1).astype(np.float32),
          scale.reshape(-1, 1).astype(np.float32))


def _assert_finite(tree):
  for leaf in jax.tree_util.tree_leaves(tree):
    np.testing.assert_array_equal(np.isfinite(leaf), True)


class SamplingTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  @parameterized.parameters({"sample_shape": ()}, {"sample_shape": 1},
                            {"sample_shape": (2, 3)})
  def test_sample_matches_distrax(self, sample_shape):
    loc, scale = _params()
    ours = self.variant(lambda l, s: TanhNormal(l, s).sample(
        seed=KEY, sample_shape=sample_shape))(loc, scale)
    theirs = self.variant(lambda l, s: _distrax_tanh(l, s).sample(
        seed=KEY, sample_shape=sample_shape))(loc, scale)
    self.assertEqual(ours.shape, theirs.shape)
    np.testing.assert_array_max_ulp(
        np.asarray(ours), np.asarray(theirs), maxulp=1)

  @chex.variants(with_jit=True, without_jit=True)
  def test_sample_is_rescaled_tanh_of_reparameterized_normal(self):
    loc, scale = _params((4, 3))
    dist = TanhNormal(loc, scale, LOW, HIGH)
    action, _, pre_squash = self.variant(
        lambda: dist.sample_and_log_prob_with_pre_squash(seed=KEY))()
    eps = jax.random.normal(KEY, (1,) + loc.shape)[0]
    np.testing.assert_allclose(pre_squash, loc + scale * eps, rtol=RTOL)
    centre, half = (HIGH[:2] + LOW[:2]) / 2, (HIGH[:2] - LOW[:2]) / 2
    np.testing.assert_allclose(
        action[:, :2], centre + half * np.tanh(pre_squash[:, :2]), rtol=RTOL)
    # Under jit XLA may fuse `loc + scale * eps` into an FMA in one place only.
    np.testing.assert_array_max_ulp(action[:, 2], pre_squash[:, 2], maxulp=1)

  def test_samples_stay_inside_bounds(self):
    loc, scale = _saturating_grid()
    action = TanhNormal(loc, scale, 0.5, 0.75).sample(seed=KEY, sample_shape=50)
    self.assertTrue(np.all((action >= 0.5) & (action <= 0.75)))


class LogProbTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  def test_log_prob_matches_distrax_where_finite(self):
    loc, scale = _params((64, 2))
    action = _distrax_tanh(loc, scale).sample(seed=KEY)
    theirs = np.asarray(_distrax_tanh(loc, scale).log_prob(action))
    ours = self.variant(lambda a: TanhNormal(loc, scale).log_prob(a))(action)
    finite = np.isfinite(theirs)
    self.assertGreater(finite.sum(), 60)
    np.testing.assert_allclose(
        ours[finite], theirs[finite], rtol=RTOL, atol=LOG_PROB_ATOL)

  @chex.variants(with_jit=True, without_jit=True)
  def test_log_prob_matches_scipy_with_bounds(self):
    loc, scale = _params((16, 2))
    low, high = LOW[:2], HIGH[:2]
    action = TanhNormal(loc, scale, low, high).sample(seed=KEY)
    ours = self.variant(
        lambda a: TanhNormal(loc, scale, low, high).log_prob(a))(
            action)
    expected = reference.tanh_normal_logpdf(action, loc, scale, low, high)
    np.testing.assert_allclose(ours, expected, rtol=1e-4, atol=1e-4)

  def test_unsquashed_dimension_is_gaussian(self):
    loc, scale = _params((5, 3))
    action = np.random.default_rng(3).uniform(0.55, 0.7, (5, 3))
    action[:, 0] = 0.1
    action = action.astype(np.float32)
    ours = TanhNormal(loc, scale, LOW, HIGH).log_prob(action)
    expected = (
        reference.tanh_normal_logpdf(action[:, :2], loc[:, :2], scale[:, :2],
                                     LOW[:2], HIGH[:2]) +
        DiagNormal(loc[:, 2:], scale[:, 2:]).log_prob(action[:, 2:]))
    np.testing.assert_allclose(ours, expected, rtol=1e-4)

  @parameterized.parameters((0.3, 0.2, -1.0, 1.0), (-1.5, 2.0, -2.0, 3.0),
                            (4.0, 0.5, 0.5, 0.75), (0.0, 2.5, -1.0, 1.0))
  def test_density_integrates_to_one(self, loc, scale, low, high):
    with jax_compat.enable_x64(True):
      dist = TanhNormal(np.array([loc]), np.array([scale]), low, high)
      log_prob = jax.jit(lambda a: dist.log_prob(a[None]))
      total = reference.integrate_density_1d(lambda a: float(log_prob(a)), low,
                                             high)
    self.assertAlmostEqual(total, 1.0, places=5)

  @chex.variants(with_jit=True, without_jit=True)
  def test_sample_and_log_prob_uses_pre_squash_value(self):
    loc, scale = _params((4, 2))
    action, log_prob = self.variant(
        lambda: TanhNormal(loc, scale, LOW[:2], HIGH[:2]).sample_and_log_prob(
            seed=KEY, sample_shape=3))()
    eps = jax.random.normal(KEY, (3,) + loc.shape)
    expected = reference.tanh_normal_logpdf_from_pre_squash(
        loc + scale * np.asarray(eps), loc, scale, LOW[:2], HIGH[:2])
    self.assertEqual(action.shape, (3, 4, 2))
    np.testing.assert_allclose(log_prob, expected, rtol=1e-4)


class PreSquashTest(chex.TestCase):

  @parameterized.parameters(1e-5, 3e-7, 2e-9)
  def test_sample_log_prob_exact_for_tiny_scale(self, scale):
    # The rounded sample would quantise (u - loc) / scale; eps does not.
    loc, scale = np.full((4,), 2.0, np.float32), np.full((4,), scale,
                                                         np.float32)
    log_prob_fn = lambda l, s: TanhNormal(l, s).sample_and_log_prob(seed=KEY)[1]
    eps = np.asarray(jax.random.normal(KEY, (1, 4))[0], np.float64)
    u = 2.0 + np.float64(scale[0]) * eps
    expected = (-0.5 * eps**2 - np.log(np.float64(scale)) -
                0.5 * np.log(2 * np.pi) - reference.log1m_tanh_sq(u)).sum()
    np.testing.assert_allclose(log_prob_fn(loc, scale), expected, rtol=1e-5)
    # d/dscale of the Gaussian part is -1/scale; the log-det adds
    # -d log(1 - tanh(u)^2)/du * eps = 2 tanh(u) eps.
    grad = jax.grad(lambda s: log_prob_fn(loc, s))(scale)
    np.testing.assert_allclose(
        grad, -1 / np.float64(scale) + 2 * np.tanh(u) * eps, rtol=1e-4)

  def test_integer_seed_is_prng_key_of_that_seed(self):
    # Reference: distrax sampling with `jax.random.PRNGKey(3)` built here, so
    # a wrong int-to-key conversion cannot cancel out on both sides.
    loc, scale = _params((2,))
    dist = TanhNormal(loc, scale)
    reference_dist = _distrax_tanh(loc, scale)
    expected, expected_log_prob = reference_dist.sample_and_log_prob(
        seed=jax.random.PRNGKey(3), sample_shape=4)
    pre_squash = loc + scale * np.asarray(
        jax.random.normal(jax.random.PRNGKey(3), (4, 2)))
    for seed in (3, np.int32(3), np.int64(3)):
      sample = dist.sample(seed=seed, sample_shape=4)
      action, log_prob = dist.sample_and_log_prob(seed=seed, sample_shape=4)
      _, _, u = dist.sample_and_log_prob_with_pre_squash(
          seed=seed, sample_shape=4)
      for value in (sample, action):
        np.testing.assert_array_max_ulp(
            np.asarray(value), np.asarray(expected), maxulp=1)
      np.testing.assert_allclose(log_prob, expected_log_prob, rtol=1e-4)
      np.testing.assert_allclose(u, pre_squash, rtol=RTOL)

  @chex.variants(with_jit=True, without_jit=True)
  def test_pre_squash_round_trip(self):
    loc, scale = _params((4, 3))
    dist = TanhNormal(loc, scale, LOW, HIGH)
    action, log_prob, pre_squash = self.variant(
        lambda: dist.sample_and_log_prob_with_pre_squash(
            seed=KEY, sample_shape=2))()
    self.assertEqual(pre_squash.shape, (2, 4, 3))
    np.testing.assert_array_max_ulp(dist.squash(pre_squash), action, maxulp=1)
    np.testing.assert_allclose(
        dist.log_prob_pre_squash(pre_squash),
        log_prob,
        rtol=RTOL,
        atol=LOG_PROB_ATOL)
    # Inverting a float32 action near a bound loses digits; u does not.
    np.testing.assert_allclose(dist.log_prob(action), log_prob, rtol=1e-3)

  def test_saturated_pre_squash_scores_exactly(self):
    # tanh(12) rounds to 1 in float32: only the stored u keeps the density.
    loc, scale = np.array([[11.0]], np.float32), np.array([[0.5]], np.float32)
    u = np.array([[12.0]], np.float32)
    dist = TanhNormal(loc, scale)
    self.assertEqual(float(dist.squash(u)[0, 0]), 1.0)
    np.testing.assert_allclose(
        dist.log_prob_pre_squash(u),
        reference.tanh_normal_logpdf_from_pre_squash(u, loc, scale),
        rtol=RTOL)


class FiniteTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  def test_saturated_samples_have_finite_log_prob_and_gradients(self):
    loc, scale = _saturating_grid()

    def losses(loc, scale):
      dist = TanhNormal(loc, scale)
      action, log_prob = dist.sample_and_log_prob(seed=KEY, sample_shape=8)
      rescored = dist.log_prob(jax.lax.stop_gradient(action))
      return log_prob.sum(), rescored.sum()

    values = self.variant(losses)(loc, scale)
    grads = [
        self.variant(jax.grad(lambda l, s, i=i: losses(l, s)[i],
                              (0, 1)))(loc, scale) for i in range(2)
    ]
    _assert_finite((values, grads))

  @chex.variants(with_jit=True, without_jit=True)
  def test_log_prob_finite_at_bounds(self):
    loc, scale = _saturating_grid()
    low, high = np.float32(0.5), np.float32(0.75)

    def score(loc, scale):
      dist = TanhNormal(loc, scale, low, high)
      at_bounds = jnp.stack([jnp.full_like(loc, low), jnp.full_like(loc, high)])
      return dist.log_prob(at_bounds).sum()

    _assert_finite(self.variant(score)(loc, scale))
    _assert_finite(self.variant(jax.grad(score, (0, 1)))(loc, scale))

  def test_summaries_finite_when_saturated(self):
    loc, scale = _saturating_grid()
    dist = TanhNormal(loc, scale)
    _assert_finite((dist.entropy(), dist.mean(), dist.mode(), dist.median()))
    _assert_finite(
        jax.grad(lambda l, s: TanhNormal(l, s).entropy().sum(), (0, 1))(loc,
                                                                        scale))


class GradientTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  def test_pathwise_sample_gradients(self):
    loc, scale = _params((3, 2))
    low, high = LOW[:2], HIGH[:2]
    grad_loc, grad_scale = self.variant(
        jax.grad(
            lambda l, s: TanhNormal(l, s, low, high).sample(seed=KEY).sum(),
            (0, 1)))(loc, scale)
    eps = np.asarray(jax.random.normal(KEY, (1,) + loc.shape)[0])
    dadu = (1 - np.tanh(loc + scale * eps)**2) * (high - low) / 2
    np.testing.assert_allclose(grad_loc, dadu, rtol=1e-4)
    np.testing.assert_allclose(grad_scale, eps * dadu, rtol=1e-4, atol=1e-7)

  def test_log_prob_gradient_matches_finite_differences(self):
    loc, scale = _params((2,))
    low, high = LOW[:2], HIGH[:2]
    action = np.array([0.9, 0.6], np.float32)
    grads = jax.grad(lambda l, s: TanhNormal(l, s, low, high).log_prob(action),
                     (0, 1))(loc, scale)
    numeric = (
        reference.central_difference(
            lambda l: reference.tanh_normal_logpdf(action, l, scale, low, high),
            loc),
        reference.central_difference(
            lambda s: reference.tanh_normal_logpdf(action, loc, s, low, high),
            scale))
    for ours, expected in zip(grads, numeric):
      np.testing.assert_allclose(ours, expected, rtol=1e-3, atol=1e-4)


class SummaryTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  def test_entropy_matches_numerical_integral(self):
    loc, log_scale = np.meshgrid(np.linspace(-5, 5, 11), np.linspace(-5, 2, 8))
    loc = loc.reshape(-1, 1).astype(np.float32)
    scale = np.exp(log_scale).reshape(-1, 1).astype(np.float32)
    entropy = self.variant(lambda l, s: TanhNormal(l, s, -2.0, 3.0).entropy())(
        loc, scale)
    expected = [
        reference.tanh_normal_entropy_1d(l, s, -2.0, 3.0)
        for l, s in zip(loc[:,
                            0].astype(np.float64), scale[:,
                                                         0].astype(np.float64))
    ]
    np.testing.assert_allclose(entropy, expected, atol=SUMMARY_ATOL)

  def test_entropy_is_deterministic_and_differentiable(self):
    loc, scale = _params((3, 2))
    grad = jax.grad(lambda l: TanhNormal(l, scale).entropy().sum())(loc)
    # The summed entropy depends on each loc only through its own dimension,
    # so each partial derivative is the 1-d entropy's central difference.
    step = 1e-4
    numeric = np.reshape(
        [(reference.tanh_normal_entropy_1d(a + step, b) -
          reference.tanh_normal_entropy_1d(a - step, b)) / (2 * step)
         for a, b in zip(loc.ravel(), scale.ravel())], loc.shape)
    np.testing.assert_allclose(grad, numeric, atol=1e-3)

  @chex.variants(with_jit=True, without_jit=True)
  def test_mean_matches_numerical_integral(self):
    loc = np.array([[-3.0], [-0.4], [0.0], [1.0], [4.0]], np.float32)
    scale = np.array([[0.01], [0.3], [2.0], [0.8], [6.0]], np.float32)
    mean = self.variant(lambda: TanhNormal(loc, scale, 0.5, 0.75).mean())()
    expected = [
        reference.tanh_normal_mean_1d(l, s, 0.5, 0.75)
        for l, s in zip(loc[:, 0], scale[:, 0])
    ]
    np.testing.assert_allclose(mean[:, 0], expected, atol=SUMMARY_ATOL)

  def test_median_is_rescaled_tanh_of_loc(self):
    loc, scale = _params((3, 3))
    median = TanhNormal(loc, scale, LOW, HIGH).median()
    centre, half = (HIGH[:2] + LOW[:2]) / 2, (HIGH[:2] - LOW[:2]) / 2
    np.testing.assert_allclose(
        median[:, :2], centre + half * np.tanh(loc[:, :2]), rtol=RTOL)
    np.testing.assert_array_equal(median[:, 2], loc[:, 2])

  @chex.variants(with_jit=True, without_jit=True)
  @parameterized.parameters((0.0, 0.5), (0.0, 0.9), (0.0, 3.0), (0.3, 0.5),
                            (-0.2, 1.2), (1.5, 0.8), (-2.0, 0.1), (0.05, 0.72))
  def test_mode_matches_grid_search(self, loc, scale):
    mode = self.variant(lambda: TanhNormal(
        np.array([loc], np.float32), np.array([scale], np.float32), -2.0, 3.0).
                        mode())()
    expected, step = reference.tanh_normal_mode_1d(loc, scale, -2.0, 3.0)
    if loc == 0.0:  # Symmetric in u: both modes are argmaxes; take the upper.
      expected = max(expected, 2 * 0.5 - expected)  # Centre 0.5.
    # The grid resolves u to `step`; |da/du| <= (high - low) / 2.
    self.assertAlmostEqual(float(mode[0]), expected, delta=2.5 * step + 1e-5)

  def test_mode_is_loc_on_unsquashed_dimensions(self):
    loc, scale = np.array([0.5, 0.5], np.float32), np.ones(2, np.float32)
    mode = TanhNormal(loc, scale, [-1.0, -np.inf], [1.0, np.inf]).mode()
    self.assertEqual(float(mode[1]), 0.5)
    expected, step = reference.tanh_normal_mode_1d(0.5, 1.0)
    self.assertAlmostEqual(float(mode[0]), expected, delta=step + 1e-5)

  def test_mode_differs_from_median_when_bimodal(self):
    dist = TanhNormal(np.zeros(1, np.float32), np.full(1, 1.0, np.float32))
    self.assertEqual(float(dist.median()[0]), 0.0)
    self.assertGreater(abs(float(dist.mode()[0])), 0.5)
    unimodal = TanhNormal(np.zeros(1, np.float32), np.full(1, 0.7, np.float32))
    self.assertEqual(float(unimodal.mode()[0]), 0.0)


class KLTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  def test_kl_equals_base_kl(self):
    loc_p, scale_p = _params(seed=0)
    loc_q, scale_q = _params(seed=1)
    kl = self.variant(lambda: TanhNormal(loc_p, scale_p, -2.0, 3.0).
                      kl_divergence(TanhNormal(loc_q, scale_q, -2.0, 3.0)))()
    np.testing.assert_allclose(
        kl,
        reference.normal_kl(loc_p, scale_p, loc_q, scale_q),
        rtol=1e-5,
        atol=1e-6)

  def test_kl_matches_monte_carlo(self):
    loc_p, scale_p = _params((2,), seed=0)
    loc_q, scale_q = _params((2,), seed=1)
    p = TanhNormal(loc_p, scale_p, -2.0, 3.0)
    q = TanhNormal(loc_q, scale_q, -2.0, 3.0)
    action, log_p = p.sample_and_log_prob(seed=KEY, sample_shape=200_000)
    samples = np.asarray(log_p - q.log_prob(action), np.float64)
    stderr = samples.std() / np.sqrt(samples.size)
    self.assertLess(
        abs(samples.mean() - float(p.kl_divergence(q))), 5 * stderr + 1e-3)

  def test_kl_with_other_bounds_raises(self):
    with self.assertRaisesRegex(ValueError, "same bounds"):
      TanhNormal(jnp.zeros(1), jnp.ones(1)).kl_divergence(
          TanhNormal(jnp.zeros(1), jnp.ones(1), -2.0, 2.0))


class DtypeAndTransformTest(chex.TestCase):

  def test_bfloat16_computes_in_float32(self):
    dist = TanhNormal(
        jnp.zeros((2, 3), jnp.bfloat16), jnp.ones((2, 3), jnp.bfloat16), LOW,
        HIGH)
    action, log_prob = dist.sample_and_log_prob(seed=KEY)
    for value in (action, log_prob, dist.entropy(), dist.mode(), dist.mean(),
                  dist.log_prob(action.astype(jnp.bfloat16))):
      self.assertEqual(value.dtype, jnp.float32)

  def test_float64_under_x64(self):
    with jax_compat.enable_x64(True):
      dist = TanhNormal(np.zeros(2), np.ones(2), -2.0, 3.0)
      action, log_prob = dist.sample_and_log_prob(seed=KEY)
      self.assertEqual(action.dtype, jnp.float64)
      self.assertEqual(log_prob.dtype, jnp.float64)
      self.assertEqual(dist.entropy().dtype, jnp.float64)

  def test_vmap_matches_batched(self):
    loc, scale = _params((4, 3))
    action = TanhNormal(loc, scale, LOW, HIGH).sample(seed=KEY)
    batched = TanhNormal(loc, scale, LOW, HIGH).log_prob(action)
    mapped = jax.vmap(lambda l, s, a: TanhNormal(l, s, LOW, HIGH).log_prob(a))(
        loc, scale, action)
    np.testing.assert_allclose(mapped, batched, rtol=RTOL)

  def test_vmap_returns_distribution(self):
    loc, scale = _params((4, 3))
    dist = jax.vmap(lambda l, s: TanhNormal(l, s, LOW, HIGH))(loc, scale)
    self.assertEqual(dist.batch_shape, (4,))
    np.testing.assert_array_equal(dist.low, LOW)

  def test_bounds_are_static_under_jit(self):
    dist = jax.jit(lambda l: TanhNormal(l, jnp.ones(3), LOW, HIGH))(
        jnp.zeros(3))
    self.assertEqual(len(jax.tree_util.tree_leaves(dist)), 2)
    np.testing.assert_array_equal(dist.high, HIGH)


class BadInputTest(parameterized.TestCase):

  @parameterized.named_parameters(
      ("rank0", 0.0, 1.0, -1.0, 1.0, ValueError, "`loc` must have rank >= 1"),
      ("mismatch", np.zeros(3), np.ones(2), -1.0, 1.0, ValueError,
       "broadcastable"),
      ("scale_widens_event", np.zeros((2, 1)), np.ones((2, 3)), -1.0, 1.0,
       ValueError, "must not change the action dimension"),
      ("low_ge_high", np.zeros(2), np.ones(2), 1.0, 1.0, ValueError,
       "`low` must be < `high`"),
      ("one_sided", np.zeros(2), np.ones(2), [-1.0, -np.inf], [1.0, 1.0],
       ValueError, "both bounds finite"),
      ("bound_shape", np.zeros(2), np.ones(2), np.zeros(3), 1.0, ValueError,
       r"`low` and `high` must be scalars or \[A\] arrays that broadcast to "
       r"shape \(2,\), got shapes \(3,\) and \(\)"),
      ("nan_bound", np.zeros(2), np.ones(2), np.nan, 1.0, ValueError,
       "must not be NaN"),
      ("int_loc", np.zeros(
          2, np.int32), np.ones(2), -1.0, 1.0, TypeError, "floating-point"),
      ("negative_scale", np.zeros(2), -np.ones(2), -1.0, 1.0, ValueError,
       "`scale` must be finite and > 0"),
  )
  def test_bad_construction(self, loc, scale, low, high, error, message):
    with self.assertRaisesRegex(error, "TanhNormal: .*" + message):
      TanhNormal(loc, scale, low, high)

  def test_traced_bounds_raise(self):
    with self.assertRaisesRegex(TypeError, "`low` must be a concrete value"):
      jax.jit(lambda low: TanhNormal(jnp.zeros(1), jnp.ones(1), low, 1.0).loc)(
          -1.0)


class DistraxRegressionTest(absltest.TestCase):
  """distrax issues reproduced on `Transformed(MVNDiag, Block(Tanh))`."""

  def test_issue_7_wide_scale_log_prob_of_own_sample(self):
    loc, scale = jnp.zeros((8, 1)), jnp.full((8, 1), jnp.exp(10.0))
    for seed in (1, 2):
      key = jax.random.PRNGKey(seed)
      theirs = _distrax_tanh(loc, scale)
      ours = TanhNormal(loc, scale)
      self.assertFalse(
          np.all(np.isfinite(theirs.log_prob(
              theirs.sample(seed=key)))))  # distrax: NaN.
      _assert_finite(ours.log_prob(ours.sample(seed=key)))

  def test_issue_216_log_prob_of_saturated_sample(self):
    loc, scale = jnp.array([[3.0, -8.0]]), jnp.full((1, 2), jnp.exp(-2.0))
    action = jnp.array([[1.0, -1.0]])  # What float32 tanh gives when saturated.
    self.assertTrue(np.isnan(_distrax_tanh(loc, scale).log_prob(action)[0]))
    _assert_finite(TanhNormal(loc, scale).log_prob(action))
    _assert_finite(
        jax.grad(lambda l: TanhNormal(l, scale).log_prob(action).sum())(loc))

  def test_issue_235_tiny_scale_sample_in_bounds(self):
    # The issue's log-std of -100 underflows float32 to 0; -30 does not.
    loc, scale = jnp.array([[-8.51089]]), jnp.exp(jnp.array([[-30.0]]))
    action, log_prob = TanhNormal(loc, scale).sample_and_log_prob(seed=KEY)
    self.assertGreaterEqual(float(action[0, 0]), -1.0)
    _assert_finite(log_prob)


if __name__ == "__main__":
  absltest.main()
