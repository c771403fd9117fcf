"""Tests for `GSDEHead`, against its formulas recomputed in NumPy float64.

No test here draws noise: `gsde_test.py` checks `GSDENormal`, and
`gsde_sb3_test.py` checks the head and the distribution together against
SB3's `StateDependentNoiseDistribution`. The conformance list checks the
parameters, `jit`, `vmap` and gradients through a gSDE action.
"""

from absl.testing import absltest
from absl.testing import parameterized
import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies import GSDENormal
from haiku_policies.heads_gsde import GSDEHead

RTOL = 1e-5
ATOL = 1e-6
KEY = jax.random.PRNGKey(0)
FEATURES, ACTIONS = 6, 2
# log_std values on both sides of 0 and far out (expln's branches).
LOG_STD = np.linspace(-30.0, 30.0, FEATURES * ACTIONS, dtype=np.float32)
# Up to where exp overflows float32 (above ~88): expln must not evaluate it.
FAR_LOG_STD = np.linspace(-30.0, 100.0, FEATURES * ACTIONS, dtype=np.float32)


def _features(shape=(3, FEATURES), seed=0):
  return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def _expln(x):
  x = np.asarray(x, np.float64)
  return np.where(x <= 0, np.exp(np.minimum(x, 0)), np.log1p(np.abs(x)) + 1.0)


def _transformed(**kwargs):
  return hk.without_apply_rng(
      hk.transform(lambda h: GSDEHead(ACTIONS, **kwargs)(h)))


class GSDEHeadTest(parameterized.TestCase):

  @parameterized.parameters((False, np.exp), (True, _expln))
  def test_noise_std_is_exp_or_expln_of_log_std(self, use_expln, reference):
    f = _transformed(use_expln=use_expln)
    h = _features()
    params = f.init(KEY, h)
    params["gsde_head"]["log_std"] = LOG_STD.reshape(FEATURES, ACTIONS)
    std = jax.jit(lambda p: f.apply(p, h).noise_std)(params)
    np.testing.assert_allclose(
        std, reference(params["gsde_head"]["log_std"]), rtol=RTOL)

  def test_expln_gradient_is_finite_and_positive_far_out(self):
    f = _transformed(use_expln=True)
    h = _features()
    params = f.init(KEY, h)
    params["gsde_head"]["log_std"] = FAR_LOG_STD.reshape(FEATURES, ACTIONS)
    grads = jax.jit(jax.grad(lambda p: jnp.sum(f.apply(p, h).noise_std)))(
        params)
    grad = np.asarray(grads["gsde_head"]["log_std"])
    self.assertTrue(np.all(np.isfinite(grad)) and np.all(grad > 0), grad)

  def test_reduced_std_shares_one_log_std_per_feature(self):
    f = _transformed(full_std=False, log_std_init=-1.0)
    h = _features()
    params = f.init(KEY, h)
    self.assertEqual(params["gsde_head"]["log_std"].shape, (FEATURES, 1))
    params["gsde_head"]["log_std"] = LOG_STD[:FEATURES, None] / 10
    std = jax.jit(lambda p: f.apply(p, h).noise_std)(params)
    np.testing.assert_allclose(
        std,
        np.repeat(np.exp(LOG_STD[:FEATURES, None] / 10), ACTIONS, 1),
        rtol=RTOL)

  def test_initial_noise_std_is_exp_of_log_std_init(self):
    f = _transformed(log_std_init=-1.5)
    h = _features()
    dist = jax.jit(f.apply)(f.init(KEY, h), h)
    self.assertIsInstance(dist, GSDENormal)
    np.testing.assert_allclose(
        dist.noise_std, np.full((FEATURES, ACTIONS), np.exp(-1.5)), rtol=RTOL)

  @parameterized.parameters(False, True)
  def test_features_gradient_stops_unless_learn_features(self, learn):
    # d/dh sum log N(a; W h + b, scale(h)): with the features stopped, only
    # the mean term, W (a - loc) / scale^2.
    f = _transformed(learn_features=learn, log_std_init=0.0)
    h = _features()
    params = f.init(KEY, h)
    action = _features((3, ACTIONS), seed=1)

    def log_prob(x):
      return jnp.sum(f.apply(params, x).log_prob(action))

    grad = np.asarray(jax.jit(jax.grad(log_prob))(h), np.float64)
    dist = jax.jit(f.apply)(params, h)
    w = np.asarray(params["gsde_head/loc"]["w"], np.float64)
    loc, scale = (np.asarray(a, np.float64) for a in (dist.loc, dist.scale))
    mean_term = ((action - loc) / np.square(scale)) @ w.T
    if learn:
      self.assertFalse(np.allclose(grad, mean_term, rtol=RTOL, atol=ATOL))
    else:
      np.testing.assert_allclose(grad, mean_term, rtol=RTOL, atol=ATOL)


if __name__ == "__main__":
  absltest.main()
