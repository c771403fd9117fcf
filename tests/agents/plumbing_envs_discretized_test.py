"""Tests for examples/plumbing/envs/discretized.py: `<Base>Bins<K>-<version>`.

The bins' actions are cross-checked against `np.linspace` (K evenly spaced
values from low to high per dim), and the wrapped task against the base task
stepped with those actions (gymnax, the real library).
"""

from absl.testing import absltest
from absl.testing import parameterized
import jax
import jax.numpy as jnp
import numpy as np

from examples.plumbing import envs
from examples.plumbing import flags
from examples.plumbing.envs import core
from examples.plumbing.envs import discretized

NUM_ENVS = 3
_RTOL = 1e-5  # float32, the same dynamics compiled in two programs.
_ATOL = 1e-6  # float32 bin values against float64 np.linspace.
# Bounds that differ per dim (A = 3), one of them not around zero.
_LOW = np.array([-2.0, 0.0, -1.0], np.float32)
_HIGH = np.array([2.0, 3.0, -0.5], np.float32)


def _rollout(env, actions, seed=0):
  """Steps `env` with `actions` `[T, E, ...]`; returns the stacked `Step`s."""

  def run(key):
    state, _ = env.reset(key)

    def body(state, inputs):
      action, key_t = inputs
      state, out = env.step(state, action, key_t)
      return state, out

    keys = jax.random.split(key, actions.shape[0])
    return jax.lax.scan(body, state, (actions, keys))[1]

  return jax.jit(run)(jax.random.PRNGKey(seed))


def _echo_bins4():
  """A stand-in task whose observation is the action it was given, in bins."""
  echo = lambda state, action, key: (state,
                                     core.Step(action, None, None, None, None))
  base = core.Env("stub:Echo-v0", NUM_ENVS, 3, False, 3, _LOW, _HIGH, 10, None,
                  lambda key: (None, None), echo)
  return discretized.discretize(base, 4, "stub:EchoBins4-v0")


class NameTest(parameterized.TestCase):

  @parameterized.parameters(
      ("PendulumBins5-v1", ("Pendulum-v1", 5)),
      ("ReacherBins11-misc", ("Reacher-misc", 11)),
      ("PendulumNoVelBins3-v1", ("PendulumNoVel-v1", 3)),
      ("reacherBins7", ("reacher", 7)),  # No version suffix (Brax).
      ("Pendulum-v1", None),
      ("PendulumBins-v1", None))
  def test_split_name(self, name, split):
    self.assertEqual(discretized.split_name(name), split)


class BinsTest(absltest.TestCase):

  def test_bin_values_are_linspace_from_low_to_high(self):
    np.testing.assert_allclose(
        discretized.bin_values(_LOW, _HIGH, 5),
        np.linspace(_LOW, _HIGH, 5),  # Reference: [K, A].
        rtol=0,
        atol=_ATOL)

  def test_each_sub_action_takes_its_own_dims_values(self):
    env = _echo_bins4()
    bins = np.array([[0, 1, 3], [3, 2, 0], [1, 0, 2]])  # [E, A].
    _, out = env.step(None, jnp.asarray(bins, jnp.int32), None)
    np.testing.assert_allclose(
        out.obs,
        np.linspace(_LOW, _HIGH, 4)[bins, np.arange(3)],  # Reference.
        rtol=0,
        atol=_ATOL)

  def test_an_action_per_env_instead_of_per_dim_is_refused(self):
    # With E == A an [E] action would broadcast against the dims silently.
    env = _echo_bins4()
    with self.assertRaisesRegex(AssertionError, r"\[E, A\] int sub-actions"):
      env.step(None, jnp.zeros((NUM_ENVS,), jnp.int32), None)

  def test_wrapped_task_is_base_task_stepped_with_bin_actions(self):
    env = envs.make("gymnax:ReacherBins5-misc", NUM_ENVS)
    base = envs.make("gymnax:Reacher-misc", NUM_ENVS)
    self.assertEqual(
        (env.name, env.discrete, env.num_actions, env.nvec, env.low, env.high),
        ("gymnax:ReacherBins5-misc", True, 2, (5, 5), None, None))
    self.assertEqual((env.obs_size, env.max_episode_steps, env.threshold),
                     (base.obs_size, base.max_episode_steps, base.threshold))
    # Different bins in the two dims and envs, over two episodes (100 steps).
    bins = np.random.default_rng(0).integers(0, 5, (150, NUM_ENVS, 2))
    torque = np.linspace(base.low, base.high, 5)  # Reference: [K, A].
    actions = torque[bins, np.arange(2)].astype(np.float32)
    out = _rollout(env, jnp.asarray(bins, jnp.int32))
    reference = _rollout(base, jnp.asarray(actions))
    close = lambda a, b: np.testing.assert_allclose(a, b, rtol=_RTOL, atol=0)
    close(out.obs, reference.obs)
    close(out.final_obs, reference.final_obs)
    close(out.reward, reference.reward)
    for field in ("terminated", "truncated"):
      np.testing.assert_array_equal(
          getattr(out, field), getattr(reference, field), field)
    self.assertTrue(out.truncated.any())  # An episode end was crossed.


class ErrorsTest(parameterized.TestCase):

  @parameterized.named_parameters(
      ("one_bin", "gymnax:ReacherBins1-misc", "needs K >= 2 values per "
       "action dim (both bounds), got K=1"),
      ("discrete_base", "gymnax:CartPoleBins5-v1",
       "gymnax:CartPole-v1 has discrete ones"),
      ("unknown_base", "gymnax:HopperBins5-v1",
       "gymnax has no environment 'HopperBins5-v1'"))
  def test_bad_name_raises_flag_error(self, name, words):
    with self.assertRaises(flags.FlagError) as raised:
      envs.make(name, 1)
    self.assertIn(words, str(raised.exception))


if __name__ == "__main__":
  absltest.main()
