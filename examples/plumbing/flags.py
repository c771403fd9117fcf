"""Command-line flags of the example agents, declared as frozen dataclasses.

An agent declares its flags as a frozen dataclass extending `CommonConfig`
(each field made with `flag(default, help)`), and its `main` is
`flags.main(Config, run)`: parse, run, and turn a `FlagError` into a one-line
usage error with exit status 2.

`--resume DIR` reads the run's saved flags (`DIR/config.json`): flags given
again on the command line must agree with them, except `--total-steps` (raise
it to continue a run) and the flags that do not change the run
(`RUN_ONLY_FLAGS`).
"""

import argparse
import dataclasses
import json
import os
import sys
import typing
from typing import Any, Callable, ClassVar

# Flags that change how a run is shown, where it is written or how its
# processes meet, not its result.
RUN_ONLY_FLAGS = ("resume", "run_dir", "progress", "xla_cache",
                  "checkpoint_interval_s", "process_id", "coordinator_address",
                  "coordinator_timeout")
# Flags a resumed run may change: besides the above, its length and what
# counts as solved (earlier evals are checked against the new threshold).
RESUMABLE_FLAGS = RUN_ONLY_FLAGS + ("total_steps", "threshold")
CONFIG_FILE = "config.json"
ENV_HELP = ("Environment as SUITE:NAME, SUITE one of gymnax, brax, playground, "
            "gymnasium (a bare gymnax id works too); e.g. "
            "playground:CartpoleSwingup, brax:inverted_pendulum, "
            "gymnasium:HalfCheetah-v5.")


class FlagError(ValueError):
  """A flag value that cannot work; the message names the flag and the fix."""


def flag(default: Any, help_text: str) -> Any:
  """A dataclass field that `parse_config` turns into a documented flag."""
  return dataclasses.field(default=default, metadata={"help": help_text})


def redefault(config_cls: type, name: str, default: Any) -> Any:
  """`config_cls`'s flag `name` (its help text) with another `default`.

  For a subclass that keeps a flag but starts from another value.
  """
  help_text = config_cls.__dataclass_fields__[name].metadata["help"]
  return flag(default, help_text)


def flag_name(name: str) -> str:
  """`total_steps` -> `--total-steps`."""
  return "--" + name.replace("_", "-")


def check_positive(config: Any, *names: str) -> None:
  """Checks that the fields `names` of `config` are > 0.

  Raises:
    FlagError: naming the flag and value of the first that is not.
  """
  for name in names:
    value = getattr(config, name)
    if not value > 0:
      raise FlagError(f"`{flag_name(name)}` must be > 0, got {name}={value!r}.")


def check_multiple(config: Any, name: str, unit: int, unit_text: str) -> None:
  """Checks that field `name` of `config` is a multiple of `unit`.

  Raises:
    FlagError: naming the flag, the unit and the nearest valid value.
  """
  value = getattr(config, name)
  if value % unit:
    fix = max(1, round(value / unit)) * unit
    raise FlagError(f"`{flag_name(name)}` must be a multiple of {unit_text} = "
                    f"{unit}, got {name}={value}; use e.g. "
                    f"{flag_name(name)} {fix}.")


