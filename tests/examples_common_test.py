"""Tests for examples/common.py and examples/checkpointing.py.

examples/ is not an installed package, so this file puts it on `sys.path`.
"""

import contextlib
import csv
import dataclasses
import io
import json
import logging
import os
import sys
import tempfile

from absl.testing import absltest
from absl.testing import parameterized
import jax
import jax.numpy as jnp
import numpy as np
import optax

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir,
                                "examples"))
# pylint: disable=g-import-not-at-top,wrong-import-position
import checkpointing
import common
# pylint: enable=g-import-not-at-top,wrong-import-position

# The scan and the Python loop add the same float32 rewards in the same order.
RETURN_RTOL = 1e-6
NUM_EPISODES = 3


@dataclasses.dataclass(frozen=True)
class _Config(common.CommonConfig):
  """A toy agent's flags."""

  hidden_sizes: tuple[int, ...] = common.flag((64, 64), "Hidden layer sizes.")
  learning_rate: float = common.flag(3e-4, "Adam step size (100% of it).")
  batch_size: int = common.flag(256, "Transitions per update.")

  def __post_init__(self):
    super().__post_init__()
    common.check_positive(self, "learning_rate", "batch_size")
    common.check_divides(self, "num_envs", "batch_size")


def _parse_expecting_exit(argv):
  """Runs parse_config, returns (exit code, stdout + stderr)."""
  out = io.StringIO()
  with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
    try:
      common.parse_config(_Config, argv)
    except SystemExit as e:
      return e.code, out.getvalue()
  raise AssertionError(f"parse_config({argv}) did not exit.")


def _zero_action(params, obs):
  del params, obs
  return jnp.zeros((1,))


def _python_rollout(env, env_params, action, key):
  """Return of episode 0 of `evaluate(..., key)`, by a plain Python loop."""
  reset_key, step_key = jax.random.split(jax.random.split(key, NUM_EPISODES)[0])
  obs, state = env.reset(reset_key, env_params)
  total = np.float32(0.0)
  for key_t in jax.random.split(step_key, env_params.max_steps_in_episode):
    obs, state, r_t, terminated, truncated, _ = env.step(
        key_t, state, action, env_params)
    total += np.float32(r_t)
    if terminated or truncated:
      break
  return total


def _state(seed):
  """A training state like an agent's: params, optax state, keys, buffer."""
  params = {"torso": {"w": jax.random.normal(jax.random.PRNGKey(seed), (4, 3)),
                      "b": jnp.full((3,), float(seed))}}
  opt = optax.adam(1e-3)
  opt_state = opt.init(params)
  grads = jax.tree.map(jnp.ones_like, params)
  _, opt_state = opt.update(grads, opt_state, params)
  return {
      "params": params, "target_params": params, "opt_state": opt_state,
      "key": jax.random.PRNGKey(seed), "typed_key": jax.random.key(seed),
      "step": jnp.int32(seed),
      "buffer": {"obs": np.full((8, 3), seed, np.float32),
                 "action": np.arange(8, dtype=np.int32) + seed},
  }


def _leaf_bytes(leaf):
  if jnp.issubdtype(leaf.dtype, jax.dtypes.prng_key):
    leaf = jax.random.key_data(leaf)
  leaf = np.asarray(leaf)
  return leaf.dtype, leaf.shape, leaf.tobytes()


def _tempdir(test):
  """A temporary folder removed after `test` (works under pytest too)."""
  tmp = tempfile.TemporaryDirectory()
  test.addCleanup(tmp.cleanup)
  return tmp.name


@contextlib.contextmanager
def _quiet_absl():
  """Hides the traceback orbax logs for a save that fails on purpose."""
  logger = logging.getLogger("absl")
  logger.disabled = True
  try:
    yield
  finally:
    logger.disabled = False


