"""PPO on Pendulum-v1 at rl-zoo's settings: ours against SBX and SB3.

rl-zoo's tuned Pendulum-v1 PPO (hyperparams/ppo.yml) without gSDE, as in the peer
reference run: 4 environments x 1,024 steps per rollout, minibatch 64, 10 epochs,
Adam 1e-3 (constant), gamma 0.9, GAE lambda 0.95, clip 0.2, no entropy bonus,
value coefficient 0.5, gradient norm clip 0.5, 64x64 tanh networks, no
observation or reward normalisation; each library's defaults otherwise.

Systems, each run in a fresh process:

* SBX `sbx.PPO("MlpPolicy", make_vec_env("Pendulum-v1", 4), **settings)`.
* SB3 `stable_baselines3.PPO(...)`, same, `device="cpu"`,
  `torch.set_num_threads(2)`.
* ours at the same settings: `ppo.Config(num_envs=4, num_steps=1024,
  num_minibatches=64, num_epochs=10, learning_rate=1e-3, anneal_lr=False,
  gamma=0.9, gae_lambda=0.95, clip_eps=0.2, reward_scale=1.0,
  normalize_obs=False)` on gymnax (64x64 tanh, orthogonal init like SB3).
* ours at its own defaults (`ppo.Config()`, tuned for fast Pendulum-v1: many
  vectorised envs, short rollouts, annealed step size, reward scaling and
  observation normalisation; see `python examples/ppo.py --help`).

Steps/s (steady, "train"): for the peers, the steps after the first rollout
and update (which holds SBX's JIT compilation) over their wall time, up to the
end of `learn()`; for ours, `make_agent`'s compiled `train_chunk` timed over
whole chunks after one warm-up chunk (no evaluation or checkpointing inside).
`run() steps/s` is ppo.run's own summary figure (compile excluded; its
evaluations and checkpoints included). Return: mean of 10 deterministic
episodes after the budget, the same gymnasium episodes (seeds 10,000+i) for
every system; ours is `ppo.run`'s final policy restored from its last
checkpoint (its own gymnax evaluation stays in the raw JSON as
`gymnax_eval_return`). Wall time from before the environment is created to the
end of training, imports excluded.
"""

import time

from benchmarks import harness

TITLE = "PPO vs SBX and SB3 (Pendulum-v1, rl-zoo settings)"
REPEATS = (1, 3)
ITERATION = 4 * 1024  # Steps per rollout at rl-zoo's settings.
BUDGET = (2 * ITERATION, 24 * ITERATION)  # quick, full (98,304 ≈ rl-zoo 1e5)
TARGET = 25.0  # Ours (jitted, gymnax) / SBX steps/s.
RL_ZOO = dict(
    n_steps=1024,
    batch_size=64,
    n_epochs=10,
    learning_rate=1e-3,
    gamma=0.9,
    gae_lambda=0.95,
    clip_range=0.2,
    ent_coef=0.0)
OURS_EQUAL = dict(
    num_envs=4,
    num_steps=1024,
    num_minibatches=64,
    num_epochs=10,
    learning_rate=1e-3,
    anneal_lr=False,
    gamma=0.9,
    gae_lambda=0.95,
    clip_eps=0.2,
    ent_coef=0.0,
    vf_coef=0.5,
    max_grad_norm=0.5,
    hidden_sizes=(64, 64),
    reward_scale=1.0,
    normalize_obs=False)


