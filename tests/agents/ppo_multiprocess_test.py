"""Tests for examples/ppo.py across processes (`--num-processes`).

Every test but the flags hash's starts processes of its own on this machine,
one CPU device each, that meet through `jax.distributed` on a free local port
(gloo collectives); the pytest process runs no JAX op for them. The training
runs are `ppo_test._TINY`, so the one-process two-device run and its programs (in the
compilation cache) are the ones `ppo_test.TwoDeviceTest` already makes.
"""

import dataclasses
import json
import os
import tempfile

from absl.testing import absltest
import numpy as np
import pytest

from examples import ppo
from examples.plumbing import distributed
import multidevice
import ppo_test

_HERE = os.path.dirname(os.path.abspath(__file__))  # tests/agents.
_ROOT = os.path.dirname(os.path.dirname(_HERE))

# Each of two processes (its id in argv): the straight tiny run, and the same
# run cut after its first checkpoint and resumed; process 0 prints the folders.
_TWO_PROCESS_RUNS = """
import json, os, sys
sys.path[:0] = [{root!r}, {tests!r}]
import agent_testing
from examples import ppo

process_id = int(sys.argv[1])
common = dict(num_devices=2, num_processes=2, process_id=process_id,
              coordinator_address={address!r}, **{tiny!r})
straight = ppo.run(ppo.Config(run_dir={run_dir!r}, progress=False, **common))
cut = agent_testing.run_killed_after_first_checkpoint(ppo, **common)
resumed = ppo.run(ppo.Config(run_dir=cut, resume=cut, progress=False,
                             **common))
print(json.dumps(dict(straight=straight["run_dir"], resumed=resumed["run_dir"],
                      returns=[straight["final_eval_return"],
                               resumed["final_eval_return"]])))
"""

# One process with two CPU devices: the same run, restored next to the
# two-process runs' checkpoints; and resuming those with one process.
_ONE_PROCESS_CHECKS = """
import contextlib, io, json, os, sys, tempfile
import jax, numpy as np
sys.path[:0] = [{root!r}, {tests!r}]
import agent_testing
from examples import ppo
from examples.plumbing import checkpointing
from examples.plumbing import flags

config = ppo.Config(num_devices=2, run_dir=tempfile.mkdtemp(), progress=False,
                    **{tiny!r})
summary = ppo.run(config)
target = agent_testing.first_state(ppo, config)
one, straight, resumed = (checkpointing.restore_checkpoint(d, target)
                          for d in (summary["run_dir"], {straight!r},
                                    {resumed!r}))
bitwise = lambda a, b: all(np.array_equal(np.asarray(x), np.asarray(y))
                           for x, y in zip(jax.tree.leaves(a.state),
                                           jax.tree.leaves(b.state)))
returns = lambda r: [e[1] for e in r.meta["evals"]]
stderr = io.StringIO()
with contextlib.redirect_stderr(stderr):
  try:
    flags.main(ppo.Config, ppo.run, ["--resume", {resumed!r},
                                     "--num-processes", "1"])
    code = 0
  except SystemExit as e:
    code = e.code
print(json.dumps(dict(
    steps=[one.step, straight.step, resumed.step],
    two_processes_bitwise=bitwise(one, straight),
    two_processes_returns=returns(one) == returns(straight),
    resumed_bitwise=bitwise(straight, resumed),
    resumed_returns=returns(straight) == returns(resumed),
    other_count=[code, " ".join(stderr.getvalue().split())])))
"""


def _last_json(stdout):
  return json.loads(stdout.splitlines()[-1])


def _check(test, proc):
  test.assertEqual(proc.returncode, 0, proc.stderr[-3000:])


