"""Tests for examples/ppo_recurrent.py: acting vs unrolling, the run, resume.

Learning is measured in benchmarks/recurrent.py, not here.
"""

import os
import tempfile

from absl.testing import absltest
import jax
import jax.numpy as jnp
import numpy as np

import agent_testing
import haiku_policies as hp
from examples import ppo_recurrent
from examples.plumbing import checkpointing
from examples.plumbing import envs

# One iteration is 8 envs * 16 steps = 128 steps; a chunk is 2 of them. The
# same shapes in every test, so the programs compile once.
_TINY = dict(
    num_envs=8,
    num_steps=16,
    num_minibatches=2,
    num_epochs=2,
    eval_every=256,
    total_steps=512,
    eval_episodes=2,
    hidden_sizes=(16,),
    core_size=16)
_ONE_CHUNK = {  # Without the run length: `assert_resume_reproduces` sets it.
    k: v for k, v in _TINY.items() if k not in ("total_steps", "eval_every")
}
_T = 16  # Steps of the acting-vs-unrolling sequence.
_ATOL = 1e-5  # float32 step-by-step vs `hk.dynamic_unroll`.


def _config(**overrides):
  return ppo_recurrent.Config(
      run_dir=tempfile.mkdtemp(), progress=False, **{
          **_TINY,
          **overrides
      })


class ActingTest(absltest.TestCase):

  def test_acting_step_by_step_equals_one_unroll_with_resets(self):
    config = _config()
    agent = ppo_recurrent.make_agent(config)
    actor, _, initial_state = ppo_recurrent.make_networks(config, agent.env)
    actor_params = actor.init(
        jax.random.PRNGKey(0), jnp.zeros((8, 2)), jnp.ones((8,), bool),
        initial_state(8))
    params = (actor_params, hp.normalizer_init(2))
    obs = jax.random.normal(jax.random.PRNGKey(1), (_T, 8, 2))
    # Episodes start at t=0 everywhere, then at different steps per env.
    is_first = jnp.zeros((_T, 8), bool).at[0].set(True)
    is_first = is_first.at[5, :4].set(True).at[11, 2:].set(True)

    def act(core_state, inputs):
      action, core_state = agent.eval_policy(params, *inputs, core_state)
      return core_state, action

    _, stepped = jax.lax.scan(act, initial_state(8), (obs, is_first))
    policy, _ = actor.apply(actor_params, obs, is_first, initial_state(8), True)
    unrolled = jnp.clip(policy.mode(), agent.env.low, agent.env.high)
    np.testing.assert_allclose(stepped, unrolled, atol=_ATOL)
    # The resets matter: without them the unroll acts otherwise (by more
    # than the tolerance, at these near-zero initial actions).
    no_reset, _ = actor.apply(actor_params, obs, is_first.at[1:].set(False),
                              initial_state(8), True)
    self.assertGreater(
        float(jnp.abs(no_reset.mode() - policy.mode())[5:].max()), 10 * _ATOL)


class RolloutTest(absltest.TestCase):

  def test_rollout_flags_episode_starts_and_the_loss_replays_it(self):
    # MemoryChain's episodes last 6 steps (terminations), so a 16-step
    # rollout holds starts mid-sequence; discrete actions.
    config = _config(env="gymnax:MemoryChain-bsuite")
    env = envs.make(config.env, config.num_envs)
    actor, critic, _ = ppo_recurrent.make_networks(config, env)
    rollout = jax.jit(ppo_recurrent.make_rollout(config, env, actor, critic))
    init = ppo_recurrent.make_agent(config).init
    state = jax.jit(init)(jax.random.PRNGKey(0))
    (env_state, obs, is_first,
     core_state), traj = rollout(state, jax.random.PRNGKey(1))
    done = traj.terminated | traj.truncated
    np.testing.assert_array_equal(traj.is_first[0], state.is_first)
    np.testing.assert_array_equal(traj.is_first[1:], done[:-1])
    np.testing.assert_array_equal(is_first, done[-1])
    self.assertTrue(traj.is_first[1:].any())
    # The next rollout starts mid-episode, from the core states reached.
    state = state._replace(
        env_state=env_state, obs=obs, is_first=is_first, core_state=core_state)
    self.assertFalse(is_first.any())
    _, traj = rollout(state, jax.random.PRNGKey(2))
    # The loss unrolls from the stored start states: acting's log-probs and
    # values come back.
    batch = ppo_recurrent.learner_batch(config, state, traj,
                                        jnp.zeros_like(traj.value))
    policy, value, (action, old_log_prob, _,
                    _) = ppo_recurrent.make_unroll(actor, critic)(state.params,
                                                                  batch)
    np.testing.assert_allclose(
        policy.log_prob(action), old_log_prob, atol=_ATOL)
    np.testing.assert_allclose(old_log_prob, traj.log_prob)
    np.testing.assert_allclose(value, traj.value, atol=_ATOL)


class RunTest(absltest.TestCase):
  """One tiny PendulumNoVel-v1 run (two chunks), and its resumed twin."""

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.summary = agent_testing.tiny_run(ppo_recurrent, **_TINY)

  def test_run_writes_run_folder_with_core_state_in_checkpoint(self):
    agent_testing.assert_run_folder(self, self.summary)
    self.assertEqual(self.summary["algo"], "ppo_recurrent")
    self.assertEqual(self.summary["env"], "gymnax:PendulumNoVel-v1")
    self.assertLen(agent_testing.eval_returns(self.summary), 2)
    state = agent_testing.final_state(ppo_recurrent, self.summary)
    self.assertEqual(int(state.step), 512)
    self.assertEqual(state.obs.shape, (8, 2))  # No angular velocity.
    self.assertEqual(state.is_first.shape, (8,))
    self.assertEqual(state.core_state.actor.hidden.shape, (8, 16))
    self.assertEqual(state.core_state.critic.cell.shape, (8, 16))
    self.assertGreater(float(jnp.abs(state.core_state.actor.hidden).max()), 0)
    self.assertEqual(checkpointing.latest_step(self.summary["run_dir"]), 512)
    self.assertTrue(os.path.isdir(self.summary["run_dir"]))

  def test_resumed_run_matches_uninterrupted_bitwise(self):
    # The core states and episode-start flags are in the checkpoint.
    agent_testing.assert_resume_reproduces(
        self, ppo_recurrent, 256, straight=self.summary, **_ONE_CHUNK)


class ConfigTest(absltest.TestCase):

  def test_bad_flags_exit_with_usage_error(self):
    agent_testing.assert_bad_flags(
        self, ppo_recurrent,
        ((["--num-envs", "8", "--num-minibatches", "16"
          ], "`--num-minibatches` must divide `--num-envs`"),
         (["--core", "rnn"], "`--core` must be one of ['gru', 'lstm']"),
         (["--num-devices", "2"], "`--num-devices` must be 1"),
         (["--policy", "gsde"], "`--policy` gsde is not supported")))


if __name__ == "__main__":
  absltest.main()
