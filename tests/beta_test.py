"""Tests for `Beta`, cross-checked against distrax, SciPy and quadrature.

JAX's gamma sampler compiles for seconds per program (a rejection loop; its
gradient adds more), so every draw here comes from one jitted program,
`_draws`, at one shape `[ROWS, 2]` (compiled once): our draws with and
without bounds, distrax's draw with the same key, and the pathwise gradients.
Draws are therefore checked under `jit` only; the eager path is the same code
and runs in the docstring example and the conformance gradient check. The
summaries and densities are scored at points drawn by SciPy.
"""

from absl.testing import absltest
from absl.testing import parameterized
import distrax
import jax
import jax.numpy as jnp
import numpy as np
from scipy import stats

from haiku_policies import Beta
import jax_compat
import reference

RTOL = 1e-5
# float32 log-densities are sums of O(1) terms: compare with this atol too.
LOG_PROB_ATOL = 1e-5
# float64 against SciPy: betaln, digamma and log differ in the last digits.
X64_RTOL = 1e-10
X64_ATOL = 1e-12
# float32 log-density of a draw against SciPy at the same unit draw.
DRAW_LOG_PROB_RTOL = 1e-5
DRAW_LOG_PROB_ATOL = 2e-5
# `log_prob` of the float32 action against the draw's own log-density, away
# from the bounds (within NEAR_BOUND of one, in units of `y`, rounding the
# action moves `y` by a large relative amount; see the `Beta` docstring).
RESCORE_RTOL = 1e-4
RESCORE_ATOL = 1e-4
NEAR_BOUND = 1e-3
# `log_prob` at and beyond a bound against SciPy's density `eps` inside it.
AT_BOUND_RTOL = 1e-6
# KL against quadrature of p log(p / q) in float64.
KL_RTOL = 1e-8
KL_ATOL = 1e-10
# float32 KL against distrax (differences of log-beta functions).
KL_F32_RTOL = 1e-4
# The pathwise gradient of E[f(x)] in each dimension is a Monte Carlo mean of
# ROWS draws: it must lie within GRAD_Z_SCORE standard errors of the
# finite-difference derivative of the quadrature expectation, and that
# standard error must be below GRAD_MAX_RELATIVE_SE of it (so the check has
# power).
ROWS = 2048
GRAD_Z_SCORE = 4.0
GRAD_MAX_RELATIVE_SE = 0.05
FD_STEP = 1e-5  # Central differences of float64 quadrature.
MODE_GRID = 200_001  # Points of the argmax grid over (0, 1).
KEY = jax.random.PRNGKey(7)
LOW = np.array([-2.0, 0.5], np.float32)
HIGH = np.array([3.0, 0.75], np.float32)
# The draws: one (alpha, beta) per dimension, repeated over ROWS rows.
DRAW_ALPHA = np.array([2.5, 0.8], np.float32)
DRAW_BETA = np.array([1.5, 3.0], np.float32)


def _draw_params():
  return (np.tile(DRAW_ALPHA, (ROWS, 1)), np.tile(DRAW_BETA, (ROWS, 1)))


def _test_function(x):
  """A smooth nonlinear `f` for `E[f(x)]` (NumPy or JAX arrays)."""
  xp = jnp if isinstance(x, jax.Array) else np
  return xp.sin(x) + 0.3 * x * x


@jax.jit
def _draws(alpha, beta):
  """Every draw of the tests, with the key KEY, in one compiled program."""

  def total(alpha, beta):
    action, log_prob = Beta(alpha, beta, LOW,
                            HIGH).sample_and_log_prob(seed=KEY)
    return _test_function(action).sum(), (action, log_prob)

  grads, (action, log_prob) = jax.grad(total, (0, 1), has_aux=True)(alpha, beta)
  return {
      "action": action,
      "log_prob": log_prob,
      "grads": grads,
      "unit": Beta(alpha, beta).sample(seed=KEY),
      "distrax_unit": distrax.Beta(alpha, beta).sample(seed=KEY),
  }


def _params(shape=(3, 2), seed=0, low=0.5, high=5.0):
  rng = np.random.default_rng(seed)
  alpha = rng.uniform(low, high, shape).astype(np.float32)
  beta = rng.uniform(low, high, shape).astype(np.float32)
  return alpha, beta


