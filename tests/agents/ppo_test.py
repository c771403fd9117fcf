"""Tests for examples/ppo.py: the run, exact resume, flag checks.

Learning runs are benchmarks (`benchmarks/solve.py`, `benchmarks/run.py`),
not tests.
"""

import dataclasses
import json
import os
import tempfile

from absl.testing import absltest
from absl.testing import parameterized
import jax
import numpy as np
import pytest

import agent_testing
from examples import ppo
from examples.plumbing import checkpointing
import multidevice

# One PPO iteration is 8 envs * 16 steps = 128 steps; a chunk is 2 of them.
_TINY = dict(
    num_envs=8,
    num_steps=16,
    num_minibatches=4,
    num_epochs=2,
    eval_every=256,
    total_steps=512,
    eval_episodes=2,
    hidden_sizes=(16, 16))
_SUMMARY_KEYS = {
    "algo", "env", "seed", "total_steps", "final_eval_return", "wall_s",
    "compile_s", "steps_per_s", "threshold", "time_to_threshold_s", "run_dir",
    "config"
}


def _final_state(config, run_folder):
  """The newest checkpoint of `run_folder` as a `ppo.TrainState`."""
  return checkpointing.restore_checkpoint(
      run_folder, agent_testing.first_state(ppo, config))


def _assert_trees_bitwise_equal(a, b):
  jax.tree.map(
      lambda x, y: np.testing.assert_array_equal(  # Exact, NaN too.
          np.asarray(x), np.asarray(y)),
      a,
      b)


class RunTest(parameterized.TestCase):
  """Shares one tiny Pendulum run (two chunks) between its tests."""

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.tmp = tempfile.TemporaryDirectory()  # Not create_tempdir: pytest.
    cls.config = ppo.Config(
        run_dir=os.path.join(cls.tmp.name, "full"), progress=False, **_TINY)
    cls.summary = ppo.run(cls.config)

  @classmethod
  def tearDownClass(cls):
    cls.tmp.cleanup()
    super().tearDownClass()

  def test_run_returns_summary_with_finite_return(self):
    self.assertEqual(set(self.summary), _SUMMARY_KEYS)
    self.assertEqual(self.summary["total_steps"], 512)
    self.assertTrue(np.isfinite(self.summary["final_eval_return"]))

  def test_run_writes_evals_plot_summary_and_checkpoint(self):
    folder = self.summary["run_dir"]
    agent_testing.assert_run_folder(self, self.summary)
    self.assertLen(agent_testing.eval_returns(self.summary), 2)
    self.assertEqual(checkpointing.latest_step(folder), 512)

  def test_checkpoint_holds_normalizer_env_state_and_step(self):
    state = _final_state(self.config, self.summary["run_dir"]).state
    self.assertEqual(int(state.step), 512)
    self.assertEqual(float(state.normalizer.count), 512.0)  # Every obs.
    self.assertEqual(state.obs.shape, (8, 3))
    self.assertEqual(state.env_state.time.shape, (8,))  # gymnax's own.

  def test_resumed_run_matches_uninterrupted_bitwise(self):
    cut_folder = agent_testing.run_killed_after_first_checkpoint(ppo, **_TINY)
    self.assertEqual(checkpointing.latest_step(cut_folder), 256)
    resumed = ppo.run(dataclasses.replace(self.config, resume=cut_folder))

    a = _final_state(self.config, self.summary["run_dir"])
    b = _final_state(self.config, cut_folder)
    self.assertEqual((a.step, b.step), (512, 512))
    _assert_trees_bitwise_equal(a.state, b.state)
    self.assertEqual([r for _, r, _ in a.meta["evals"]],
                     [r for _, r, _ in b.meta["evals"]])
    self.assertEqual(self.summary["final_eval_return"],
                     resumed["final_eval_return"])

  def test_same_seed_is_bitwise_identical(self):
    agent = ppo.make_agent(self.config)
    init, train = jax.jit(agent.init), jax.jit(agent.train)
    a = train(init(jax.random.PRNGKey(3)), 256)
    b = train(init(jax.random.PRNGKey(3)), 256)
    self.assertEqual(int(a.step), 256)  # One call: both iterations asked for.
    _assert_trees_bitwise_equal(a, b)
    c = train(init(jax.random.PRNGKey(4)), 256)
    loc_w = lambda s: s.params.actor["gaussian_head/loc"]["w"]
    self.assertFalse(np.array_equal(loc_w(a), loc_w(c)))


class OtherEnvsTest(absltest.TestCase):

  def test_discrete_run_gives_finite_returns(self):
    # The default env (Pendulum-v1) is continuous; the other suites' runs are
    # in suites_test.
    with tempfile.TemporaryDirectory() as run_dir:
      summary = ppo.run(
          ppo.Config(
              env="CartPole-v1", run_dir=run_dir, progress=False, **_TINY))
    self.assertTrue(np.isfinite(summary["final_eval_return"]))


