"""Tests for examples/plumbing/envs: one interface over four suites.

Each suite is the real library (gymnax, Brax, MuJoCo Playground, gymnasium
with MuJoCo). The suite-independent contract: `[E, O]` float32 observations,
auto-reset in the step that ends an episode, `final_obs` the observation the
step reached, `truncated` only at the time limit and never with
`terminated`.
"""

import sys
from unittest import mock

from absl.testing import absltest
from absl.testing import parameterized
import jax
import jax.numpy as jnp
import numpy as np

from examples.plumbing import envs
from examples.plumbing import flags
from examples.plumbing.envs import gymnasium_envs
from examples.plumbing.envs import mjx_envs
from examples.plumbing.envs import partial_obs

NUM_ENVS = 2
_RTOL = 1e-5  # float32, the same dynamics compiled in two programs.


def _rollout(env, steps, action_value, seed=0):
  """`steps` steps with a constant action; returns the stacked `Step`s."""

  def run(key):
    state, obs = env.reset(key)
    if env.discrete:
      action = jnp.full((env.num_envs,), action_value, jnp.int32)
    else:
      action = jnp.full((env.num_envs, env.num_actions), action_value)

    def body(carry, key_t):
      state, obs = carry
      state, out = env.step(state, action, key_t)
      return (state, out.obs), (obs, out)

    return jax.lax.scan(body, (state, obs), jax.random.split(key, steps))[1]

  return jax.jit(run)(jax.random.PRNGKey(seed))


class SuiteTest(parameterized.TestCase):
  """The contract on a time-limited and a terminating task of each suite."""

  @parameterized.parameters(
      ("gymnax:Pendulum-v1", 3, 1, 200),
      ("Pendulum-v1", 3, 1, 200),  # A bare id is a gymnax id.
      ("playground:CartpoleBalance", 5, 1, 1000),  # Brax: the same code.
      ("gymnasium:Pendulum-v1", 3, 1, 200))
  def test_time_limit_truncates_and_resets(self, name, obs_size, actions,
                                           limit):
    env = envs.make(name, NUM_ENVS)
    self.assertEqual(
        (env.obs_size, env.num_actions, env.discrete, env.max_episode_steps),
        (obs_size, actions, False, limit))
    np.testing.assert_array_equal(env.high, -env.low)
    # A zero action keeps these upright or swinging: only the limit ends them.
    obs, out = _rollout(env, limit + 1, 0.0)
    self.assertEqual(out.obs.shape, (limit + 1, NUM_ENVS, obs_size))
    self.assertEqual((out.obs.dtype, out.reward.dtype),
                     (jnp.float32, jnp.float32))
    self.assertFalse(np.any(out.terminated))
    np.testing.assert_array_equal(out.truncated[limit - 1], [True] * NUM_ENVS)
    self.assertFalse(np.any(np.delete(out.truncated, limit - 1, axis=0)))
    # Until the limit the next observation is the one the step reached...
    np.testing.assert_array_equal(out.final_obs[:limit - 1],
                                  out.obs[:limit - 1])
    np.testing.assert_array_equal(obs[1:limit], out.obs[:limit - 1])
    # ...at the limit a new episode starts: obs is its first observation.
    self.assertFalse(np.allclose(out.final_obs[limit - 1], out.obs[limit - 1]))

  @parameterized.parameters(("gymnax:CartPole-v1", 1, True),
                            ("brax:inverted_pendulum", 1.0, False),
                            ("gymnasium:InvertedPendulum-v5", 3.0, False))
  def test_termination_is_not_truncation_and_resets(self, name, push, discrete):
    env = envs.make(name, NUM_ENVS)
    self.assertEqual(env.discrete, discrete)
    _, out = _rollout(env, 300, push)  # Always pushing one way topples it.
    self.assertTrue(np.all(np.any(out.terminated, axis=0)))
    self.assertFalse(np.any(out.truncated))
    first = int(np.argmax(out.terminated[:, 0]))
    self.assertFalse(np.allclose(out.final_obs[first, 0], out.obs[first, 0]))

  def test_termination_at_the_time_limit_is_termination_only(self):
    # Find when a steady push topples the pole, then set the time limit to
    # that very step: the step both terminates and reaches the limit.
    for name, set_limit in ((
        "gymnasium:InvertedPendulum-v5",
        lambda env, k: setattr(env.host.envs[0], "_max_episode_steps", k)),
                            ("brax:inverted_pendulum", None)):
      with self.subTest(name=name):
        env = envs.make(name, 1)
        _, out = _rollout(env, 300, 1.0)
        k = int(np.argmax(out.terminated[:, 0])) + 1
        if set_limit is None:  # Brax: the same adapter with a k-step limit.
          import brax.envs  # pylint: disable=g-import-not-at-top
          env = mjx_envs._wrap(  # pylint: disable=protected-access
              name,
              brax.envs.get_environment("inverted_pendulum", backend="spring"),
              1, k, True)
        else:
          set_limit(env, k)
        _, out = _rollout(env, k, 1.0)
        self.assertTrue(out.terminated[k - 1, 0])
        self.assertFalse(np.any(out.truncated))

  def test_gymnasium_snapshot_restores_every_environment_bitwise(self):
    a = gymnasium_envs.HostEnvs("HalfCheetah-v5", NUM_ENVS)
    a.reset(np.int32(3))
    action = np.full((NUM_ENVS, 6), 0.3, np.float32)
    for _ in range(5):
      a.step(action)
    blob = a.snapshot()
    want = [a.step(action) for _ in range(3)]
    b = gymnasium_envs.HostEnvs("HalfCheetah-v5", NUM_ENVS)
    b.reset(np.int32(99))
    b.restore(blob)
    got = [b.step(action) for _ in range(3)]
    jax.tree.map(np.testing.assert_array_equal, got, want)

  def test_same_key_same_episodes(self):
    env = envs.make("brax:inverted_pendulum", NUM_ENVS)
    a = _rollout(env, 50, 0.3, seed=1)
    b = _rollout(env, 50, 0.3, seed=1)
    jax.tree.map(np.testing.assert_array_equal, a, b)
    self.assertFalse(np.array_equal(a[0][0, 0], a[0][0, 1]))  # Envs differ.


