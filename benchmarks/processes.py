"""PPO steps/s in one process against two processes (`--num-processes 2`).

`ppo.py` at its defaults except `num_envs`, timed as the scaling section
times it (`harness.train_rate`: `train` compiled ahead of time, one warm-up
chunk, then `CHUNKS` chunks with `block_until_ready`, no evaluation or
checkpointing), in three modes on the same machine, interleaved: one process
with one CPU device; one process with two fake CPU devices
(`XLA_FLAGS=--xla_force_host_platform_device_count=2`, `--num-devices 2`);
and two processes with one CPU device each that train together through
`jax.distributed` on a local port (`--num-processes 2 --num-devices 2`, gloo
all-reduces between the processes). The last two run the same program over
two devices; they differ only in where the devices live, so the gap between
them is what crossing a process boundary costs (a gloo all-reduce of the
gradients before every minibatch update, and the normaliser's statistics).
Every process shares the same cores, so this measures that cost, not a second
machine. "Cores busy" is process 0's CPU time over the timed wall time (for
two processes, the machine's is about twice it).
"""

import concurrent.futures
import socket

import jax

from benchmarks import harness
from benchmarks import scaling

TITLE = "Processes: PPO steps/s, 2 processes vs 1"
REPEATS = (1, 3)
NUM_ENVS = ((1024,), (1024, 4096))  # quick, full
BUDGET = (2**15, 2**19)  # Timed steps per point: quick, full.
CHUNKS = scaling.CHUNKS
MODES = ("1 process, 1 device", "1 process, 2 fake devices",
         "2 processes, 1 device each")


def measure(num_envs: int,
            budget: int,
            num_devices: int = 1,
            num_processes: int = 1,
            process_id: int = 0,
            address: str | None = None,
            local_device: int | None = None) -> dict:
  """One point in this process (as process `process_id` of `num_processes`).

  With `local_device`, this process uses only the machine's GPU of that
  index, as `jax.distributed.initialize(local_device_ids=...)` would; else
  all of them.
  """
  if local_device is not None:  # Before any JAX computation.
    for flag in ("jax_cuda_visible_devices", "jax_rocm_visible_devices"):
      jax.config.update(flag, str(local_device))
  ppo = harness.import_example("ppo")
  iteration = num_envs * ppo.Config().num_steps
  chunk = max(1, budget // (CHUNKS * iteration)) * iteration
  settings = dict(
      num_envs=num_envs,
      eval_every=chunk,
      total_steps=(CHUNKS + 1) * chunk,
      num_devices=num_devices)
  if num_processes > 1:
    settings.update(
        num_processes=num_processes,
        process_id=process_id,
        coordinator_address=address)
    harness.import_example("plumbing.distributed").initialize(
        ppo.Config(**settings))
  return dict(
      **harness.train_rate("ppo", settings, CHUNKS),
      timed_steps=CHUNKS * chunk,
      steps_per_iteration=iteration)


def _two_processes(num_envs: int, budget: int, accelerator: bool,
                   timeout: float) -> dict:
  """Process 0's result of a point run by two processes together."""
  address = f"127.0.0.1:{_free_port()}"
  with concurrent.futures.ThreadPoolExecutor(2) as pool:
    results = list(
        pool.map(
            lambda i: harness.isolated(
                "benchmarks.processes:measure",
                timeout=timeout,
                env=None if accelerator else {"JAX_PLATFORMS": "cpu"},
                num_envs=num_envs,
                budget=budget,
                num_devices=2,
                num_processes=2,
                process_id=i,
                address=address,
                local_device=i if accelerator else None), range(2)))
  return results[0] if "error" not in results[0] else results[1]


def _free_port() -> int:
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


def point(mode: str,
          num_envs: int,
          budget: int,
          *,
          accelerator: bool = False,
          timeout: float = 3600) -> dict:
  """One point of `mode` (one of `MODES`), in fresh processes.

  Args:
    mode: one of `MODES`.
    num_envs: environments over all devices.
    budget: timed steps (at least `CHUNKS` PPO iterations).
    accelerator: the two devices are the machine's first two GPUs (each of
      two processes uses one of them), not fake CPU devices.
    timeout: seconds before each process is killed.

  Returns:
    `measure`'s result (process 0's), or `{"error": message}`.
  """
  if mode == MODES[2]:
    return _two_processes(num_envs, budget, accelerator, timeout)
  two = mode == MODES[1]
  return harness.isolated(
      "benchmarks.processes:measure",
      timeout=timeout,
      env=scaling.TWO_DEVICES if two and not accelerator else None,
      num_envs=num_envs,
      budget=budget,
      num_devices=2 if two else 1)


def run(full: bool, repeats: int) -> dict:
  """Measures every point `repeats` times (interleaved); returns the section."""
  points = [(mode, n) for n in NUM_ENVS[full] for mode in MODES]
  results = {p: [] for p in points}
  for _ in range(repeats):
    for mode, n in points:
      results[(mode, n)].append(point(mode, n, BUDGET[full]))
  return dict(
      title=TITLE,
      method=__doc__.split("\n\n", 1)[1],
      tables=[table(results, points)],
      targets=[],
      raw={
          f"{k[0]}|{k[1]}": v for k, v in results.items()
      })


def table(results: dict[tuple[str, int], list[dict]],
          points: list[tuple[str, int]]) -> dict:
  """The table of `results[(mode, num_envs)]`, a row per point in order.

  Steps/s are shown relative to the first point's mode at the same
  `num_envs`.
  """
  rows = []
  for mode, n in points:
    runs = results[(mode, n)]
    rate = harness.median([r.get("steps_per_s") for r in runs])
    one = harness.median(
        [r.get("steps_per_s") for r in results[(points[0][0], n)]])
    rows.append([mode, n, rate, harness.ratio(rate, one)] +
                scaling.rate_columns(runs))
  return dict(
      caption="Medians over n runs.",
      columns=[
          "mode", "num_envs", "steps/s", f"× {points[0][0]}", "cores busy",
          "timed steps", "n", "errors"
      ],
      rows=rows)
