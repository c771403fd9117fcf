"""Tests for examples/plumbing/training.py: the outer loop every agent uses.

Driven through a tiny TD3 (the cheapest agent to compile)."""

import contextlib
import csv
import io
import json
import os
import tempfile
import time
from unittest import mock

from absl.testing import absltest
import jax
import numpy as np

import agent_testing
from examples import sac
from examples import td3
from examples.plumbing import experiment
from examples.plumbing import flags
from examples.plumbing import report
from examples.plumbing import training

TINY = dict(
    hidden_sizes=(8,),
    batch_size=16,
    learning_starts=20,
    buffer_size=1000,
    eval_episodes=2)


class _EvalClock:
  """A `time` module for training.py whose clock moves 1 s per evaluation.

  `ticking(record)` wraps `Experiment.record`, so the time advances as each
  evaluation is logged, however often training.py reads the clock.
  """

  def __init__(self):
    self.now = time.perf_counter()

  def perf_counter(self):
    return self.now

  def ticking(self, record):

    def record_then_tick(exp, *args, **kwargs):
      result = record(exp, *args, **kwargs)
      self.now += 1.0
      return result

    return record_then_tick


class _Stop(Exception):
  """Ends a stub `run` before anything else happens."""


class _Killed(Exception):
  """A run killed right after a checkpoint."""


def _save_then_die(save):

  def save_then_die(exp, *args, **kwargs):
    save(exp, *args, **kwargs)
    raise _Killed

  return save_then_die


@contextlib.contextmanager
def _saved_steps():
  """Yields the list of the steps that `Experiment.save` is called with."""
  steps, save = [], experiment.Experiment.save

  def recording_save(exp, state, step, *args, **kwargs):
    steps.append(step)
    save(exp, state, step, *args, **kwargs)

  with mock.patch.object(experiment.Experiment, "save", recording_save):
    yield steps


def _file_bytes(folder):
  out = {}
  for root, _, names in os.walk(folder):
    for name in names:
      with open(os.path.join(root, name), "rb") as f:
        out[os.path.join(root, name)] = f.read()
  return out


class RunAgentTest(absltest.TestCase):

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    with _saved_steps() as cls.saved_steps:  # A checkpoint after every eval.
      cls.summary = agent_testing.tiny_run(
          td3, total_steps=150, eval_every=100, **TINY)

  def test_checkpoints_follow_evals_at_most_once_per_interval(self):
    self.assertEqual(self.saved_steps, [100, 150])  # Interval 0: every eval.
    # Evaluations at t = 1..6 s, an interval of 2.5 s: the first eval's save
    # (t=1), none at t=2 and 3, one at t=4 (3 s after the last save), none at
    # t=5, and the last step's.
    clock = _EvalClock()
    with _saved_steps() as saved, \
        mock.patch.object(training, "time", clock), \
        mock.patch.object(experiment.Experiment, "record",
                          clock.ticking(experiment.Experiment.record)):
      agent_testing.tiny_run(
          td3,
          total_steps=300,
          eval_every=50,
          checkpoint_interval_s=2.5,
          **TINY)
    self.assertEqual(saved, [50, 200, 300])

  def test_stops_exactly_at_total_steps_with_a_final_eval(self):
    self.assertEqual(self.summary["total_steps"], 150)
    with open(os.path.join(self.summary["run_dir"], "evals.csv")) as f:
      self.assertEqual([int(r["step"]) for r in csv.DictReader(f)], [100, 150])
    state = agent_testing.final_state(td3, self.summary)
    self.assertEqual(int(state.step), 150)

  def test_resuming_a_complete_run_changes_nothing(self):
    folder = self.summary["run_dir"]
    before = _file_bytes(folder)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
      again = td3.run(
          td3.Config(resume=folder, total_steps=150, eval_every=100, **TINY))
    self.assertIn(f"{folder} is complete at step 150", stderr.getvalue())
    self.assertEqual(again, json.loads(json.dumps(self.summary)))
    self.assertEqual(_file_bytes(folder), before)

  def test_resume_from_the_command_line_takes_the_runs_flags(self):
    folder = agent_testing.run_killed_after_first_checkpoint(
        td3, total_steps=150, eval_every=100, **TINY)
    summary = flags.main(td3.Config, td3.run,
                         ["--resume", folder, "--no-progress"])
    self.assertEqual(summary["total_steps"], 150)
    self.assertEqual(summary["config"]["hidden_sizes"], (8,))
    self.assertEqual(
        agent_testing.eval_returns(summary),
        agent_testing.eval_returns(self.summary))

  def test_a_raised_total_steps_holds_for_the_next_resume(self):
    first = agent_testing.tiny_run(td3, total_steps=100, eval_every=50, **TINY)
    folder = first["run_dir"]
    with mock.patch.object(experiment.Experiment, "save",
                           _save_then_die(experiment.Experiment.save)):
      with self.assertRaises(_Killed):  # Extended to 200, killed at 150.
        td3.run(
            td3.Config(
                resume=folder,
                total_steps=200,
                eval_every=50,
                progress=False,
                checkpoint_interval_s=0.0,
                **TINY))
    summary = flags.main(td3.Config, td3.run,
                         ["--resume", folder, "--no-progress"])
    self.assertEqual(summary["total_steps"], 200)

  def test_a_run_killed_before_its_summary_is_finished_on_resume(self):
    folder = agent_testing.run_killed_after_first_checkpoint(
        td3, total_steps=100, eval_every=100, **TINY)  # Its last checkpoint.
    self.assertFalse(os.path.exists(os.path.join(folder, "summary.json")))
    summary = flags.main(td3.Config, td3.run,
                         ["--resume", folder, "--no-progress"])
    self.assertEqual(summary["total_steps"], 100)
    self.assertTrue(os.path.exists(os.path.join(folder, "summary.json")))

  def test_resume_refuses_other_flags_and_another_algorithm(self):
    folder = self.summary["run_dir"]
    for module, argv, words in (
        (td3, ["--hidden-sizes", "64",
               "64"], "--hidden-sizes (8,) (run) vs (64, 64) (now)"),
        (sac, [], "is a td3 run; continue it with examples/td3.py, not sac")):
      stderr = io.StringIO()
      with self.subTest(words=words), contextlib.redirect_stderr(stderr), \
          self.assertRaises(SystemExit) as raised:
        flags.main(module.Config, module.run, ["--resume", folder] + argv)
      self.assertEqual(raised.exception.code, 2)
      self.assertIn(words, " ".join(stderr.getvalue().split()))

  def test_summary_reads_as_a_few_lines(self):
    text = report.describe(self.summary)
    self.assertIn("td3 on gymnax:Pendulum-v1, seed 0: 150 steps", text)
    self.assertIn(
        f"final eval return: "
        f"{self.summary['final_eval_return']:.1f} (mean of 2 "
        "episodes)", text)
    self.assertIn("never reached the threshold -200", text)
    self.assertIn(f"run folder: {self.summary['run_dir']}", text)
    self.assertLen(text.splitlines(), 4)