def _points(alpha, beta, low, high, n, seed=1):
  """`n` draws per entry by SciPy, `[n, ..., A]`, as float64 actions."""
  y = stats.beta.rvs(
      alpha, beta, size=(n,) + np.shape(alpha), random_state=seed)
  return low + (np.float64(high) - low) * y


def _assert_finite(tree):
  for leaf in jax.tree_util.tree_leaves(tree):
    np.testing.assert_array_equal(np.isfinite(leaf), True)


class SamplingTest(parameterized.TestCase):

  def test_sample_matches_distrax_beta_for_unit_bounds(self):
    draws = _draws(*_draw_params())
    self.assertEqual(draws["unit"].shape, (ROWS, 2))
    np.testing.assert_array_equal(draws["unit"], draws["distrax_unit"])

  def test_sample_with_bounds_is_rescaled_unit_sample(self):
    draws = _draws(*_draw_params())
    np.testing.assert_allclose(
        draws["action"],
        LOW + (HIGH - LOW) * np.asarray(draws["distrax_unit"]),
        rtol=RTOL,
        atol=1e-6)

  def test_sample_and_log_prob_matches_scipy_at_the_unit_draw(self):
    alpha, beta = _draw_params()
    draws = _draws(alpha, beta)
    unit = np.asarray(draws["distrax_unit"], np.float64)
    expected = reference.beta_logpdf(
        unit, alpha, beta) - np.log(np.float64(HIGH) - LOW).sum()
    np.testing.assert_allclose(
        draws["log_prob"],
        expected,
        rtol=DRAW_LOG_PROB_RTOL,
        atol=DRAW_LOG_PROB_ATOL)

  def test_log_prob_of_sample_matches_sample_and_log_prob_off_bounds(self):
    alpha, beta = _draw_params()
    draws = _draws(alpha, beta)
    unit = np.asarray(draws["distrax_unit"])
    away = np.all(np.minimum(unit, 1.0 - unit) > NEAR_BOUND, axis=-1)
    self.assertGreater(away.mean(), 0.9)
    rescored = jax.jit(lambda a, b, x: Beta(a, b, LOW, HIGH).log_prob(x))(
        alpha, beta, draws["action"])
    np.testing.assert_allclose(
        np.asarray(rescored)[away],
        np.asarray(draws["log_prob"])[away],
        rtol=RESCORE_RTOL,
        atol=RESCORE_ATOL)

  def test_draws_stay_inside_bounds_and_finite_for_extreme_concentrations(self):
    extremes = np.array([[0.05, 1e3], [1e3, 0.05], [0.05, 0.05], [1e3, 1e3]],
                        np.float32)
    pairs = np.resize(extremes, (ROWS * 2, 2))  # Every pair in every dim.
    draws = _draws(pairs[:, 0].reshape(ROWS, 2), pairs[:, 1].reshape(ROWS, 2))
    action = np.asarray(draws["action"])
    self.assertTrue(np.all((action >= LOW) & (action <= HIGH)))
    _assert_finite((draws["log_prob"], draws["grads"]))

  def test_pathwise_gradients_match_quadrature_finite_differences(self):
    grads = _draws(*_draw_params())["grads"]

    def derivative(d, wrt_alpha):
      step = np.array([FD_STEP, 0.0] if wrt_alpha else [0.0, FD_STEP])
      params = np.array([DRAW_ALPHA[d], DRAW_BETA[d]], np.float64)
      expectation = lambda p: reference.beta_expectation_1d(
          _test_function, p[0], p[1], np.float64(LOW[d]), np.float64(HIGH[d]))
      return (expectation(params + step) -
              expectation(params - step)) / (2 * FD_STEP)

    for grad, wrt_alpha in zip(grads, (True, False)):
      for d in range(2):
        with self.subTest(wrt_alpha=wrt_alpha, dim=d):
          per_draw = np.asarray(grad[:, d], np.float64)
          ref = derivative(d, wrt_alpha)
          standard_error = per_draw.std(ddof=1) / np.sqrt(ROWS)
          self.assertLess(standard_error, GRAD_MAX_RELATIVE_SE * abs(ref))
          self.assertLess(
              abs(per_draw.mean() - ref), GRAD_Z_SCORE * standard_error)


