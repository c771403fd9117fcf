"""Plumbing shared by the example agents: flags, environments, evaluation, runs.

An agent declares its flags as a frozen dataclass extending `CommonConfig`,
parses them with `parse_config`, and trains through `run_agent`: an
`Experiment` and an outer Python loop over chunks, each chunk one jitted
`lax.scan` call; the bar, evals and checkpoints are updated between chunks,
off the jitted path:

  exp = common.Experiment("sac", config)      # Starts the clock.
  env, env_params, init, train_chunk, eval_policy = make_agent(config)
  state, step = exp.restore(init(init_key))   # For --resume.
  train = exp.compile(train_chunk, state)     # AOT: times the compilation.
  while step < config.total_steps:
    state = train(state); step = int(state.step)
    exp.record(step, evaluate(env, env_params, eval_policy, ...))
    exp.save(state, step)
  return exp.finish(state, step)              # The summary dict.

Nothing here is random or threaded: same seed and flags, same bits on CPU.
Glossary: `E` episodes, `O` observation dims.
"""

import argparse
import csv
import dataclasses
import functools
import json
import os
import time
import typing
from typing import Any, Callable

import gymnax
import jax
import jax.numpy as jnp
import numpy as np
import tqdm

import checkpointing  # pylint: disable=g-bad-import-order

# Eval return counted as "solved" for `time_to_threshold_s`: Pendulum as in
# PEERS.md's time-to-solve table, the others are gymnasium's reward_threshold.
SOLVED_THRESHOLDS = {
    "Pendulum-v1": -200.0,
    "MountainCarContinuous-v0": 90.0,
    "CartPole-v1": 475.0,
}
ENVS = tuple(SOLVED_THRESHOLDS)


def flag(default: Any, help_text: str) -> Any:
  """A dataclass field that `parse_config` turns into a documented flag."""
  return dataclasses.field(default=default, metadata={"help": help_text})


def _flag_name(name: str) -> str:
  return "--" + name.replace("_", "-")


def check_positive(config: Any, *names: str) -> None:
  """Checks that the fields `names` of `config` are > 0.

  Raises:
    ValueError: naming the flag and value of the first that is not.
  """
  for name in names:
    value = getattr(config, name)
    if not value > 0:
      raise ValueError(
          f"`{_flag_name(name)}` must be > 0, got {name}={value!r}.")


def check_divides(config: Any, divisor: str, dividend: str) -> None:
  """Checks that field `divisor` of `config` divides field `dividend`.

  Raises:
    ValueError: naming both flags and values, and the fix, if not.
  """
  a, b = getattr(config, divisor), getattr(config, dividend)
  if b % a:
    raise ValueError(
        f"`{_flag_name(divisor)}` must divide `{_flag_name(dividend)}`, got "
        f"{divisor}={a}, {dividend}={b}; pick {_flag_name(divisor)} from the "
        f"divisors of {b} or change {_flag_name(dividend)}.")


@dataclasses.dataclass(frozen=True)
class CommonConfig:
  """Flags every agent has. Subclass it (frozen) and add the agent's own.

  A subclass that validates its own fields defines `__post_init__`, calls
  `super().__post_init__()` and raises ValueError naming the flag, the value
  and the fix (see `check_positive`, `check_divides`); `parse_config` turns
  that into a usage error.
  """

  env: str = flag("Pendulum-v1", f"gymnax environment, one of {ENVS}.")
  seed: int = flag(0, "Random seed; the same seed and flags give the same run.")
  total_steps: int = flag(10_000, "Environment steps to train for.")
  num_envs: int = flag(1, "Environments stepped in parallel (vmapped).")
  eval_every: int = flag(1_000, "Environment steps between evaluations.")
  eval_episodes: int = flag(10, "Episodes per deterministic evaluation.")
  threshold: float | None = flag(
      None, "Eval return counted as solved for time_to_threshold_s "
      f"('none': the environment's default, {SOLVED_THRESHOLDS}).")
  run_dir: str = flag("runs", "Base folder for run folders.")
  resume: str | None = flag(None, "Run folder to continue from its checkpoint.")
  progress: bool = flag(True, "Show a progress bar on stderr.")

  def __post_init__(self):
    if self.env not in ENVS:
      raise ValueError(f"`--env` must be one of {ENVS}, got env={self.env!r}.")
    check_positive(self, "total_steps", "num_envs", "eval_every",
                   "eval_episodes")
    check_divides(self, "num_envs", "eval_every")
    if self.resume is not None and not os.path.isdir(self.resume):
      raise ValueError(f"`--resume` must be an existing run folder, got "
                       f"resume={self.resume!r}.")


