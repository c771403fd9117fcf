"""SAC on Pendulum-v1 at SBX's default settings: ours against SBX and SB3.

Settings for everyone: 256x256 actor and twin critics, batch 256, one update
per environment step, 1,000 uniform random steps before learning, Adam 3e-4,
replay capacity 100k (no overwriting within the budget), automatic entropy
temperature, seed 0 plus the repeat index.

Systems, each run in a fresh process:

* ours, host loop: a gymnasium env stepped from Python; one jitted function
  per step adds the transition (`replay.add`), runs `learner.update` and
  samples the next action (one dispatch, one host sync per step), the replay
  buffer, parameters, optimiser state and key donated. Built only from
  `sac.make_learner` and `replay`.
* ours, jitted: `sac.run(sac.Config(...))` on gymnax Pendulum-v1: acting,
  stepping, storing and updating in one `lax.scan` per 1,000 steps.
* SBX `sbx.SAC("MlpPolicy", env, learning_starts=1000, buffer_size=100_000)`.
* SB3 `stable_baselines3.SAC(...)`, same arguments, `device="cpu"`,
  `torch.set_num_threads(2)`.

Steps/s (steady): environment steps after learning starts, over their wall
time. For SBX, SB3 and the host loop the clock starts after step 1,100 (the
first 100 learning steps hold the JIT compilation of the update) and stops
when training returns; for `sac.run` it is the evals.csv wall clock between
the eval at step 1,000 and the last one (compilation is ahead of time; nine
evaluations and checkpoints fall inside). `sac.run`'s own `steps_per_s`
(all steps over wall time less compile time) is shown beside it. Wall time:
from before the environment is created to the end of training, Python imports
excluded. Eval: mean return of 10 deterministic episodes at the end, the
same gymnasium episodes (seeds 10,000+i) for every system; `sac.run`'s final
policy is restored from its last checkpoint for it (its own gymnax
evaluation is kept in the raw JSON as `gymnax_eval_return`).

Roofline: XLA's f32 matmul speed (1024 and 2048 square) is measured in the
same invocation; an update's FLOPs are XLA's `cost_analysis()` of our jitted
`learner.update`; fraction = steps/s x FLOPs / peak. The update's products
are small (256 rows), far below that peak, so a shape-aware floor is
measured too, in a process of its own per repeat: every matrix product
(`dot`) in the optimised HLO of our jitted update (forward and backward, at
batch 256 and Pendulum's 3 observation dims and 1 action dim; the HLO, not
the jaxpr, because XLA rewrites the jaxpr's products: one of the jaxpr's
forms, `[256,256] x [256,3]` contracted over the batch, runs 12x slower
alone than the swapped form XLA actually emits), each shape timed alone in
a jitted loop of 50 (`harness.dot_timer`: no dispatch, operands in cache),
times its count, summed. The same process times the jitted update (one
call, waited for, parameters and optimiser state donated as in the host
loop: what the host loop pays per step, less acting, storing and the
environment) and `sac.py`'s compiled `train` over chunks of 1,000 learning
steps after a warm-up chunk (acting, stepping, storing and updating; no
evaluation or checkpointing), in rounds: every product, the update, one
chunk, again (3 rounds quick, 5 full). Fraction of floor = floor / time per
step, the median of the rounds' ratios. The products of acting (one
observation per step) are not in the floor; time beyond the floor is
everything else: elementwise and layout kernels, the optimiser, random
numbers, dispatch.
"""
import functools
import time

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks import harness

TITLE = "SAC vs SBX and SB3 (Pendulum-v1, SBX default settings)"
REPEATS = (1, 3)
STEPS = (2_000, 10_000)  # quick, full
LEARNING_STARTS = 1_000
WARMUP = 100  # Learning steps excluded from the steady clock.
BUFFER_SIZE = 100_000
PEERS_MFLOP = 544.0
TARGETS = (1.3, 1.5)  # Ours (host loop, sac.run) / SBX steady steps/s.
FLOOR_TARGET = 0.9  # Floor / sac.py's train time per step.
ROUNDS = (3, 5)  # Interleaved timing rounds of the roofline.
BLOCK_S = (0.1, 0.3)  # Seconds per timed block of a product or the update.