@pytest.mark.multidevice
class TwoProcessTest(absltest.TestCase):
  """2 processes x 1 CPU device against 1 process x 2 devices."""

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.tmp = tempfile.TemporaryDirectory()
    address = f"127.0.0.1:{multidevice.free_port()}"
    code = _TWO_PROCESS_RUNS.format(
        root=_ROOT,
        tests=_HERE,
        address=address,
        tiny=ppo_test._TINY,
        run_dir=cls.tmp.name)
    cls.procs = multidevice.run_processes(
        [["-c", code, str(i)] for i in range(2)])
    if any(p.returncode for p in cls.procs):
      return  # Each test reports the failure.
    cls.runs = _last_json(cls.procs[0].stdout)
    cls.checks = _last_json(
        multidevice.run_with_cpu_devices(
            _ONE_PROCESS_CHECKS.format(
                root=_ROOT,
                tests=_HERE,
                tiny=ppo_test._TINY,
                straight=cls.runs["straight"],
                resumed=cls.runs["resumed"])))

  @classmethod
  def tearDownClass(cls):
    cls.tmp.cleanup()
    super().tearDownClass()

  def setUp(self):
    super().setUp()
    for proc in self.procs:
      _check(self, proc)

  def test_two_processes_train_as_one_process_with_two_devices(self):
    self.assertEqual(self.checks["steps"], [512, 512, 512])
    # Bitwise: a mean over two devices adds two numbers, in either order.
    self.assertTrue(self.checks["two_processes_bitwise"])
    self.assertTrue(self.checks["two_processes_returns"])

  def test_resumed_two_process_run_matches_straight_bitwise(self):
    self.assertTrue(self.checks["resumed_bitwise"])
    self.assertTrue(self.checks["resumed_returns"])
    returns = self.runs["returns"]
    self.assertTrue(np.isfinite(returns[0]))
    self.assertEqual(returns[0], returns[1])

  def test_only_process_0_writes_and_reports(self):
    names = sorted(os.listdir(self.runs["straight"]))
    self.assertEqual(names, [
        "checkpoints", "config.json", "evals.csv", "learning_curve.png",
        "summary.json"
    ])
    self.assertEqual(
        os.listdir(self.tmp.name), [os.path.basename(self.runs["straight"])])
    # Process 1 evaluated nothing, so its summary has no return.
    self.assertEqual(_last_json(self.procs[1].stdout)["returns"], [None, None])

  def test_resume_with_another_process_count_is_refused(self):
    code, message = self.checks["other_count"]
    self.assertEqual(code, 2)
    self.assertIn("--num-processes 2 (run) vs 1 (now)", message)


def _ppo_argv(*flags_):
  tiny = [
      "--num-envs", "8", "--num-steps", "16", "--num-minibatches", "4",
      "--eval-every", "128", "--total-steps", "128", "--hidden-sizes", "16",
      "--no-progress", "--num-devices", "2", "--num-processes", "2"
  ]
  return ["-m", "examples.ppo"] + tiny + list(flags_)


@pytest.mark.multidevice
class ErrorTest(absltest.TestCase):
  """Processes that cannot train together stop with one clear line."""

  def test_unreachable_coordinator_exits_naming_the_address(self):
    address = f"127.0.0.1:{multidevice.free_port()}"  # No process 0 there.
    [proc] = multidevice.run_processes([
        _ppo_argv("--process-id", "1", "--coordinator-address", address,
                  "--coordinator-timeout", "2")
    ])
    self.assertEqual(proc.returncode, 2, proc.stderr[-3000:])
    last = proc.stderr.strip().splitlines()[-1]
    self.assertIn(
        f"not all processes joined at the coordinator {address} "
        "within 2 s", last)

  def test_processes_with_different_flags_all_stop(self):
    address = f"127.0.0.1:{multidevice.free_port()}"
    with tempfile.TemporaryDirectory() as run_dir:
      procs = multidevice.run_processes([
          _ppo_argv("--process-id", str(i), "--coordinator-address", address,
                    "--seed", str(i), "--run-dir", run_dir) for i in range(2)
      ])
      self.assertEqual(os.listdir(run_dir), [])
    for proc in procs:
      self.assertEqual(proc.returncode, 2, proc.stderr[-3000:])
      self.assertIn(
          "processes were started with different flags: process(es) 1 "
          "differ from process 0", " ".join(proc.stderr.split()))


class FlagsHashTest(absltest.TestCase):
  """The flags check that the processes above meet; in this process."""

  def test_only_per_process_flags_may_differ(self):
    config = ppo.Config()
    for name in distributed.PER_PROCESS_FLAGS:  # No misspelt name.
      self.assertIn(name, ppo.Config.__dataclass_fields__)
    same = distributed.flags_hash(config)
    for name, value in (("progress", False), ("xla_cache", False),
                        ("checkpoint_interval_s", 0.0), ("run_dir", "/x")):
      self.assertEqual(
          distributed.flags_hash(dataclasses.replace(config, **{name: value})),
          same, name)
    for name, value in (("seed", 1), ("eval_episodes", 3), ("num_envs", 128)):
      self.assertNotEqual(
          distributed.flags_hash(dataclasses.replace(config, **{name: value})),
          same, name)


if __name__ == "__main__":
  absltest.main()
