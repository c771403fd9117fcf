"""The agent contract and the outer training loop every example shares.

An agent script builds an `Agent` from its config and hands it to
`run_agent`, which owns everything around the algorithm: the run folder,
compilation (ahead of time, timed), resuming, the progress bar, evaluation
and checkpoints. The training itself stays in the agent's jitted `train`:

  exp = Experiment(algo, config)           # Starts the clock.
  agent = make_agent(config)               # Envs, networks, jitted functions.
  state, step = exp.restore(init(key))     # For --resume.
  while step < config.total_steps:         # One chunk per evaluation.
    state = train(state, num_steps); step = int(state.step)
    exp.record(step, evaluate(eval_env, agent.eval_policy, ...))
    exp.save(state, step)                  # The first, then at most one per
                                           # --checkpoint-interval-s; the last.
"""

import functools
import json
import os
import time
from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp

from examples.plumbing import checkpointing
from examples.plumbing import distributed
from examples.plumbing import envs
from examples.plumbing import evaluation
from examples.plumbing import experiment
from examples.plumbing import flags
from examples.plumbing import report

# Progress bar updates per evaluation interval (each a call of `train`).
BAR_UPDATES_PER_EVAL = 10
# `init` runs once, so it is compiled unoptimised: each Linear layer's
# truncated-normal initialiser takes about a second to compile optimised
# (SAC's 64x64 actor and twin critics: 7.3 s -> 2.5 s).
INIT_OPTIONS = {"xla_backend_optimization_level": 0}
XLA_CACHE = "xla_cache"  # JAX's persistent compilation cache, in --run-dir.


def run_keys(seed: int) -> tuple[jax.Array, jax.Array]:
  """A run's `(init_key, eval_key)`: `init(init_key)` is its first state."""
  init_key, eval_key = jax.random.split(jax.random.PRNGKey(seed))
  return init_key, eval_key


class Agent(NamedTuple):
  """What an agent script gives `run_agent`.

  Attributes:
    env: the training environments (`envs.make(config.env, num_envs)`).
    init: `init(key) -> state`, the training state; it has a `step` field
      (environment steps so far, an int32 scalar).
    train: `train(state, num_steps) -> state` trains at least `num_steps` (a
      traced int32) more environment steps, in whole iterations: exactly that
      many when `num_steps` is a multiple of `step_unit`.
    eval_policy: `eval_policy(params, obs [E, O]) -> action`, deterministic.
    policy_params: `policy_params(state)`, `eval_policy`'s `params`.
    step_unit: environment steps per training iteration (1 where they vary,
      as with whole episodes).
    eval_state: for a recurrent policy, `eval_state(E)`, its state at the
      start of `E` episodes; `eval_policy` then takes and returns it:
      `eval_policy(params, obs [E, O], is_first [E], state) -> (action,
      state)` (see `evaluation.evaluate_recurrent`). None: no state.
  """
  env: envs.Env
  init: Callable[[jax.Array], Any]
  train: Callable[[Any, jax.Array], Any]
  eval_policy: Callable[[Any, jax.Array], jax.Array]
  policy_params: Callable[[Any], Any]
  step_unit: int
  eval_state: Callable[[int], Any] | None = None