class ConfigTest(parameterized.TestCase):

  def test_defaults(self):
    self.assertEqual(common.parse_config(_Config, []), _Config())

  def test_overrides(self):
    config = common.parse_config(_Config, [
        "--env", "CartPole-v1", "--seed", "3", "--total-steps", "500",
        "--learning-rate", "0.01", "--no-progress", "--threshold", "-150",
        "--run-dir", "/tmp/x"])
    self.assertEqual(
        (config.env, config.seed, config.total_steps, config.learning_rate,
         config.progress, config.threshold, config.run_dir),
        ("CartPole-v1", 3, 500, 0.01, False, -150.0, "/tmp/x"))

  def test_tuple_flag_takes_several_ints(self):
    config = common.parse_config(_Config, ["--hidden-sizes", "32", "16", "8"])
    self.assertEqual(config.hidden_sizes, (32, 16, 8))

  def test_optional_flag_accepts_none(self):
    config = common.parse_config(_Config, ["--threshold", "none"])
    self.assertIsNone(config.threshold)

  def test_help_exits_zero_and_explains_every_flag(self):
    code, out = _parse_expecting_exit(["--help"])
    self.assertEqual(code, 0)
    flat = " ".join(out.split())
    for field in dataclasses.fields(_Config):
      self.assertIn("--" + field.name.replace("_", "-"), flat)
      self.assertIn(" ".join(field.metadata["help"].split()), flat)

  @parameterized.named_parameters(
      ("unknown_env", ["--env", "Foo-v0"],
       ["`--env`", "'Foo-v0'", "Pendulum-v1"]),
      ("negative_steps", ["--total-steps", "-5"],
       ["`--total-steps`", "-5", "> 0"]),
      ("num_envs_not_dividing", ["--num-envs", "3", "--eval-every", "999",
                                 "--batch-size", "256"],
       ["`--num-envs`", "num_envs=3", "batch_size=256", "divisors of 256"]),
      ("missing_resume_dir", ["--resume", "/nonexistent/run"],
       ["`--resume`", "/nonexistent/run"]),
      ("malformed_int", ["--seed", "x"], ["--seed", "invalid int value"]),
  )
  def test_bad_flag_fails_with_clear_message(self, argv, expected):
    code, out = _parse_expecting_exit(argv)
    self.assertEqual(code, 2)
    for text in expected:
      self.assertIn(text, out)

  def test_direct_construction_validates(self):
    with self.assertRaisesRegex(ValueError, r"`--eval-every` must be > 0"):
      _Config(eval_every=0)

  def test_field_without_help_is_rejected(self):

    @dataclasses.dataclass(frozen=True)
    class Undocumented(common.CommonConfig):
      width: int = 3

    with self.assertRaisesRegex(TypeError, r"Undocumented.width"):
      common.make_parser(Undocumented)


class EnvTest(absltest.TestCase):

  def test_make_env_rejects_unknown_name_listing_valid_ones(self):
    with self.assertRaisesRegex(ValueError, r"'Pendulum-v1'.*'CartPole-v1'.*"
                                r"got 'Pendulum-v0'"):
      common.make_env("Pendulum-v0")

  def test_pendulum_episodes_last_200_steps(self):
    _, env_params = common.make_env("Pendulum-v1")
    self.assertEqual(env_params.max_steps_in_episode, 200)


class EvaluateTest(absltest.TestCase):

  def test_zero_action_pendulum_matches_python_rollout(self):
    env, env_params = common.make_env("Pendulum-v1")
    key = jax.random.PRNGKey(0)
    returns = common.evaluate(env, env_params, _zero_action, None, key,
                              num_episodes=NUM_EPISODES)
    self.assertEqual(returns.shape, (NUM_EPISODES,))
    self.assertTrue(np.all(np.isfinite(returns)))
    expected = _python_rollout(env, env_params, jnp.zeros((1,)), key)
    np.testing.assert_allclose(returns[0], expected, rtol=RETURN_RTOL)

  def test_return_stops_at_first_done(self):
    # Always pushing left topples the pole in a few dozen steps, well before
    # the 500-step limit; gymnax then auto-resets and the scan goes on.
    env, env_params = common.make_env("CartPole-v1")
    key = jax.random.PRNGKey(1)
    returns = common.evaluate(env, env_params, lambda p, o: jnp.int32(0), None,
                              key, num_episodes=NUM_EPISODES)
    expected = _python_rollout(env, env_params, jnp.int32(0), key)
    self.assertLess(float(returns[0]), 100.0)
    np.testing.assert_allclose(returns[0], expected, rtol=RETURN_RTOL)

  def test_compiles_once_and_is_deterministic(self):
    traces = []

    def policy(params, obs):
      traces.append(None)  # Runs only while tracing.
      return params * jnp.zeros((1,)) + obs[:1] * 0.0

    env, env_params = common.make_env("Pendulum-v1")
    key = jax.random.PRNGKey(2)
    first = common.evaluate(env, env_params, policy, jnp.float32(1.0), key, 2)
    again = common.evaluate(env, env_params, policy, jnp.float32(2.0), key, 2)
    self.assertLen(traces, 1)
    np.testing.assert_array_equal(first, again)


  def test_inside_jit_equals_outside(self):
    env, env_params = common.make_env("Pendulum-v1")
    key = jax.random.PRNGKey(3)
    inside = jax.jit(lambda k: common.evaluate(
        env, env_params, _zero_action, None, k, NUM_EPISODES))(key)
    outside = common.evaluate(env, env_params, _zero_action, None, key,
                              NUM_EPISODES)
    np.testing.assert_array_equal(inside, outside)


