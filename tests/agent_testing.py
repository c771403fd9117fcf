"""Checks shared by the tests of the example agents (`examples/*.py`)."""

import contextlib
import csv
import io
import json
import os
import tempfile

import jax
import numpy as np

import checkpointing
import common

SUMMARY_KEYS = ("algo", "env", "seed", "total_steps", "final_eval_return",
                "wall_s", "compile_s", "steps_per_s", "time_to_threshold_s")


def tiny_run(module, **overrides):
  """Runs `module.run` on a fresh temporary run folder; returns the summary."""
  config = module.Config(run_dir=tempfile.mkdtemp(), progress=False,
                         **overrides)
  return module.run(config)


def eval_returns(summary):
  """The mean eval returns logged in the run's `evals.csv`."""
  with open(os.path.join(summary["run_dir"], "evals.csv")) as f:
    return [float(row["eval_return"]) for row in csv.DictReader(f)]


def final_state(module, summary):
  """The last checkpointed training state of a finished run."""
  config = module.Config(**{**summary["config"], "resume": None})
  init = module.make_agent(config)[2]
  target = init(jax.random.PRNGKey(0))
  return checkpointing.restore_checkpoint(summary["run_dir"], target).state


def assert_run_folder(test, summary):
  """The summary has the documented keys and the run folder its files."""
  for key in SUMMARY_KEYS:
    test.assertIn(key, summary)
  test.assertTrue(np.isfinite(summary["final_eval_return"]))
  for name in ("evals.csv", "learning_curve.png", "summary.json"):
    test.assertTrue(os.path.isfile(os.path.join(summary["run_dir"], name)),
                    name)
  test.assertIsNotNone(checkpointing.latest_step(summary["run_dir"]))
  with open(os.path.join(summary["run_dir"], "summary.json")) as f:
    test.assertEqual(json.load(f)["total_steps"], summary["total_steps"])


def assert_resume_reproduces(test, module, chunk_steps, **overrides):
  """Two chunks straight == one chunk, then `--resume` for the second."""
  straight = tiny_run(module, total_steps=2 * chunk_steps,
                      eval_every=chunk_steps, **overrides)
  first = tiny_run(module, total_steps=chunk_steps, eval_every=chunk_steps,
                   **overrides)
  config = module.Config(run_dir=first["run_dir"], progress=False,
                         total_steps=2 * chunk_steps, eval_every=chunk_steps,
                         resume=first["run_dir"], **overrides)
  resumed = module.run(config)
  test.assertEqual(eval_returns(straight), eval_returns(resumed))
  for a, b in zip(jax.tree_util.tree_leaves(final_state(module, straight)),
                  jax.tree_util.tree_leaves(final_state(module, resumed))):
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def assert_bad_flags(test, module, cases):
  """Each `(argv, words)` case exits with status 2 and `words` in the error."""
  for argv, words in cases:
    with test.subTest(argv=argv):
      stderr = io.StringIO()
      with test.assertRaises(SystemExit) as raised, \
          contextlib.redirect_stderr(stderr):
        common.parse_config(module.Config, argv)
      test.assertEqual(raised.exception.code, 2)
      test.assertIn(words, stderr.getvalue())
