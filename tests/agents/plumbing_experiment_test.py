"""Tests for examples/plumbing/experiment.py: run folder, clocks, resume."""

import csv
import dataclasses
import json
import os

from absl.testing import absltest
import jax.numpy as jnp
import numpy as np

from examples.plumbing import checkpointing
from examples.plumbing import experiment
from examples.plumbing import flags
import plumbing_testing
from plumbing_testing import ToyConfig

THRESHOLD = -100.0


class ExperimentTest(absltest.TestCase):

  def setUp(self):
    super().setUp()
    self.base = plumbing_testing.tempdir(self)
    self.config = ToyConfig(
        run_dir=self.base, total_steps=3000, eval_episodes=2, progress=False)

  def _new(self, config=None, threshold=THRESHOLD):
    return experiment.Experiment("toy", config or self.config, threshold)

  def _train(self, exp, steps_and_returns, save=True):
    for step, returns in steps_and_returns:
      exp.record(step, jnp.asarray(returns, jnp.float32))
      if save:
        exp.save(plumbing_testing.state(step), step)

  def test_run_folder_files(self):
    exp = self._new()
    state, step = exp.restore(plumbing_testing.state(0))
    self.assertEqual(step, 0)
    self._train(exp, [(1000, [-300.0, -200.0]), (2000, [-90.0, -50.0])])
    summary = exp.finish(3000)
    path = summary["run_dir"]
    self.assertRegex(
        os.path.basename(path), r"^toy-gymnax-Pendulum-v1-0-\d{8}-\d{6}$")
    self.assertEqual(os.path.dirname(path), self.base)
    with open(os.path.join(path, "evals.csv")) as f:
      rows = list(csv.reader(f))
    self.assertEqual(rows[0],
                     ["step", "eval_return", "wall_s", "return_0", "return_1"])
    self.assertEqual(
        [(r[0], float(r[1]), float(r[3]), float(r[4])) for r in rows[1:]],
        [("1000", -250.0, -300.0, -200.0), ("2000", -70.0, -90.0, -50.0)])
    with open(os.path.join(path, "learning_curve.png"), "rb") as f:
      self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
    with open(os.path.join(path, flags.CONFIG_FILE)) as f:
      self.assertEqual(
          json.load(f),
          dict(
              algo="toy",
              config=json.loads(json.dumps(dataclasses.asdict(self.config)))))
    with open(os.path.join(path, "summary.json")) as f:
      on_disk = json.load(f)
    self.assertEqual(on_disk, json.loads(json.dumps(summary)))
    self.assertEqual((on_disk["algo"], on_disk["total_steps"],
                      on_disk["final_eval_return"], on_disk["threshold"]),
                     ("toy", 3000, -70.0, THRESHOLD))
    self.assertEqual(on_disk["time_to_threshold_s"],
                     float(rows[2][2]))  # The first eval >= -100.
    self.assertEqual(checkpointing.latest_step(path), 2000)

  def test_time_to_threshold_is_null_when_not_reached(self):
    exp = self._new()
    self._train(exp, [(1000, [-300.0, -300.0])])
    self.assertIsNone(exp.finish(1000)["time_to_threshold_s"])

  def test_no_threshold_never_counts_as_solved(self):
    exp = self._new(threshold=None)
    self._train(exp, [(1000, [1e9, 1e9])])
    self.assertIsNone(exp.finish(1000)["time_to_threshold_s"])

  def test_compile_returns_the_compiled_function(self):
    exp = self._new()
    compiled = exp.compile(lambda x: x * 2, jnp.ones(3))
    np.testing.assert_array_equal(compiled(jnp.ones(3)), 2 * jnp.ones(3))

  def test_resume_continues_state_and_evals(self):
    exp = self._new()
    self._train(exp, [(1000, [-300.0, -300.0]), (2000, [-250.0, -250.0])])
    self._train(exp, [(2500, [-1.0, -1.0])], save=False)  # Killed unsaved.
    exp2 = self._new(dataclasses.replace(self.config, resume=exp.path))
    state, step = exp2.restore(plumbing_testing.state(0))
    self.assertEqual(step, 2000)
    self.assertEqual(
        plumbing_testing.leaf_bytes(state["buffer"]["obs"]),
        plumbing_testing.leaf_bytes(
            plumbing_testing.state(2000)["buffer"]["obs"]))
    self._train(exp2, [(3000, [-200.0, -200.0])])
    summary = exp2.finish(3000)
    with open(os.path.join(exp.path, "evals.csv")) as f:
      steps = [row["step"] for row in csv.DictReader(f)]
    self.assertEqual(steps, ["1000", "2000", "3000"])
    self.assertEqual(summary["run_dir"], exp.path)
    self.assertIsNone(summary["time_to_threshold_s"])

  def test_resume_rechecks_evals_against_new_threshold(self):
    exp = self._new()
    self._train(exp, [(1000, [-300.0, -300.0]), (2000, [-250.0, -250.0])])
    resumed = self._new(
        dataclasses.replace(self.config, resume=exp.path), threshold=-260.0)
    resumed.restore(plumbing_testing.state(0))
    self.assertEqual(resumed.time_to_threshold_s, exp.evals[1][2])

  def test_host_state_is_saved_and_restored_with_the_checkpoint(self):

    class Host:

      def __init__(self, blob):
        self.blob = blob

      def snapshot(self):
        return self.blob

      def restore(self, blob):
        self.blob = blob

    exp = self._new()
    exp.save(plumbing_testing.state(1), 1000, Host(b"envs at 1000"))
    other = Host(b"fresh")
    self._new(dataclasses.replace(self.config, resume=exp.path)).restore(
        plumbing_testing.state(0), other)
    self.assertEqual(other.blob, b"envs at 1000")


if __name__ == "__main__":
  absltest.main()