def run_ours_host(steps: int, seed: int) -> dict:
  """Ours with a gymnasium env and one fused jitted function per step."""
  import gymnasium as gym  # pylint: disable=g-import-not-at-top
  sac = harness.import_example("sac")
  replay = harness.import_example("plumbing.replay")

  start = time.perf_counter()
  env = gym.make("Pendulum-v1")
  env.action_space.seed(seed)
  config = sac.Config(
      **{
          **sac.SBX,
          **dict(
              seed=seed,
              total_steps=steps,
              buffer_size=BUFFER_SIZE,
              learning_starts=LEARNING_STARTS,
              progress=False)
      })
  low, high = env.action_space.low, env.action_space.high
  learner = sac.make_learner(config, low, high)
  obs, _ = env.reset(seed=seed)
  key, init_key = jax.random.split(jax.random.PRNGKey(seed))
  params, opt_state = learner.init(init_key, jnp.asarray(obs)[None])
  # The target starts as the critic's arrays: copy, so each can be donated.
  params = params._replace(
      target_critic=jax.tree.map(jnp.copy, params.target_critic))
  buffer = replay.init(BUFFER_SIZE, obs.shape[0], low.shape[0])

  def add(buffer, obs, action, reward, next_obs, discount):
    return replay.add(buffer, obs[None], action[None], reward[None],
                      next_obs[None], discount[None])

  @functools.partial(jax.jit, donate_argnums=(0, 1, 2, 3))
  def learn_step(params, opt_state, buffer, key, transition, act_obs):
    buffer = add(buffer, *transition)
    key, batch_key, update_key, act_key = jax.random.split(key, 4)
    batch = replay.sample(buffer, batch_key, config.batch_size)
    params, opt_state = learner.update(params, opt_state, batch, update_key)
    action = learner.act(params.actor, act_obs, act_key)
    return params, opt_state, buffer, key, action

  store = jax.jit(add, donate_argnums=0)
  act = jax.jit(learner.act)
  action, clock_start = None, None
  for step in range(steps):
    if step < LEARNING_STARTS:
      action = env.action_space.sample()
    elif action is None:  # The first policy action.
      key, act_key = jax.random.split(key)
      action = act(params.actor, obs, act_key)
    action = np.asarray(action)  # The step's one host sync.
    next_obs, reward, terminated, truncated, _ = env.step(action)
    transition = (obs, action, np.float32(reward), next_obs,
                  np.float32(1.0 - terminated))
    obs = env.reset()[0] if terminated or truncated else next_obs
    if step + 1 > LEARNING_STARTS:  # As sac.py: update once past the start.
      params, opt_state, buffer, key, action = learn_step(
          params, opt_state, buffer, key, transition, obs)
    else:
      buffer = store(buffer, *transition)
    if step + 1 == LEARNING_STARTS + WARMUP:
      jax.block_until_ready(params)
      clock_start = time.perf_counter()
  jax.block_until_ready(params)
  end = time.perf_counter()

  eval_policy = jax.jit(learner.eval_policy)
  batch = replay.sample(buffer, key, config.batch_size)
  cost = jax.jit(learner.update).lower(params, opt_state, batch,
                                       key).compile().cost_analysis()
  if isinstance(cost, list):  # Older jax returns one dict per device.
    cost = cost[0]
  return dict(
      steps_per_s=(steps - LEARNING_STARTS - WARMUP) / (end - clock_start),
      wall_s=end - start,
      eval_return=harness.gym_eval(lambda o: eval_policy(params.actor, o)),
      update_mflop=cost.get("flops", float("nan")) / 1e6)


