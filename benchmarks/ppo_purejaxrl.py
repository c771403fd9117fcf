"""PPO vs PureJaxRL on gymnax Pendulum-v1, at PureJaxRL's settings.

Both train fully inside `jit` at PureJaxRL's `ppo_continuous_action`
settings: 64 envs x 64 steps, 4 epochs x 4 minibatches, Adam 3e-4 constant,
gamma 0.99, GAE 0.95, clip 0.2, no entropy bonus, value coefficient 0.5,
gradient norm clip 0.5, tanh 256x256 actor and critic, observation
normalisation. They differ in reward handling: PureJaxRL normalises rewards
by a running return std, ours scales them by `--reward-scale` 0.1 (its
default).

* PureJaxRL (`--purejaxrl PATH`; skipped when absent): its `make_train`, one
  jitted scan over the budget; steps/s is the budget over the scan's wall
  time, compile apart. Its time to -200 is its compile time plus the share of
  training up to the first update whose mean training return (stochastic
  policy) reaches -200.
* Ours, steps/s: `ppo.make_agent`'s `train` compiled ahead of time and timed
  over `CHUNKS` chunks of 65,536 steps after a warm-up chunk
  (`harness.train_rate`: no evaluation or checkpointing), as the scaling
  section does.
* Ours, time to -200: `ppo.run` with an evaluation every 32,768 steps
  (deterministic policy, 10 episodes on fixed start states), its summary's
  `time_to_threshold_s`: set-up, compilation and every evaluation included,
  a stricter test than the peer's training returns.

Each measurement runs in a fresh process; medians over seeds 0..n-1.
"""

import os

from benchmarks import harness
from benchmarks import purejaxrl as purejaxrl_lib
from benchmarks import suites

TITLE = "PPO vs PureJaxRL (gymnax Pendulum-v1, PureJaxRL's settings)"
REPEATS = (1, 3)  # Seeds: quick, full.
BUDGET = (262_144, 1_048_576)  # Steps: quick, full.
THRESHOLD = -200.0
CHUNKS = 4
TARGET = 1.2  # Ours / PureJaxRL's steps/s.
PUREJAXRL = dict(
    purejaxrl_lib.SETTINGS, ENV_NAME="Pendulum-v1", NUM_MINIBATCHES=4)
OURS = dict(
    env="gymnax:Pendulum-v1",
    num_envs=64,
    num_steps=64,
    num_epochs=4,
    num_minibatches=4,
    learning_rate=3e-4,
    anneal_lr=False,
    gamma=0.99,
    gae_lambda=0.95,
    clip_eps=0.2,
    ent_coef=0.0,
    vf_coef=0.5,
    max_grad_norm=0.5,
    hidden_sizes=(256, 256),
    normalize_obs=True)


def run(full: bool, repeats: int, purejaxrl: str | None = None) -> dict:
  """Ours and the peer, seed by seed; returns the section."""
  steps = BUDGET[full]
  raw = {"ours": [], "purejaxrl": []}
  for seed in range(repeats):
    rate = harness.isolated(
        "benchmarks.harness:train_rate",
        example="ppo",
        settings=dict(OURS, seed=seed, eval_every=65_536, total_steps=steps),
        chunks=CHUNKS)
    run_ = harness.isolated(
        "benchmarks.ppo_purejaxrl:run_ours", total_steps=steps, seed=seed)
    raw["ours"].append({**run_, **rate})
    if purejaxrl is None or not os.path.isdir(purejaxrl):
      raw["purejaxrl"].append(
          {"error": purejaxrl_lib.MISSING.format(path=purejaxrl)})
    else:
      raw["purejaxrl"].append(
          harness.isolated(
              "benchmarks.purejaxrl:run_ppo",
              path=os.path.abspath(purejaxrl),
              config=dict(PUREJAXRL, TOTAL_TIMESTEPS=steps),
              seed=seed,
              threshold=THRESHOLD))
  ok = {k: [r for r in v if "error" not in r] for k, v in raw.items()}
  theirs = harness.median([r["steps_per_s"] for r in ok["purejaxrl"]])
  rows = []
  for name, key, final in (("ours (ppo.py)", "ours", "final_eval_return"),
                           ("PureJaxRL", "purejaxrl", "final_train_return")):
    runs = ok[key]
    rate = harness.median([r["steps_per_s"] for r in runs])
    rows.append([
        name, f"{steps:,} steps", rate,
        harness.ratio(rate, theirs),
        harness.median([r["compile_s"] for r in runs]),
        suites.reached_cell(runs, " s"),
        harness.median([r[final] for r in runs]),
        len(runs), "; ".join(r["error"] for r in raw[key] if "error" in r)
    ])
  ours_rate = rows[0][2]
  return dict(
      title=TITLE,
      method=__doc__.split("\n\n", 1)[1],
      tables=[
          dict(
              caption="Medians over seeds. Final return: ours, the last "
              "deterministic evaluation; PureJaxRL's, the mean training "
              "return of its last 10 updates.",
              columns=[
                  "system", "budget", "steps/s", "× PureJaxRL", "compile s",
                  "time to -200 (seeds reaching it)", "final return", "n",
                  "errors"
              ],
              rows=rows)
      ],
      targets=[
          dict(
              name="PPO steps/s, ours / PureJaxRL's (same run, its settings)",
              target=f">= {TARGET}",
              value=harness.ratio(ours_rate, theirs),
              met=ours_rate is not None and theirs is not None and
              ours_rate >= TARGET * theirs)
      ],
      raw=raw)


def run_ours(total_steps: int, seed: int) -> dict:
  """`ppo.run` at `OURS`, evaluating every 32,768 steps: its summary."""
  summary, _, _ = harness.run_example(
      "ppo", dict(OURS, seed=seed, total_steps=total_steps, eval_every=32_768))
  return dict(
      compile_s=summary["compile_s"],
      wall_s=summary["wall_s"],
      final_eval_return=summary["final_eval_return"],
      time_to_threshold_s=summary["time_to_threshold_s"])