def _parse_optional(kind: type) -> Callable[[str], Any]:
  def parse(text: str) -> Any:
    return None if text.lower() == "none" else kind(text)
  parse.__name__ = kind.__name__  # Named in argparse's "invalid value" error.
  return parse


def make_parser(config_cls: type) -> argparse.ArgumentParser:
  """Builds an argparse parser with one flag per field of `config_cls`.

  Field `total_steps` becomes `--total-steps`; bools become `--x/--no-x`;
  `tuple[int, ...]` fields take several values (`--hidden-sizes 64 64`);
  `X | None` fields also accept `none`. Help texts come from `flag`.

  Raises:
    TypeError: if a field has no help text or an unsupported type.
  """
  parser = argparse.ArgumentParser(
      description=(config_cls.__doc__ or "").split("\n")[0],
      formatter_class=argparse.ArgumentDefaultsHelpFormatter)
  hints = typing.get_type_hints(config_cls)
  for field in dataclasses.fields(config_cls):
    kind, name = hints[field.name], _flag_name(field.name)
    if "help" not in field.metadata:
      raise TypeError(f"{config_cls.__name__}.{field.name}: declare it with "
                      "`flag(default, help_text)` so --help explains it.")
    kwargs = dict(default=field.default,  # argparse %-formats help texts.
                  help=field.metadata["help"].replace("%", "%%"))
    args = typing.get_args(kind)
    if kind is bool:
      kwargs["action"] = argparse.BooleanOptionalAction
    elif kind in (int, float, str):
      kwargs["type"] = kind
    elif typing.get_origin(kind) is tuple and args[1:] == (Ellipsis,):
      kwargs.update(type=args[0], nargs="+", metavar=args[0].__name__.upper())
    elif len(args) == 2 and type(None) in args:
      kwargs["type"] = _parse_optional(next(a for a in args if a is not None))
    else:
      raise TypeError(f"{config_cls.__name__}.{field.name}: unsupported flag "
                      f"type {kind}.")
    parser.add_argument(name, **kwargs)
  return parser


def parse_config(config_cls: type, argv: list[str] | None = None) -> Any:
  """Parses `argv` (default: `sys.argv[1:]`) into a `config_cls` instance.

  Raises:
    SystemExit: status 0 after `--help`; status 2 with a usage message for
      malformed flags and for values the config rejects (its ValueError
      message: unknown env, negative steps, ...).
  """
  parser = make_parser(config_cls)
  values = vars(parser.parse_args(argv))
  hints = typing.get_type_hints(config_cls)
  for name, value in values.items():
    if typing.get_origin(hints[name]) is tuple:
      values[name] = tuple(value)
  try:
    return config_cls(**values)
  except ValueError as e:
    parser.error(str(e))


def make_env(name: str) -> tuple[Any, Any]:
  """Returns `(env, env_params)` for a gymnax environment named in `ENVS`.

  Raises:
    ValueError: if `name` is not in `ENVS`.
  """
  if name not in ENVS:
    raise ValueError(f"make_env: `name` must be one of {ENVS}, got {name!r}.")
  return gymnax.make(name)


@functools.partial(
    jax.jit, static_argnames=("env", "env_params", "policy_fn", "num_episodes"))