def run_ours_jitted(steps: int, seed: int) -> dict:
  """`sac.run` on gymnax: the fully jitted loop."""
  summary, evals, (state, eval_policy) = harness.run_example(
      "sac",
      dict(
          harness.import_example("sac").SBX,
          checkpoint_interval_s=0.0,  # A checkpoint after every evaluation.
          seed=seed,
          total_steps=steps,
          buffer_size=BUFFER_SIZE,
          learning_starts=LEARNING_STARTS,
          eval_every=1_000),
      final_state=True)
  first = next(e for e in evals if e[0] >= LEARNING_STARTS)
  last = evals[-1]
  steady = ((last[0] - first[0]) /
            (last[2] - first[2]) if last[0] > first[0] else None
           )  # Needs two evals past the start.
  return dict(
      steps_per_s=steady,
      summary_steps_per_s=summary["steps_per_s"],
      compile_s=summary["compile_s"],
      wall_s=summary["wall_s"],
      eval_return=harness.gym_eval(
          lambda o: eval_policy(state.params.actor, o)),
      gymnax_eval_return=summary["final_eval_return"])


def run_roofline(full: bool) -> dict:
  """Our update's products timed alone, summed, against the update and loop."""
  sac = harness.import_example("sac")
  replay = harness.import_example("plumbing.replay")
  settings = dict(
      sac.SBX,
      buffer_size=BUFFER_SIZE,
      learning_starts=LEARNING_STARTS,
      eval_every=1_000)
  config = sac.Config(progress=False, **settings)
  env = harness.import_example("plumbing.envs").make(config.env, 1)
  learner = sac.make_learner(config, env.low, env.high)
  key, init_key, obs_key = jax.random.split(jax.random.PRNGKey(0), 3)
  params, opt_state = learner.init(init_key, jnp.zeros((1, env.obs_size)))
  params = params._replace(  # Its own arrays, so both can be donated.
      target_critic=jax.tree.map(jnp.copy, params.target_critic))
  rows, actions = config.batch_size, len(env.low)
  obs, next_obs = jax.random.normal(obs_key, (2, rows, env.obs_size))
  batch = replay.Buffer(obs, jnp.zeros((rows, actions)), jnp.zeros(rows),
                        next_obs, jnp.ones(rows), jnp.int32(0), jnp.int32(rows))
  # The update as the host loop runs it: parameters and optimiser donated.
  update = jax.jit(learner.update, donate_argnums=(0, 1))
  dots = harness.hlo_dots(
      update.lower(params, opt_state, batch, key).compile().as_text() or "")
  block_s = BLOCK_S[full]
  dot_timers = [
      harness.dot_timer(d["lhs"], d["rhs"], d["dimension_numbers"], block_s)
      for d in dots
  ]
  state = [params, opt_state]

  def step():
    state[:] = update(*state, batch, key)
    return state

  update_timer = harness.block_timer(step, block_s)
  chunk, chunk_steps = harness.train_chunk("sac", settings)
  rounds = []
  for _ in range(ROUNDS[full]):  # Interleaved, so each round is one pairing.
    dot_s = [timer() for timer in dot_timers]
    rounds.append(
        dict(
            floor_ms=1e3 * sum(d["count"] * t for d, t in zip(dots, dot_s)),
            update_ms=1e3 * update_timer(),
            loop_step_ms=1e3 * chunk() / chunk_steps,
            dot_us=[1e6 * t for t in dot_s]))
  for i, dot in enumerate(dots):
    dot["us"] = harness.median([r["dot_us"][i] for r in rounds])
  out = {
      k: harness.median([r[k] for r in rounds])
      for k in ("floor_ms", "update_ms", "loop_step_ms")
  }
  for k in ("update_ms", "loop_step_ms"):  # Paired: the median of ratios.
    out[k.replace("_ms", "_of_floor")] = harness.median(
        [r["floor_ms"] / r[k] for r in rounds])
  return dict(dots=dots, rounds=rounds, **out)


