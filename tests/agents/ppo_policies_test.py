"""Tests for `examples/ppo.py --policy beta|gsde` and its MultiCategorical
policy on MultiDiscrete tasks: runs, gSDE's noise state, exact resume, flags.
The Gaussian default is tested in ppo_test.py."""

from absl.testing import absltest
import numpy as np

import agent_testing
from examples import ppo
import ppo_test

# ppo_test's tiny run: 8 envs * 16 steps = 128 steps per iteration; chunks of
# 256 steps, 512 in all.
_TINY = {
    k: v
    for k, v in ppo_test._TINY.items()  # pylint: disable=protected-access
    if k not in ("total_steps", "eval_every")
}
_CHUNK = 256
# 16 steps per rollout with a redraw every 3: the last matrices are 1 old.
_GSDE = dict(policy="gsde", sde_sample_freq=3, **_TINY)


class BetaTest(absltest.TestCase):

  def test_tiny_run_trains_a_beta_policy(self):
    summary = agent_testing.tiny_run(
        ppo, policy="beta", total_steps=_CHUNK, eval_every=_CHUNK, **_TINY)
    agent_testing.assert_run_folder(self, summary)
    state = agent_testing.final_state(ppo, summary)
    self.assertEqual(
        set(state.params.actor), {
            "beta_head/alpha", "beta_head/beta", "mlp_torso/linear_0",
            "mlp_torso/linear_1"
        })
    self.assertIsNone(state.noise)


class GSDETest(absltest.TestCase):
  """Shares one straight gSDE run (two chunks) between its tests."""

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.summary = agent_testing.tiny_run(
        ppo, total_steps=2 * _CHUNK, eval_every=_CHUNK, **_GSDE)
    cls.state = agent_testing.final_state(ppo, cls.summary)

  def test_tiny_run_writes_run_folder_with_gsde_params(self):
    agent_testing.assert_run_folder(self, self.summary)
    self.assertEqual(self.state.params.actor["gsde_head"]["log_std"].shape,
                     (16, 1))

  def test_noise_state_is_one_matrix_per_env_redrawn_every_n_steps(self):
    noise = self.state.noise
    self.assertEqual(noise.eps.shape, (8, 16, 1))  # [E, H, A].
    self.assertEqual(int(noise.steps), _TINY["num_steps"] % 3)
    self.assertTrue(np.all(np.isfinite(np.asarray(noise.eps))))

  def test_resume_reproduces_uninterrupted_run_bitwise(self):
    agent_testing.assert_resume_reproduces(
        self, ppo, chunk_steps=_CHUNK, straight=self.summary, **_GSDE)


class MultiCategoricalTest(absltest.TestCase):

  def test_tiny_run_trains_a_multi_categorical_policy(self):
    # Reacher's 2 torques, 5 values each: one 10-logit head (nvec (5, 5)).
    summary = agent_testing.tiny_run(
        ppo,
        env="gymnax:ReacherBins5-misc",
        total_steps=_CHUNK,
        eval_every=_CHUNK,
        **_TINY)
    agent_testing.assert_run_folder(self, summary)
    actor = agent_testing.final_state(ppo, summary).params.actor
    self.assertEqual(
        set(actor), {
            "multi_categorical_head/linear", "mlp_torso/linear_0",
            "mlp_torso/linear_1"
        })
    self.assertEqual(actor["multi_categorical_head/linear"]["w"].shape,
                     (16, 10))


class PolicyFlagsTest(absltest.TestCase):

  def test_bad_flags_fail_with_message(self):
    # One iteration, so that a check that wrongly let one through ends soon.
    short = ["--total-steps", "4096", "--eval-every", "4096"]
    agent_testing.assert_bad_flags(
        self, ppo, ((short + ["--policy", "cauchy"],
                     "`--policy` must be one of gaussian, beta, gsde"),
                    (short + ["--sde-sample-freq", "0"],
                     "`--sde-sample-freq` must be >= 1"),
                    (short + ["--env", "CartPole-v1", "--policy", "beta"],
                     "`--policy` beta needs continuous actions")))


if __name__ == "__main__":
  absltest.main()
