"""GPU readiness: the throughput figures on an accelerator, in one command.

  python -m benchmarks.gpu                       # a GPU or TPU, under 5 minutes
  python -m benchmarks.gpu --allow-cpu --quick   # a check of this script on CPU

On jax's default backend, which must be a GPU or TPU (`--allow-cpu --quick`
checks the script on CPU, with small budgets), one invocation measures three
throughput figures with the other sections' code, every point in a fresh
process, each figure beside a baseline or peer measured by the same
invocation:

* PPO scaling (`scaling.measure`: `ppo.py` at its defaults except `num_envs`,
  `train` compiled ahead of time, one warm-up chunk, then `scaling.CHUNKS`
  timed chunks of at least one iteration each) at 1,024, 4,096, 16,384 and
  65,536 environments on one device, 2**22 timed steps per point (at least
  four iterations); steps/s relative to the smallest number of environments.
* SAC at SBX's Pendulum-v1 settings, 5,000 steps: ours fully jitted
  (`sac_peers.run_ours_jitted`: `sac.run` on gymnax, one `lax.scan` per 1,000
  steps) beside SBX (`sac_peers.run_peer`: gymnasium's Pendulum-v1 stepped on
  the host, SBX's networks on the same accelerator through JAX); steady
  steps/s and the final evaluation as in the sac section. Without SBX
  installed its row says so and ours stands alone.
* One process against two, with two or more devices: PPO at 65,536
  environments in one process on one device (the scaling point), in one
  process on two devices (`--num-devices 2`), and in two processes of one GPU
  each (`--num-processes 2`, `jax.distributed`, NCCL), run by
  `processes.point` (each of the two processes given its GPU by
  `jax_cuda_visible_devices`). Skipped, with a message, on one device and on
  TPU.

`--quick` uses 64 and 256 environments, 2**14 timed steps per point and 2,000
SAC steps. A deadline bounds the whole invocation (285 s, or 120 s with
`--quick`; `--deadline-s`). Points run in order of importance: the smallest
and the largest PPO points, SAC, the processes, then the PPO points between;
a point starts only while the time left is at least the longest point of its
kind so far (of any kind before the first; 15 s before any), each process is
killed at the deadline, and the points not started are listed.

Machine facts recorded besides the CPU, cores and load every section records:
jax's default backend and version, and the devices from `jax.devices()`
(count, `device_kind`, and the memory XLA may allocate on the first), listed
in a child process so that this one never holds accelerator memory.
"""

import argparse
import functools
import importlib.util
import sys
import time
from typing import Callable

import jax

from benchmarks import harness
from benchmarks import processes
from benchmarks import run as runner
from benchmarks import sac_peers
from benchmarks import scaling

TITLE = "GPU: PPO env scaling, SAC vs SBX, 2 processes vs 1 (accelerator)"
REPEATS = (1, 1)
ACCELERATORS = ("gpu", "tpu")
NUM_ENVS = ((64, 256), (1_024, 4_096, 16_384, 65_536))  # quick, full
BUDGET = (2**14, 2**22)  # Timed PPO steps per point: quick, full.
SAC_STEPS = (2_000, 5_000)
SAC_SYSTEMS = ("ours, sac.run (gymnax, jitted)", "SBX")  # sac_peers.SYSTEMS
DEADLINE_S = (120, 285)
FIRST_POINT_S = 15  # The time a point is assumed to take before any ran.
# processes.MODES on real devices.
MODES = dict(
    zip(processes.MODES, ("1 process, 1 device", "1 process, 2 devices",
                          "2 processes, 1 device each")))


def devices() -> dict:
  """jax's default backend and its devices (called in a child process)."""
  found = jax.devices()
  try:
    limit = (found[0].memory_stats() or {}).get("bytes_limit")
  except (NotImplementedError, RuntimeError):  # Not every backend has them.
    limit = None
  return dict(
      backend=jax.default_backend(),
      count=len(found),
      kinds=sorted({d.device_kind for d in found}),
      memory_gib=limit / 2**30 if limit else None,
      jax=jax.__version__)


class Deadline:
  """Starts points while there is time left for them; lists those it skips."""

  def __init__(self, seconds: float):
    self.end = time.perf_counter() + seconds
    self.took: dict[str, float] = {}  # The longest point of each kind.
    self.skipped: list[str] = []

  def left(self) -> float:
    return self.end - time.perf_counter()

  def point(self, kind: str, label: str, call: Callable[..., dict]) -> dict:
    """`call(timeout=seconds left)` if its kind's longest point fits.

    Returns:
      The call's result, or `{"error": "skipped: ..."}` when not started.
    """
    left = max(0.0, self.left())
    need = self.took.get(kind, max(self.took.values(), default=FIRST_POINT_S))
    if left < need:
      self.skipped.append(label)
      _say(f"skipped {label}: {left:.0f} s left, it needs about {need:.0f} s")
      return {"error": f"skipped: {left:.0f} s left of the deadline"}
    _say(f"{label} ({left:.0f} s left)")
    start = time.perf_counter()
    result = call(timeout=left)
    took = time.perf_counter() - start
    self.took[kind] = max(self.took.get(kind, 0.0), took)
    rate = result.get("steps_per_s")
    _say(f"  {f'{rate:,.0f} steps/s' if rate else result.get('error')} "
         f"({took:.0f} s)")
    return result


