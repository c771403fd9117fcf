"""Learning on the environment suites: the examples beyond gymnax Pendulum.

Each row trains one example agent (`python -m examples.<agent> --env ...`,
here `harness.run_example` in a fresh process per seed) with the settings in
`TASKS`, evaluating on fixed start states (the mean over `eval_episodes`
deterministic episodes). Reported per row, as medians over the seeds: the
final eval return, the best eval, the wall time of the whole run (set-up and
compilation included), the compile time, the training rate (`steps_per_s`
of the summary: steps over wall less compile) and the wall time to the
task's threshold. The per-seed final returns are listed beside them. The
target and its anchor are the ones the task was set against; anchors come
from other libraries' published runs with other settings and conventions,
so they orient, they do not compare.
"""

from benchmarks import harness

TITLE = "Learning on the environment suites (Playground, Brax, gymnax)"
REPEATS = (1, 5)  # Seeds: quick, full.
# (task, agent, settings, quick overrides, (target name, value), anchor).
TASKS = [
    ("playground:CartpoleSwingup", "ppo",
     dict(
         env="playground:CartpoleSwingup",
         total_steps=2_097_152,
         eval_every=262_144,
         gamma=0.99,
         hidden_sizes=(128, 128),
         eval_episodes=4), dict(total_steps=262_144), ("final eval >= 800",
                                                       800.0),
     "CleanRL PPO on dm_control swingup: 641 at 8M steps"),
    ("playground:CartpoleBalance", "ppo",
     dict(
         env="playground:CartpoleBalance",
         total_steps=1_048_576,
         eval_every=262_144,
         gamma=0.99,
         hidden_sizes=(128, 128),
         eval_episodes=4), dict(total_steps=262_144), ("final eval >= 900",
                                                       900.0),
     "CleanRL PPO on dm_control balance: 855 at 8M steps"),
    ("brax:inverted_pendulum", "ppo",
     dict(
         env="brax:inverted_pendulum",
         total_steps=262_144,
         eval_every=65_536,
         gamma=0.99), dict(total_steps=65_536), ("final eval >= 950", 950.0),
     "gymnasium InvertedPendulum threshold 950"),
    ("gymnax:Acrobot-v1", "ppo",
     dict(
         env="gymnax:Acrobot-v1",
         total_steps=524_288,
         eval_every=131_072,
         gamma=0.99), dict(total_steps=131_072), ("final eval >= -100", -100.0),
     "gymnasium Acrobot threshold -100"),
]


def run_ours(example: str, settings: dict, seed: int) -> dict:
  summary, evals, _ = harness.run_example(example, dict(settings, seed=seed))
  return dict(
      final=summary["final_eval_return"],
      best=max(e[1] for e in evals),
      wall_s=summary["wall_s"],
      compile_s=summary["compile_s"],
      steps_per_s=summary["steps_per_s"],
      time_to_threshold_s=summary["time_to_threshold_s"],
      total_steps=summary["total_steps"])


def reached_cell(ok: list[dict], unit: str = "") -> str:
  """The median time to threshold over the seeds that reached it, and how
  many did: "57.5 s (1/3)", or "not reached (0/3)"."""
  reached = [
      r["time_to_threshold_s"]
      for r in ok
      if r["time_to_threshold_s"] is not None
  ]
  if not reached:
    return f"not reached (0/{len(ok)})"
  return f"{harness.median(reached):.1f}{unit} ({len(reached)}/{len(ok)})"


def run(full: bool, repeats: int) -> dict:
  """Runs every task on seeds 0..repeats-1; returns the section."""
  return run_tasks(TASKS, TITLE, __doc__, full, repeats)


def run_tasks(tasks: list, title: str, doc: str, full: bool,
              repeats: int) -> dict:
  """Runs `tasks` (rows as in `TASKS`) on seeds 0..repeats-1: a section."""
  rows, targets, raw = [], [], {}
  for task, agent, settings, quick, (target, value), anchor in tasks:
    settings = settings if full else {**settings, **quick}
    runs = [
        harness.isolated(
            "benchmarks.suites:run_ours",
            example=agent,
            settings=settings,
            seed=seed) for seed in range(repeats)
    ]
    raw[f"{agent} {task}"] = runs
    ok = [r for r in runs if "error" not in r]
    final = harness.median([r["final"] for r in ok])
    rows.append([
        task, agent, f"{settings['total_steps']:,} steps", final,
        ", ".join(f"{r['final']:.0f}" for r in ok),
        harness.median([r["best"] for r in ok]),
        harness.median([r["wall_s"] for r in ok]),
        harness.median([r["compile_s"] for r in ok]),
        harness.median([r["steps_per_s"] for r in ok]),
        reached_cell(ok, unit=" s"), anchor,
        len(ok), "; ".join(r["error"] for r in runs if "error" in r)
    ])
    targets.append(
        dict(
            name=f"{agent} on {task}",
            target=target,
            value=final,
            met=final is not None and final >= value))
  return dict(
      title=title,
      method=doc.split("\n\n", 1)[1],
      tables=[
          dict(
              caption="Medians over n seeds (final and best eval: mean of the "
              "evaluation episodes).",
              columns=[
                  "task", "agent", "budget", "final eval", "per seed",
                  "best eval", "wall s", "compile s", "steps/s",
                  "time to threshold (seeds reaching it)", "anchor", "n",
                  "errors"
              ],
              rows=rows)
      ],
      targets=targets,
      raw=raw)
