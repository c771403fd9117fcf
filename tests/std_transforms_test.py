"""Tests for the std transforms, against the formulas of the source libraries.

References (float64 NumPy): Acme/Brax `softplus(x) + min_std`; SB3/SBX
`exp(clip(x, LOG_STD_MIN, LOG_STD_MAX))` with -20/2; CleanRL
`exp(LOG_STD_MIN + 0.5 (LOG_STD_MAX - LOG_STD_MIN) (tanh(x) + 1))` with -5/2.
"""

import math

from absl.testing import absltest
from absl.testing import parameterized
import chex
import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies.std_transforms import STD_TRANSFORMS
from haiku_policies.std_transforms import StdTransform
from haiku_policies.std_transforms import make_std_transform

RTOL = 1e-5
X = np.linspace(-30.0, 30.0, 121)


def _reference(kind, x):
  x = np.asarray(x, np.float64)
  if kind == "softplus":
    return np.logaddexp(0.0, x) + 1e-3
  if kind == "clipped_exp":
    return np.exp(np.clip(x, -20.0, 2.0))
  if kind == "tanh":
    return np.exp(-5.0 + 0.5 * 7.0 * (np.tanh(x) + 1.0))
  return np.exp(x)


class StdTransformTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  @parameterized.parameters(*STD_TRANSFORMS)
  def test_defaults_match_source_library_formulas(self, kind):
    std = self.variant(make_std_transform(kind))(jnp.asarray(X, jnp.float32))
    np.testing.assert_allclose(std, _reference(kind, X), rtol=RTOL)

  @parameterized.parameters(*STD_TRANSFORMS)
  def test_inverse_round_trips_in_float32(self, kind):
    t = make_std_transform(kind)
    std = np.array([0.05, 0.3, 1.0, 2.5])
    np.testing.assert_allclose(
        t(jnp.asarray(t.inverse(std), jnp.float32)), std, rtol=2e-6)

  @parameterized.parameters("softplus", "clipped_exp", "tanh")
  def test_std_never_leaves_bounds(self, kind):
    t = make_std_transform(
        kind, min_std=0.01, max_std=None if kind == "softplus" else 3.0)
    std = np.asarray(t(jnp.asarray([-1e4, -50.0, 0.0, 50.0, 1e4], jnp.float32)))
    self.assertTrue(np.all(std >= 0.01 * (1 - 1e-6)))
    if t.max_std is not None:
      self.assertTrue(np.all(std <= 3.0 * (1 + 1e-6)))

  def test_clipped_exp_blocks_gradient_beyond_bounds(self):
    t = make_std_transform("clipped_exp", min_std=0.1, max_std=2.0)
    x = jnp.asarray([math.log(2.0) + 0.5, 0.0, math.log(0.1) - 0.5])
    grad = np.asarray(jax.vmap(jax.grad(t))(x))
    np.testing.assert_array_equal(grad[[0, 2]], 0.0)
    self.assertGreater(grad[1], 0.0)
    self.assertTrue(t.blocks_gradient_at_bounds)

  def test_tanh_gradient_shrinks_smoothly_and_vanishes_when_saturated(self):
    t = make_std_transform("tanh")
    grad = np.asarray(jax.vmap(jax.grad(t))(jnp.asarray([0.0, 3.0, 20.0])))
    self.assertGreater(grad[0], grad[1])
    self.assertGreater(grad[1], 0.0)
    self.assertEqual(grad[2], 0.0)
    self.assertFalse(t.blocks_gradient_at_bounds)

  @parameterized.parameters("softplus", "exp")
  def test_unclipped_transforms_keep_gradient_far_out(self, kind):
    grad = jax.grad(make_std_transform(kind))(jnp.float32(-20.0))
    self.assertGreater(grad, 0.0)

  @parameterized.parameters("clipped_exp", "tanh")
  def test_hand_built_transform_without_bounds_raises_value_error(self, kind):
    t = StdTransform(kind=kind, min_std=None, max_std=1.0)
    with self.assertRaisesRegex(ValueError, "needs `min_std` and `max_std`"):
      t(jnp.zeros(2))

  def test_hand_built_softplus_without_min_std_is_plain_softplus(self):
    t = StdTransform(kind="softplus", min_std=None, max_std=None)
    np.testing.assert_allclose(t(jnp.zeros(2)), math.log(2.0), rtol=1e-6)
    np.testing.assert_allclose(t.inverse(math.log(2.0)), 0.0, atol=1e-12)

  def test_custom_bounds_are_used(self):
    t = make_std_transform("tanh", min_std=0.1, max_std=10.0)
    np.testing.assert_allclose(t(jnp.float32(-100.0)), 0.1, rtol=RTOL)
    np.testing.assert_allclose(t(jnp.float32(100.0)), 10.0, rtol=RTOL)
    np.testing.assert_allclose(t(jnp.float32(0.0)), 1.0, rtol=RTOL)


if __name__ == "__main__":
  absltest.main()
