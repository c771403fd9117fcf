"""Tests for examples/plumbing/checkpointing.py: atomic, exact, checked."""

import os

from absl.testing import absltest
import jax
import jax.numpy as jnp
import optax

from examples.plumbing import checkpointing
import plumbing_testing


class CheckpointTest(absltest.TestCase):

  def setUp(self):
    super().setUp()
    self.run_dir = plumbing_testing.tempdir(self)

  def test_round_trip_is_bitwise_with_same_treedef(self):
    saved = plumbing_testing.state(1)
    checkpointing.save_checkpoint(self.run_dir, saved, 10, meta={"a": [1, 2]})
    state, step, meta = checkpointing.restore_checkpoint(
        self.run_dir, plumbing_testing.state(0))
    self.assertEqual((step, meta["a"]), (10, [1, 2]))
    self.assertEqual(jax.tree.structure(state), jax.tree.structure(saved))
    self.assertIsInstance(state["opt_state"][0], optax.ScaleByAdamState)
    for got, want in zip(jax.tree.leaves(state), jax.tree.leaves(saved)):
      self.assertEqual(
          plumbing_testing.leaf_bytes(got), plumbing_testing.leaf_bytes(want))

  def test_keeps_only_the_last_checkpoint(self):
    for step in (1, 2, 3):
      checkpointing.save_checkpoint(self.run_dir, plumbing_testing.state(step),
                                    step)
    self.assertEqual(
        os.listdir(os.path.join(self.run_dir, "checkpoints")), ["3"])
    self.assertEqual(checkpointing.latest_step(self.run_dir), 3)

  def test_failed_save_leaves_previous_checkpoint_restorable(self):
    checkpointing.save_checkpoint(self.run_dir, plumbing_testing.state(1), 1)
    with plumbing_testing.quiet_absl(), self.assertRaises(
        TypeError):  # Dies mid-write.
      checkpointing.save_checkpoint(
          self.run_dir,
          plumbing_testing.state(2),
          2,
          meta={"unserialisable": object()})
    # A crash can also leave a half-written temporary folder with garbage.
    junk = os.path.join(self.run_dir, "checkpoints",
                        "3.orbax-checkpoint-tmp-123", "state")
    os.makedirs(junk)
    with open(os.path.join(junk, "manifest.ocdbt"), "wb") as f:
      f.write(b"\x00partial")
    self.assertTrue(
        any("tmp" in name
            for name in os.listdir(os.path.join(self.run_dir, "checkpoints"))))
    state, step, _ = checkpointing.restore_checkpoint(self.run_dir,
                                                      plumbing_testing.state(0))
    self.assertEqual(step, 1)
    self.assertEqual(
        plumbing_testing.leaf_bytes(state["params"]["torso"]["w"]),
        plumbing_testing.leaf_bytes(
            plumbing_testing.state(1)["params"]["torso"]["w"]))
    checkpointing.save_checkpoint(self.run_dir, plumbing_testing.state(2),
                                  2)  # Still works.
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

  def test_arrays_without_elements_round_trip(self):
    # Orbax refuses to save them; MJX states hold some (e.g. `data.act`).
    saved = {"x": jnp.arange(3.0), "empty": jnp.zeros((4, 0), jnp.int32)}
    checkpointing.save_checkpoint(self.run_dir, saved, 1)
    state = checkpointing.restore_checkpoint(self.run_dir, {
        "x": jnp.zeros(3),
        "empty": jnp.ones((4, 0), jnp.int32)
    }).state
    self.assertEqual(
        plumbing_testing.leaf_bytes(state["x"]),
        plumbing_testing.leaf_bytes(saved["x"]))
    self.assertEqual(
        plumbing_testing.leaf_bytes(state["empty"]),
        plumbing_testing.leaf_bytes(saved["empty"]))

  def test_restore_without_checkpoint_raises(self):
    with self.assertRaises(FileNotFoundError):
      checkpointing.restore_checkpoint(self.run_dir, plumbing_testing.state(0))


if __name__ == "__main__":
  absltest.main()
