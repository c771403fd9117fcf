"""Tests for `ConvTorso`, `NatureCNNTorso` and `ImpalaTorso`.

References: `jax.lax` convolutions and max-pools applied to the modules'
parameters, and the output-size formulas of "VALID" (`floor((n - k) / s) + 1`)
and "SAME" (`ceil(n / s)`) padding. Feature sizes are read from the parameter
shapes under `jax.eval_shape`, which compiles nothing. Parameter names, `jit`,
`vmap`, `[T, B]` leading dims, gradients and `pmap` are checked in the
conformance list.
"""

import math

from absl.testing import absltest
from absl.testing import parameterized
import chex
import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from conformance_test import random_params
from haiku_policies.conv_torsos import ConvTorso
from haiku_policies.conv_torsos import ImpalaTorso
from haiku_policies.conv_torsos import NatureCNNTorso

RTOL = 1e-5
ATOL = 1e-5
KEY = jax.random.PRNGKey(0)
# `ConvTorso` under test: two "VALID" layers with different kernels/strides.
CHANNELS, KERNELS, STRIDES = (4, 6), (3, 2), (2, 1)


def _x(shape, seed=0):
  return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def _param_shapes(make, x):
  """The parameter shapes of `make()(x)`, without compiling anything."""
  init = hk.transform(lambda x: make()(x)).init
  return jax.tree_util.tree_map(lambda p: p.shape, jax.eval_shape(init, KEY, x))


def _conv(x, params, stride, padding):
  y = jax.lax.conv_general_dilated(
      x,
      params["w"], (stride, stride),
      padding,
      dimension_numbers=("NHWC", "HWIO", "NHWC"))
  return y + params["b"]


def _linear(x, params):
  return x @ params["w"] + params["b"]


def _small_conv_torso():
  return ConvTorso(
      CHANNELS,
      kernel_shapes=KERNELS,
      strides=STRIDES,
      padding="VALID",
      output_sizes=(5,),
      activate_final=False)


class ConvTorsoTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  def test_conv_torso_matches_lax_reference(self):
    x = _x((2, 9, 8, 3))
    f = hk.without_apply_rng(hk.transform(lambda x: _small_conv_torso()(x)))
    params = random_params(f.init, x)
    h = x
    for i, stride in enumerate(STRIDES):
      h = jax.nn.relu(_conv(h, params[f"conv_torso/conv_{i}"], stride, "VALID"))
    expected = _linear(
        h.reshape(2, -1), params["conv_torso/mlp_torso/linear_0"])
    np.testing.assert_allclose(
        self.variant(f.apply)(params, x), expected, rtol=RTOL, atol=ATOL)

  @chex.variants(with_jit=True, without_jit=True)
  def test_impala_matches_lax_reference(self):
    x = _x((2, 9, 6, 1))  # Odd sides: "SAME" pools round up.
    f = hk.without_apply_rng(
        hk.transform(lambda x: ImpalaTorso((2, 3), output_size=4)(x)))
    params = random_params(f.init, x)
    p = lambda name: params[f"impala_torso/{name}"]
    h = x
    for i in range(2):
      h = _conv(h, p(f"stage_{i}_conv"), 1, "SAME")
      h = jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 3, 3, 1),
                                (1, 2, 2, 1), "SAME")
      for j in range(2):
        r = _conv(jax.nn.relu(h), p(f"stage_{i}_block_{j}_conv_0"), 1, "SAME")
        h = h + _conv(
            jax.nn.relu(r), p(f"stage_{i}_block_{j}_conv_1"), 1, "SAME")
    h = jax.nn.relu(h).reshape(2, -1)
    expected = jax.nn.relu(_linear(h, p("mlp_torso/linear_0")))
    np.testing.assert_allclose(
        self.variant(f.apply)(params, x), expected, rtol=RTOL, atol=ATOL)

  @parameterized.parameters(((44, 40),), ((36, 36),))
  def test_nature_feature_size_follows_valid_formula(self, size):
    height, width = size
    for kernel, stride in ((8, 4), (4, 2), (3, 1)):
      height, width = (height - kernel) // stride + 1, (width -
                                                        kernel) // stride + 1
    shapes = _param_shapes(NatureCNNTorso, np.zeros((2, *size, 4), np.uint8))
    self.assertEqual(shapes["nature_cnn_torso/mlp_torso/linear_0"]["w"],
                     (height * width * 64, 512))

  def test_impala_feature_size_follows_same_pool_formula(self):
    height, width = 9, 6
    for _ in range(3):
      height, width = math.ceil(height / 2), math.ceil(width / 2)
    shapes = _param_shapes(ImpalaTorso, np.zeros((2, 9, 6, 3), np.uint8))
    self.assertEqual(shapes["impala_torso/mlp_torso/linear_0"]["w"],
                     (height * width * 32, 256))

  def test_conv_torso_min_size_is_the_smallest_valid_image(self):
    torso = hk.transform(lambda: _small_conv_torso().min_size).apply({}, None)
    side = torso[0]
    shapes = _param_shapes(_small_conv_torso, np.zeros((1, side, side, 1)))
    # 1x1 after the last convolution: the features are its channels.
    self.assertEqual(shapes["conv_torso/mlp_torso/linear_0"]["w"][0],
                     CHANNELS[-1])
    with self.assertRaisesRegex(AssertionError, f"H >= {side}"):
      _param_shapes(_small_conv_torso, np.zeros((1, side - 1, side, 1)))

  def test_uint8_scaled_by_255_bool_as_unit_float_used_as_given(self):
    pixels = np.random.default_rng(0).integers(0, 256, size=(2, 5, 5, 3))
    f = hk.without_apply_rng(hk.transform(lambda x: ConvTorso((2,))(x)))
    params = random_params(f.init, np.zeros((2, 5, 5, 3), np.float32))
    apply = jax.jit(f.apply)
    np.testing.assert_allclose(
        apply(params, pixels.astype(np.uint8)),
        apply(params, (pixels / 255.0).astype(np.float32)),
        rtol=RTOL,
        atol=ATOL)
    grid = pixels > 127
    np.testing.assert_allclose(
        apply(params, grid),
        apply(params, grid.astype(np.float32)),
        rtol=RTOL,
        atol=ATOL)


if __name__ == "__main__":
  absltest.main()