def run_peer(library: str, steps: int, seed: int) -> dict:
  """SBX or SB3 PPO; the clock starts at the second rollout."""
  # pylint: disable=g-import-not-at-top
  from stable_baselines3.common.callbacks import BaseCallback
  from stable_baselines3.common.env_util import make_vec_env
  lib, extra = harness.peer(library)

  class Clock(BaseCallback):
    start = start_step = None

    def _on_rollout_start(self) -> None:
      if Clock.start is None and self.num_timesteps > 0:
        Clock.start, Clock.start_step = time.perf_counter(), self.num_timesteps

    def _on_step(self) -> bool:
      return True

  start = time.perf_counter()
  env = make_vec_env("Pendulum-v1", n_envs=4, seed=seed)
  model = lib.PPO("MlpPolicy", env, seed=seed, verbose=0, **RL_ZOO, **extra)
  model.learn(total_timesteps=steps, callback=Clock())
  end = time.perf_counter()
  policy = lambda o: model.predict(o, deterministic=True)[0]
  return dict(
      steps_per_s=(model.num_timesteps - Clock.start_step) /
      (end - Clock.start),
      wall_s=end - start,
      steps=model.num_timesteps,
      eval_return=harness.gym_eval(policy))


def run_ours(settings: dict, steps: int, eval_every: int, seed: int) -> dict:
  """`ppo.run` for the return and wall time; `train_chunk` for the rate."""
  settings = dict(settings, seed=seed, eval_every=eval_every, total_steps=steps)
  summary, _, (state, eval_policy) = harness.run_example(
      "ppo", settings, final_state=True)
  actor = harness.import_example("ppo").policy_params(state)
  rate = harness.train_rate("ppo", settings, chunks=2)["steps_per_s"]
  return dict(
      steps_per_s=rate,
      summary_steps_per_s=summary["steps_per_s"],
      wall_s=summary["wall_s"],
      compile_s=summary["compile_s"],
      steps=summary["total_steps"],
      eval_return=harness.gym_eval(lambda o: eval_policy(actor, o)),
      gymnax_eval_return=summary["final_eval_return"])


SYSTEMS = {
    "SBX": ("run_peer", dict(library="sbx")),
    "SB3 (torch, 2 threads)": ("run_peer", dict(library="sb3")),
    "ours, rl-zoo settings": ("run_ours", dict(settings=OURS_EQUAL)),
    "ours, ppo.py defaults": ("run_ours", dict(settings={})),
}


def run(full: bool, repeats: int, budget: int | None = None) -> dict:
  """Runs every system `repeats` times, interleaved; returns the section."""
  budget = budget or BUDGET[full]
  if budget % (2 * ITERATION):
    raise ValueError(f"ppo_peers: `budget` must be a multiple of "
                     f"{2 * ITERATION}, got {budget}.")
  results = {name: [] for name in SYSTEMS}
  for repeat in range(repeats):
    for name, (function, kwargs) in SYSTEMS.items():
      if function == "run_ours":  # Two chunks: ppo.run evaluates after each.
        kwargs = dict(kwargs, eval_every=budget // 2)
      results[name].append(
          harness.isolated(
              f"benchmarks.ppo_peers:{function}",
              steps=budget,
              seed=repeat,
              **kwargs))

  def med(name, field):
    return harness.median([r.get(field) for r in results[name]])

  sbx, sb3 = med("SBX", "steps_per_s"), med("SB3 (torch, 2 threads)",
                                            "steps_per_s")
  rows = []
  for name, runs in results.items():
    rate = med(name, "steps_per_s")
    errors = [r["error"] for r in runs if "error" in r]
    rows.append([
        name, rate,
        med(name, "summary_steps_per_s"),
        harness.ratio(rate, sbx),
        harness.ratio(rate, sb3),
        med(name, "steps"),
        med(name, "wall_s"),
        med(name, "eval_return"),
        len(runs) - len(errors), "; ".join(errors)
    ])
  best = max((r[3] for r in rows[2:] if r[3] is not None), default=None)
  return dict(
      title=TITLE,
      method=__doc__.split("\n\n", 1)[1],
      tables=[
          dict(
              caption=f"Budget {budget:,} steps; medians over n runs (seeds "
              "0..n-1).",
              columns=[
                  "system", "train steps/s", "run() steps/s", "× SBX", "× SB3",
                  "steps", "wall s", "eval return", "n", "errors"
              ],
              rows=rows)
      ],
      targets=[
          dict(
              name="best of ours / SBX train steps/s",
              value=best,
              target=f">= {TARGET}",
              met=best is not None and best >= TARGET)
      ],
      raw=results)
