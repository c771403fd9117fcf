"""Checks shared by the tests of the example agents (`examples/*.py`)."""

import contextlib
import csv
import io
import json
import os
import tempfile
from unittest import mock

import jax
import numpy as np

from examples.plumbing import checkpointing
from examples.plumbing import experiment
from examples.plumbing import flags
from examples.plumbing import training

SUMMARY_KEYS = ("algo", "env", "seed", "total_steps", "final_eval_return",
                "wall_s", "compile_s", "steps_per_s", "threshold",
                "time_to_threshold_s", "run_dir", "config")


def tiny_run(module, **overrides):
  """Runs `module.run` on a fresh temporary run folder; returns the summary.

  Unless `overrides` say otherwise, a checkpoint follows every evaluation.
  """
  config = module.Config(
      run_dir=tempfile.mkdtemp(),
      progress=False,
      **{
          "checkpoint_interval_s": 0.0,
          **overrides
      })
  return module.run(config)


def eval_returns(summary):
  """The mean eval returns logged in the run's `evals.csv`."""
  with open(os.path.join(summary["run_dir"], "evals.csv")) as f:
    return [float(row["eval_return"]) for row in csv.DictReader(f)]


def final_state(module, summary):
  """The last checkpointed training state of a finished run."""
  # The run's own first state as the target: the same program as the run's
  # `init`, so JAX's compilation cache can serve it.
  return checkpointing.restore_checkpoint(summary["run_dir"],
                                          initial_state(module, summary)).state


def initial_state(module, summary):
  """A finished run's first training state, as its `init` computed it."""
  return first_state(module, _run_config(module, summary))


def first_state(module, config):
  """`config`'s first training state, by the program `run_agent` compiles.

  Also the target to restore the run's checkpoints into.
  """
  init = jax.jit(
      module.make_agent(config).init, compiler_options=training.INIT_OPTIONS)
  return init(training.run_keys(config.seed)[0])


def _run_config(module, summary):
  """The `module.Config` a finished run's summary records (not resuming)."""
  return module.Config(**{
      **flags_tuples(module.Config, summary["config"]), "resume": None
  })


def flags_tuples(config_cls, values):
  """A summary's config dict (JSON lists) as `config_cls` keyword arguments."""
  return {
      k: tuple(v) if isinstance(v, list) else v
      for k, v in values.items()
      if k in config_cls.__dataclass_fields__
  }


def assert_run_folder(test, summary):
  """The summary has the documented keys and the run folder its files."""
  for key in SUMMARY_KEYS:
    test.assertIn(key, summary)
  test.assertTrue(np.isfinite(summary["final_eval_return"]))
  for name in ("config.json", "evals.csv", "learning_curve.png",
               "summary.json"):
    test.assertTrue(
        os.path.isfile(os.path.join(summary["run_dir"], name)), name)
  test.assertIsNotNone(checkpointing.latest_step(summary["run_dir"]))
  with open(os.path.join(summary["run_dir"], "summary.json")) as f:
    test.assertEqual(json.load(f)["total_steps"], summary["total_steps"])


class _Killed(Exception):
  """Stands in for a run killed right after its first checkpoint."""


def run_killed_after_first_checkpoint(module, **overrides):
  """Runs `module` until its first checkpoint is written; returns the folder."""
  save = experiment.Experiment.save

  def save_then_die(exp, *args, **kwargs):
    save(exp, *args, **kwargs)
    raise _Killed(exp.path)

  with mock.patch.object(experiment.Experiment, "save", save_then_die):
    try:
      tiny_run(module, **overrides)
    except _Killed as killed:
      return killed.args[0]
  raise AssertionError("the run ended without a checkpoint")


def assert_resume_reproduces(test,
                             module,
                             chunk_steps,
                             *,
                             straight=None,
                             **overrides):
  """Two chunks straight == killed after the first, then `--resume`.

  `straight`: the summary of the straight run, if the test has one already
  (`tiny_run` with the same flags); else it is run here.
  """
  if straight is not None:  # The same run length as the cut run's.
    test.assertEqual(
        (straight["config"]["total_steps"], straight["config"]["eval_every"]),
        (2 * chunk_steps, chunk_steps))
  else:
    straight = tiny_run(
        module,
        total_steps=2 * chunk_steps,
        eval_every=chunk_steps,
        **overrides)
  folder = run_killed_after_first_checkpoint(
      module, total_steps=2 * chunk_steps, eval_every=chunk_steps, **overrides)
  config = module.Config(
      run_dir=folder,
      progress=False,
      total_steps=2 * chunk_steps,
      eval_every=chunk_steps,
      resume=folder,
      **overrides)
  resumed = module.run(config)
  test.assertEqual(resumed["run_dir"], folder)
  test.assertEqual(checkpointing.latest_step(folder), straight["total_steps"])
  test.assertEqual(eval_returns(straight), eval_returns(resumed))
  for a, b in zip(
      jax.tree_util.tree_leaves(final_state(module, straight)),
      jax.tree_util.tree_leaves(final_state(module, resumed))):
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def assert_bad_flags(test, module, cases):
  """Each `(argv, words)` case exits with status 2 and `words` in the error.

  The command line is the script's own (`flags.main`), so errors found when
  the run is set up (the environment's) count too; nothing may be written.
  """
  run_dir = tempfile.mkdtemp()
  for argv, words in cases:
    with test.subTest(argv=argv):
      stderr = io.StringIO()
      with test.assertRaises(SystemExit) as raised, \
          contextlib.redirect_stderr(stderr):
        flags.main(module.Config, module.run, argv + ["--run-dir", run_dir])
      test.assertEqual(raised.exception.code, 2)
      test.assertIn(words, " ".join(stderr.getvalue().split()))
  test.assertEqual(os.listdir(run_dir), [])
