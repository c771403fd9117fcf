"""Helpers shared by the benchmark sections: isolation, timing, machine facts.

Every training run happens in a fresh Python process (`isolated`), so no run
reuses another's compiled functions, thread settings or memory, and wall times
that "include set-up and compilation" mean it. Timings there start after the
imports: Python start-up and `import jax/torch` are not counted for anyone.
"""

import csv
import dataclasses
import importlib
import importlib.metadata
import json
import math
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_MARKER = "BENCHMARK-RESULT "
PEER_PACKAGES = ("sbx-rl", "stable-baselines3", "torch", "gymnasium")
OUR_PACKAGES = ("jax", "jaxlib", "dm-haiku", "distrax", "optax", "gymnax")


def import_example(name: str) -> Any:
  """Imports `examples.<name>` (an agent, or `plumbing.<part>`)."""
  if ROOT not in sys.path:  # Run from elsewhere than the repository root.
    sys.path.insert(0, ROOT)
  return importlib.import_module(f"examples.{name}")


def isolated(target: str,
             *,
             timeout: float = 3600,
             env: dict | None = None,
             **kwargs) -> dict:
  """Calls `module:function(**kwargs)` in a fresh Python process.

  Args:
    target: e.g. "benchmarks.sac_peers:run_sbx".
    timeout: seconds before the child is killed.
    env: extra environment variables for the child (e.g. `XLA_FLAGS`).
    **kwargs: JSON-serialisable arguments.

  Returns:
    The function's (JSON-serialisable) dict, or `{"error": message}` when
    the child failed, so one broken run does not lose a whole section.
  """
  cmd = [sys.executable, "-m", "benchmarks.harness", target, json.dumps(kwargs)]
  try:
    proc = subprocess.run(
        cmd,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={
            **os.environ,
            **(env or {})
        },
        check=False)
  except subprocess.TimeoutExpired:
    return {"error": f"{target} timed out after {timeout:.0f} s"}
  for line in reversed(proc.stdout.splitlines()):
    if line.startswith(_MARKER):
      return json.loads(line[len(_MARKER):])
  tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
  return {"error": f"{target} exited {proc.returncode}: " + " | ".join(tail)}


def peer(library: str) -> tuple[Any, dict]:
  """Imports "sbx" or "sb3"; returns `(module, extra constructor kwargs)`.

  SB3 runs torch on the CPU with 2 threads, as in the peer reference run of 2026-11-23 (2-vCPU AMD EPYC, AVX2).
  """
  # pylint: disable=g-import-not-at-top
  if library == "sb3":
    import stable_baselines3
    import torch
    torch.set_num_threads(2)
    return stable_baselines3, dict(device="cpu")
  import sbx
  return sbx, {}


def run_example(example: str,
                settings: dict,
                *,
                final_state: bool = False) -> tuple[dict, list, Any]:
  """`examples/<example>.run(Config(**settings))` in a throw-away run folder.

  Returns:
    The run's summary, its evals.csv rows `(step, mean return, wall_s)` and,
    if `final_state`, `(state, eval_policy)`: the training state restored
    from its last checkpoint and the agent's jitted `eval_policy(params, obs)`
    (else None); restoring happens after the run, outside its clock.
  """
  module = import_example(example)
  config = module.Config(progress=False, **tuples(settings))
  with tempfile.TemporaryDirectory(prefix="hp-bench-") as run_dir:
    summary = module.run(dataclasses.replace(config, run_dir=run_dir))
    final = None
    if final_state:
      agent = module.make_agent(config)
      state = import_example("plumbing.checkpointing").restore_checkpoint(
          summary["run_dir"],
          jax.jit(agent.init)(jax.random.PRNGKey(0))).state
      final = state, jax.jit(agent.eval_policy)
    return summary, read_evals(summary["run_dir"]), final


def median(values: list) -> float | None:
  """Median of the numbers in `values` (None and errors skipped)."""
  numbers = [v for v in values if isinstance(v, (int, float))]
  return statistics.median(numbers) if numbers else None


