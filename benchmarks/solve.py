"""Time to solve Pendulum-v1: wall time to the first evaluation >= -200.

Every run starts a fresh process; its clock starts before the environment is
created (imports excluded) and stops when the first evaluation whose mean
return over 10 deterministic episodes reaches -200 has finished, so set-up,
compilation, every evaluation and all training so far are included.

* the main job: `python -m examples.sac` at its defaults, run as a user runs
  it (a process of its own, the command line, its XLA cache), twice per seed
  in the same new --run-dir: first with an empty XLA cache (a first run on a
  machine), then again with the programs the first one cached. The figure is
  its summary's `time_to_threshold_s`; "whole run wall s" is the process's
  whole wall time, Python's start and imports included.
* ours: each example's `run(Config(...))` with the settings in `OURS` (edit
  them when an example documents faster ones); the figure is its summary's
  `time_to_threshold_s` and the step is the first such row of its evals.csv.
  The examples do not stop at the threshold, so a run goes on to its
  `total_steps` (not counted).
* SBX and SB3 SAC with `PEER_SETTINGS` (section 2's settings), evaluated on
  gymnasium every 1,000 steps by a callback that stops training at the first
  solve, at most `CAP` steps.

Medians are over seeds 0..n-1, an unsolved run counting as infinitely slow
(so the median is "not solved" when half or more of the runs fail).
"""

import json
import math
import os
import subprocess
import sys
import tempfile
import time

from benchmarks import harness

TITLE = "Time to solve Pendulum-v1 (first eval >= -200)"
REPEATS = (1, 3)  # Seeds.
THRESHOLD = -200.0
CAP = (1_000, 10_000)  # Peers' step cap: quick, full.
EVAL_EVERY = 1_000  # Peers' evaluation period.
PEER_SETTINGS = dict(learning_starts=1_000, buffer_size=100_000)
# The main job, `python -m examples.sac` at its defaults: a first run (its XLA
# cache empty), then a second in the same --run-dir (the cache warm).
MAIN_JOB = ("ours SAC main job, `python -m examples.sac`, first run",
            "ours SAC main job, rerun (XLA cache of the first)")
MAIN_JOB_STEPS = (1_000, 10_000)  # quick, full
MAIN_JOB_TARGET_S = 10.0
MAIN_JOB_FINAL = -150.0
# Ours: (example, Config overrides, quick overrides).
OURS = {
    "ours TD3 (64x64, lr 1e-3, starts 500, 2 updates/step, eval every 500)":
        ("td3",
         dict(
             hidden_sizes=(64, 64),
             actor_lr=1e-3,
             critic_lr=1e-3,
             learning_starts=500,
             updates_per_step=2,
             eval_every=500,
             total_steps=6_000), dict(total_steps=1_000)),
    "ours PPO (ppo.py defaults)": ("ppo", dict(), dict(total_steps=65_536)),
    "ours REINFORCE (defaults, on Pendulum-v1)":
        ("reinforce",
         dict(env="Pendulum-v1", total_steps=300_000,
              eval_every=20_000), dict(total_steps=20_000, eval_every=20_000)),
}


def run_main_job(seed: int, run_dir: str, total_steps: int) -> dict:
  """`python -m examples.sac --seed SEED` as a user runs it, in `run_dir`.

  Its XLA cache is `run_dir/xla_cache`: empty in a new `run_dir`, else
  holding the programs of the runs before (the same for every seed).
  """
  start = time.perf_counter()
  subprocess.run(
      [
          sys.executable, "-m", "examples.sac", "--seed",
          str(seed), "--total-steps",
          str(total_steps), "--run-dir", run_dir, "--no-progress"
      ],
      cwd=harness.ROOT,
      env={  # Its own XLA cache, not one set for this process.
          k: v
          for k, v in os.environ.items()
          if k != "JAX_COMPILATION_CACHE_DIR"
      },
      check=True,
      capture_output=True,
      timeout=600)
  process_s = time.perf_counter() - start
  folder = max((os.path.join(run_dir, d)
                for d in os.listdir(run_dir)
                if d.startswith("sac-")),
               key=os.path.getmtime)
  with open(os.path.join(folder, "summary.json")) as f:
    summary = json.load(f)
  return dict(
      **_our_solve(summary, harness.read_evals(folder)),
      final_eval_return=summary["final_eval_return"],
      compile_s=summary["compile_s"],
      run_wall_s=summary["wall_s"],
      wall_s=process_s)


def run_ours(example: str, settings: dict, seed: int) -> dict:
  summary, evals, _ = harness.run_example(example, dict(settings, seed=seed))
  return dict(
      **_our_solve(summary, evals),
      total_steps=summary["total_steps"],
      wall_s=summary["wall_s"])


def _our_solve(summary: dict, evals: list) -> dict:
  """A run's time to solve, its step and the eval return there (or last)."""
  solved = next((e for e in evals if e[1] >= THRESHOLD), None)
  return dict(
      time_s=summary["time_to_threshold_s"],
      step=solved[0] if solved else None,
      eval_return=solved[1] if solved else evals[-1][1])