class CheckpointTest(absltest.TestCase):

  def setUp(self):
    super().setUp()
    self.run_dir = _tempdir(self)

  def test_round_trip_is_bitwise_with_same_treedef(self):
    saved = _state(1)
    checkpointing.save_checkpoint(self.run_dir, saved, 10, meta={"a": [1, 2]})
    state, step, meta = checkpointing.restore_checkpoint(self.run_dir,
                                                         _state(0))
    self.assertEqual((step, meta["a"]), (10, [1, 2]))
    self.assertEqual(jax.tree.structure(state), jax.tree.structure(saved))
    self.assertIsInstance(state["opt_state"][0], optax.ScaleByAdamState)
    for got, want in zip(jax.tree.leaves(state), jax.tree.leaves(saved)):
      self.assertEqual(_leaf_bytes(got), _leaf_bytes(want))

  def test_keeps_only_the_last_checkpoint(self):
    for step in (1, 2, 3):
      checkpointing.save_checkpoint(self.run_dir, _state(step), step)
    self.assertEqual(os.listdir(os.path.join(self.run_dir, "checkpoints")),
                     ["3"])
    self.assertEqual(checkpointing.latest_step(self.run_dir), 3)

  def test_failed_save_leaves_previous_checkpoint_restorable(self):
    checkpointing.save_checkpoint(self.run_dir, _state(1), 1)
    with _quiet_absl(), self.assertRaises(TypeError):  # Dies mid-write.
      checkpointing.save_checkpoint(self.run_dir, _state(2), 2,
                                    meta={"unserialisable": object()})
    # A crash can also leave a half-written temporary folder with garbage.
    junk = os.path.join(self.run_dir, "checkpoints",
                        "3.orbax-checkpoint-tmp-123", "state")
    os.makedirs(junk)
    with open(os.path.join(junk, "manifest.ocdbt"), "wb") as f:
      f.write(b"\x00partial")
    self.assertTrue(any("tmp" in name for name in os.listdir(
        os.path.join(self.run_dir, "checkpoints"))))
    state, step, _ = checkpointing.restore_checkpoint(self.run_dir, _state(0))
    self.assertEqual(step, 1)
    self.assertEqual(_leaf_bytes(state["params"]["torso"]["w"]),
                     _leaf_bytes(_state(1)["params"]["torso"]["w"]))
    checkpointing.save_checkpoint(self.run_dir, _state(2), 2)  # Still works.
    self.assertEqual(checkpointing.latest_step(self.run_dir), 2)

  def test_restore_rejects_other_dtype(self):
    checkpointing.save_checkpoint(self.run_dir, {"x": jnp.zeros(3)}, 1)
    with self.assertRaisesRegex(ValueError, r"\['x'\].*float32.*int32"):
      checkpointing.restore_checkpoint(self.run_dir,
                                       {"x": jnp.zeros(3, jnp.int32)})

  def test_restore_rejects_other_structure(self):
    checkpointing.save_checkpoint(self.run_dir, {"x": (jnp.zeros(3),)}, 1)
    with self.assertRaisesRegex(ValueError, r"tree structure"):
      checkpointing.restore_checkpoint(self.run_dir, {"x": [jnp.zeros(3)]})

  def test_restore_without_checkpoint_raises(self):
    with self.assertRaises(FileNotFoundError):
      checkpointing.restore_checkpoint(self.run_dir, _state(0))