def ratio(a: float | None, b: float | None) -> float | None:
  return None if a is None or b is None or b == 0 else a / b


def gym_eval(policy: Callable[[Any], Any],
             episodes: int = 10,
             seed: int = 10_000) -> float:
  """Mean return of `policy(obs) -> action` on gymnasium Pendulum-v1.

  Episode `i` starts from `reset(seed=seed + i)`, the same for every system.
  """
  import gymnasium as gym  # pylint: disable=g-import-not-at-top
  env = gym.make("Pendulum-v1")
  returns = []
  for i in range(episodes):
    obs, _ = env.reset(seed=seed + i)
    total, done = 0.0, False
    while not done:
      obs, reward, terminated, truncated, _ = env.step(
          np.asarray(policy(obs), np.float32))
      total += float(reward)
      done = terminated or truncated
    returns.append(total)
  return float(np.mean(returns))


def read_evals(run_dir: str) -> list[tuple[int, float, float]]:
  """`(step, mean eval return, wall_s)` rows of an example's evals.csv."""
  with open(os.path.join(run_dir, "evals.csv"), newline="") as f:
    return [(int(row["step"]), float(row["eval_return"]), float(row["wall_s"]))
            for row in csv.DictReader(f)]


def matmul_gflops(sizes=(1024, 2048), seconds: float = 1.0) -> dict[int, float]:
  """XLA's CPU f32 matmul speed: median GFLOP/s of a jitted `n x n` product."""
  out = {}
  for n in sizes:
    a = jax.random.normal(jax.random.PRNGKey(0), (n, n), jnp.float32)
    matmul = jax.jit(jnp.matmul)
    per_call = per_call_seconds(lambda: matmul(a, a), seconds / 5, rounds=5)
    out[n] = 2 * n**3 / per_call / 1e9
  return out


def hlo_dots(hlo: str) -> list[dict]:
  """The matrix products an optimised HLO module runs in one call.

  Args:
    hlo: the text of a compiled function (`jax.jit(f).lower(...).compile()
      .as_text()`): the products XLA runs, after its rewrites (it merges,
      swaps operands, materialises transposes and turns some products with
      a unit dimension into elementwise ops, so the list differs from the
      jaxpr's `dot_general`s).

  Returns:
    One dict per distinct product, in order of first appearance: `lhs`,
    `rhs` (shapes), `dimension_numbers` (as `jax.lax.dot_general` takes
    them), `count`, `mflop` (of one product: 2 per multiply-add) and
    `where` (`{"fwd <module path>" or "bwd <module path>": count}`, from the
    products' op names; "bwd" marks the backward pass, "?" a product without
    one). Each computation is walked from the entry once per call site: a
    product inside a loop body counts once, not once per iteration.

  Raises:
    ValueError: if `hlo` holds no product.
  """
  blocks = {}
  for block in hlo.split("\n\n"):
    found = re.match(r"(ENTRY )?%(\S+) ", block.strip())
    if found:
      blocks["ENTRY" if found.group(1) else found.group(2)] = block
  rows: dict[Any, dict] = {}

  def walk(name):
    shapes = dict(re.findall(r"%(\S+) = \w+\[([\d,]*)\]", blocks[name]))
    for line in blocks[name].splitlines():
      callees = re.findall(r"(?:calls|body|condition|to_apply)=%([\w.-]+)",
                           line)
      for branches in re.findall(r"branch_computations={(.*?)}", line):
        callees += re.findall(r"%([\w.-]+)", branches)
      for callee in callees:
        walk(callee)
      dot = re.search(r" dot\((?:\S+ )?%(\S+), (?:\S+ )?%(\S+)\)(.*)", line)
      if not dot:
        continue
      lhs, rhs = (_ints(shapes[dot.group(i)]) for i in (1, 2))
      numbers = tuple(
          tuple(
              _ints_after(f"{side}_{kind}_dims=", dot.group(3))
              for side in ("lhs", "rhs"))
          for kind in ("contracting", "batch"))
      if (lhs, rhs, numbers) not in rows:
        rows[lhs, rhs, numbers] = dict(
            lhs=lhs,
            rhs=rhs,
            dimension_numbers=numbers,
            count=0,
            mflop=_dot_flops(lhs, rhs, numbers) / 1e6,
            where={})
      row = rows[lhs, rhs, numbers]
      row["count"] += 1
      op_name = re.search(r'op_name="[^/"]*/([^"]*)/[^/"]*"', line)
      where = "?" if not op_name else (
          ("bwd " if "transpose(" in op_name.group(1) else "fwd ") +
          re.sub(r"\w+\(|\)", "", op_name.group(1)))
      row["where"][where] = row["where"].get(where, 0) + 1

  walk("ENTRY")
  if not rows:
    raise ValueError("hlo_dots: no `dot` instruction found; is `hlo` the "
                     "text of a compiled function with matrix products?")
  return list(rows.values())