class MainTest(absltest.TestCase):
  """`training.main`, the command line: where compiled programs are kept."""

  def _cache_dir_seen(self, argv, preset=None):
    """JAX's compilation cache folder as `run` sees it, for `argv`."""
    seen = []

    def run(config):
      seen.append(jax.config.jax_compilation_cache_dir)
      raise _Stop  # Before main describes a summary.

    before = jax.config.jax_compilation_cache_dir
    jax.config.update("jax_compilation_cache_dir", preset)
    try:
      with mock.patch("sys.argv", ["td3.py"] + argv), \
          self.assertRaises(_Stop):
        training.main(td3.Config, run)
    finally:
      jax.config.update("jax_compilation_cache_dir", before)
    return seen[0]

  def test_the_cache_goes_beside_the_run_folders(self):
    base = tempfile.mkdtemp()
    self.assertEqual(
        self._cache_dir_seen(["--run-dir", base]),
        os.path.join(base, training.XLA_CACHE))
    resumed = os.path.join(base, "td3_run")
    os.makedirs(resumed)
    with open(os.path.join(resumed, flags.CONFIG_FILE), "w") as f:
      json.dump({"algo": "td3", "config": {}}, f)
    self.assertEqual(
        self._cache_dir_seen(["--resume", resumed, "--run-dir", "/nowhere"]),
        os.path.join(base, training.XLA_CACHE))

  def test_no_xla_cache_and_a_cache_set_already_are_respected(self):
    base = tempfile.mkdtemp()
    self.assertIsNone(
        self._cache_dir_seen(["--run-dir", base, "--no-xla-cache"]))
    self.assertEqual(
        self._cache_dir_seen(["--run-dir", base], preset="/users/own"),
        "/users/own")


class TruncationTest(absltest.TestCase):
  """At a time limit, replay stores the step's own next observation."""

  def test_replay_bootstraps_at_truncation_and_not_at_termination(self):
    for env, limit in (("gymnax:Pendulum-v1", 200),
                       ("gymnasium:InvertedPendulum-v5", 1000)):
      with self.subTest(env=env):
        summary = agent_testing.tiny_run(
            td3,
            env=env,
            total_steps=400,
            eval_every=400,
            **{
                **TINY, "learning_starts": 399,
                "eval_episodes": 1
            })
        buffer = agent_testing.final_state(td3, summary).buffer
        obs, next_obs = np.asarray(buffer.obs), np.asarray(buffer.next_obs)
        discount = np.asarray(buffer.discount)[:400]
        continues = np.all(next_obs[:399] == obs[1:400], axis=1)
        ended = ~continues  # A new episode started at the next row.
        self.assertTrue(np.any(ended))
        if limit == 200:  # Pendulum never terminates: rows 199 and 399.
          np.testing.assert_array_equal(np.flatnonzero(ended), [199])
          np.testing.assert_array_equal(discount, np.ones(400))
        else:  # Random pushes topple it long before the limit.
          np.testing.assert_array_equal(discount[:399][ended], 0.0)
          np.testing.assert_array_equal(discount[:399][continues], 1.0)


if __name__ == "__main__":
  absltest.main()