class PartialObsTest(parameterized.TestCase):
  """`<Base>NoVel-<version>`: the base task, velocities dropped."""

  @parameterized.parameters(
      ("Pendulum-v1", 3, [0, 1], 0.5),  # theta_dot is entry 2.
      ("CartPole-v1", 4, [0, 2], 1),  # x_dot, theta_dot: 1 and 3.
      ("MountainCarContinuous-v0", 2, [0], 0.5),  # velocity: 1.
      ("Acrobot-v1", 6, [0, 1, 2, 3], 1))  # Both angular velocities.
  def test_drops_exactly_the_velocities(self, base, size, keep, action):
    name = partial_obs.names([base])[0]
    env = envs.make(f"gymnax:{name}", NUM_ENVS)
    full = envs.make(f"gymnax:{base}", NUM_ENVS)
    self.assertEqual((env.name, env.obs_size, full.obs_size),
                     (f"gymnax:{name}", len(keep), size))
    self.assertEqual(env.max_episode_steps, full.max_episode_steps)
    (obs, out), (full_obs, full_out) = (
        _rollout(e, 1000, action) for e in (env, full))
    # Two programs: XLA may fuse the dynamics differently (1 ulp).
    close = lambda a, b: np.testing.assert_allclose(a, b, rtol=_RTOL, atol=0)
    close(obs, full_obs[..., keep])
    close(out.obs, full_out.obs[..., keep])
    close(out.final_obs, full_out.final_obs[..., keep])
    for field in ("reward", "terminated", "truncated"):
      np.testing.assert_array_equal(
          getattr(out, field), getattr(full_out, field), field)
    self.assertTrue((out.terminated | out.truncated).any())  # Ends kept.

  def test_other_suites_and_unknown_bases(self):
    env = envs.make("gymnasium:PendulumNoVel-v1", NUM_ENVS)
    self.assertEqual(env.reset(jax.random.PRNGKey(0))[1].shape, (NUM_ENVS, 2))
    self.assertIsNone(partial_obs.base_name("HopperNoVel-v1"))
    with self.assertRaisesRegex(flags.FlagError, "'HopperNoVel-v1'"):
      envs.make("gymnax:HopperNoVel-v1", 1)


class ErrorsTest(parameterized.TestCase):

  @parameterized.named_parameters(
      ("unknown_suite", "mujoco:Hopper", "suite must be one of ['brax', "
       "'gymnasium', 'gymnax', 'playground'], got 'mujoco'"),
      ("close_gymnax_name", "gymnax:Pendulum-v0", "closest: ['Pendulum-v1'"),
      ("close_playground_name", "playground:CartPoleSwingup",
       "closest: ['CartpoleSwingup'"),
      ("close_gymnasium_name", "gymnasium:HalfCheetah-v9",
       "closest: ['HalfCheetah-v5'"),
      ("unknown_brax_name", "brax:nothing_like_it",
       "brax has no environment 'nothing_like_it'; valid: ['ant'"),
  )
  def test_bad_name_raises_flag_error(self, name, words):
    with self.assertRaises(flags.FlagError) as raised:
      envs.make(name, 1)
    self.assertIn(words, str(raised.exception))

  def test_bad_brax_backend(self):
    with self.assertRaisesRegex(
        flags.FlagError, r"`--brax-backend` must be "
        r"one of \('spring'.*got 'warp'"):
      envs.make("brax:inverted_pendulum", 1, brax_backend="warp")

  @parameterized.parameters(("brax", "brax"),
                            ("playground", "mujoco_playground"),
                            ("gymnasium", "gymnasium"))
  def test_missing_suite_names_the_pip_line(self, suite, module):
    with mock.patch.dict(sys.modules, {module: None}):  # As if uninstalled.
      with self.assertRaisesRegex(
          flags.FlagError, rf"needs the {suite} suite, which is not installed "
          rf".*; run: pip install -e \"\.\[{suite}\]\""):
        envs.make(f"{suite}:anything", 1)


if __name__ == "__main__":
  absltest.main()
