"""Tests for the initialisation presets and `resolve_w_init`, against NumPy."""

from absl.testing import absltest
from absl.testing import parameterized
import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies import initializers
from haiku_policies.torsos import MLPTorso

KEY = jax.random.PRNGKey(0)


def _x(shape, seed=0):
  return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def _init_params(module_fn, x):
  return hk.transform(lambda x: module_fn()(x)).init(KEY, x)


class InitializersTest(parameterized.TestCase):

  @parameterized.parameters(
      ("orthogonal", initializers.HIDDEN_GAIN),
      (initializers.orthogonal_init(
          initializers.POLICY_GAIN), initializers.POLICY_GAIN),
  )
  def test_orthogonal_init_has_orthogonal_columns_with_gain(self, w_init, gain):
    params = _init_params(lambda: MLPTorso((16,), w_init=w_init), _x((2, 64)))
    w = np.asarray(params["mlp_torso/linear_0"]["w"], np.float64)
    np.testing.assert_allclose(w.T @ w, gain**2 * np.eye(16), atol=1e-5)
    np.testing.assert_array_equal(params["mlp_torso/linear_0"]["b"], 0.0)

  def test_variance_scaling_init_is_acme_fan_in_uniform(self):
    fan_in = 400
    params = _init_params(lambda: MLPTorso((300,), w_init="variance_scaling"),
                          _x((2, fan_in)))
    w = np.asarray(params["mlp_torso/linear_0"]["w"], np.float64)
    bound = np.sqrt(3.0 / fan_in)
    self.assertLessEqual(np.abs(w).max(), bound)
    # U(-b, b) has variance b^2 / 3 = 1 / fan_in; 120k draws give ~0.5% error.
    np.testing.assert_allclose(w.var(), 1.0 / fan_in, rtol=0.03)

  def test_resolve_w_init_gains_by_role(self):
    for gain in (initializers.HIDDEN_GAIN, initializers.POLICY_GAIN,
                 initializers.VALUE_GAIN):
      init = initializers.resolve_w_init("orthogonal", gain=gain, owner="T")
      w = hk.transform(lambda: init((8, 8), jnp.float32)).apply({}, KEY)
      w = np.asarray(w, np.float64)
      np.testing.assert_allclose(w.T @ w, gain**2 * np.eye(8), atol=1e-5)
    self.assertIsNone(initializers.resolve_w_init(None, gain=1.0, owner="T"))

  def test_resolve_w_init_passes_initializers_through(self):
    init = hk.initializers.Constant(0.5)
    self.assertIs(initializers.resolve_w_init(init, gain=1.0, owner="T"), init)

  def test_resolve_w_init_refuses_unknown_names_and_types(self):
    with self.assertRaisesRegex(ValueError, "T: `w_init` must be one of"):
      initializers.resolve_w_init("xavier", gain=1.0, owner="T")
    with self.assertRaisesRegex(TypeError, r"got w_init=3 \(int\)"):
      initializers.resolve_w_init(3, gain=1.0, owner="T")

  @parameterized.product(
      w_init=(None, "orthogonal", "variance_scaling"),
      partitionable=(False, True))
  def test_conv_kernel_init_draws_what_haiku_draws_for_the_kernel(
      self, w_init, partitionable):
    # hk.Conv2D's own kernel (for None, Haiku's default) against ours, under
    # both of JAX's threefry modes.
    haiku_own = initializers.resolve_w_init(
        w_init, gain=initializers.HIDDEN_GAIN, owner="test")
    ours = initializers.conv_kernel_init(
        w_init, gain=initializers.HIDDEN_GAIN, owner="test")
    kernel = lambda init: hk.transform(lambda x: hk.Conv2D(
        5, (3, 2), w_init=init)(x)).init(KEY, jnp.zeros(
            (1, 6, 6, 4)))["conv2_d"]["w"]  # [3, 2, 4, 5]: fan-in 24.
    previous = jax.config.jax_threefry_partitionable
    jax.config.update("jax_threefry_partitionable", partitionable)
    try:
      expected, got = kernel(haiku_own), kernel(ours)
    finally:
      jax.config.update("jax_threefry_partitionable", previous)
    self.assertGreater(float(np.std(expected)), 0.0)
    np.testing.assert_array_equal(got, expected)  # Exact.

  def test_conv_kernel_init_calls_your_initializer_with_the_kernel_shape(self):
    shapes = []
    init = lambda shape, dtype: shapes.append(tuple(shape)) or jnp.zeros(
        shape, dtype)
    ours = initializers.conv_kernel_init(init, gain=1.0, owner="test")
    self.assertIs(ours, init)
    ours((3, 2, 4, 5), jnp.float32)
    self.assertEqual(shapes, [(3, 2, 4, 5)])


if __name__ == "__main__":
  absltest.main()