def evaluate(env: Any, env_params: Any, policy_fn: Callable[[Any, Any], Any],
             params: Any, key: jax.Array, num_episodes: int = 10) -> jax.Array:
  """Returns of full episodes under a deterministic policy.

  Episodes run in parallel (`jax.vmap`), each a `lax.scan` over the env's
  `max_steps_in_episode` steps. Gymnax auto-resets, so each return sums the
  rewards up to and including the first terminated-or-truncated step only.

  Compiled once per (env, env_params, policy_fn, num_episodes): they are
  static, so pass the same `policy_fn` object each time (not a new lambda) and
  env_params with Python-scalar fields (gymnax defaults are). It also works
  inside the agent's own jitted function, and with `Experiment.compile`.

  Args:
    env: a gymnax environment.
    env_params: its params, e.g. from `make_env`.
    policy_fn: `policy_fn(params, obs) -> action` for one `[O]` observation.
    params: the policy's parameters.
    key: PRNG key for resets and environment noise.
    num_episodes: E, the number of episodes.

  Returns:
    `[E]` float array of undiscounted episode returns.
  """
  def episode(key):
    reset_key, step_key = jax.random.split(key)
    obs, state = env.reset(reset_key, env_params)

    def step(carry, key_t):
      obs, state, ret, running = carry
      action = policy_fn(params, obs)
      obs, state, r_t, terminated, truncated, _ = env.step(
          key_t, state, action, env_params)
      ret = ret + jnp.where(running, r_t, 0.0)
      running = running & ~(terminated | truncated)
      return (obs, state, ret, running), None

    keys = jax.random.split(step_key, env_params.max_steps_in_episode)
    init = (obs, state, jnp.zeros((), jnp.float32), jnp.array(True))
    return jax.lax.scan(step, init, keys)[0][2]

  return jax.vmap(episode)(jax.random.split(key, num_episodes))


class Progress:
  """A tqdm bar over environment steps, updated between jitted chunks."""

  def __init__(self, total_steps: int, *, initial: int = 0,
               disable: bool = False):
    self._bar = tqdm.tqdm(total=total_steps, initial=initial, unit="step",
                          unit_scale=True, dynamic_ncols=True, disable=disable)

  def update(self, step: int, eval_return: float | None = None) -> None:
    """Moves the bar to `step` (the total so far) and shows `eval_return`."""
    if eval_return is not None:
      self._bar.set_postfix(eval_return=f"{eval_return:.1f}", refresh=False)
    self._bar.update(step - self._bar.n)

  def close(self) -> None:
    self._bar.close()


def plot_learning_curve(path: str, steps: list[int],
                        returns: list[list[float]], title: str) -> None:
  """Saves a PNG: median eval return, shaded between the min and max episode."""
  from matplotlib import figure  # pylint: disable=g-import-not-at-top
  fig = figure.Figure(figsize=(6, 4), layout="constrained")  # No pyplot state.
  ax = fig.add_subplot()
  if steps:
    ax.fill_between(steps, [min(r) for r in returns],
                    [max(r) for r in returns], alpha=0.3,
                    label="min-max over episodes")
    ax.plot(steps, [float(np.median(r)) for r in returns], label="median")
    ax.legend(loc="lower right")
  ax.set(xlabel="environment steps", ylabel="eval return", title=title)
  fig.savefig(path, dpi=100)