class ConfigTest(parameterized.TestCase):

  @parameterized.named_parameters(
      ("eval_not_multiple_of_iteration",
       dict(num_envs=8, num_steps=16, eval_every=200),
       "--eval-every` must be a multiple of one PPO iteration"),
      ("minibatches_not_dividing",
       dict(num_envs=8, num_steps=16, eval_every=128,
            num_minibatches=3), "--num-minibatches"),
      ("negative_num_envs", dict(num_envs=-4), "--num-envs"),
      ("negative_num_steps", dict(num_steps=-1), "--num-steps"),
      ("zero_epochs", dict(num_epochs=0), "--num-epochs"),
      ("gamma_above_one", dict(gamma=1.5), "--gamma"),
      ("total_not_multiple_of_iteration",
       dict(num_envs=8, num_steps=16, eval_every=128, total_steps=1000),
       "--total-steps` must be a multiple of one PPO iteration"),
      ("devices_not_dividing_envs",
       dict(
           num_envs=6,
           num_steps=16,
           eval_every=96,
           total_steps=96,
           num_devices=4), "--num-devices` must divide `--num-envs"),
      ("more_devices_than_present", dict(num_devices=64),
       "xla_force_host_platform_device_count=64"),
      ("zero_devices", dict(num_devices=0), "--num-devices"),
      ("process_id_out_of_range",
       dict(
           num_processes=2,
           process_id=2,
           num_devices=2,
           coordinator_address="localhost:1234"),
       r"--process-id` must be in \[0, `--num-processes`\), got "
       "process_id=2, num_processes=2"),
      ("negative_process_id", dict(process_id=-1), "--process-id"),
      ("no_coordinator", dict(
          num_processes=2, num_devices=2), "--coordinator-address host:port"),
      ("devices_not_counting_all_processes",
       dict(num_processes=2, coordinator_address="localhost:1234"),
       "a multiple of `--num-processes`"),
  )
  def test_bad_flags_raise_naming_the_flag(self, kwargs, flag):
    with self.assertRaisesRegex(ValueError, flag):
      ppo.Config(**kwargs)

  def test_bad_flags_on_command_line_exit_with_usage_error(self):
    agent_testing.assert_bad_flags(
        self, ppo,
        ((["--num-envs", "8", "--num-steps", "16", "--eval-every", "200"
          ], "`--eval-every` must be a multiple of one PPO iteration"),
         (["--env", "brax:nope"], "brax has no environment 'nope'"),
         (["--env", "gymnasium:Pendulum-v1", "--num-devices", "2"
          ], "needs a JAX-native suite"),
         (["--num-processes", "2", "--process-id", "2"
          ], "`--process-id` must be in [0, `--num-processes`)")))

  def test_eval_every_error_suggests_a_multiple(self):
    with self.assertRaisesRegex(ValueError, "--eval-every 256"):
      ppo.Config(num_envs=8, num_steps=16, eval_every=264)


# Runs in a child process with two CPU devices: the straight tiny run, and
# the same run cut after its first checkpoint and resumed; prints the checks.
_TWO_DEVICE_RUNS = """
import dataclasses, json, os, sys, tempfile
import jax, numpy as np
sys.path[:0] = [{root!r}, {tests!r}]
import agent_testing
from examples import ppo
from examples.plumbing import checkpointing

tmp = tempfile.mkdtemp()
config = ppo.Config(num_devices=2, run_dir=os.path.join(tmp, "full"),
                    progress=False, **{tiny!r})
summary = ppo.run(config)
cut = agent_testing.run_killed_after_first_checkpoint(
    ppo, num_devices=2, **{tiny!r})
resumed = ppo.run(dataclasses.replace(config, run_dir=cut, resume=cut))
agent = ppo.make_agent(config)
target = agent_testing.first_state(ppo, config)
a = checkpointing.restore_checkpoint(summary["run_dir"], target).state
b = checkpointing.restore_checkpoint(resumed["run_dir"], target).state
# Each device's own copies, as training left them (a checkpoint keeps one).
live = jax.jit(agent.train)(target, 512)
shards = lambda x: [np.asarray(s.data) for s in x.addressable_shards]
print(json.dumps(dict(
    step=int(a.step), count=float(a.normalizer.count),
    obs_shards=[s.shape for s in shards(live.obs)],
    params_replicated=all(np.array_equal(*shards(x))
                          for x in jax.tree.leaves((live.params,
                                                    live.opt_state,
                                                    live.normalizer))),
    resumed_bitwise=all(np.array_equal(np.asarray(x), np.asarray(y))
                        for x, y in zip(jax.tree.leaves(a),
                                        jax.tree.leaves(b))),
    returns=[summary["final_eval_return"], resumed["final_eval_return"]])))
"""


@pytest.mark.multidevice
class TwoDeviceTest(absltest.TestCase):
  """`--num-devices 2` on two fake CPU devices (in a child process)."""

  def test_runs_shares_statistics_and_resumes_bitwise(self):
    here = os.path.dirname(os.path.abspath(__file__))  # tests/agents.
    root = os.path.dirname(os.path.dirname(here))
    out = json.loads(
        multidevice.run_with_cpu_devices(
            _TWO_DEVICE_RUNS.format(root=root, tests=here,
                                    tiny=_TINY)).splitlines()[-1])
    self.assertEqual(out["step"], 512)
    # Both devices' observations are merged: 512, not one device's 256.
    self.assertEqual(out["count"], 512.0)
    self.assertEqual(out["obs_shards"], [[4, 3], [4, 3]])  # 8 envs split.
    # Averaged gradients keep the replicated parameters identical.
    self.assertTrue(out["params_replicated"])
    self.assertTrue(out["resumed_bitwise"])
    self.assertTrue(np.isfinite(out["returns"][0]))
    self.assertEqual(out["returns"][0], out["returns"][1])


if __name__ == "__main__":
  absltest.main()