def run_peer(library: str, cap: int, seed: int) -> dict:
  """SBX or SB3 SAC, evaluated every 1k steps, stopped at the first solve."""
  # pylint: disable=g-import-not-at-top
  import gymnasium as gym
  from stable_baselines3.common.callbacks import BaseCallback
  lib, extra = harness.peer(library)
  start = time.perf_counter()
  evals = []

  class EvalAndStop(BaseCallback):

    def _on_step(self) -> bool:
      if self.num_timesteps % EVAL_EVERY:
        return True
      policy = lambda o: self.model.predict(o, deterministic=True)[0]
      mean = harness.gym_eval(policy, seed=10_000 + self.num_timesteps)
      evals.append((self.num_timesteps, mean, time.perf_counter() - start))
      return mean < THRESHOLD

  env = gym.make("Pendulum-v1")
  model = lib.SAC(
      "MlpPolicy", env, seed=seed, verbose=0, **PEER_SETTINGS, **extra)
  model.learn(total_timesteps=cap, callback=EvalAndStop())
  solved = next((e for e in evals if e[1] >= THRESHOLD), None)
  return dict(
      time_s=solved[2] if solved else None,
      step=solved[0] if solved else None,
      eval_return=(solved or evals[-1])[1] if evals else None,
      total_steps=model.num_timesteps,
      wall_s=time.perf_counter() - start)


def _median_or_inf(values: list) -> float | None:
  """Median with unsolved (None) runs as +inf; None if no runs at all."""
  numbers = [math.inf if v is None else v for v in values]
  return harness.median(numbers) if numbers else None


def run(full: bool, repeats: int) -> dict:
  """Runs each agent on seeds 0..repeats-1, interleaved; returns the section."""
  systems = {
      name: ("run_ours",
             dict(
                 example=example,
                 settings=settings if full else {
                     **settings,
                     **quick
                 })) for name, (example, settings, quick) in OURS.items()
  }
  systems["SBX SAC"] = ("run_peer", dict(library="sbx", cap=CAP[full]))
  systems["SB3 SAC (torch, 2 threads)"] = ("run_peer",
                                           dict(library="sb3", cap=CAP[full]))
  results = {name: [] for name in (*MAIN_JOB, *systems)}
  for seed in range(repeats):
    with tempfile.TemporaryDirectory(prefix="hp-main-job-") as run_dir:
      for name in MAIN_JOB:  # An empty XLA cache, then the same one again.
        try:
          results[name].append(
              run_main_job(seed, run_dir, MAIN_JOB_STEPS[full]))
        except subprocess.CalledProcessError as e:
          results[name].append(
              {"error": e.stderr.decode().strip().splitlines()[-1]})
    for name, (function, kwargs) in systems.items():
      results[name].append(
          harness.isolated(f"benchmarks.solve:{function}", seed=seed, **kwargs))
  rows = []
  sbx_time = None
  for name in ["SBX SAC"] + [n for n in results if n != "SBX SAC"]:
    runs = [r for r in results[name] if "error" not in r]
    time_s = _median_or_inf([r["time_s"] for r in runs])
    if name == "SBX SAC":
      sbx_time = time_s
    rows.append([
        name, time_s,
        _median_or_inf([r["step"] for r in runs]),
        f"{sum(r['time_s'] is not None for r in runs)}/{len(runs)}",
        harness.ratio(sbx_time, time_s)
        if math.isfinite(sbx_time or math.inf) and
        math.isfinite(time_s or math.inf) else None,
        harness.median([r["eval_return"] for r in runs]),
        harness.median([r["wall_s"] for r in runs]),
        len(runs), "; ".join(r["error"] for r in results[name] if "error" in r)
    ])
  return dict(
      title=TITLE,
      method=__doc__.split("\n\n", 1)[1],
      tables=[
          dict(
              caption="Medians over n seeds; 'not solved': not within the "
              f"budget (peers capped at {CAP[full]:,} steps). × SBX = SBX's time "
              "/ this time (> 1: faster than SBX).",
              columns=[
                  "system", "time to solve s", "steps to solve", "solved",
                  "× SBX speed", "eval return at solve (or last)",
                  "whole run wall s", "n", "errors"
              ],
              rows=rows)
      ],
      targets=_main_job_targets(results),
      raw=results)


def _main_job_targets(results: dict) -> list[dict]:
  """The main job solves in <= 10 s and ends >= -150 (medians), per cache."""
  targets = []
  for name in MAIN_JOB:
    runs = [r for r in results[name] if "error" not in r]
    time_s = _median_or_inf([r["time_s"] for r in runs])
    final = harness.median([r["final_eval_return"] for r in runs])
    targets += [
        dict(
            name=f"{name}: time to solve, s (median)",
            target=f"<= {MAIN_JOB_TARGET_S}",
            value=time_s,
            met=time_s is not None and time_s <= MAIN_JOB_TARGET_S),
        dict(
            name=f"{name}: final eval return (median)",
            target=f">= {MAIN_JOB_FINAL}",
            value=final,
            met=final is not None and final >= MAIN_JOB_FINAL)
    ]
  return targets
