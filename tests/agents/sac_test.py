"""Tests for `examples/sac.py`: a tiny run, exact resume, flags.

Learning runs are benchmarks (`benchmarks/solve.py`), not tests.
"""

from absl.testing import absltest
import jax
import jax.numpy as jnp
import numpy as np

import agent_testing
from examples import sac
from examples.plumbing import replay

TINY = dict(
    hidden_sizes=(16, 16), batch_size=32, learning_starts=50, eval_episodes=2)
# float32 rounding of `centre + half * a` and back, through three updates.
UNIT_BOX_ATOL = 1e-5


class SacTest(absltest.TestCase):

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.summary = agent_testing.tiny_run(
        sac, total_steps=200, eval_every=100, **TINY)

  def test_tiny_run_writes_run_folder(self):
    agent_testing.assert_run_folder(self, self.summary)
    self.assertEqual(self.summary["algo"], "sac")
    self.assertEqual(self.summary["total_steps"], 200)

  def test_resume_reproduces_uninterrupted_run(self):
    agent_testing.assert_resume_reproduces(
        self, sac, chunk_steps=100, straight=self.summary, **TINY)

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

  def test_learning_does_not_depend_on_action_units(self):
    # The learner works in the unit box: the same run in other action units
    # (bounds [-3, 3] and [0, 1] vs [-1, 1], replayed actions rescaled alike)
    # gives the same parameters and the same actions in the new units.
    config = sac.Config(hidden_sizes=(16, 16))
    unit_low, unit_high = -np.ones(2, np.float32), np.ones(2, np.float32)
    low = np.array([-3.0, 0.0], np.float32)
    high = np.array([3.0, 1.0], np.float32)
    to_env = lambda a: (high + low) / 2 + (high - low) / 2 * a
    obs = jax.random.normal(jax.random.PRNGKey(0), (8, 3))
    batch = replay.Buffer(
        obs=obs,
        action=jax.random.uniform(
            jax.random.PRNGKey(1), (8, 2), minval=-1.0, maxval=1.0),
        reward=jnp.linspace(-1.0, 1.0, 8),
        next_obs=obs[::-1],
        discount=jnp.ones(8),
        index=jnp.zeros((), jnp.int32),
        size=jnp.full((), 8, jnp.int32))
    cases = (((unit_low, unit_high), lambda a: a), ((low, high), to_env))
    runs = []
    for bounds, rescale in cases:
      learner = sac.make_learner(config, *bounds)
      update = jax.jit(learner.update)
      params, opt_state = learner.init(jax.random.PRNGKey(2), obs)
      scaled = batch._replace(action=rescale(batch.action))
      for i in range(3):
        params, opt_state = update(params, opt_state, scaled,
                                   jax.random.PRNGKey(3 + i))
      act = learner.act(params.actor, obs, jax.random.PRNGKey(9))
      runs.append((params, act, learner.eval_policy(params.actor, obs)))
    (unit_params, unit_act, unit_eval), (params, act, evals) = runs
    jax.tree.map(
        lambda a, b: np.testing.assert_allclose(a, b, atol=UNIT_BOX_ATOL),
        unit_params, params)
    np.testing.assert_allclose(act, to_env(unit_act), atol=UNIT_BOX_ATOL)
    np.testing.assert_allclose(evals, to_env(unit_eval), atol=UNIT_BOX_ATOL)
    self.assertTrue(np.all((act >= low) & (act <= high)))


if __name__ == "__main__":
  absltest.main()