def run_peer(library: str, steps: int, seed: int) -> dict:
  """SBX or SB3 SAC with a callback that starts the clock after the warm-up."""
  # pylint: disable=g-import-not-at-top
  import gymnasium as gym
  from stable_baselines3.common.callbacks import BaseCallback
  lib, extra = harness.peer(library)

  class Clock(BaseCallback):
    start = None

    def _on_step(self) -> bool:
      if self.num_timesteps == LEARNING_STARTS + WARMUP:
        Clock.start = time.perf_counter()
      return True

  start = time.perf_counter()
  env = gym.make("Pendulum-v1")
  model = lib.SAC(
      "MlpPolicy",
      env,
      learning_starts=LEARNING_STARTS,
      buffer_size=BUFFER_SIZE,
      seed=seed,
      verbose=0,
      **extra)
  model.learn(total_timesteps=steps, callback=Clock())
  end = time.perf_counter()
  policy = lambda o: model.predict(o, deterministic=True)[0]
  return dict(
      steps_per_s=(steps - LEARNING_STARTS - WARMUP) / (end - Clock.start),
      wall_s=end - start,
      eval_return=harness.gym_eval(policy))


SYSTEMS = {
    "ours, host loop (gymnasium)": ("run_ours_host", {}),
    "ours, sac.run (gymnax, jitted)": ("run_ours_jitted", {}),
    "SBX": ("run_peer", dict(library="sbx")),
    "SB3 (torch, 2 threads)": ("run_peer", dict(library="sb3")),
}


def run(full: bool, repeats: int, steps: int | None = None) -> dict:
  """Runs every system `repeats` times, interleaved; returns the section."""
  steps = steps or STEPS[full]
  results = {name: [] for name in SYSTEMS}
  peaks, roofs = [], []
  for repeat in range(repeats):
    peaks.append(harness.isolated("benchmarks.harness:matmul_gflops"))
    roofs.append(
        harness.isolated("benchmarks.sac_peers:run_roofline", full=full))
    for name, (function, kwargs) in SYSTEMS.items():
      results[name].append(
          harness.isolated(
              f"benchmarks.sac_peers:{function}",
              steps=steps,
              seed=repeat,
              **kwargs))
  peak = {
      n: harness.median([p.get(str(n)) for p in peaks]) for n in (1024, 2048)
  }
  best_peak = max((v for v in peak.values() if v), default=None)
  mflop = harness.median(
      [r.get("update_mflop") for r in results["ours, host loop (gymnasium)"]])
  roof = {
      k: harness.median([r.get(k) for r in roofs])
      for k in ("floor_ms", "update_ms", "loop_step_ms", "update_of_floor",
                "loop_step_of_floor")
  }

  def med(name, field):
    return harness.median([r.get(field) for r in results[name]])

  roof_errors = [r["error"] for r in roofs if "error" in r]
  roof_n = len(roofs) - len(roof_errors)

  def of_floor(ms):
    return harness.ratio(roof["floor_ms"], ms)

  sbx = med("SBX", "steps_per_s")
  rows = []
  for name, runs in results.items():
    rate = med(name, "steps_per_s")
    errors = [r["error"] for r in runs if "error" in r]
    rows.append([
        name, rate,
        med(name, "summary_steps_per_s"),
        harness.ratio(rate, sbx),
        harness.ratio(rate, med("SB3 (torch, 2 threads)", "steps_per_s")),
        med(name, "wall_s"),
        med(name, "eval_return"),
        harness.ratio(rate * mflop * 1e6, best_peak *
                      1e9) if rate and best_peak and mflop else None,
        of_floor(1e3 / rate) if rate else None,
        len(runs) - len(errors), "; ".join(errors) or ""
    ])
  loop_fraction = roof["loop_step_of_floor"]
  targets = [
      dict(
          name=f"{name} / SBX steady steps/s",
          value=rows[i][3],
          target=f">= {target}",
          met=rows[i][3] is not None and rows[i][3] >= target)
      for i, (name, target) in enumerate(zip(SYSTEMS, TARGETS))
  ] + [
      dict(
          name="sac.py train loop: shape-aware floor / time per step",
          value=loop_fraction,
          target=f">= {FLOOR_TARGET}",
          met=loop_fraction is not None and loop_fraction >= FLOOR_TARGET)
  ]
  return dict(
      title=TITLE,
      method=__doc__.split("\n\n", 1)[1],
      tables=[
          dict(
              caption=f"{steps:,} environment steps; medians over n runs "
              "(seeds 0..n-1). Of matmul peak: steps/s x our update's FLOPs / "
              "the best large-matmul speed (last table); of shape-aware floor: "
              "our update's floor (below) / the time per step.",
              columns=[
                  "system", "steady steps/s", "run() steps/s", "× SBX", "× SB3",
                  f"wall s to {steps:,}", "eval return",
                  "of matmul peak (XLA count)", "of shape-aware floor", "n",
                  "errors"
              ],
              rows=rows),
          dict(
              caption="Shape-aware floor: the matrix products of one "
              "update (optimised HLO), each timed alone; µs are medians over "
              "the repeats; where: the products' op names (bwd: backward "
              "pass; ?: none, a product XLA rewrote).",
              columns=[
                  "lhs · rhs", "contracting; batch dims", "where", "count",
                  "MFLOP each", "µs each", "GFLOP/s", "µs in all"
              ],
              rows=_dot_rows(roofs)),
          dict(
              caption="Our update and loop against the floor, timed in "
              "the same process, interleaved; of floor: floor / time, the "
              "median over rounds (paired), then over repeats." +
              "".join(f" Error: {e}" for e in roof_errors),
              columns=["quantity", "ms", "of floor", "n"],
              rows=[
                  [
                      "floor: the products above, summed", roof["floor_ms"],
                      1.0, roof_n
                  ],
                  [
                      "jitted update, one call (dispatch included)",
                      roof["update_ms"], roof["update_of_floor"], roof_n
                  ],
                  [
                      "sac.py train loop, per step (no evaluations)",
                      roof["loop_step_ms"], loop_fraction, roof_n
                  ],
              ]),
          dict(
              caption="Compute facts measured in the same invocation.",
              columns=["quantity", "value", "n"],
              rows=[["XLA f32 matmul 1024², GFLOP/s", peak[1024], repeats],
                    ["XLA f32 matmul 2048², GFLOP/s", peak[2048], repeats],
                    [
                        "SAC update FLOPs, XLA cost_analysis, MFLOP", mflop,
                        repeats
                    ],
                    ["SAC update FLOPs, hand count, MFLOP", PEERS_MFLOP, "—"],
                    [
                        "update floor at best peak, ms (XLA count)",
                        mflop / best_peak if mflop and best_peak else None, "—"
                    ]])
      ],
      targets=targets,
      raw=dict(results=results, matmul=peaks, roofline=roofs))