class Experiment:
  """One training run: its folder, clock, progress bar, evals and checkpoints.

  Creating it starts the clock: create it first in `run(config)`, so `wall_s`
  and `time_to_threshold_s` count set-up and compilation. `compile_s` is
  exact: functions passed through `compile` are compiled ahead of time and
  timed (anything compiled lazily on first call counts as training instead).
  `steps_per_s` is this session's steps over its wall time less its compile
  time: evaluation and checkpointing included, the final plot not. After
  `--resume`, `wall_s` and `compile_s` add those of the checkpointed sessions.

  The folder `<run_dir>/<algo>-<env>-<seed>-<YYYYmmdd-HHMMSS>/` (or the
  `--resume` folder) receives `evals.csv` (step, eval_return, wall_s; the
  eval return is the mean over episodes), `learning_curve.png`,
  `checkpoints/` and, from `finish`, `summary.json`. Each checkpoint carries
  the evals and clocks so far, so a resumed run continues all of them.
  """

  def __init__(self, algo: str, config: Any):
    """Starts the clock and makes the run folder (unless resuming).

    Args:
      algo: the algorithm's short name, e.g. "sac"; it names the folder.
      config: a `CommonConfig` (subclass) instance.
    """
    self._start = time.perf_counter()
    self.algo, self.config = algo, config
    self.threshold = (SOLVED_THRESHOLDS[config.env]
                      if config.threshold is None else config.threshold)
    self.evals: list[tuple[int, list[float], float]] = []
    self.time_to_threshold_s: float | None = None
    self._wall_before = self._compile_before = self.compile_s = 0.0
    self._start_step = self._saved_step = 0
    self._progress = None
    if config.resume:
      self.path = config.resume
    else:
      stem = os.path.join(config.run_dir, f"{algo}-{config.env}-{config.seed}-"
                          f"{time.strftime('%Y%m%d-%H%M%S')}")
      self.path, n = stem, 1
      while os.path.exists(self.path):  # Two runs started in one second.
        n += 1
        self.path = f"{stem}-{n}"
      os.makedirs(self.path)
      self._write_csv()

  @property
  def wall_s(self) -> float:
    """Seconds since the run started, summed over resumed sessions."""
    return self._wall_before + time.perf_counter() - self._start

  def restore(self, target_state: Any) -> tuple[Any, int]:
    """Returns the `--resume` checkpoint's `(state, step)`, else `(target, 0)`.

    Raises:
      FileNotFoundError: if the resumed folder holds no checkpoint.
      ValueError: if it belongs to another algorithm or environment, or its
        state does not match `target_state` (see `restore_checkpoint`).
    """
    if not self.config.resume:
      return target_state, 0
    state, step, meta = checkpointing.restore_checkpoint(self.path,
                                                         target_state)
    if (meta["algo"], meta["env"]) != (self.algo, self.config.env):
      raise ValueError(
          f"`--resume` {self.path} is {meta['algo']} on {meta['env']}, not "
          f"{self.algo} on {self.config.env}; pass the matching --env.")
    self.evals = [(s, r, w) for s, r, w in meta["evals"]]
    self._wall_before, self._compile_before = meta["wall_s"], meta["compile_s"]
    self.compile_s += self._compile_before
    self.time_to_threshold_s = next(  # Against this session's threshold.
        (w for _, r, w in self.evals if np.mean(r) >= self.threshold), None)
    self._start_step = self._saved_step = step
    self._write_csv()  # Drops rows logged after the checkpoint.
    return state, step

  def compile(self, fn: Callable[..., Any], *args, **kwargs) -> Any:
    """Compiles `fn` (jitted or not) ahead of time for these arguments.

    Adds the time taken (tracing, lowering, compiling) to `compile_s`.

    Returns:
      The compiled function: call it with the non-static arguments only,
      with the same shapes, dtypes and tree structure.
    """
    start = time.perf_counter()
    jitted = fn if hasattr(fn, "lower") else jax.jit(fn)
    compiled = jitted.lower(*args, **kwargs).compile()
    self.compile_s += time.perf_counter() - start
    return compiled

  def record(self, step: int, eval_returns: Any = None) -> None:
    """Moves the progress bar to `step`; with `[E]` eval returns, logs them."""
    if self._progress is None:
      self._progress = Progress(self.config.total_steps,
                                initial=self._start_step,
                                disable=not self.config.progress)
    if eval_returns is None:
      self._progress.update(step)
      return
    returns = [float(r) for r in np.asarray(eval_returns)]  # Waits for them.
    wall, mean = self.wall_s, float(np.mean(returns))
    self.evals.append((int(step), returns, wall))
    if self.time_to_threshold_s is None and mean >= self.threshold:
      self.time_to_threshold_s = wall
    with open(os.path.join(self.path, "evals.csv"), "a", newline="") as f:
      csv.writer(f).writerow([int(step), mean, wall])
    self._progress.update(step, mean)

  def save(self, state: Any, step: int) -> None:
    """Checkpoints `state` with the evals and clocks so far (keeps the last).

    Raises:
      ValueError: if a checkpoint for `step` already exists.
    """
    meta = dict(algo=self.algo, env=self.config.env, evals=self.evals,
                wall_s=self.wall_s, compile_s=self.compile_s)
    checkpointing.save_checkpoint(self.path, state, step, meta=meta)
    self._saved_step = step

  def finish(self, state: Any, step: int) -> dict[str, Any]:
    """Writes the last checkpoint, plot and summary.json.

    Returns:
      The summary written to summary.json: algo, env, seed, total_steps (the
      final `step`), final_eval_return (mean of the last eval, or None),
      wall_s, compile_s, steps_per_s, threshold, time_to_threshold_s (None
      if never reached), run_dir and config (the config as a dict).
    """
    if step != self._saved_step:
      self.save(state, step)
    if self._progress is not None:
      self._progress.close()
    wall_s, session_s = self.wall_s, time.perf_counter() - self._start
    running_s = session_s - (self.compile_s - self._compile_before)
    plot_learning_curve(
        os.path.join(self.path, "learning_curve.png"),
        [s for s, _, _ in self.evals], [r for _, r, _ in self.evals],
        f"{self.algo} on {self.config.env}, seed {self.config.seed}")
    summary = dict(
        algo=self.algo, env=self.config.env, seed=self.config.seed,
        total_steps=int(step),
        final_eval_return=(float(np.mean(self.evals[-1][1])) if self.evals
                           else None),
        wall_s=wall_s, compile_s=self.compile_s,
        steps_per_s=(step - self._start_step) / max(running_s, 1e-9),
        threshold=self.threshold, time_to_threshold_s=self.time_to_threshold_s,
        run_dir=self.path, config=dataclasses.asdict(self.config))
    with open(os.path.join(self.path, "summary.json"), "w") as f:
      json.dump(summary, f, indent=2)
    return summary

  def _write_csv(self) -> None:
    with open(os.path.join(self.path, "evals.csv"), "w", newline="") as f:
      writer = csv.writer(f)
      writer.writerow(["step", "eval_return", "wall_s"])
      writer.writerows([s, float(np.mean(r)), w] for s, r, w in self.evals)