def _ints(text: str) -> tuple[int, ...]:
  return tuple(int(d) for d in text.split(",") if d)


def _ints_after(attribute: str, text: str) -> tuple[int, ...]:
  """The integers of HLO's `attribute{1,2}` in `text`; () if absent."""
  found = re.search(attribute + r"{([\d,]*)}", text)
  return _ints(found.group(1)) if found else ()


def _dot_flops(lhs: tuple, rhs: tuple, dimension_numbers) -> float:
  (lhs_contract, _), (lhs_batch, _) = dimension_numbers
  contracted = math.prod(lhs[i] for i in lhs_contract)
  batch = math.prod(lhs[i] for i in lhs_batch)
  return 2.0 * math.prod(lhs) * math.prod(rhs) / (contracted * batch)


def dot_timer(lhs: tuple,
              rhs: tuple,
              dimension_numbers,
              block_s: float,
              iterations: int = 50) -> Callable[[], float]:
  """Times one f32 `dot_general` of these shapes, dispatch excluded.

  The product runs `iterations` times in one jitted loop (an optimisation
  barrier on its operands keeps XLA from hoisting it), as it would inside a
  larger jitted program, so the one dispatch per loop is spread thin.
  Operands stay in cache from one iteration to the next: a best case, which
  is what a floor wants.

  Returns:
    A function that times one block of about `block_s` seconds and returns
    the seconds per product (`block_timer`).
  """
  keys = jax.random.split(jax.random.PRNGKey(0))
  operands = [jax.random.normal(k, s) for k, s in zip(keys, (lhs, rhs))]
  product = lambda a, b: jax.lax.dot_general(a, b, dimension_numbers)
  out = jnp.zeros(jax.eval_shape(product, *operands).shape)

  def body(_, carry):
    a, b, _ = jax.lax.optimization_barrier(carry)
    return a, b, product(a, b)

  loop = jax.jit(lambda *x: jax.lax.fori_loop(0, iterations, body, x)[2])
  timer = block_timer(lambda: loop(*operands, out), block_s)
  return lambda: timer() / iterations


def per_call_seconds(call: Callable[[], Any],
                     block_s: float,
                     rounds: int = 1) -> float:
  """Median over `rounds` of the mean latency of `call()` (each waited for)."""
  timer = block_timer(call, block_s)
  return statistics.median(timer() for _ in range(rounds))


def block_timer(call: Callable[[], Any], block_s: float) -> Callable[[], float]:
  """A timer of `call()` in blocks of about `block_s` seconds.

  Returns:
    A function that runs one block of calls (each waited for; the count
    calibrated once, after compiling) and returns the mean seconds per call.
  """
  n = calibrate(call, block_s)
  return lambda: time_calls(call, n) / n


