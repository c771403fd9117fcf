"""Tests for `MLPTorso`, against NumPy."""

from absl.testing import absltest
from absl.testing import parameterized
import chex
import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies.torsos import MLPTorso

RTOL = 1e-5
ATOL = 1e-5
KEY = jax.random.PRNGKey(0)


def _x(shape, seed=0):
  return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def _init_params(module_fn, x):
  return hk.transform(lambda x: module_fn()(x)).init(KEY, x)


class MLPTorsoTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  @parameterized.parameters(((5,),), ((4, 5),), ((2, 3, 5),))
  def test_output_keeps_leading_dims(self, shape):

    @hk.testing.transform_and_run(jax_transform=self.variant)
    def out():
      return MLPTorso((8, 6))(jnp.asarray(_x(shape)))

    self.assertEqual(out().shape, shape[:-1] + (6,))

  @chex.variants(with_jit=True, without_jit=True)
  def test_matches_numpy_forward(self):
    x = _x((4, 5))
    f = hk.transform(lambda x: MLPTorso((8, 6), activate_final=False)(x))
    params = f.init(KEY, x)
    out = self.variant(f.apply)(params, None, x)
    h = np.maximum(
        x @ params["mlp_torso/linear_0"]["w"] +
        params["mlp_torso/linear_0"]["b"],
        0.0,
    )
    expected = (
        h @ params["mlp_torso/linear_1"]["w"] +
        params["mlp_torso/linear_1"]["b"])
    np.testing.assert_allclose(out, expected, rtol=RTOL, atol=ATOL)

  def test_activate_final_applies_activation_to_last_layer(self):
    x = _x((16, 5))
    f = hk.transform(lambda x: MLPTorso((8,), activation=jnp.tanh)(x))
    params = f.init(KEY, x)
    pre = (
        x @ params["mlp_torso/linear_0"]["w"] +
        params["mlp_torso/linear_0"]["b"])
    np.testing.assert_allclose(
        f.apply(params, None, x), np.tanh(pre), rtol=RTOL, atol=ATOL)

  def test_layer_norm_sits_before_activation(self):
    # With the identity activation the output of each layer is LayerNorm'd:
    # zero mean and unit variance over features at initialisation.
    x = _x((16, 5))
    f = hk.transform(lambda x: MLPTorso(
        (32, 32), layer_norm=True, activation=lambda y: y)(x))
    out = np.asarray(f.apply(f.init(KEY, x), None, x), np.float64)
    np.testing.assert_allclose(out.mean(-1), 0.0, atol=1e-5)
    np.testing.assert_allclose(out.var(-1), 1.0, rtol=1e-3)

  def test_layer_norm_not_applied_to_unactivated_final_layer(self):
    x = _x((4, 5))
    f = hk.transform(lambda x: MLPTorso(
        (8, 3), layer_norm=True, activate_final=False)(x))
    self.assertEqual(
        sorted(f.init(KEY, x)),
        ["mlp_torso/layer_norm_0", "mlp_torso/linear_0", "mlp_torso/linear_1"],
    )

  def test_default_name_is_mlp_torso(self):
    params = _init_params(lambda: MLPTorso((4,)), _x((1, 2)))
    self.assertEqual(list(params), ["mlp_torso/linear_0"])


if __name__ == "__main__":
  absltest.main()