class LogProbTest(parameterized.TestCase):

  def test_log_prob_matches_scipy_in_float64(self):
    alpha, beta = _params((4, 2))
    low, high = LOW.astype(np.float64), HIGH.astype(np.float64)
    points = _points(alpha, beta, low, high, 3)
    with jax_compat.enable_x64(True):
      ours = jax.jit(lambda a, b, x: Beta(a, b, low, high).log_prob(x))(
          alpha.astype(np.float64), beta.astype(np.float64), points)
      self.assertEqual(ours.dtype, jnp.float64)
    np.testing.assert_allclose(
        ours,
        reference.beta_logpdf(points, alpha, beta, low, high),
        rtol=X64_RTOL,
        atol=X64_ATOL)

  def test_log_prob_matches_distrax_for_unit_bounds(self):
    alpha, beta = _params((4, 2))
    points = _points(alpha, beta, 0.0, 1.0, 3).astype(np.float32)
    theirs = jax.jit(
        lambda a, b, x: distrax.Independent(distrax.Beta(a, b), 1).log_prob(x))(
            alpha, beta, points)
    np.testing.assert_allclose(
        jax.jit(lambda a, b, x: Beta(a, b).log_prob(x))(alpha, beta, points),
        theirs,
        rtol=RTOL,
        atol=LOG_PROB_ATOL)

  @parameterized.parameters(jnp.float32, jnp.float64)
  def test_log_prob_and_gradients_at_and_beyond_bounds(self, dtype):
    # The density `eps` (of the dtype) inside the bound, in units of `y`.
    alpha = np.array([[0.3, 2.5]])
    beta = np.array([[4.0, 0.7]])
    low, high = np.array([-2.0, 0.5]), np.array([3.0, 0.75])
    eps = np.finfo(dtype).eps
    expected = {}
    for name, y in (("low", eps), ("high", 1.0 - eps)):
      expected[name] = (stats.beta.logpdf(y, alpha, beta) -
                        np.log(high - low)).sum(-1)
    values = {
        "low": np.stack([low, low - 1.0]),
        "high": np.stack([high, high + 1.0]),
    }
    value = np.concatenate([values["low"], values["high"]])

    def score(a, b, x):
      log_prob = Beta(a, b, low, high).log_prob(x)
      return log_prob.sum(), log_prob

    with jax_compat.enable_x64(dtype == jnp.float64):
      # Gradients w.r.t. the parameters and the value itself.
      grads, log_prob = jax.jit(jax.grad(score, (0, 1, 2),
                                         has_aux=True))(alpha.astype(dtype),
                                                        beta.astype(dtype),
                                                        value.astype(dtype))
    np.testing.assert_allclose(
        log_prob,
        np.repeat([expected["low"][0], expected["high"][0]], 2),
        rtol=AT_BOUND_RTOL)
    _assert_finite(grads)

  def test_log_prob_refuses_wrong_event_size(self):
    alpha, beta = _params()
    with self.assertRaisesRegex(ValueError, r"\[\.\.\., 2\].*\(3, 3\)"):
      Beta(alpha, beta).log_prob(np.zeros((3, 3), np.float32))