def run_agent(algo: str, config: Any,
              make_agent: Callable[[Any], Agent]) -> dict[str, Any]:
  """Trains an agent chunk by chunk, evaluating and checkpointing in between.

  Evaluations come every `config.eval_every` steps and at the end, each on
  `config.eval_episodes` episodes from the same start states (a fixed key).
  A checkpoint follows the first evaluation, then an evaluation when
  `config.checkpoint_interval_s` have passed since the last one, and always
  the last step's (so a run killed after its first evaluation can resume).

  With several processes (`distributed`), every process trains and calls the
  checkpoint writer (orbax's saves and restores are collectives), but only
  process 0 evaluates (on its own copy of the replicated parameters), writes
  the run folder's files and shows the progress.

  Args:
    algo: the algorithm's short name; it names the run folder.
    config: the agent's `flags.CommonConfig` (subclass) instance.
    make_agent: builds the `Agent` from `config` (after the clock starts, so
      set-up counts in `wall_s`).

  Returns:
    The run's summary (see `Experiment.finish`; without evaluations in
    processes other than 0); for a resumed run that was already complete,
    the summary it ended with (nothing is changed).

  Raises:
    flags.FlagError: for a resume that does not match the run, and for the
      environment errors of `envs.make`.
  """
  start, primary = time.perf_counter(), distributed.is_primary()
  show = config.progress and primary
  if config.resume:
    flags.check_resume(algo, config)
    saved_step = checkpointing.latest_step(config.resume) or 0
    summary = _summary(config.resume)
    if saved_step >= config.total_steps and summary is not None and (
        summary["total_steps"] == saved_step):
      report.status(
          f"{config.resume} is complete at step {saved_step:,} "
          f"(--total-steps {config.total_steps:,}); nothing to do. "
          "Raise --total-steps to train longer.", show)
      return summary  # Else (killed before its summary): finish it below.
  report.status(
      f"{algo} on {config.env}, seed {config.seed}: building the "
      "environments and networks", show)
  agent = make_agent(config)  # Raises FlagError before anything is written.
  eval_env = envs.make(
      config.env,
      config.eval_episodes,
      brax_backend=config.brax_backend,
      auto_reset=False)
  threshold = (
      agent.env.threshold if config.threshold is None else config.threshold)
  exp = experiment.Experiment(algo, config, threshold, start=start)
  report.status(f"run folder {exp.path}", show)
  bar = report.Progress(config.total_steps, disable=not show)
  init_key, eval_key = run_keys(config.seed)
  init = exp.compile(
      jax.jit(agent.init, compiler_options=INIT_OPTIONS), init_key)
  state, step = exp.restore(init(init_key), agent.env.host)
  train = exp.compile(agent.train, state, jnp.int32(agent.step_unit))
  if agent.eval_state is None:
    evaluate = functools.partial(evaluation.evaluate, eval_env,
                                 agent.eval_policy)
  else:
    evaluate = functools.partial(evaluation.evaluate_recurrent, eval_env,
                                 agent.eval_policy,
                                 agent.eval_state(config.eval_episodes))
  policy_params = lambda state: distributed.local_copy(
      agent.policy_params(state))
  if primary:
    evaluate = exp.compile(evaluate, policy_params(state), eval_key)
  report.status(
      f"compiled in {exp.compile_s:.1f} s; training from step "
      f"{step:,} to {config.total_steps:,}", show)
  bar.training()
  bar.update(step)
  saved_at = -float("inf")  # The first evaluation's checkpoint is written.
  bar_steps = max(
      agent.step_unit, config.eval_every // BAR_UPDATES_PER_EVAL //
      agent.step_unit * agent.step_unit)
  while step < config.total_steps:
    end = min((step // config.eval_every + 1) * config.eval_every,
              config.total_steps)
    while step < end:
      state = train(state, jnp.int32(min(bar_steps, end - step)))
      step = int(state.step)
      bar.update(step)
    if primary:
      bar.update(step, exp.record(step,
                                  evaluate(policy_params(state), eval_key)))
    # Saving takes a fraction of a second (SAC's replay buffer included):
    # the first, then at most one per `checkpoint_interval_s`, and the last.
    if distributed.primary_decides(
        step >= config.total_steps or
        time.perf_counter() - saved_at >= config.checkpoint_interval_s):
      exp.save(state, step, agent.env.host)
      saved_at = time.perf_counter()
  bar.close()
  return exp.finish(step)


def _summary(run_folder: str) -> dict[str, Any] | None:
  """The run's summary.json, or None if it has none."""
  path = os.path.join(run_folder, "summary.json")
  if not os.path.exists(path):
    return None
  with open(path) as f:
    return json.load(f)


def main(config_cls: type, run: Callable[[Any], dict[str, Any]]) -> None:
  """An example's entry point: flags, `run(config)`, a readable summary
  (from process 0 only, with several processes).

  With `--xla-cache` (the default), compiled programs are kept in JAX's
  persistent compilation cache under `<run-dir>/xla_cache` (beside the run
  folder, for `--resume`; JAX keeps those that took a second or more to
  compile), unless JAX's own `jax_compilation_cache_dir` is set already (e.g.
  by the environment variable JAX_COMPILATION_CACHE_DIR), which is then used
  as it is.
  """

  def cached_run(config):
    if config.xla_cache and jax.config.jax_compilation_cache_dir is None:
      # Beside the run folders: those of --run-dir, or the resumed run's.
      base = (
          os.path.dirname(os.path.abspath(config.resume))
          if config.resume else config.run_dir)
      jax.config.update("jax_compilation_cache_dir",
                        os.path.abspath(os.path.join(base, XLA_CACHE)))
    return run(config)

  summary = flags.main(config_cls, cached_run)
  if distributed.is_primary():
    print(report.describe(summary))