def run(full: bool,
        repeats: int,
        allow_cpu: bool = False,
        deadline_s: float | None = None) -> dict:
  """Measures every point `repeats` times (interleaved); returns the section.

  Raises:
    SystemExit: if jax's default backend is not a GPU or TPU, unless
      `allow_cpu` and not `full`; or if the devices cannot be listed.
  """
  deadline = Deadline(deadline_s or DEADLINE_S[full])
  facts = harness.isolated("benchmarks.gpu:devices", timeout=deadline.left())
  if "error" in facts:
    raise SystemExit(f"benchmarks.gpu: listing jax's devices failed: "
                     f"{facts['error']}")
  backend, count = facts["backend"], facts["count"]
  memory = f", {facts['memory_gib']:.0f} GiB" if facts["memory_gib"] else ""
  _say(f"jax {facts['jax']}, default backend {backend}: {count} x "
       f"{', '.join(facts['kinds'])}{memory}")
  if backend not in ACCELERATORS and (full or not allow_cpu):
    raise SystemExit(
        f"benchmarks.gpu: jax's default backend is {backend!r}, not a GPU or "
        "TPU, so there is nothing to measure here. On a GPU machine install "
        "jax for it (e.g. pip install -U \"jax[cuda12]\") and check that "
        "`python -c 'import jax; print(jax.devices())'` lists the GPU; to "
        "check this script on CPU instead, run `python -m benchmarks.gpu "
        "--allow-cpu --quick` (small budgets, about 2 minutes).")
  num_envs, budget, steps = NUM_ENVS[full], BUDGET[full], SAC_STEPS[full]
  sbx = importlib.util.find_spec("sbx") is not None
  if not sbx:
    _say("SBX is not installed (pip install sbx-rl==0.28.0, in the bench "
         "extra): SAC is measured without its peer")
  why_not = _why_no_processes(backend, count)
  if why_not:
    _say(f"1 vs 2 processes: skipped, {why_not}")

  ppo_runs, sac_runs, process_runs = _measure(deadline, full, repeats, sbx,
                                              why_not)
  _say(f"done, {deadline.left():.0f} s of the deadline left; not started: "
       f"{'; '.join(deadline.skipped) or 'none'}")

  label = f"1 {backend} device"
  ppo = scaling.table({(label, n): ppo_runs[n] for n in num_envs}, [label],
                      num_envs)
  ppo["caption"] = (f"PPO (ppo.py defaults), {budget:,} timed steps per "
                    f"point (at least {scaling.CHUNKS} iterations). " +
                    ppo["caption"])
  tables = [
      _facts_table(facts, deadline, why_not), ppo,
      _sac_table(sac_runs, steps)
  ]
  if not why_not:
    results = {
        (MODES[processes.MODES[0]], num_envs[-1]): ppo_runs[num_envs[-1]]
    }
    results.update({
        (MODES[m], num_envs[-1]): runs for m, runs in process_runs.items()
    })
    table = processes.table(results, list(results))
    table["caption"] = (f"PPO at {num_envs[-1]:,} environments over the "
                        "devices; the one-device row is the scaling point. " +
                        table["caption"])
    tables.append(table)
  return dict(
      title=TITLE,
      method=__doc__.split("\n\n", 2)[2],
      tables=tables,
      targets=[],
      raw=dict(
          devices=facts,
          skipped=deadline.skipped,
          ppo=ppo_runs,
          sac=sac_runs,
          processes=process_runs))