@dataclasses.dataclass(frozen=True)
class CommonConfig:
  """Flags every agent has. Subclass it (frozen) and add the agent's own.

  A subclass that validates its own fields defines `__post_init__`, calls
  `super().__post_init__()` and raises `FlagError` naming the flag, the value
  and the fix (see `check_positive`, `check_multiple`); `parse_config` turns
  that into a usage error. Checks that need the environment (its action
  type, its episode length) run when the agent is built.
  """

  # Named sets of flag values to start from (`--preset NAME`, or
  # `Config(**Config.PRESETS[NAME])`); flags given beside it override it. A
  # subclass fills it, e.g. with a peer library's settings.
  PRESETS: ClassVar[dict[str, dict[str, Any]]] = {}

  env: str = flag("gymnax:Pendulum-v1", ENV_HELP)
  brax_backend: str = flag(
      "spring", "Physics backend of brax:* environments (spring, positional, "
      "generalized, mjx).")
  seed: int = flag(0, "Random seed; the same seed and flags give the same run.")
  total_steps: int = flag(10_000, "Environment steps to train for.")
  num_envs: int = flag(1, "Environments stepped in parallel (vmapped).")
  eval_every: int = flag(1_000, "Environment steps between evaluations.")
  eval_episodes: int = flag(10, "Episodes per deterministic evaluation.")
  threshold: float | None = flag(
      None, "Eval return counted as solved for time_to_threshold_s "
      "('none': the environment's own, where it has one).")
  run_dir: str = flag("runs", "Base folder for run folders.")
  resume: str | None = flag(
      None, "Run folder to continue from its last checkpoint, with its saved "
      "flags (raise --total-steps to train longer).")
  progress: bool = flag(True, "Show a progress bar on stderr.")
  xla_cache: bool = flag(
      True, "From the command line: keep compiled programs in the folder "
      "xla_cache of the run folders' base (JAX's persistent compilation "
      "cache), so that a run with the same shapes and settings loads them "
      "instead of compiling; the results are the same.")
  checkpoint_interval_s: float = flag(
      30.0, "Least seconds between checkpoints after the first, each "
      "written after an evaluation; the first evaluation's and the last "
      "step's are always saved (0: after every evaluation).")

  def iteration_steps(self) -> tuple[int, str] | None:
    """Environment steps per training iteration and how to say it.

    `--eval-every` and `--total-steps` must be multiples of it, so runs stop
    exactly. None where iterations vary in length (whole episodes).
    """
    return self.num_envs, "`--num-envs`"

  def __post_init__(self):
    check_positive(self, "total_steps", "num_envs", "eval_every",
                   "eval_episodes")
    if not self.checkpoint_interval_s >= 0:
      raise FlagError("`--checkpoint-interval-s` must be >= 0, got "
                      f"checkpoint_interval_s={self.checkpoint_interval_s!r}.")
    unit = self.iteration_steps()
    if unit is not None and unit[0] > 0:  # Else the agent's checks refuse.
      for name in ("eval_every", "total_steps"):
        check_multiple(self, name, *unit)
    if self.resume is not None and not os.path.isfile(
        os.path.join(self.resume, CONFIG_FILE)):
      raise FlagError(f"`--resume` must be a run folder (with {CONFIG_FILE}), "
                      f"got resume={self.resume!r}.")


def _parse_optional(kind: type) -> Callable[[str], Any]:

  def parse(text: str) -> Any:
    return None if text.lower() == "none" else kind(text)

  parse.__name__ = kind.__name__  # Named in argparse's "invalid value" error.
  return parse


def make_parser(config_cls: type,
                *,
                suppress_defaults: bool = False) -> argparse.ArgumentParser:
  """Builds an argparse parser with one flag per field of `config_cls`.

  Field `total_steps` becomes `--total-steps`; bools become `--x/--no-x`;
  `tuple[int, ...]` fields take several values (`--hidden-sizes 64 64`);
  `X | None` fields also accept `none`. Help texts come from `flag`.

  Args:
    config_cls: the agent's config dataclass.
    suppress_defaults: leave flags that are not given out of the result (to
      tell which flags were given).

  Raises:
    TypeError: if a field has no help text or an unsupported type.
  """
  parser = argparse.ArgumentParser(
      description=(config_cls.__doc__ or "").split("\n")[0],
      formatter_class=argparse.ArgumentDefaultsHelpFormatter)
  hints = typing.get_type_hints(config_cls)
  for field in dataclasses.fields(config_cls):
    kind, name = hints[field.name], flag_name(field.name)
    if "help" not in field.metadata:
      raise TypeError(f"{config_cls.__name__}.{field.name}: declare it with "
                      "`flag(default, help_text)` so --help explains it.")
    kwargs = dict(
        default=argparse.SUPPRESS if suppress_defaults else field.default,
        help=field.metadata["help"].replace("%", "%%"))  # argparse %-formats.
    args = typing.get_args(kind)
    if kind is bool:
      kwargs["action"] = argparse.BooleanOptionalAction
    elif kind in (int, float, str):
      kwargs["type"] = kind
    elif typing.get_origin(kind) is tuple and args[1:] == (Ellipsis,):
      kwargs.update(type=args[0], nargs="+", metavar=args[0].__name__.upper())
    elif len(args) == 2 and type(None) in args:
      kwargs["type"] = _parse_optional(
          next(a for a in args if a is not type(None)))
    else:
      raise TypeError(f"{config_cls.__name__}.{field.name}: unsupported flag "
                      f"type {kind}.")
    parser.add_argument(name, **kwargs)
  presets = getattr(config_cls, "PRESETS", {})
  if presets:
    parser.add_argument(
        "--preset",
        choices=sorted(presets),
        default=argparse.SUPPRESS if suppress_defaults else None,
        help="Start from these flag values (flags given beside it win): " +
        "; ".join(f"{name}: " + ", ".join(f"{flag_name(k)} {_shown(v)}"
                                          for k, v in values.items())
                  for name, values in presets.items()) + ".")
  return parser