def run_agent(algo: str, config: Any, make_agent: Callable[[Any], tuple], *,
              policy_params: Callable[[Any], Any] = lambda s: s.params.actor,
              init_options: dict[str, Any] | None = None) -> dict[str, Any]:
  """Trains an agent chunk by chunk, evaluating and checkpointing in between.

  The outer loop every example shares. `make_agent(config)` returns `(env,
  env_params, init, train_chunk, eval_policy)`: `init(key)` the training state
  (with a `step` field), `train_chunk(state)` the state `eval_every` or more
  steps later, `eval_policy(params, obs)` the deterministic action.
  `make_agent` runs after the clock starts, so set-up counts in `wall_s`;
  `init`, `train_chunk` and the evaluation are compiled ahead of time and
  their compilation counted in `compile_s`.

  Args:
    algo: the algorithm's short name; it names the run folder.
    config: the agent's `CommonConfig` (subclass) instance.
    make_agent: builds the agent from `config`, as above.
    policy_params: maps the training state to `eval_policy`'s `params`.
    init_options: XLA compiler options for `init`, which runs once.

  Returns:
    The run's summary (see `Experiment.finish`).
  """
  exp = Experiment(algo, config)
  env, env_params, init, train_chunk, eval_policy = make_agent(config)
  init_key, eval_key = jax.random.split(jax.random.PRNGKey(config.seed))
  init = exp.compile(jax.jit(init, compiler_options=init_options), init_key)
  state, step = exp.restore(init(init_key))
  train = exp.compile(train_chunk, state)
  evaluate_policy = exp.compile(
      evaluate, env=env, env_params=env_params, policy_fn=eval_policy,
      params=policy_params(state), key=eval_key,
      num_episodes=config.eval_episodes)
  while step < config.total_steps:
    state = train(state)
    step = int(state.step)  # A chunk may overshoot (REINFORCE's episodes).
    returns = evaluate_policy(params=policy_params(state),
                              key=jax.random.fold_in(eval_key, step))
    exp.record(step, returns)
    exp.save(state, step)
  return exp.finish(state, step)
