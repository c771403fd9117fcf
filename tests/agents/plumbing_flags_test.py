"""Tests for examples/plumbing/flags.py: parsing, errors, resume rules."""

import contextlib
import dataclasses
import io
import json
import os

from absl.testing import absltest
from absl.testing import parameterized

from examples.plumbing import flags
import plumbing_testing
from plumbing_testing import ToyConfig


def _exit_of(argv, run=None):
  """Runs `flags.main` (or `parse_config`); returns (exit code, output)."""
  out = io.StringIO()
  with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
    try:
      if run is None:
        flags.parse_config(ToyConfig, argv)
      else:
        flags.main(ToyConfig, run, argv)
    except SystemExit as e:
      return e.code, " ".join(out.getvalue().split())
  raise AssertionError(f"{argv} did not exit.")


def _saved_run(test, algo="toy", **config):
  """A run folder whose config.json holds `ToyConfig(**config)`."""
  folder = plumbing_testing.tempdir(test)
  with open(os.path.join(folder, flags.CONFIG_FILE), "w") as f:
    json.dump(
        dict(algo=algo, config=dataclasses.asdict(ToyConfig(**config))), f)
  return folder


class ParseTest(parameterized.TestCase):

  def test_defaults(self):
    self.assertEqual(flags.parse_config(ToyConfig, []), ToyConfig())

  def test_overrides(self):
    config = flags.parse_config(ToyConfig, [
        "--env", "brax:inverted_pendulum", "--seed", "3", "--total-steps",
        "500", "--learning-rate", "0.01", "--no-progress", "--threshold",
        "-150", "--run-dir", "/tmp/x"
    ])
    self.assertEqual(
        (config.env, config.seed, config.total_steps, config.learning_rate,
         config.progress, config.threshold, config.run_dir),
        ("brax:inverted_pendulum", 3, 500, 0.01, False, -150.0, "/tmp/x"))

  def test_tuple_flag_takes_several_ints(self):
    config = flags.parse_config(ToyConfig, ["--hidden-sizes", "32", "16", "8"])
    self.assertEqual(config.hidden_sizes, (32, 16, 8))

  def test_optional_flag_accepts_none(self):
    config = flags.parse_config(ToyConfig, ["--threshold", "none"])
    self.assertIsNone(config.threshold)

  def test_preset_sets_its_flags_and_given_flags_win(self):
    config = flags.parse_config(ToyConfig,
                                ["--preset", "wide", "--learning-rate", "0.5"])
    self.assertEqual((config.hidden_sizes, config.learning_rate),
                     ((512, 512), 0.5))
    self.assertEqual(config,
                     ToyConfig(hidden_sizes=(512, 512), learning_rate=0.5))

  def test_unknown_preset_exits_with_the_choices(self):
    code, out = _exit_of(["--preset", "narrow"])
    self.assertEqual(code, 2)
    self.assertIn("--preset: invalid choice: 'narrow'", out)
    self.assertIn("wide", out.split("narrow")[-1])

  def test_resume_checks_a_preset_like_given_flags(self):
    folder = _saved_run(self)  # Trained at the defaults.
    config = flags.parse_config(ToyConfig,
                                ["--resume", folder, "--preset", "wide"])
    with self.assertRaisesRegex(flags.FlagError,
                                r"--hidden-sizes \(64, 64\) \(run\)"):
      flags.check_resume("toy", config)

  def test_help_exits_zero_and_explains_every_flag(self):
    code, out = _exit_of(["--help"])
    self.assertEqual(code, 0)
    for field in dataclasses.fields(ToyConfig):
      self.assertIn("--" + field.name.replace("_", "-"), out)
      self.assertIn(" ".join(field.metadata["help"].split()), out)
    self.assertIn("wide: --hidden-sizes 512 512, --learning-rate 0.001", out)

  @parameterized.named_parameters(
      ("negative_steps", ["--total-steps", "-5"
                         ], ["`--total-steps`", "-5", "> 0"]),
      ("eval_not_multiple_of_envs",
       ["--num-envs", "3", "--eval-every", "1000", "--total-steps", "999"], [
           "`--eval-every` must be a multiple of `--num-envs` = 3",
           "--eval-every 999"
       ]),
      ("total_not_multiple_of_envs",
       ["--num-envs", "4", "--total-steps", "1002"], [
           "`--total-steps` must be a multiple of `--num-envs` = 4",
           "--total-steps 1000"
       ]),
      ("missing_resume_dir", ["--resume", "/nonexistent/run"],
       ["`--resume` must be a run folder", "/nonexistent/run"]),
      ("malformed_int", ["--seed", "x"], ["--seed", "invalid int value"]),
      ("negative_checkpoint_interval", ["--checkpoint-interval-s", "-1"],
       ["`--checkpoint-interval-s` must be >= 0", "-1.0"]),
  )
  def test_bad_flag_fails_with_clear_message(self, argv, expected):
    code, out = _exit_of(argv)
    self.assertEqual(code, 2)
    for text in expected:
      self.assertIn(text, out)

  def test_direct_construction_validates(self):
    with self.assertRaisesRegex(flags.FlagError, r"`--eval-every` must be > 0"):
      ToyConfig(eval_every=0)

  def test_field_without_help_is_rejected(self):

    @dataclasses.dataclass(frozen=True)
    class Undocumented(flags.CommonConfig):
      width: int = 3

    with self.assertRaisesRegex(TypeError, r"Undocumented.width"):
      flags.make_parser(Undocumented)

  def test_flag_error_while_running_exits_2_with_its_message(self):

    def run(config):
      raise flags.FlagError(f"`--env` {config.env} is wrong; fix it.")

    code, out = _exit_of(["--env", "x:y"], run=run)
    self.assertEqual(code, 2)
    self.assertIn("error: `--env` x:y is wrong; fix it.", out)


