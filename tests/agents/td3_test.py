"""Tests for `examples/td3.py`: tiny runs, exact resume, delays, flags."""

from absl.testing import absltest
from absl.testing import parameterized
import jax
import numpy as np

import agent_testing
from examples import td3
from examples.plumbing import flags

# Updates start after step 50; a buffer of 100 wraps within 200 steps.
TINY = dict(
    hidden_sizes=(16, 16),
    batch_size=32,
    learning_starts=50,
    buffer_size=100,
    eval_episodes=2)
STEPS, CHUNK = 200, 100
# The same actor applied eagerly and inside the jitted chunk.
RTOL = 1e-6


class Td3RunTest(absltest.TestCase):

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.summary = agent_testing.tiny_run(
        td3, total_steps=STEPS, eval_every=CHUNK, **TINY)
    cls.state = agent_testing.final_state(td3, cls.summary)

  def test_tiny_run_writes_run_folder(self):
    agent_testing.assert_run_folder(self, self.summary)
    self.assertEqual((self.summary["algo"], self.summary["total_steps"]),
                     ("td3", STEPS))
    self.assertLen(agent_testing.eval_returns(self.summary), STEPS // CHUNK)

  def test_same_seed_is_bitwise_identical(self):
    again = agent_testing.tiny_run(
        td3, total_steps=STEPS, eval_every=CHUNK, **TINY)
    self.assertEqual(
        agent_testing.eval_returns(self.summary),
        agent_testing.eval_returns(again))
    for a, b in zip(
        jax.tree.leaves(self.state),
        jax.tree.leaves(agent_testing.final_state(td3, again))):
      np.testing.assert_array_equal(np.asarray(a), np.asarray(b))

  def test_resume_reproduces_uninterrupted_run(self):
    agent_testing.assert_resume_reproduces(
        self, td3, chunk_steps=CHUNK, straight=self.summary, **TINY)

  def test_actor_updates_every_policy_delay_critic_updates(self):
    # One update after each step once more than `learning_starts` are stored.
    critic_updates = STEPS - TINY["learning_starts"]
    opt_state = self.state.opt_state
    self.assertEqual(int(opt_state.updates), critic_updates)
    self.assertEqual(int(opt_state.critic[0].count), critic_updates)
    self.assertEqual(int(opt_state.actor[0].count), critic_updates // 2)

  def test_targets_move_from_init_but_lag_the_online_networks(self):
    # `initial` is this run's own first state, where targets copy the online
    # networks, so a target that never moves stays equal to its start.
    initial = agent_testing.initial_state(td3, self.summary).params
    params = self.state.params
    gap = lambda a, b: max(
        jax.tree.leaves(
            jax.tree.map(lambda x, y: float(np.abs(x - y).max()), a, b)))
    for name in ("actor", "critic"):
      online = getattr(params, name)
      target = getattr(params, "target_" + name)
      start = getattr(initial, "target_" + name)
      self.assertEqual(gap(start, getattr(initial, name)), 0.0, name)
      self.assertGreater(gap(target, start), 0.0, name)  # Targets moved...
      self.assertGreater(gap(online, target), 0.0, name)  # ...but lag.

  def test_buffer_wraps_and_holds_actions_within_bounds(self):
    buffer = self.state.buffer
    self.assertEqual(int(buffer.size), TINY["buffer_size"])
    # 200 writes into 100 rows: the next write goes to row 200 % 100 = 0.
    self.assertEqual(int(buffer.index), STEPS % TINY["buffer_size"])
    self.assertTrue(np.all(np.abs(np.asarray(buffer.action)) <= 2.0))


class Td3UpdateTest(parameterized.TestCase):

  @parameterized.parameters((3, False), (4, True))
  def test_targets_follow_every_target_delay_updates(self, updates, equal):
    # With tau=1 a target update copies the critic; one update per step.
    config = td3.Config(
        tau=1.0,
        target_delay=2,
        learning_starts=0,
        total_steps=updates,
        eval_every=updates,
        batch_size=4,
        hidden_sizes=(8,),
        progress=False)
    agent = td3.make_agent(config)
    state = jax.jit(agent.train)(agent.init(jax.random.PRNGKey(0)), updates)
    self.assertEqual(int(state.opt_state.updates), updates)
    same = jax.tree.map(np.array_equal, state.params.critic,
                        state.params.target_critic)
    self.assertEqual(all(jax.tree.leaves(same)), equal)

  def test_zero_exploration_noise_acts_with_the_actor(self):
    config = td3.Config(
        exploration_noise=0.0,
        learning_starts=0,
        total_steps=1,
        eval_every=1,
        batch_size=4,
        hidden_sizes=(8,),
        progress=False)
    agent = td3.make_agent(config)
    state = agent.init(jax.random.PRNGKey(0))
    expected = agent.eval_policy(state.params.actor, state.obs)[0]
    after = jax.jit(agent.train)(state, 1)
    np.testing.assert_allclose(after.buffer.action[0], expected, rtol=RTOL)


class Td3FlagsTest(parameterized.TestCase):

  def test_bad_flags_fail_with_message(self):
    agent_testing.assert_bad_flags(
        self, td3,
        ((["--env", "CartPole-v1"], "discrete actions; TD3 needs continuous"),
         (["--env", "CartPole-v1"], "reinforce.py"),
         (["--env", "Nope-v0"], "--env"),
         (["--learning-starts", "10000"], "would never update"),
         (["--exploration-noise", "-0.1"
          ], "`--exploration-noise` must be >= 0"),
         (["--target-noise-clip", "-1"], "`--target-noise-clip` must be >= 0"),
         (["--policy-delay", "0"], "`--policy-delay` must be > 0"),
         (["--target-delay", "0"], "`--target-delay` must be > 0"),
         (["--hidden-sizes", "64", "0"], "`--hidden-sizes`"),
         (["--batch-size", "0"], "--batch-size")))

  @parameterized.parameters(("Pendulum-v1", 1),
                            ("gymnax:MountainCarContinuous-v0", 1))
  def test_accepts_continuous_envs(self, env_name, action_size):
    config = flags.parse_config(td3.Config, ["--env", env_name])
    agent = td3.make_agent(config)
    state = jax.eval_shape(agent.init, jax.random.PRNGKey(0))
    obs = np.zeros((5, agent.env.obs_size), np.float32)
    action = jax.eval_shape(agent.eval_policy, state.params.actor, obs)
    self.assertEqual(action.shape, (5, action_size))
    jax.eval_shape(agent.train, state, 1)  # Traces the whole training loop.

  def test_defaults_are_sbx_td3(self):
    config = flags.parse_config(td3.Config, [])
    self.assertEqual(
        (config.env, config.hidden_sizes, config.batch_size, config.actor_lr,
         config.critic_lr, config.learning_starts, config.policy_delay,
         config.target_delay, config.exploration_noise, config.target_noise,
         config.target_noise_clip, config.gamma, config.tau),
        ("gymnax:Pendulum-v1",
         (256, 256), 256, 3e-4, 3e-4, 1_000, 2, 1, 0.1, 0.2, 0.5, 0.99, 0.005))


if __name__ == "__main__":
  absltest.main()
