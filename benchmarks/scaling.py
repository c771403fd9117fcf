"""PPO throughput as the number of vectorised gymnax environments grows.

`ppo.py` at its defaults except `num_envs`: the rollout length, epochs and
minibatch count stay fixed, so each update's minibatch grows with the number
of environments. Each point is measured in a fresh process: `make_agent`'s
`train_chunk` compiled ahead of time, one warm-up chunk, then `CHUNKS` chunks
timed with `block_until_ready` (no evaluation or checkpointing), each chunk a
quarter of the budget but at least one PPO iteration (`num_envs * num_steps`
steps). "Compute-bound from" is the smallest `num_envs` whose steps/s is
within 10% of the best: past it, more environments only make each iteration
longer. "Cores busy" is the process's CPU time (all threads) over the wall
time of the timed chunks: how much of the 2 cores XLA actually uses.

Two devices: the same points run again in processes started with
`XLA_FLAGS=--xla_force_host_platform_device_count=2` and `--num-devices 2`
(`shard_map`: each fake device steps half the environments, gradients are
averaged before every minibatch update). Both fake devices share the same two
cores, so this measures what the split and the per-update all-reduce cost or
gain, not a second machine.
"""

from benchmarks import harness

TITLE = "Scaling: PPO steps/s vs vectorised environments"
REPEATS = (1, 3)
NUM_ENVS = ((16, 64, 256), (16, 64, 256, 1024, 4096))  # quick, full
BUDGET = (2**14, 2**19)  # Timed steps per point: quick, full.
CHUNKS = 4
TWO_DEVICES = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}


def measure(num_envs: int, budget: int, num_devices: int = 1) -> dict:
  iteration = num_envs * harness.import_example("ppo").Config().num_steps
  chunk = max(1, budget // (CHUNKS * iteration)) * iteration
  settings = dict(
      num_envs=num_envs, eval_every=chunk, total_steps=(CHUNKS + 1) * chunk)
  if num_devices > 1:
    settings["num_devices"] = num_devices
  return dict(
      **harness.train_rate("ppo", settings, CHUNKS),
      timed_steps=CHUNKS * chunk,
      steps_per_iteration=iteration)


def rate_columns(runs: list[dict]) -> list:
  """A point's "cores busy", "timed steps", "n" and "errors" columns."""
  return [
      harness.median([r.get("cores_busy") for r in runs]),
      harness.median([r.get("timed_steps") for r in runs]),
      sum("error" not in r for r in runs),
      "; ".join(r["error"] for r in runs if "error" in r)
  ]


def run(full: bool, repeats: int) -> dict:
  """Measures every point `repeats` times (interleaved); returns the section."""
  modes = [("1 device", 1, None), ("2 fake devices", 2, TWO_DEVICES)]
  points = [(mode, n) for mode in modes for n in NUM_ENVS[full]]
  results = {(mode[0], n): [] for mode, n in points}
  for _ in range(repeats):
    for (label, devices, env), n in points:
      results[(label, n)].append(
          harness.isolated(
              "benchmarks.scaling:measure",
              env=env,
              num_envs=n,
              budget=BUDGET[full],
              num_devices=devices))
  labels = [label for label, _, _ in modes]
  return dict(
      title=TITLE,
      method=__doc__.split("\n\n", 1)[1],
      tables=[table(results, labels, NUM_ENVS[full])],
      targets=[],
      raw={
          f"{k[0]}|{k[1]}": v for k, v in results.items()
      })


def table(results: dict[tuple[str, int], list[dict]], labels: list[str],
          num_envs: tuple[int, ...]) -> dict:
  """The table of `results[(label, num_envs)]` (each a list of runs).

  Steps/s are shown relative to the first of `num_envs` and, with several
  labels (modes), to the first label's at the same `num_envs`.
  """
  rows, notes = [], []
  rates_of = {
      label: {
          n: harness.median([r.get("steps_per_s")
                             for r in results[(label, n)]])
          for n in num_envs
      } for label in labels
  }
  for label in labels:
    rates = rates_of[label]
    best = max((r for r in rates.values() if r), default=None)
    bound = next(
        (n for n, r in rates.items() if r and best and r >= 0.9 * best), None)
    notes.append(f"{label}: compute-bound from {bound} environments "
                 f"(best {best:,.0f} steps/s)."
                 if best else f"{label}: no successful point.")
    for n, rate in rates.items():
      runs = results[(label, n)]
      ratios = [harness.ratio(rate, rates[num_envs[0]])]
      if len(labels) > 1:
        ratios.append(harness.ratio(rate, rates_of[labels[0]][n]))
      rows.append([
          label,
          n,
          harness.median([r.get("steps_per_iteration") for r in runs]),
          rate,
      ] + ratios + rate_columns(runs))
  per_mode = ["× 1 device"] if len(labels) > 1 else []
  return dict(
      caption="Medians over n runs. " + " ".join(notes),
      columns=[
          "mode", "num_envs", "steps per iteration", "steps/s",
          f"× {num_envs[0]} envs"
      ] + per_mode + ["cores busy", "timed steps", "n", "errors"],
      rows=rows)