class ExperimentTest(absltest.TestCase):

  def setUp(self):
    super().setUp()
    self.base = _tempdir(self)
    self.config = _Config(run_dir=self.base, total_steps=3000,
                          threshold=-100.0, progress=False)

  def _train(self, exp, steps_and_returns, save=True):
    for step, returns in steps_and_returns:
      exp.record(step, jnp.asarray(returns, jnp.float32))
      if save:
        exp.save(_state(step), step)

  def test_run_folder_files(self):
    exp = common.Experiment("toy", self.config)
    state, step = exp.restore(_state(0))
    self.assertEqual(step, 0)
    self._train(exp, [(1000, [-300.0, -200.0]), (2000, [-90.0, -50.0])])
    summary = exp.finish(state, 3000)
    path = summary["run_dir"]
    self.assertRegex(os.path.basename(path),
                     r"^toy-Pendulum-v1-0-\d{8}-\d{6}$")
    self.assertEqual(os.path.dirname(path), self.base)
    with open(os.path.join(path, "evals.csv")) as f:
      rows = list(csv.reader(f))
    self.assertEqual(rows[0], ["step", "eval_return", "wall_s"])
    self.assertEqual([(r[0], float(r[1])) for r in rows[1:]],
                     [("1000", -250.0), ("2000", -70.0)])
    with open(os.path.join(path, "learning_curve.png"), "rb") as f:
      self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
    with open(os.path.join(path, "summary.json")) as f:
      on_disk = json.load(f)
    for key in ("algo", "env", "seed", "total_steps", "final_eval_return",
                "wall_s", "compile_s", "steps_per_s", "time_to_threshold_s",
                "config"):
      self.assertIn(key, on_disk)
    self.assertEqual((on_disk["algo"], on_disk["total_steps"],
                      on_disk["final_eval_return"]), ("toy", 3000, -70.0))
    self.assertEqual(on_disk["config"]["hidden_sizes"], [64, 64])
    self.assertEqual(on_disk["time_to_threshold_s"],
                     float(rows[2][2]))  # The first eval >= -100.
    self.assertEqual(checkpointing.latest_step(path), 3000)

  def test_time_to_threshold_is_null_when_not_reached(self):
    exp = common.Experiment("toy", self.config)
    self._train(exp, [(1000, [-300.0])])
    self.assertIsNone(exp.finish(_state(0), 1000)["time_to_threshold_s"])

  def test_compile_measures_aot_compilation(self):
    exp = common.Experiment("toy", self.config)
    compiled = exp.compile(lambda x: x * 2, jnp.ones(3))
    np.testing.assert_array_equal(compiled(jnp.ones(3)), 2 * jnp.ones(3))
    self.assertGreater(exp.compile_s, 0.0)

  def test_resume_continues_state_and_evals(self):
    exp = common.Experiment("toy", self.config)
    self._train(exp, [(1000, [-300.0]), (2000, [-250.0])])
    self._train(exp, [(2500, [-1.0])], save=False)  # Killed before saving.
    resumed_config = dataclasses.replace(self.config, resume=exp.path)
    exp2 = common.Experiment("toy", resumed_config)
    state, step = exp2.restore(_state(0))
    self.assertEqual(step, 2000)
    self.assertEqual(_leaf_bytes(state["buffer"]["obs"]),
                     _leaf_bytes(_state(2000)["buffer"]["obs"]))
    self._train(exp2, [(3000, [-200.0])])
    summary = exp2.finish(state, 3000)
    with open(os.path.join(exp.path, "evals.csv")) as f:
      steps = [row["step"] for row in csv.DictReader(f)]
    self.assertEqual(steps, ["1000", "2000", "3000"])
    self.assertEqual(summary["run_dir"], exp.path)
    self.assertIsNone(summary["time_to_threshold_s"])

  def test_resume_rechecks_evals_against_new_threshold(self):
    exp = common.Experiment("toy", self.config)
    self._train(exp, [(1000, [-300.0]), (2000, [-250.0])])
    resumed = common.Experiment("toy", dataclasses.replace(
        self.config, resume=exp.path, threshold=-260.0))
    resumed.restore(_state(0))
    self.assertEqual(resumed.time_to_threshold_s, exp.evals[1][2])

  def test_resume_rejects_another_algorithm(self):
    exp = common.Experiment("toy", self.config)
    self._train(exp, [(1000, [-300.0])])
    other = common.Experiment(
        "other", dataclasses.replace(self.config, resume=exp.path))
    with self.assertRaisesRegex(ValueError, r"is toy on Pendulum-v1, not oth"):
      other.restore(_state(0))


if __name__ == "__main__":
  absltest.main()
