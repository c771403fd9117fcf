"""One training run: its folder, clocks, evaluations and checkpoints.

The folder `<run_dir>/<algo>-<env>-<seed>-<YYYYmmdd-HHMMSS>/` (or the
`--resume` folder) receives `config.json` (the algorithm and every flag, read
back by `--resume`), `evals.csv` (step, mean eval return, wall_s and each
episode's return), `learning_curve.png`, `checkpoints/` and, at the end,
`summary.json`. Each checkpoint carries the evals and clocks so far, so a
resumed run continues all of them.

With several processes (`distributed`), process 0 names and writes the folder
and its files; the others learn its path from it, and every process takes
part in the checkpoints (orbax writes each process's shards of the state,
process 0 the rest), so the folder must be on a file system they all see.
"""

import csv
import dataclasses
import json
import os
import time
from typing import Any, Callable

import jax
import numpy as np

from examples.plumbing import checkpointing
from examples.plumbing import distributed
from examples.plumbing import flags
from examples.plumbing import report

_HOST_FILE = "host_envs-{step}.pkl"  # Beside each checkpoint (host envs).


class Experiment:
  """A run's folder, clocks (wall, compile), evals and checkpoints.

  The clock starts at `start` (default: creation): `wall_s` and
  `time_to_threshold_s` count set-up and compilation. `compile_s` is exact: functions passed through
  `compile` are compiled ahead of time and timed. `steps_per_s` is this
  session's steps over its wall time less its compile time (evaluation and
  checkpointing included). After `--resume`, `wall_s` and `compile_s` add
  those of the checkpointed sessions.
  """

  def __init__(self,
               algo: str,
               config: Any,
               threshold: float | None,
               *,
               start: float | None = None):
    """Starts the clock and makes the run folder (unless resuming).

    Args:
      algo: the algorithm's short name, e.g. "sac"; it names the folder.
      config: a `flags.CommonConfig` (subclass) instance.
      threshold: the eval return counted as solved (None: never).
      start: when the run started (`time.perf_counter()`), if before now.
    """
    self._start = time.perf_counter() if start is None else start
    self.algo, self.config, self.threshold = algo, config, threshold
    self.evals: list[tuple[int, list[float], float]] = []
    self.time_to_threshold_s: float | None = None
    self._wall_before = self._compile_before = self.compile_s = 0.0
    self.start_step = 0
    self.primary = distributed.is_primary()  # Writes the folder's files.
    if config.resume:  # Its flags may differ only in RESUMABLE_FLAGS.
      self.path = config.resume
      if self.primary:  # A raised --total-steps holds for later resumes.
        self._write_config()
      return
    if not self.primary:
      self.path = distributed.broadcast_path(None)
      return
    stem = os.path.join(
        config.run_dir, f"{algo}-{config.env.replace(':', '-')}"
        f"-{config.seed}-{time.strftime('%Y%m%d-%H%M%S')}")
    self.path, n = stem, 1
    while os.path.exists(self.path):  # Two runs started in one second.
      n += 1
      self.path = f"{stem}-{n}"
    os.makedirs(self.path)
    self._write_config()
    self._write_csv()
    self.path = distributed.broadcast_path(self.path)

  @property
  def wall_s(self) -> float:
    """Seconds since the run started, summed over resumed sessions."""
    return self._wall_before + time.perf_counter() - self._start

  def restore(self, target_state: Any, host: Any = None) -> tuple[Any, int]:
    """Returns the `--resume` checkpoint's `(state, step)`, else `(target, 0)`.

    Args:
      target_state: the agent's initial state (structure, shapes, dtypes).
      host: the training `Env.host` (its environments' state is restored).

    Raises:
      FileNotFoundError: if the resumed folder holds no checkpoint.
      ValueError: if its state does not match `target_state`.
    """
    if not self.config.resume:
      return target_state, 0
    state, step, meta = checkpointing.restore_checkpoint(
        self.path, target_state)
    if host is not None:
      with open(os.path.join(self.path, _HOST_FILE.format(step=step)),
                "rb") as f:
        host.restore(f.read())
    if self.primary:  # The others evaluate nothing.
      self.evals = [(s, r, w) for s, r, w in meta["evals"]]
    self._wall_before, self._compile_before = meta["wall_s"], meta["compile_s"]
    self.compile_s += self._compile_before
    self.time_to_threshold_s = next(  # Against this session's threshold.
        (w for _, r, w in self.evals if self._solved(r)), None)
    self.start_step = step
    if self.primary:
      self._write_csv()  # Drops rows logged after the checkpoint.
    return state, step

  def compile(self, fn: Callable[..., Any], *args, **kwargs) -> Any:
    """Compiles `fn` (jitted or not) ahead of time for these arguments.

    Adds the time taken (tracing, lowering, compiling) to `compile_s`.

    Returns:
      The compiled function: call it with the non-static arguments only.
    """
    start = time.perf_counter()
    jitted = fn if hasattr(fn, "lower") else jax.jit(fn)
    compiled = jitted.lower(*args, **kwargs).compile()
    self.compile_s += time.perf_counter() - start
    return compiled

  def record(self, step: int, eval_returns: Any) -> float:
    """Logs the `[E]` eval returns at `step`; returns their mean."""
    returns = [float(r) for r in np.asarray(eval_returns)]  # Waits for them.
    wall = self.wall_s
    self.evals.append((int(step), returns, wall))
    if self.time_to_threshold_s is None and self._solved(returns):
      self.time_to_threshold_s = wall
    with open(os.path.join(self.path, "evals.csv"), "a", newline="") as f:
      csv.writer(f).writerow(_row(int(step), returns, wall))
    return float(np.mean(returns))

  def save(self, state: Any, step: int, host: Any = None) -> None:
    """Checkpoints `state` (and `host`'s envs) with the evals and clocks.

    Every process calls it (process 0's evals and clocks are the ones kept).
    """
    meta = dict(
        algo=self.algo,
        env=self.config.env,
        evals=self.evals,
        wall_s=self.wall_s,
        compile_s=self.compile_s)
    if host is not None:  # One file per step, complete before it counts.
      _write_atomically(
          os.path.join(self.path, _HOST_FILE.format(step=step)),
          host.snapshot())
    checkpointing.save_checkpoint(self.path, state, step, meta=meta)
    if host is not None:  # The checkpoint is committed: older files go.
      for name in os.listdir(self.path):
        if (name.startswith("host_envs-") and
            name != _HOST_FILE.format(step=step)):
          os.remove(os.path.join(self.path, name))

  def finish(self, step: int) -> dict[str, Any]:
    """Writes the plot and summary.json (process 0); returns the summary.

    Returns:
      algo, env, seed, total_steps (the final `step`), final_eval_return
      (mean of the last eval, or None), wall_s, compile_s, steps_per_s,
      threshold, time_to_threshold_s (None if never reached), run_dir and
      config (the config as a dict).
    """
    wall_s, session_s = self.wall_s, time.perf_counter() - self._start
    running_s = session_s - (self.compile_s - self._compile_before)
    if self.primary:
      report.plot_learning_curve(
          os.path.join(self.path,
                       "learning_curve.png"), self.evals, self.threshold,
          f"{self.algo} on {self.config.env}, seed {self.config.seed}")
    summary = dict(
        algo=self.algo,
        env=self.config.env,
        seed=self.config.seed,
        total_steps=int(step),
        final_eval_return=(float(np.mean(self.evals[-1][1]))
                           if self.evals else None),
        wall_s=wall_s,
        compile_s=self.compile_s,
        steps_per_s=(step - self.start_step) / max(running_s, 1e-9),
        threshold=self.threshold,
        time_to_threshold_s=self.time_to_threshold_s,
        run_dir=self.path,
        config=dataclasses.asdict(self.config))
    if self.primary:
      with open(os.path.join(self.path, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    return summary

  def _solved(self, returns: list[float]) -> bool:
    return self.threshold is not None and np.mean(returns) >= self.threshold

  def _write_config(self) -> None:
    text = json.dumps(
        dict(algo=self.algo, config=dataclasses.asdict(self.config)), indent=2)
    _write_atomically(os.path.join(self.path, flags.CONFIG_FILE), text.encode())

  def _write_csv(self) -> None:
    episodes = self.config.eval_episodes
    with open(os.path.join(self.path, "evals.csv"), "w", newline="") as f:
      writer = csv.writer(f)
      writer.writerow(["step", "eval_return", "wall_s"] +
                      [f"return_{i}" for i in range(episodes)])
      writer.writerows(_row(s, r, w) for s, r, w in self.evals)


def _write_atomically(path: str, data: bytes) -> None:
  """Writes `path` whole or not at all (a temporary file, then a rename)."""
  with open(path + ".tmp", "wb") as f:
    f.write(data)
  os.replace(path + ".tmp", path)


def _row(step: int, returns: list[float], wall: float) -> list[Any]:
  return [step, float(np.mean(returns)), wall] + returns
