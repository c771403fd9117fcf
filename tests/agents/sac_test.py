"""Tests for `examples/sac.py`: a tiny run, exact resume, flags.

Learning runs are benchmarks (`benchmarks/solve.py`), not tests.
"""

from absl.testing import absltest

import agent_testing
from examples import sac

TINY = dict(
    hidden_sizes=(16, 16), batch_size=32, learning_starts=50, eval_episodes=2)


class SacTest(absltest.TestCase):

  def test_tiny_run_writes_run_folder(self):
    summary = agent_testing.tiny_run(
        sac, total_steps=200, eval_every=100, **TINY)
    agent_testing.assert_run_folder(self, summary)
    self.assertEqual(summary["algo"], "sac")
    self.assertEqual(summary["total_steps"], 200)

  def test_resume_reproduces_uninterrupted_run(self):
    agent_testing.assert_resume_reproduces(self, sac, chunk_steps=100, **TINY)

  def test_bad_flags_fail_with_message(self):
    agent_testing.assert_bad_flags(
        self, sac,
        ((["--total-steps", "-5"], "--total-steps"),
         (["--env", "CartPole-v1"], "discrete actions; SAC needs continuous"),
         (["--env", "gymnax:Acrobot-v1"], "examples/ppo.py"),
         (["--env", "Nope-v0"], "gymnax has no environment 'Nope-v0'"),
         (["--env", "Pendulum-v2"], "closest: ['Pendulum-v1'"),
         (["--env", "mujoco:Hopper"], "suite must be one of"),
         (["--num-envs", "3"], "--num-envs"),
         (["--total-steps", "1502", "--num-envs", "4", "--eval-every", "500"
          ], "`--total-steps` must be a multiple of `--num-envs`"),
         (["--learning-starts", "10000"], "would never update"),
         (["--batch-size", "0"], "--batch-size")))


if __name__ == "__main__":
  absltest.main()