class ResumeTest(absltest.TestCase):

  def test_resume_takes_the_runs_flags_where_not_given(self):
    folder = _saved_run(self, hidden_sizes=(8, 8), learning_rate=0.5, seed=7)
    config = flags.parse_config(ToyConfig, ["--resume", folder])
    self.assertEqual((config.hidden_sizes, config.learning_rate, config.seed),
                     ((8, 8), 0.5, 7))
    flags.check_resume("toy", config)  # Agrees with itself.

  def test_resume_keeps_run_only_flags_of_this_session(self):
    folder = _saved_run(self, run_dir="/elsewhere", progress=False)
    config = flags.parse_config(ToyConfig, ["--resume", folder])
    self.assertEqual((config.run_dir, config.progress), ("runs", True))

  def test_resume_may_raise_total_steps(self):
    folder = _saved_run(self, total_steps=1000)
    config = flags.parse_config(ToyConfig,
                                ["--resume", folder, "--total-steps", "5000"])
    self.assertEqual(config.total_steps, 5000)
    flags.check_resume("toy", config)

  def test_resume_refuses_differing_flags_naming_each(self):
    folder = _saved_run(self, hidden_sizes=(8, 8), seed=7)
    config = flags.parse_config(
        ToyConfig,
        ["--resume", folder, "--hidden-sizes", "64", "64", "--seed", "1"])
    with self.assertRaisesRegex(
        flags.FlagError, r"--seed 7 \(run\) vs 1 \(now\); --hidden-sizes "
        r"\(8, 8\) \(run\) vs \(64, 64\) \(now\)"):
      flags.check_resume("toy", config)

  def test_resume_refuses_another_algorithms_run(self):
    folder = _saved_run(self, algo="sac")
    config = flags.parse_config(ToyConfig, ["--resume", folder])
    with self.assertRaisesRegex(
        flags.FlagError, r"is a sac run; continue it with "
        r"examples/sac.py, not toy"):
      flags.check_resume("toy", config)


if __name__ == "__main__":
  absltest.main()