def _shown(value: Any) -> str:
  """A flag value as it is typed: `(64, 64)` -> `64 64`."""
  if isinstance(value, tuple):
    return " ".join(map(str, value))
  return str(value).replace("%", "%%")


def _tuples(config_cls: type, values: dict[str, Any]) -> dict[str, Any]:
  hints = typing.get_type_hints(config_cls)
  return {
      name: tuple(value) if typing.get_origin(hints[name]) is tuple else value
      for name, value in values.items()
  }


def saved_config(run_folder: str) -> dict[str, Any]:
  """`{"algo": ..., "config": {...}}` as saved in a run folder."""
  with open(os.path.join(run_folder, CONFIG_FILE)) as f:
    return json.load(f)


def check_resume(algo: str, config: Any) -> None:
  """Checks that `config` may continue the run in `config.resume`.

  Raises:
    FlagError: if the run is another algorithm's, or a flag other than
      `RESUMABLE_FLAGS` differs from the run's saved flags (all named).
  """
  saved = saved_config(config.resume)
  if saved["algo"] != algo:
    raise FlagError(
        f"`--resume` {config.resume} is a {saved['algo']} run; continue it "
        f"with examples/{saved['algo']}.py, not {algo}.")
  ours = _tuples(
      type(config), {
          k: v
          for k, v in saved["config"].items()
          if k in dataclasses.asdict(config)
      })
  differing = [
      f"{flag_name(k)} {ours[k]!r} (run) vs {v!r} (now)"
      for k, v in dataclasses.asdict(config).items()
      if k not in RESUMABLE_FLAGS and k in ours and ours[k] != v
  ]
  if differing:
    raise FlagError(
        f"`--resume` {config.resume} was trained with other flags: "
        f"{'; '.join(differing)}. Leave them out to use the run's own.")


def parse_config(config_cls: type, argv: list[str] | None = None) -> Any:
  """Parses `argv` (default: `sys.argv[1:]`) into a `config_cls` instance.

  With `--preset NAME`, flags not given take the values of
  `config_cls.PRESETS[NAME]`. With `--resume DIR`, flags not given (nor set
  by a preset) take the run's saved values (so the run continues as it was
  started), and given ones are checked by `check_resume` when the run starts.

  Raises:
    SystemExit: status 0 after `--help`; status 2 with a usage message for
      malformed flags and for values the config rejects (its FlagError
      message: negative steps, a step count that chunks cannot reach, ...).
  """
  parser = make_parser(config_cls)
  argv = sys.argv[1:] if argv is None else argv
  values = vars(parser.parse_args(argv))
  given = vars(make_parser(config_cls, suppress_defaults=True).parse_args(argv))
  preset = values.pop("preset", None)
  given.pop("preset", None)
  if preset is not None:  # Counts as given: a resume checks it too.
    given = {**config_cls.PRESETS[preset], **given}
    values.update(given)
  values = _tuples(config_cls, values)
  if values.get("resume") and os.path.isfile(
      os.path.join(values["resume"], CONFIG_FILE)):
    saved = {
        k: v
        for k, v in saved_config(values["resume"])["config"].items()
        if k in values and k not in given and k not in RUN_ONLY_FLAGS
    }
    values.update(_tuples(config_cls, saved))
  try:
    return config_cls(**values)
  except FlagError as e:
    parser.error(str(e))


def main(config_cls: type,
         run: Callable[[Any], Any],
         argv: list[str] | None = None) -> Any:
  """Parses the flags and calls `run(config)`.

  A `FlagError` raised while the run is set up (an environment that does not
  exist or is not installed, a discrete env given to SAC, a resume that does
  not match) ends the program with status 2 and its one-line message.
  """
  config = parse_config(config_cls, argv)
  try:
    return run(config)
  except FlagError as e:
    make_parser(config_cls).error(str(e))
