"""MultiDiscrete actions: PPO's MultiCategorical beside its Gaussian.

Measured as the suites and family sections (`suites.run_tasks`): one example
agent per row, a fresh process per seed, medians over the seeds of the final
deterministic eval (mean over 10 episodes on fixed start states), the best
eval, the wall time of the whole run with set-up and compilation, the compile
time, `steps_per_s` (steps over wall less compile) and the wall time to the
threshold.

The task is gymnax's two-joint `Reacher-misc` (A = 2 torques in [-1, 1],
100-step episodes, reward `exp(-distance^2)` to a random goal each step, so
returns lie in [0, 100]). `gymnax:ReacherBins5-misc` is the same task with a
MultiDiscrete action, each torque one of {-1, -0.5, 0, 0.5, 1}
(`examples/plumbing/envs/discretized.py`), which `examples/ppo.py` acts on
with a `MultiCategoricalHead`: 25 joint actions as 2 sub-actions of 5
values, log-probabilities and entropies summed over the sub-actions. The
Gaussian row runs the continuous task. Both run PPO's defaults (64 envs x 64
steps, 5 epochs of 16 minibatches, 64x64 tanh networks, Adam 2e-3 annealed,
gamma 0.95) for 524,288 steps, evaluating every 65,536. The threshold, 60,
is three times what acting without learning gets on the same eval starts:
zero torque scores 8-21 and uniformly random bins 8-18 (means over the 10
episodes, seeds 0-4).
"""

from benchmarks import suites

TITLE = "MultiDiscrete actions: PPO MultiCategorical vs Gaussian on Reacher"
REPEATS = (1, 5)  # Seeds: quick, full.
_SETTINGS = dict(total_steps=524_288, eval_every=65_536, threshold=60.0)
_QUICK = dict(total_steps=131_072)
_TARGET = ("final eval >= 60", 60.0)
_ANCHOR = "Gaussian PPO on the continuous task, same budget (the other row)"
TASKS = [  # Rows as in suites.TASKS.
    ("gymnax:ReacherBins5-misc, multi-categorical", "ppo",
     dict(_SETTINGS, env="gymnax:ReacherBins5-misc"), _QUICK, _TARGET, _ANCHOR),
    ("gymnax:Reacher-misc, gaussian", "ppo",
     dict(_SETTINGS, env="gymnax:Reacher-misc"), _QUICK, _TARGET,
     "the MultiCategorical row's"),
]


def run(full: bool, repeats: int) -> dict:
  """Both rows on seeds 0..repeats-1."""
  return suites.run_tasks(TASKS, TITLE, __doc__, full, repeats)
