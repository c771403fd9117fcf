"""Tests for `GSDENormal`, against its formulas recomputed in NumPy float64.

The references are the definitions: `scale = sqrt(z^2 @ sigma^2 + eps)`,
the action `loc + z (sigma * E)`, SciPy's normal log-density, and
`reference.tanh_normal_logpdf` for the squashed case. One jitted program
(`_outputs`, cached) computes everything the tests read, since each eager op
would compile on its own. SB3's implementation is the reference of
`gsde_sb3_test.py`; the conformance list checks `jit`, `vmap` and gradients
through `GSDEHead`.
"""

import functools

from absl.testing import absltest
from absl.testing import parameterized
import jax
import numpy as np
from scipy import stats

from haiku_policies import GSDENormal
from haiku_policies import gsde_noise_init
import reference

RTOL = 1e-5
ATOL = 1e-5
# Monte Carlo over matrices: the relative standard error of a variance from
# DRAWS normal draws is sqrt(2 / DRAWS) = 1.4%; 5% is 3.5 of them.
DRAWS = 10_000
MC_RTOL = 0.05
EPSILON = 1e-6
BATCH, FEATURES, ACTIONS = 4, 5, 3


def _params(seed=0):
  rng = np.random.default_rng(seed)
  loc = rng.normal(scale=0.5, size=(BATCH, ACTIONS)).astype(np.float32)
  z = rng.normal(size=(BATCH, FEATURES)).astype(np.float32)
  std = rng.uniform(0.05, 0.4, size=(FEATURES, ACTIONS)).astype(np.float32)
  return loc, z, std


def _eps(shape, seed=1):
  return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


@functools.lru_cache(maxsize=None)
def _outputs():
  loc, z, std = _params()
  shared, batched = _eps((FEATURES, ACTIONS)), _eps((BATCH, FEATURES, ACTIONS))

  def run():
    out = {}
    for squash in (False, True):
      dist = GSDENormal(loc, z, std, squash=squash, epsilon=EPSILON)
      key = "squashed" if squash else "plain"
      action, log_prob = dist.sample_and_log_prob_from_noise(shared)
      out[key] = {
          "scale": dist.scale,
          "action": action,
          "log_prob_from_noise": log_prob,
          "log_prob": dist.log_prob(action),
          "action_batched": dist.sample_from_noise(batched),
          "median": dist.median(),
      }
    noise = gsde_noise_init(
        jax.random.PRNGKey(0), FEATURES, ACTIONS, batch_shape=(DRAWS,))
    dist = GSDENormal(loc, z, std)
    out["noise_draws"] = jax.vmap(dist.exploration_noise)(noise.eps)
    return out

  return jax.jit(run)(), (loc, z, std, shared, batched)


def _f64(*arrays):
  return [np.asarray(a, np.float64) for a in arrays]


class GSDENormalTest(parameterized.TestCase):

  def test_scale_is_root_of_feature_weighted_variance_plus_epsilon(self):
    out, (loc, z, std, _, _) = _outputs()
    _, z, std = _f64(loc, z, std)
    expected = np.sqrt(np.square(z) @ np.square(std) + EPSILON)
    np.testing.assert_allclose(out["plain"]["scale"], expected, rtol=RTOL)

  def test_action_from_one_matrix_is_loc_plus_features_times_matrix(self):
    out, (loc, z, std, shared, _) = _outputs()
    loc, z, std, shared = _f64(loc, z, std, shared)
    np.testing.assert_allclose(
        out["plain"]["action"], loc + z @ (std * shared), rtol=RTOL, atol=ATOL)

  def test_action_from_per_element_matrices_uses_each_elements_matrix(self):
    out, (loc, z, std, _, batched) = _outputs()
    loc, z, std, batched = _f64(loc, z, std, batched)
    expected = loc + np.einsum("bh,bha->ba", z, std * batched)
    np.testing.assert_allclose(
        out["plain"]["action_batched"], expected, rtol=RTOL, atol=ATOL)

  def test_noise_over_matrices_has_the_scored_variance(self):
    # The distribution scores what gSDE draws: over E, z (sigma * E) is
    # N(0, z^2 @ sigma^2), the scored variance less epsilon.
    out, (_, z, std, _, _) = _outputs()
    draws = np.asarray(out["noise_draws"], np.float64)  # [DRAWS, B, A].
    _, z, std = _f64(z, z, std)
    np.testing.assert_allclose(
        draws.var(0), np.square(z) @ np.square(std), rtol=MC_RTOL)

  def test_log_prob_is_scipy_normal_log_density(self):
    out, (loc, _, _, _, _) = _outputs()
    plain = out["plain"]
    expected = stats.norm.logpdf(
        np.asarray(plain["action"], np.float64), np.float64(loc),
        np.asarray(plain["scale"], np.float64)).sum(-1)
    np.testing.assert_allclose(plain["log_prob"], expected, rtol=RTOL)

  def test_squashed_action_is_tanh_of_the_plain_action(self):
    out, _ = _outputs()
    np.testing.assert_allclose(
        out["squashed"]["action"],
        np.tanh(out["plain"]["action"]),
        rtol=RTOL,
        atol=ATOL)

  def test_squashed_log_prob_is_the_tanh_normal_log_density(self):
    out, (loc, _, _, _, _) = _outputs()
    squashed = out["squashed"]
    expected = reference.tanh_normal_logpdf_from_pre_squash(
        np.asarray(out["plain"]["action"], np.float64), np.float64(loc),
        np.asarray(squashed["scale"], np.float64))
    np.testing.assert_allclose(squashed["log_prob"], expected, rtol=RTOL)

  @parameterized.parameters("plain", "squashed")
  def test_log_prob_from_noise_equals_log_prob_of_the_action(self, key):
    out, _ = _outputs()
    np.testing.assert_allclose(
        out[key]["log_prob_from_noise"], out[key]["log_prob"], rtol=RTOL)

  def test_squashed_median_is_tanh_of_loc(self):
    out, (loc, _, _, _, _) = _outputs()
    np.testing.assert_allclose(
        out["squashed"]["median"], np.tanh(loc), rtol=RTOL, atol=ATOL)

  def test_kl_against_another_squash_is_not_implemented(self):
    loc, z, std = _params()
    with self.assertRaisesRegex(NotImplementedError, "squash=False"):
      GSDENormal(loc, z,
                 std).kl_divergence(GSDENormal(loc, z, std, squash=True))

  def test_kl_is_that_of_the_scored_gaussians(self):
    loc, z, std = _params()
    kl = jax.jit(lambda: GSDENormal(loc, z, std).kl_divergence(
        GSDENormal(loc + 0.3, z, 2.0 * std)))()
    loc, z, std = _f64(loc, z, std)

    def scale(s):
      return np.sqrt(np.square(z) @ np.square(s) + EPSILON)

    expected = reference.normal_kl(loc, scale(std), loc + 0.3, scale(2.0 * std))
    np.testing.assert_allclose(kl, expected, rtol=RTOL)


if __name__ == "__main__":
  absltest.main()