def _measure(deadline: Deadline, full: bool, repeats: int, sbx: bool,
             why_not: str | None) -> tuple[dict, dict, dict]:
  """Every point, most important first: the runs of PPO, SAC and processes."""
  num_envs, budget, steps = NUM_ENVS[full], BUDGET[full], SAC_STEPS[full]
  ppo_runs = {n: [] for n in num_envs}
  sac_runs = {name: [] for name in SAC_SYSTEMS}
  process_runs = {mode: [] for mode in list(MODES)[1:]}
  ends = list(dict.fromkeys((num_envs[0], num_envs[-1])))
  for repeat in range(repeats):
    for n in ends:
      ppo_runs[n].append(_ppo_point(deadline, n, budget))
    for name in SAC_SYSTEMS:
      if name == "SBX" and not sbx:
        sac_runs[name].append({"error": "not installed"})
        continue
      function, kwargs = sac_peers.SYSTEMS[name]
      call = functools.partial(
          harness.isolated,
          f"benchmarks.sac_peers:{function}",
          steps=steps,
          seed=repeat,
          **kwargs)
      sac_runs[name].append(deadline.point("sac", f"SAC, {name}", call))
    for mode, runs in process_runs.items():
      if why_not:
        runs.append({"error": f"skipped: {why_not}"})
        continue
      call = functools.partial(
          processes.point, mode, num_envs[-1], budget, accelerator=True)
      runs.append(
          deadline.point(mode, f"PPO, {num_envs[-1]:,} envs, {MODES[mode]}",
                         call))
    for n in num_envs:
      if n not in ends:
        ppo_runs[n].append(_ppo_point(deadline, n, budget))
  return ppo_runs, sac_runs, process_runs


def _ppo_point(deadline: Deadline, num_envs: int, budget: int) -> dict:
  """`scaling.measure` at `num_envs` in a fresh process, if time is left."""
  return deadline.point(
      "ppo", f"PPO, {num_envs:,} envs",
      functools.partial(
          harness.isolated,
          "benchmarks.scaling:measure",
          num_envs=num_envs,
          budget=budget))


def _why_no_processes(backend: str, count: int) -> str | None:
  """Why 1 vs 2 processes cannot be measured here (None if it can)."""
  if count < 2:
    return f"one {backend} device"
  if backend != "gpu":
    return (f"{backend} devices (the processes section measures CPU ones; "
            "two processes on one TPU host are not set up here)")
  return None


def _facts_table(facts: dict, deadline: Deadline, why_not: str | None) -> dict:
  """The devices, the points not started and why processes were skipped."""
  return dict(
      caption="Devices and deadline.",
      columns=["quantity", "value"],
      rows=[["jax default backend", f"{facts['backend']} (jax {facts['jax']})"],
            ["devices", f"{facts['count']} x {', '.join(facts['kinds'])}"],
            ["memory XLA may allocate on device 0, GiB", facts["memory_gib"]],
            ["points not started (deadline)", "; ".join(deadline.skipped)],
            [
                "1 vs 2 processes",
                f"skipped: {why_not}" if why_not else "measured"
            ]])


def _sac_table(runs: dict[str, list[dict]], steps: int) -> dict:
  """A row per SAC system: steady steps/s beside SBX's, as the sac section."""

  def med(name, field):
    return harness.median([r.get(field) for r in runs[name]])

  rows = []
  for name in SAC_SYSTEMS:
    rate = med(name, "steps_per_s")
    errors = [r["error"] for r in runs[name] if "error" in r]
    rows.append([
        name, rate,
        med(name, "summary_steps_per_s"),
        harness.ratio(rate, med("SBX", "steps_per_s")),
        med(name, "wall_s"),
        med(name, "eval_return"),
        len(runs[name]) - len(errors), "; ".join(errors)
    ])
  return dict(
      caption=f"SAC at SBX's Pendulum-v1 settings, {steps:,} environment "
      "steps; medians over n runs (seeds 0..n-1).",
      columns=[
          "system", "steady steps/s", "run() steps/s", "× SBX",
          f"wall s to {steps:,}", "eval return", "n", "errors"
      ],
      rows=rows)


def _say(message: str) -> None:
  print(f"[gpu] {message}", flush=True)


def parse_args(argv=None) -> argparse.Namespace:
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument(
      "--quick",
      action="store_true",
      help="small budgets and environment counts: a check, not for citing")
  parser.add_argument(
      "--allow-cpu",
      action="store_true",
      help="with --quick, run on CPU when jax has no GPU or TPU (to check "
      "this script)")
  parser.add_argument(
      "--deadline-s",
      type=float,
      default=None,
      help=f"seconds for the whole run (default: {DEADLINE_S[1]}, with "
      f"--quick {DEADLINE_S[0]}); points that would not fit are not started")
  parser.add_argument(
      "--repeats",
      type=int,
      default=None,
      help=f"repeats per point (default: {REPEATS[1]})")
  args = parser.parse_args(argv)
  if args.repeats is not None and args.repeats < 1:
    parser.error(f"--repeats must be >= 1, got {args.repeats}")
  if args.deadline_s is not None and args.deadline_s <= 0:
    parser.error(f"--deadline-s must be > 0, got {args.deadline_s}")
  return args


def main(argv=None) -> None:
  argv = sys.argv[1:] if argv is None else argv
  args = parse_args(argv)
  runner.run_section(
      "gpu",
      not args.quick,
      args.repeats,
      command=" ".join(["python -m benchmarks.gpu"] + argv),
      allow_cpu=args.allow_cpu,
      deadline_s=args.deadline_s)
  runner.write_results()


if __name__ == "__main__":
  main()