def calibrate(call: Callable[[], Any], block_s: float) -> int:
  """Number of calls that take about `block_s` seconds (at least 1)."""
  jax.block_until_ready(call())  # Compiles if needed.
  n = 1
  while True:
    elapsed = time_calls(call, n)
    if elapsed >= block_s / 4 or n >= 1 << 20:
      return max(1, math.ceil(n * block_s / max(elapsed, 1e-9)))
    n *= 4


def time_calls(call: Callable[[], Any], n: int) -> float:
  """Seconds for `n` calls, each waited for (latency, not pipelined)."""
  start = time.perf_counter()
  for _ in range(n):
    jax.block_until_ready(call())
  return time.perf_counter() - start


def train_rate(example: str, settings: dict, chunks: int) -> dict:
  """An example's compiled `train`, timed over chunks of `eval_every` steps
  after a warm-up chunk.

  Returns:
    `steps_per_s`, and `cores_busy`: the process's CPU time (all threads,
    user + system) over the wall time of the timed chunks.
  """
  chunk, steps = train_chunk(example, settings)
  cpu_start = _cpu_s()
  wall = sum(chunk() for _ in range(chunks))
  return dict(
      steps_per_s=chunks * steps / wall,
      cores_busy=(_cpu_s() - cpu_start) / wall)


def train_chunk(example: str,
                settings: dict) -> tuple[Callable[[], float], int]:
  """An example's `train` as a timer of one chunk of `eval_every` steps.

  `train` is compiled ahead of time and run for one warm-up chunk first.

  Returns:
    `(chunk, eval_every)`: `chunk()` trains the next `eval_every` steps
    (continuing from the last chunk) and returns their wall time in seconds.
  """
  module = import_example(example)
  config = module.Config(progress=False, **tuples(settings))
  agent = module.make_agent(config)
  state = jax.jit(agent.init)(jax.random.PRNGKey(config.seed))
  num_steps = jnp.int32(config.eval_every)
  train = jax.jit(agent.train).lower(state, num_steps).compile()
  state = [jax.block_until_ready(train(state, num_steps))]

  def chunk() -> float:
    start = time.perf_counter()
    state[0] = jax.block_until_ready(train(state[0], num_steps))
    return time.perf_counter() - start

  return chunk, config.eval_every


def _cpu_s() -> float:
  usage = resource.getrusage(resource.RUSAGE_SELF)
  return usage.ru_utime + usage.ru_stime


def tuples(settings: dict) -> dict:
  """Turns the lists JSON made of tuple-valued settings back into tuples."""
  return {
      k: tuple(v) if isinstance(v, list) else v for k, v in settings.items()
  }


def machine() -> dict[str, Any]:
  """CPU, cores, load and package versions of this machine."""
  model = "unknown"
  try:
    with open("/proc/cpuinfo") as f:
      model = next((line.split(":", 1)[1].strip()
                    for line in f
                    if line.startswith("model name")), model)
  except OSError:
    pass
  flags = ""
  try:
    with open("/proc/cpuinfo") as f:
      cpu_flags = next((line.split(":", 1)[1].split()
                        for line in f
                        if line.startswith("flags")), [])
    flags = ", ".join(f for f in ("avx2", "avx512f", "fma") if f in cpu_flags)
  except OSError:
    pass
  versions = {}
  for name in OUR_PACKAGES + PEER_PACKAGES:
    try:
      versions[name] = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
      versions[name] = None
  return dict(
      cpu=model,
      cpu_flags=flags,
      cores=os.cpu_count(),
      usable_cores=len(os.sched_getaffinity(0)),
      load_average=list(os.getloadavg()),
      python=platform.python_version(),
      versions=versions,
      xla_flags=os.environ.get("XLA_FLAGS", ""))


def _main(argv: list[str]) -> None:
  module, function = argv[1].split(":")
  result = getattr(importlib.import_module(module),
                   function)(**json.loads(argv[2]))
  print(_MARKER + json.dumps(result), flush=True)


if __name__ == "__main__":
  _main(sys.argv)
