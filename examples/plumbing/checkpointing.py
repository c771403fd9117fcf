"""Atomic checkpoints of an agent's whole training state, for the examples.

A checkpoint holds any pytree of arrays (params, target params, optax states,
normaliser state, RNG key, step counter, replay buffer) plus a small JSON
`meta` dict (evaluations so far, clocks). It is written by orbax-checkpoint to
a temporary folder that is renamed into place once complete, so a run killed
at any moment leaves the previous checkpoint intact; a leftover temporary
folder is ignored by restore and removed by the next save. Older checkpoints
are deleted only after the new one is committed.

Restore is always against a target tree built by the agent's own init, which
fixes the tree structure (NamedTuple optax states included). Orbax checks
shapes but silently casts dtypes and does not tell a tuple from a list, so
each checkpoint also stores a fingerprint (`str(treedef)` and every leaf's
path, shape and dtype) that is compared with the target's first. Orbax
refuses arrays with no elements (MJX keeps some, e.g. the actuator state of a
model without actuators): they hold no values, so they are left out of the
saved arrays and taken from the target on restore.

Layout: `<run_dir>/checkpoints/<step>/{state,meta}`.
"""

import os
from typing import Any, NamedTuple

import jax
import numpy as np
import orbax.checkpoint as ocp

_SUBDIR = "checkpoints"


class Restored(NamedTuple):
  """What `restore_checkpoint` returns."""

  state: Any
  step: int
  meta: dict


def _fingerprint(tree: Any) -> dict:
  """The treedef and each leaf's path, shape and dtype, JSON-friendly."""
  leaves = jax.tree_util.tree_flatten_with_path(tree)[0]
  return {
      "treedef":
          str(jax.tree.structure(tree)),
      "leaves": [[
          jax.tree_util.keystr(path),
          list(np.shape(leaf)),
          str(getattr(leaf, "dtype",
                      type(leaf).__name__))
      ] for path, leaf in leaves],
  }


def _manager(run_dir: str, keep: int = 1) -> ocp.CheckpointManager:
  options = ocp.CheckpointManagerOptions(
      max_to_keep=keep, enable_async_checkpointing=False)
  path = os.path.abspath(os.path.join(run_dir, _SUBDIR))
  return ocp.CheckpointManager(path, options=options)


def latest_step(run_dir: str) -> int | None:
  """Returns the newest complete checkpoint's step in `run_dir`, or None."""
  if not os.path.isdir(os.path.join(run_dir, _SUBDIR)):
    return None
  manager = _manager(run_dir)
  try:
    return manager.latest_step()
  finally:
    manager.close()


def save_checkpoint(run_dir: str,
                    state: Any,
                    step: int,
                    *,
                    meta: dict | None = None,
                    keep: int = 1) -> str:
  """Writes `state` atomically as the checkpoint for `step`.

  Args:
    run_dir: the run folder; the checkpoint goes to `<run_dir>/checkpoints/`.
    state: any pytree of arrays; saved bitwise.
    step: the environment step count; it names the checkpoint.
    meta: a JSON-serialisable dict saved alongside (e.g. evaluations so far).
    keep: how many of the newest checkpoints to keep.

  Returns:
    The path of the written checkpoint folder.

  Raises:
    ValueError: if `keep` < 1, or a checkpoint for `step` already exists.
    TypeError: if `meta` is not JSON-serialisable (nothing is committed).
  """
  if keep < 1:
    raise ValueError(f"save_checkpoint: `keep` must be >= 1, got keep={keep}.")
  manager = _manager(run_dir, keep)
  try:
    if step in manager.all_steps():
      raise ValueError(f"save_checkpoint: a checkpoint for step={step} "
                       f"already exists in {run_dir}; save a later step.")
    meta = dict(meta or {}, step=int(step), fingerprint=_fingerprint(state))
    manager.save(
        int(step),
        args=ocp.args.Composite(
            state=ocp.args.StandardSave(_non_empty(state)),
            meta=ocp.args.JsonSave(meta)))
    manager.wait_until_finished()
  finally:
    manager.close()
  return os.path.join(run_dir, _SUBDIR, str(step))


def restore_checkpoint(run_dir: str,
                       target_state: Any,
                       *,
                       step: int | None = None) -> Restored:
  """Restores a checkpoint into the structure of `target_state`.

  Args:
    run_dir: the run folder given to `save_checkpoint`.
    target_state: a pytree with the saved state's structure, shapes and
      dtypes, e.g. from the agent's init; its values are not used.
    step: which checkpoint; the newest complete one if None.

  Returns:
    `Restored(state, step, meta)`: `state` has `target_state`'s treedef and
    the saved leaves bitwise; `meta` is the dict given to `save_checkpoint`
    plus `step` and `fingerprint`.

  Raises:
    FileNotFoundError: if `run_dir` holds no complete checkpoint (for `step`).
    ValueError: if the saved treedef, leaf shapes or dtypes differ from
      `target_state`'s.
  """
  manager = _manager(run_dir)
  try:
    step = manager.latest_step() if step is None else step
    if step is None or step not in manager.all_steps():
      raise FileNotFoundError(
          f"restore_checkpoint: no complete checkpoint (step={step}) in "
          f"{os.path.join(run_dir, _SUBDIR)}; pass the folder given to "
          "save_checkpoint.")
    meta = manager.restore(
        step, args=ocp.args.Composite(meta=ocp.args.JsonRestore()))["meta"]
    _check_fingerprint(meta["fingerprint"], _fingerprint(target_state))
    state = manager.restore(
        step,
        args=ocp.args.Composite(
            state=ocp.args.StandardRestore(_non_empty(target_state))))["state"]
    leaves, treedef = jax.tree.flatten(target_state)
    state = treedef.unflatten(
        [state.get(str(i), leaf) for i, leaf in enumerate(leaves)])
  finally:
    manager.close()
  return Restored(state, int(step), meta)


def _non_empty(tree: Any) -> dict[str, Any]:
  """The leaves with elements, keyed by their index among all leaves."""
  return {
      str(i): leaf
      for i, leaf in enumerate(jax.tree.leaves(tree))
      if np.size(leaf)
  }


def _check_fingerprint(saved: dict, target: dict) -> None:
  for saved_leaf, target_leaf in zip(saved["leaves"], target["leaves"]):
    if saved_leaf != target_leaf:
      raise ValueError(
          f"restore_checkpoint: the saved leaf (path, shape, dtype) "
          f"{saved_leaf} differs from the target's {target_leaf}; build "
          "`target_state` with the saved run's config.")
  if saved["treedef"] != target["treedef"]:
    raise ValueError(
        "restore_checkpoint: the saved tree structure differs from "
        f"`target_state`'s:\n  saved:  {saved['treedef']}\n"
        f"  target: {target['treedef']}")
