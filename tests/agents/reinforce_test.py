"""Tests for `examples/reinforce.py`: tiny runs, exact resume, flags.

Learning runs (CartPole-v1 at the defaults) are benchmarks
(`benchmarks/run.py`), not tests.
"""

import csv
import os

from absl.testing import absltest
from absl.testing import parameterized
import jax
import numpy as np

import agent_testing
from examples import reinforce
from examples.plumbing import flags

# Iterations of 4 episodes; chunks end at the first iteration past 1000 steps.
TINY = dict(num_envs=4, hidden_sizes=(16, 16), eval_episodes=2)
STEPS, CHUNK = 2_000, 1_000


class ReinforceRunTest(absltest.TestCase):

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.summary = agent_testing.tiny_run(
        reinforce, total_steps=STEPS, eval_every=CHUNK, **TINY)

  def test_tiny_run_writes_run_folder(self):
    agent_testing.assert_run_folder(self, self.summary)
    self.assertEqual(self.summary["algo"], "reinforce")

  def test_chunks_end_at_the_first_iteration_past_eval_every(self):
    with open(os.path.join(self.summary["run_dir"], "evals.csv")) as f:
      steps = [int(row["step"]) for row in csv.DictReader(f)]
    self.assertLen(steps, STEPS // CHUNK)
    for i, step in enumerate(steps, start=1):  # 4 episodes of <= 500 steps.
      self.assertBetween(step, i * CHUNK, i * CHUNK + 4 * 500 - 1)
    self.assertEqual(self.summary["total_steps"], steps[-1])

  def test_same_seed_is_bitwise_identical(self):
    again = agent_testing.tiny_run(
        reinforce, total_steps=STEPS, eval_every=CHUNK, **TINY)
    self.assertEqual(
        agent_testing.eval_returns(self.summary),
        agent_testing.eval_returns(again))
    for a, b in zip(
        jax.tree.leaves(agent_testing.final_state(reinforce, self.summary)),
        jax.tree.leaves(agent_testing.final_state(reinforce, again))):
      np.testing.assert_array_equal(np.asarray(a), np.asarray(b))

  def test_resume_reproduces_uninterrupted_run(self):
    agent_testing.assert_resume_reproduces(
        self, reinforce, chunk_steps=CHUNK, straight=self.summary, **TINY)

  def test_gaussian_policy_on_pendulum(self):
    # Pendulum episodes always last 200 steps: 4 per iteration, 800 steps.
    summary = agent_testing.tiny_run(
        reinforce, env="Pendulum-v1", total_steps=800, eval_every=800, **TINY)
    agent_testing.assert_run_folder(self, summary)
    self.assertEqual(summary["total_steps"], 800)


class ReinforceFlagsTest(parameterized.TestCase):

  def test_bad_flags_fail_with_message(self):
    agent_testing.assert_bad_flags(
        self, reinforce, ((["--env", "Acrobot-v2"], "closest: ['Acrobot-v1'"),
                          (["--gamma", "1.5"], "gamma=1.5"),
                          (["--actor-lr", "0"], "`--actor-lr` must be > 0"),
                          (["--entropy-coef", "-1"], "entropy_coef=-1.0"),
                          (["--num-envs", "0"], "`--num-envs` must be > 0"),
                          (["--hidden-sizes", "0"], "`--hidden-sizes`")))

  def test_any_number_of_envs_divides_whole_episodes(self):
    # Iterations are whole episodes: no step-multiple rule applies.
    config = flags.parse_config(reinforce.Config, ["--num-envs", "32"])
    self.assertEqual((config.num_envs, config.eval_every), (32, 10_000))

  @parameterized.parameters(("CartPole-v1", ()), ("Acrobot-v1", ()),
                            ("Pendulum-v1", (1,)),
                            ("MountainCarContinuous-v0", (1,)),
                            ("ReacherBins5-misc", (2,)))  # MultiDiscrete.
  def test_accepts_discrete_and_continuous_envs(self, env_name, action_shape):
    config = flags.parse_config(reinforce.Config, ["--env", env_name])
    agent = reinforce.make_agent(config)
    state = jax.eval_shape(agent.init, jax.random.PRNGKey(0))
    obs = np.zeros((5, agent.env.obs_size), np.float32)
    action = jax.eval_shape(agent.eval_policy, state.params.actor, obs)
    self.assertEqual(action.shape, (5,) + action_shape)
    jax.eval_shape(agent.train, state, 1)  # Traces the whole training loop.


if __name__ == "__main__":
  absltest.main()