class SummaryTest(parameterized.TestCase):

  def test_entropy_matches_scipy_and_distrax(self):
    alpha, beta = _params((4, 2), low=0.2)
    low, high = LOW.astype(np.float64), HIGH.astype(np.float64)
    with jax_compat.enable_x64(True):
      ours = jax.jit(lambda a, b: Beta(a, b, low, high).entropy())(alpha.astype(
          np.float64), beta.astype(np.float64))
    expected = stats.beta.entropy(alpha, beta, low, high - low).sum(-1)
    np.testing.assert_allclose(ours, expected, rtol=X64_RTOL, atol=X64_ATOL)
    theirs = jax.jit(
        lambda a, b: distrax.Independent(distrax.Beta(a, b), 1).entropy())(
            alpha, beta)
    np.testing.assert_allclose(
        jax.jit(lambda a, b: Beta(a, b).entropy())(alpha, beta),
        theirs,
        rtol=RTOL,
        atol=LOG_PROB_ATOL)

  def test_mean_variance_and_stddev_match_scipy(self):
    alpha, beta = (p.astype(np.float64) for p in _params((4, 2)))
    low, high = LOW.astype(np.float64), HIGH.astype(np.float64)
    with jax_compat.enable_x64(True):
      ours = jax.jit(lambda a, b: (lambda d: (d.mean(), d.variance(), d.stddev(
      )))(Beta(a, b, low, high)))(alpha, beta)
    frozen = stats.beta(alpha, beta, low, high - low)
    for got, expected in zip(ours, (frozen.mean(), frozen.var(), frozen.std())):
      np.testing.assert_allclose(got, expected, rtol=X64_RTOL, atol=X64_ATOL)

  def test_mode_matches_density_argmax_and_distrax(self):
    # Interior (both > 1), at `low` (alpha <= 1 < beta), at `high`
    # (beta <= 1 < alpha), and undefined (both <= 1).
    alpha = np.array([[2.5, 1.3, 0.6, 1.0, 4.0, 0.5, 1.0]])
    beta = np.array([[1.7, 6.0, 2.0, 3.0, 0.8, 0.5, 1.0]])
    low, high = -2.0, 3.0
    with jax_compat.enable_x64(True):
      mode = np.asarray(
          jax.jit(lambda a, b: Beta(a, b, low, high).mode())(alpha, beta))[0]
      theirs = np.asarray(
          jax.jit(lambda a, b: distrax.Beta(a, b).mode())(alpha, beta))
    y = np.linspace(0.0, 1.0, MODE_GRID)[1:-1]
    defined = ~((alpha <= 1) & (beta <= 1))[0]
    for i in np.flatnonzero(defined):
      argmax = y[np.argmax(stats.beta.logpdf(y, alpha[0, i], beta[0, i]))]
      self.assertAlmostEqual(
          mode[i], low + (high - low) * argmax, delta=2 * (high - low) * y[0])
    self.assertTrue(np.all(np.isnan(mode[~defined])))
    np.testing.assert_allclose(
        mode[None], low + (high - low) * theirs, rtol=X64_RTOL)


class KLTest(parameterized.TestCase):

  def test_kl_matches_quadrature_and_distrax(self):
    alpha_p, beta_p = _params((2, 2), seed=0, low=1.2)
    alpha_q, beta_q = _params((2, 2), seed=1, low=1.2)
    kl = jax.jit(lambda a_p, b_p, a_q, b_q: Beta(a_p, b_p, LOW, HIGH).
                 kl_divergence(Beta(a_q, b_q, LOW, HIGH)))
    with jax_compat.enable_x64(True):
      ours = np.asarray(
          kl(*(x.astype(np.float64)
               for x in (alpha_p, beta_p, alpha_q, beta_q))))
    expected = np.vectorize(reference.beta_kl_1d)(alpha_p, beta_p, alpha_q,
                                                  beta_q).sum(-1)
    np.testing.assert_allclose(ours, expected, rtol=KL_RTOL, atol=KL_ATOL)
    theirs = jax.jit(lambda a_p, b_p, a_q, b_q: distrax.Independent(
        distrax.Beta(a_p, b_p), 1).kl_divergence(
            distrax.Independent(distrax.Beta(a_q, b_q), 1)))(alpha_p, beta_p,
                                                             alpha_q, beta_q)
    np.testing.assert_allclose(
        kl(alpha_p, beta_p, alpha_q, beta_q),
        theirs,
        rtol=KL_F32_RTOL,
        atol=LOG_PROB_ATOL)

  def test_kl_refuses_other_bounds_and_other_distributions(self):
    alpha, beta = _params()
    dist = Beta(alpha, beta, LOW, HIGH)
    with self.assertRaisesRegex(ValueError, "same bounds"):
      dist.kl_divergence(Beta(alpha, beta))
    with self.assertRaisesRegex(NotImplementedError, "another Beta"):
      dist.kl_divergence(distrax.Beta(alpha, beta))


if __name__ == "__main__":
  absltest.main()
