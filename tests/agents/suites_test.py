"""The agents on every environment suite: tiny runs and exact resumes.

gymnax is every agent test's default suite; here each agent runs a few
hundred steps on gymnasium (MuJoCo, stepped on the host) and SAC resumes
bitwise on it. MuJoCo Playground (the continuous cart-pole) and Brax go through
one adapter (`mjx_envs`, tested on its own in `plumbing_envs_test`) and
compile slowly: each run compiles the physics about five times (in `init`,
twice in `train`, twice in `evaluate`), about 11 s each for Playground's
cart-pole on 2 cores. The adapter is the same code under every agent, so
each kind of agent loop runs on it once: the off-policy loop (SAC; TD3
shares it, `off_policy.make_agent`, and only its suite-independent learner
differs, tested on gymnax) on Playground's continuous cart-pole, and the
on-policy loop (PPO) on Brax's cheaper inverted pendulum. REINFORCE sees a
JAX-native environment through the same `envs.Env` as PPO, and is tested on
gymnax in its own file; on gymnasium (stepped on the host, through
callbacks) SAC, TD3, PPO and REINFORCE run here.
"""

from absl.testing import absltest
from absl.testing import parameterized

import agent_testing
from examples import ppo
from examples import reinforce
from examples import sac
from examples import td3

OFF_POLICY = dict(
    total_steps=200,
    eval_every=100,
    learning_starts=50,
    batch_size=16,
    hidden_sizes=(8,),
    eval_episodes=1)
TINY = {
    sac:
        OFF_POLICY,
    td3:
        OFF_POLICY,
    ppo:
        dict(
            num_envs=2,
            num_steps=50,
            num_minibatches=2,
            num_epochs=1,
            total_steps=200,
            eval_every=100,
            hidden_sizes=(8,),
            eval_episodes=1),
    reinforce:
        dict(
            num_envs=2,
            total_steps=200,
            eval_every=100,
            hidden_sizes=(8,),
            eval_episodes=1),
}
PLAYGROUND = "playground:CartpoleSwingup"
GYMNASIUM = "gymnasium:InvertedPendulum-v5"


class SuitesTest(parameterized.TestCase):

  @parameterized.parameters(td3, ppo, reinforce)  # SAC's: the resume test's.
  def test_tiny_run_on_gymnasium_writes_run_folder(self, module):
    self._tiny_run(module, GYMNASIUM)

  def test_tiny_sac_run_on_playground_writes_run_folder(self):
    self._tiny_run(sac, PLAYGROUND)

  def test_tiny_ppo_run_on_brax_writes_run_folder(self):
    self._tiny_run(ppo, "brax:inverted_pendulum")

  def _tiny_run(self, module, env, **overrides):
    summary = agent_testing.tiny_run(
        module, env=env, **{
            **TINY[module],
            **overrides
        })
    agent_testing.assert_run_folder(self, summary)
    self.assertEqual(summary["env"], env)
    self.assertGreaterEqual(summary["total_steps"], 200)
    return summary

  def test_resume_on_gymnasium_reproduces_uninterrupted_run(self):
    # One agent is enough here: the host environments' snapshot is the same
    # code under every agent, and every agent resumes bitwise on gymnax in
    # its own test file. Two environments, so every one must be restored.
    # The straight run is also SAC's tiny run on gymnasium.
    module = sac
    straight = self._tiny_run(module, GYMNASIUM, num_envs=2)
    tiny = {
        k: v
        for k, v in TINY[module].items()
        if k not in ("total_steps", "eval_every")
    }
    agent_testing.assert_resume_reproduces(
        self,
        module,
        chunk_steps=100,
        straight=straight,
        env=GYMNASIUM,
        num_envs=2,
        **tiny)


if __name__ == "__main__":
  absltest.main()