def _dot_rows(roofs: list[dict]) -> list[list]:
  """One row per product of the roofline, µs the median over the repeats."""
  measured = [r["dots"] for r in roofs if "dots" in r]
  if not measured:
    return []
  rows = []
  for i, dot in enumerate(measured[0]):
    us = harness.median([dots[i]["us"] for dots in measured])
    (lhs_contract, rhs_contract), (lhs_batch, rhs_batch) = (
        dot["dimension_numbers"])
    rows.append([
        f"{_shape(dot['lhs'])} · {_shape(dot['rhs'])}",
        f"{_shape(lhs_contract)}·{_shape(rhs_contract)}; "
        f"{_shape(lhs_batch)}·{_shape(rhs_batch)}",
        ", ".join(f"{where} ×{n}" for where, n in dot["where"].items()),
        dot["count"], dot["mflop"], us, dot["mflop"] / us * 1e3,
        dot["count"] * us
    ])
  total_mflop = sum(row[3] * row[4] for row in rows)
  total_us = sum(row[7] for row in rows if row[7] is not None)
  rows.append([
      "all products", "", "",
      sum(row[3] for row in rows), total_mflop, "",
      harness.ratio(total_mflop * 1e3, total_us), total_us
  ])
  return rows


def _shape(dims) -> str:
  return "[" + ",".join(str(d) for d in dims) + "]"
