"""Tests for `DeterministicHead` and the TD3 noise helpers, against NumPy.

The noise tests pin the cleanrl#279 contract: noise std and noise clip are
fractions of each dimension's half-range, and actions are clipped to the
environment's bounds, not to ±1.
"""

from absl.testing import absltest
import chex
import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies.heads_deterministic import DeterministicHead
from haiku_policies.heads_deterministic import add_exploration_noise
from haiku_policies.heads_deterministic import add_target_smoothing_noise

RTOL = 1e-5
ATOL = 1e-5
STAT_RTOL = 0.03  # 20k draws: the sample std is within ~1% of its value.
KEY = jax.random.PRNGKey(0)
LOW = np.array([-10.0, 0.0], np.float32)
HIGH = np.array([10.0, 0.5], np.float32)
HALF = (HIGH - LOW) / 2
CENTRE = (HIGH + LOW) / 2


def _features(shape, seed=0):
  return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


class DeterministicHeadTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  def test_matches_rescaled_tanh_of_linear(self):
    h = _features((4, 8))
    f = hk.without_apply_rng(
        hk.transform(lambda h: DeterministicHead((LOW, HIGH))(h)))
    params = f.init(KEY, h)
    pre = (
        h @ params["deterministic_head/linear"]["w"] +
        params["deterministic_head/linear"]["b"])
    expected = CENTRE + HALF * np.tanh(pre)
    np.testing.assert_allclose(
        self.variant(f.apply)(params, h), expected, rtol=RTOL, atol=ATOL)

  def test_zero_preactivation_gives_centre_and_saturation_gives_bounds(self):
    f = hk.without_apply_rng(
        hk.transform(lambda h: DeterministicHead(
            (LOW, HIGH), w_init=hk.initializers.Constant(1.0))(h)))
    params = f.init(KEY, np.zeros((1, 3), np.float32))
    np.testing.assert_allclose(
        f.apply(params, np.zeros((1, 3), np.float32))[0], CENTRE)
    np.testing.assert_allclose(
        f.apply(params, np.full((1, 3), 1e3, np.float32))[0], HIGH)
    np.testing.assert_allclose(
        f.apply(params, np.full((1, 3), -1e3, np.float32))[0], LOW)

  def test_saturated_actions_stay_inside_asymmetric_float32_bounds(self):
    # centre + half rounds past `high` in float32 for these bounds.
    low = np.array([1.9218847], np.float32)
    high = np.array([2.7348385], np.float32)
    f = hk.without_apply_rng(
        hk.transform(lambda h: DeterministicHead((low, high))(h)))
    features = np.array([[1e4], [-1e4]], np.float32)
    params = f.init(KEY, features)
    params = jax.tree_util.tree_map(jnp.ones_like, params)
    actions = f.apply(params, features)
    self.assertTrue(np.all((actions >= low) & (actions <= high)), actions)

  def test_noise_helpers_reject_infinite_bounds(self):
    for helper in (add_exploration_noise, add_target_smoothing_noise):
      with self.subTest(helper=helper.__name__):
        with self.assertRaisesRegex(ValueError, "must be finite"):
          helper(KEY, jnp.zeros(2), -np.inf, np.inf)

  def test_noise_helpers_broadcast_a_scalar_bound_against_an_array(self):
    # Bounds follow one contract (as in TanhNormal): scalars or [A] arrays
    # that broadcast together. HIGH with low=0 clips the noise of dim 1 to 0.5.
    action = np.broadcast_to(HIGH, (100, 2))
    for helper in (add_exploration_noise, add_target_smoothing_noise):
      with self.subTest(helper=helper.__name__):
        noisy = np.asarray(helper(KEY, action, 0.0, HIGH))
        self.assertTrue(np.all((noisy >= 0.0) & (noisy <= HIGH)))
        self.assertTrue(np.any(noisy[:, 0] < 9.0))  # Scaled by h = 5.

  def test_int_spec_means_unit_bounds(self):
    # Bounds [-1, 1]: centre 0 and half-range 1, so the action is tanh(pre).
    h = _features((5, 4))
    f = hk.without_apply_rng(hk.transform(lambda h: DeterministicHead(3)(h)))
    params = f.init(KEY, h)
    linear = params["deterministic_head/linear"]
    np.testing.assert_allclose(
        f.apply(params, h),
        np.tanh(h @ linear["w"] + linear["b"]),
        rtol=RTOL,
        atol=ATOL,
    )


class NoiseTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  def test_exploration_noise_std_is_fraction_of_each_half_range(self):
    action = np.broadcast_to(CENTRE, (20_000, 2))
    noisy = self.variant(
        lambda k, a: add_exploration_noise(k, a, LOW, HIGH, noise_scale=0.1))(
            KEY, action)
    noise = np.asarray(noisy) - action
    np.testing.assert_allclose(noise.std(0), 0.1 * HALF, rtol=STAT_RTOL)

  def test_exploration_noise_clips_to_environment_bounds(self):
    action = np.broadcast_to(HIGH, (1000, 2))
    noisy = np.asarray(
        add_exploration_noise(KEY, action, LOW, HIGH, noise_scale=0.5))
    self.assertTrue(np.all((noisy >= LOW) & (noisy <= HIGH)))
    self.assertTrue(
        np.any(noisy == HIGH))  # Half the draws push past the bound.

  @chex.variants(with_jit=True, without_jit=True)
  def test_target_smoothing_noise_is_clipped_in_half_range_units(self):
    action = np.broadcast_to(CENTRE, (20_000, 2))
    smoothed = self.variant(lambda k, a: add_target_smoothing_noise(
        k, a, LOW, HIGH, noise_scale=0.2, noise_clip=0.3))(KEY, action)
    noise = np.asarray(smoothed) - action
    limit = 0.3 * HALF
    self.assertTrue(np.all(np.abs(noise) <= limit * (1 + 1e-6)))
    # A 1.5-sigma clip is hit by ~13% of the draws on each side.
    np.testing.assert_allclose(np.abs(noise).max(0), limit, rtol=1e-6)

  def test_target_smoothing_noise_matches_cleanrl_formula(self):
    action = np.asarray([[9.9, 0.45], [-9.0, 0.01]], np.float32)
    out = add_target_smoothing_noise(
        KEY, action, LOW, HIGH, noise_scale=0.2, noise_clip=0.5)
    eps = np.asarray(jax.random.normal(KEY, action.shape))
    expected = np.clip(action + np.clip(0.2 * eps, -0.5, 0.5) * HALF, LOW, HIGH)
    np.testing.assert_allclose(out, expected, rtol=RTOL, atol=ATOL)

  def test_scalar_bounds_broadcast(self):
    out = add_exploration_noise(
        KEY, jnp.zeros((3, 4)), -2.0, 2.0, noise_scale=0.0)
    np.testing.assert_array_equal(out, 0.0)

  def test_traced_noise_scale_is_accepted(self):
    f = jax.jit(lambda s: add_exploration_noise(
        KEY, jnp.zeros((3, 2)), LOW, HIGH, noise_scale=s))
    np.testing.assert_array_equal(
        f(0.0), np.broadcast_to(np.clip(0.0, LOW, HIGH), (3, 2)))


if __name__ == "__main__":
  absltest.main()
