"""Tests for `GaussianHead` and `TanhGaussianHead`.

References: NumPy for the linear maps, `reference.tanh_normal_logpdf` (SciPy,
float64) for the squashed log-density with the head's bounds.
"""

import itertools

from absl.testing import absltest
from absl.testing import parameterized
import chex
import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies.distributions import DiagNormal
from haiku_policies.distributions import TanhNormal
from haiku_policies.heads_gaussian import GaussianHead
from haiku_policies.heads_gaussian import TanhGaussianHead
from haiku_policies.std_transforms import STD_TRANSFORMS
from haiku_policies.std_transforms import make_std_transform
import reference

RTOL = 1e-5
ATOL = 1e-5
INIT_STD_RTOL = 2e-6  # One or two float32 ulps from the float64 inverse.
KEY = jax.random.PRNGKey(0)
LOW = np.array([-2.0, 0.0, -1.0], np.float32)
HIGH = np.array([2.0, 1.0, 3.0], np.float32)


def _features(shape, seed=0):
  return np.random.default_rng(seed).normal(size=shape).astype(np.float32) * 3.0


class GaussianHeadTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  @parameterized.parameters(
      *itertools.product(STD_TRANSFORMS, (True, False), (0.05, 0.5, 1.7)))
  def test_std_equals_init_std_at_initialisation(self, kind, dependent,
                                                 init_std):
    f = hk.transform(lambda h: GaussianHead(
        3,
        state_dependent_std=dependent,
        std_transform=kind,
        init_std=init_std,
    )(h).scale)
    params = f.init(KEY, _features((2, 8)))
    scale = self.variant(f.apply)(params, None, _features((5, 4, 8), seed=1))
    self.assertEqual(scale.shape, (5, 4, 3))
    np.testing.assert_allclose(scale, init_std, rtol=INIT_STD_RTOL)

  def test_state_dependent_std_layer_starts_with_zero_weights(self):
    f = hk.transform(
        lambda h: GaussianHead(3, std_transform="clipped_exp", init_std=0.2)(h))
    params = f.init(KEY, _features((2, 8)))
    np.testing.assert_array_equal(params["gaussian_head/std"]["w"], 0.0)
    np.testing.assert_allclose(
        params["gaussian_head/std"]["b"], np.log(0.2), rtol=1e-6)

  def test_std_depends_on_input_after_a_weight_change(self):
    f = hk.transform(lambda h: GaussianHead(2)(h).scale)
    params = f.init(KEY, _features((2, 8)))
    params = hk.data_structures.to_mutable_dict(params)
    params["gaussian_head/std"]["w"] = jnp.ones((8, 2))
    scale = f.apply(params, None, _features((2, 8)))
    self.assertGreater(float(jnp.abs(scale[0] - scale[1]).max()), 1e-3)

  @chex.variants(with_jit=True, without_jit=True)
  def test_returns_diag_normal_with_linear_loc_and_transformed_std(self):
    h = _features((4, 8))
    head = lambda: GaussianHead(
        3, std_transform="tanh", min_std=0.1, max_std=2.0)
    f = hk.transform(lambda h: head()(h))
    params = hk.data_structures.to_mutable_dict(f.init(KEY, h))
    params["gaussian_head/std"]["w"] = 0.1 * jnp.ones((8, 3))
    dist = self.variant(f.apply)(params, None, h)
    self.assertIsInstance(dist, DiagNormal)
    loc = (
        h @ params["gaussian_head/loc"]["w"] + params["gaussian_head/loc"]["b"])
    pre = (
        h @ params["gaussian_head/std"]["w"] + params["gaussian_head/std"]["b"])
    log_min, log_max = np.log(0.1), np.log(2.0)
    std = np.exp(log_min + 0.5 * (log_max - log_min) * (np.tanh(pre) + 1.0))
    np.testing.assert_allclose(dist.loc, loc, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(dist.scale, std, rtol=RTOL, atol=ATOL)

  def test_state_independent_std_is_one_parameter_broadcast(self):
    f = hk.transform(lambda h: GaussianHead(
        3, state_dependent_std=False, std_transform="exp")(h).scale)
    params = hk.data_structures.to_mutable_dict(f.init(KEY, _features((2, 8))))
    params["gaussian_head"]["raw_std"] = jnp.asarray([0.0, 1.0, -1.0])
    scale = f.apply(params, None, _features((4, 8)))
    np.testing.assert_allclose(
        scale, np.broadcast_to(np.exp([0.0, 1.0, -1.0]), (4, 3)), rtol=RTOL)

  def test_orthogonal_w_init_uses_policy_gain(self):
    f = hk.transform(lambda h: GaussianHead(3, w_init="orthogonal")(h))
    w = np.asarray(
        f.init(KEY, _features((2, 16)))["gaussian_head/loc"]["w"], np.float64)
    np.testing.assert_allclose(w.T @ w, 0.01**2 * np.eye(3), atol=1e-7)

  def test_accepts_a_std_transform_object(self):
    t = make_std_transform("clipped_exp", min_std=0.01, max_std=1.0)
    f = hk.transform(lambda h: GaussianHead(2, std_transform=t, init_std=0.3)
                     (h).scale)
    params = f.init(KEY, _features((1, 4)))
    np.testing.assert_allclose(
        f.apply(params, None, _features((1, 4))), 0.3, rtol=INIT_STD_RTOL)

  def test_unbatched_features_give_unbatched_distribution(self):
    f = hk.transform(lambda h: GaussianHead(2)(h))
    params = f.init(KEY, _features((8,)))
    dist = f.apply(params, None, _features((8,)))
    self.assertEqual(dist.batch_shape, ())
    self.assertEqual(dist.event_shape, (2,))


class TanhGaussianHeadTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  def test_samples_lie_inside_per_dimension_bounds(self):

    def policy(h):
      return TanhGaussianHead((LOW, HIGH), init_std=3.0)(h).sample(
          seed=hk.next_rng_key(), sample_shape=500)

    f = hk.transform(policy)
    params = f.init(KEY, _features((2, 8)))
    features = np.zeros((2, 8), np.float32)  # loc = 0: centred in the bounds.
    actions = np.asarray(self.variant(f.apply)(params, KEY, features))
    self.assertEqual(actions.shape, (500, 2, 3))
    self.assertTrue(np.all((actions >= LOW) & (actions <= HIGH)))
    # A wide std reaches close to both ends of every dimension.
    span = actions.max(axis=(0, 1)) - actions.min(axis=(0, 1))
    self.assertTrue(np.all(span >= 0.9 * (HIGH - LOW)), msg=str(span))

  def test_log_prob_matches_scipy_reference_with_head_bounds(self):
    h = _features((4, 8))
    f = hk.transform(lambda h: TanhGaussianHead((LOW, HIGH), init_std=0.7)(h))
    params = f.init(KEY, h)
    dist = f.apply(params, None, h)
    self.assertIsInstance(dist, TanhNormal)
    action = np.asarray(LOW + (HIGH - LOW) * np.array([0.1, 0.5, 0.9]),
                        np.float32)
    action = np.broadcast_to(action, (4, 3))
    expected = reference.tanh_normal_logpdf(action, np.asarray(dist.loc),
                                            np.asarray(dist.scale), LOW, HIGH)
    np.testing.assert_allclose(dist.log_prob(action), expected, rtol=1e-4)

  def test_int_action_spec_means_unit_bounds(self):
    f = hk.transform(lambda h: TanhGaussianHead(2)(h))
    dist = f.apply(f.init(KEY, _features((1, 4))), None, _features((1, 4)))
    np.testing.assert_array_equal(dist.low, [-1.0, -1.0])
    np.testing.assert_array_equal(dist.high, [1.0, 1.0])

  def test_infinite_dims_are_unsquashed(self):
    low = np.array([-1.0, -np.inf], np.float32)
    high = np.array([1.0, np.inf], np.float32)
    f = hk.transform(lambda h: TanhGaussianHead((low, high), init_std=50.0)
                     (h).sample(seed=hk.next_rng_key(), sample_shape=200))
    actions = np.asarray(
        f.apply(f.init(KEY, _features((1, 4))), KEY, _features((1, 4))))
    self.assertLessEqual(np.abs(actions[..., 0]).max(), 1.0)
    self.assertGreater(np.abs(actions[..., 1]).max(), 10.0)

  @parameterized.parameters(*STD_TRANSFORMS)
  def test_pre_squash_std_equals_init_std(self, kind):
    f = hk.transform(lambda h: TanhGaussianHead(
        (LOW, HIGH), std_transform=kind, init_std=0.25)(h).scale)
    params = f.init(KEY, _features((1, 8)))
    np.testing.assert_allclose(
        f.apply(params, None, _features((3, 8))), 0.25, rtol=INIT_STD_RTOL)


if __name__ == "__main__":
  absltest.main()
