"""Brax inverted pendulum (the cart-pole): SAC, TD3 and PPO to 950, PureJaxRL.

Ours: each example agent (`python -m examples.<agent> --env
brax:inverted_pendulum`, spring backend, the default) in a fresh process per
seed with the settings in `TASKS`; reported as in the suites section (medians
over seeds of the final deterministic eval, the best eval, wall time with set-up
and compilation, compile time, steps/s, and the wall time until an eval first
reaches 950, the task's threshold: gymnasium's InvertedPendulum threshold).

Peer, in the same invocation: PureJaxRL's `ppo_continuous_action.make_train`
(its own PPO, loaded from the folder given as `--purejaxrl PATH`; skipped when
absent) on the same Brax task and backend, at 64 envs x 64 steps, 1M steps,
its Brax defaults otherwise (Adam 3e-4 constant, 4 epochs x 32 minibatches,
gamma 0.99, GAE 0.95, clip 0.2, tanh 256x256 networks, observation and
reward normalisation). It reports training returns (stochastic policy, the
mean over the episodes that ended in each update), not evaluations: its time
to 950 is its compile time plus the share of its training time up to the
first update whose mean return is >= 950 (updates take equal time in its one
jitted scan). Its training returns are a weaker test than our deterministic
evaluations on fixed start states, so the comparison favours the peer.
"""

import math
import os
import statistics

from benchmarks import harness
from benchmarks import purejaxrl as purejaxrl_lib
from benchmarks import suites

TITLE = "Brax inverted pendulum: SAC, TD3 and PPO to 950, PureJaxRL's PPO"
REPEATS = (1, 3)  # Seeds: quick, full.
ENV = "brax:inverted_pendulum"
THRESHOLD = 950.0
ANCHOR = "gymnasium InvertedPendulum threshold 950"
OFF_POLICY = dict(env=ENV, total_steps=30_000, eval_every=5_000)
TASKS = [
    (ENV, "sac", dict(harness.import_example("sac").SBX, **OFF_POLICY),
     dict(total_steps=10_000), ("final eval >= 950", THRESHOLD), ANCHOR),
    (ENV, "td3", OFF_POLICY, dict(total_steps=10_000), ("final eval >= 950",
                                                        THRESHOLD), ANCHOR),
    (ENV, "ppo",
     dict(env=ENV, total_steps=524_288, eval_every=32_768, gamma=0.99),
     dict(total_steps=131_072), ("final eval >= 950", THRESHOLD), ANCHOR),
]
PUREJAXRL = dict(
    purejaxrl_lib.SETTINGS,
    ENV_NAME="inverted_pendulum",
    TOTAL_TIMESTEPS=1_048_576,
    NUM_MINIBATCHES=32)


def run_purejaxrl(path: str, total_steps: int, seed: int) -> dict:
  """PureJaxRL's PPO on the task (`purejaxrl.run_ppo`), on our backend."""
  return purejaxrl_lib.run_ppo(
      path,
      dict(PUREJAXRL, TOTAL_TIMESTEPS=total_steps),
      seed,
      THRESHOLD,
      brax_backend="spring")  # Ours; its wrapper defaults to `positional`.


def run(full: bool, repeats: int, purejaxrl: str | None = None) -> dict:
  """Ours on every task, then the peer; returns the section."""
  section = suites.run_tasks(TASKS, TITLE, __doc__, full, repeats)
  steps = PUREJAXRL["TOTAL_TIMESTEPS"] if full else 262_144
  if purejaxrl is None or not os.path.isdir(purejaxrl):
    runs = [{"error": purejaxrl_lib.MISSING.format(path=purejaxrl)}]
  else:
    runs = [
        harness.isolated(
            "benchmarks.brax_pendulum:run_purejaxrl",
            path=os.path.abspath(purejaxrl),
            total_steps=steps,
            seed=seed) for seed in range(repeats)
    ]
  section["raw"]["purejaxrl ppo"] = runs
  ok = [r for r in runs if "error" not in r]
  section["tables"].append(
      dict(
          caption="PPO: wall time to 950 including compilation, ours "
          "(deterministic evaluations, in the table above) and PureJaxRL's "
          "(training returns); median over the seeds that reached it.",
          columns=[
              "system", "budget", "time to 950 s (seeds reaching it)",
              "steps to 950", "compile s", "steps/s", "final return", "n",
              "errors"
          ],
          rows=[[
              "PureJaxRL PPO", f"{steps:,} steps",
              suites.reached_cell(ok),
              harness.median([r["steps_to_threshold"] for r in ok]),
              harness.median([r["compile_s"] for r in ok]),
              harness.median([r["steps_per_s"] for r in ok]),
              harness.median([r["final_train_return"] for r in ok]),
              len(ok), "; ".join(r["error"] for r in runs if "error" in r)
          ]]))
  section["targets"].append(peer_target(section["raw"]))
  return section


def peer_target(raw: dict) -> dict:
  """Ours vs the peer: median time to 950 over all seeds, never = infinite.

  A seed that never reaches 950 counts as infinitely slow, not as missing:
  a median over the seeds that reached it would favour the system that
  reached it on fewer seeds.
  """

  def time_to_950(runs):
    ok = [r for r in runs if "error" not in r]
    if not ok:
      return None
    return statistics.median(math.inf if r["time_to_threshold_s"] is
                             None else r["time_to_threshold_s"] for r in ok)

  ours = time_to_950(raw[f"ppo {ENV}"])
  theirs = time_to_950(raw["purejaxrl ppo"])
  return dict(
      name="PPO median time to 950 (a seed that never reaches it counts as "
      "infinite), ours / PureJaxRL's (same run)",
      target="< 1",
      value=None if ours is None or theirs is None else
      (math.inf if math.isinf(ours) else harness.ratio(ours, theirs)),
      met=ours is not None and theirs is not None and ours < theirs)
