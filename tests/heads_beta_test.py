"""Tests for `BetaHead`, against its formula recomputed in NumPy float64.

No test here samples: `beta_test.py` checks the draws of `Beta`, and the
conformance list checks the head's parameters, `jit`, `vmap` and gradients
through a sample.
"""

from absl.testing import absltest
from absl.testing import parameterized
import haiku as hk
import jax
import numpy as np

from haiku_policies import Beta
from haiku_policies.heads_beta import BetaHead

RTOL = 1e-5
KEY = jax.random.PRNGKey(0)
LOW = np.array([-2.0, 0.0], np.float32)
HIGH = np.array([2.0, 1.0], np.float32)


def _features(shape=(3, 8), scale=1.0, seed=0):
  rng = np.random.default_rng(seed)
  return (scale * rng.normal(size=shape)).astype(np.float32)


def _softplus(x):
  return np.logaddexp(0.0, np.asarray(x, np.float64))


def _concentrations(head_fn, inputs):
  f = hk.without_apply_rng(
      hk.transform(lambda h: (lambda d: (d.alpha, d.beta))(head_fn()(h))))
  params = jax.jit(f.init)(KEY, inputs)
  return params, jax.jit(f.apply)(params, inputs)


class BetaHeadTest(parameterized.TestCase):

  @parameterized.parameters(1.0, 0.25)
  def test_concentrations_are_min_plus_softplus_of_linear(self, minimum):
    h = _features()
    params, (alpha, beta) = _concentrations(
        lambda: BetaHead((LOW, HIGH), min_concentration=minimum), h)
    for name, got in (("alpha", alpha), ("beta", beta)):
      layer = params[f"beta_head/{name}"]
      pre = h.astype(np.float64) @ layer["w"] + layer["b"]
      np.testing.assert_allclose(got, minimum + _softplus(pre), rtol=RTOL)

  def test_default_concentrations_stay_at_least_one_for_extreme_features(self):
    h = _features(scale=1e3)
    _, concentrations = _concentrations(lambda: BetaHead(2), h)
    for value in concentrations:
      value = np.asarray(value)
      self.assertTrue(np.all(np.isfinite(value) & (value >= 1.0)))
      self.assertLess(value.min(), 1.0 + 1e-3)  # Some reach the floor.

  def test_head_returns_beta_over_its_bounds(self):
    specs = {"unit": 2, "bounded": (LOW, HIGH)}
    f = hk.without_apply_rng(
        hk.transform(lambda h: {
            name: BetaHead(spec, name=name)(h) for name, spec in specs.items()
        }))
    h = _features()
    dists = jax.jit(f.apply)(jax.jit(f.init)(KEY, h), h)
    for name, (low, high) in (("unit", (-1.0, 1.0)), ("bounded", (LOW, HIGH))):
      self.assertIsInstance(dists[name], Beta)
      np.testing.assert_array_equal(dists[name].low, np.broadcast_to(low, 2))
      np.testing.assert_array_equal(dists[name].high, np.broadcast_to(high, 2))


if __name__ == "__main__":
  absltest.main()
