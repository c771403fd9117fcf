"""The distribution family in PPO: gSDE and Beta beside the Gaussian.

Each row trains one example agent in a fresh process per seed, as in the
suites section (`suites.run_tasks`: `harness.run_example`, medians over the
seeds of the final deterministic eval (mean over `eval_episodes` episodes on
fixed start states), the best eval, the wall time of the whole run with
set-up and compilation, the compile time, `steps_per_s` (steps over wall
less compile) and the wall time to the task's threshold).

PPO on Pendulum-v1 (gymnax) runs at rl-zoo's tuned gSDE settings (its
hyperparams/ppo.yml: 4 environments x 1,024 steps, minibatch 64, 10 epochs,
Adam 1e-3 constant, gamma 0.9, GAE 0.95, clip 0.2, no entropy bonus, 64x64
tanh networks, no normalisation, `sde_sample_freq` 4, initial log-std 0) for
25 rollouts, 102,400 steps (SB3 stops at the first rollout end past its
1e5-step budget), with `--policy gsde`, the Gaussian and the Beta side by
side. The longer rows (the cart-pole, TQC) are the family_long section.
Anchors come from other libraries' published runs; they orient, they do not
compare.
"""

from benchmarks import ppo_peers
from benchmarks import suites

TITLE = "The distribution family: PPO with gSDE and Beta on Pendulum-v1"
REPEATS = (1, 5)  # Seeds: quick, full.
_ITERATION = 4 * 1024
_BUDGET = 25 * _ITERATION  # 102,400
RL_ZOO = dict(
    ppo_peers.OURS_EQUAL,  # rl-zoo's settings, without gSDE's flags.
    init_std=1.0,  # SB3's log_std_init = 0.
    total_steps=_BUDGET,
    eval_every=5 * _ITERATION)
_QUICK = dict(total_steps=2 * _ITERATION, eval_every=_ITERATION)
_PENDULUM = ("final eval >= -200", -200.0)
_GSDE_ANCHOR = "SB3 rl-zoo PPO + gSDE: -172.2 at 100k"
_GAUSS_ANCHOR = "SBX/SB3 PPO, rl-zoo settings without gSDE: -119/-120 at 100k"
POLICIES = dict(
    gaussian={},
    beta=dict(policy="beta"),
    gsde=dict(policy="gsde", sde_sample_freq=4))
TASKS = [  # Rows as in suites.TASKS; 5 seeds.
    (f"Pendulum-v1, rl-zoo settings, {name}", "ppo", dict(RL_ZOO, **extra),
     _QUICK, ("final eval >= -172", -172.0) if name == "gsde" else _PENDULUM,
     _GSDE_ANCHOR if name == "gsde" else _GAUSS_ANCHOR)
    for name, extra in POLICIES.items()
]
# The suites section's cart-pole settings (its first row).
_SWINGUP = suites.TASKS[0][2]
LONG_TASKS = [  # Section family_long (benchmarks/family_long.py), 3 seeds.
    (f"playground:CartpoleSwingup, {name}", "ppo",
     dict(_SWINGUP, total_steps=1_048_576, **extra), dict(total_steps=262_144),
     ("final eval >= 800",
      800.0), "CleanRL PPO on dm_control swingup: 641 at 8M steps")
    for name, extra in (("gaussian", {}), ("beta", dict(policy="beta")))
] + [("Pendulum-v1, TQC defaults", "tqc",
      dict(total_steps=10_000, eval_every=1_000), dict(total_steps=2_000),
      ("final eval >= -150", -150.0), "plain SAC here: -144 at 10k")]


def run(full: bool, repeats: int) -> dict:
  """The PPO rows on seeds 0..repeats-1."""
  return suites.run_tasks(TASKS, TITLE, __doc__, full, repeats)
