"""Environments for the example agents: `make("suite:name", num_envs)`.

Suites (each optional; asking for one that is not installed says what to
install):
* `gymnax:<id>` (a bare id works too): JAX-native classic control, bsuite,
  MinAtar, ... (`pip install gymnax`).
* `brax:<name>`: Brax's MJX-era tasks, e.g. `brax:inverted_pendulum`, with
  the physics backend chosen by `brax_backend` (`pip install brax`).
* `playground:<name>`: MuJoCo Playground, e.g. the continuous cart-pole
  `playground:CartpoleSwingup` (`pip install playground`).
* `gymnasium:<id>`: any gymnasium environment, MuJoCo v5 included, stepped
  on the host (`pip install "gymnasium[mujoco]"`).

Every suite gives the same `Env` (see `core`), so one agent runs on all.

Partially observed tasks: `<Base>NoVel-<version>` in a suite that has
`<Base>-<version>` (Pendulum-v1, CartPole-v1, MountainCarContinuous-v0,
Acrobot-v1) is that task with the velocities dropped from its observations,
e.g. `gymnax:PendulumNoVel-v1` (see `partial_obs`).

MultiDiscrete tasks: `<Base>Bins<K>-<version>` in a suite that has the
continuous task `<Base>-<version>` is that task with each action dim split
into `K` evenly spaced values, one sub-action per dim, e.g.
`gymnax:ReacherBins5-misc` (2 sub-actions of 5 values; see `discretized`).
"""

import difflib
import importlib

from examples.plumbing.envs import discretized
from examples.plumbing.envs import partial_obs
from examples.plumbing.envs.core import Env, Step
from examples.plumbing.flags import FlagError

__all__ = ["Env", "Step", "SUITES", "make", "parse"]

# Suite -> (module to import, the pip line that installs it).
SUITES = {
    "gymnax": ("gymnax", 'pip install -e ".[examples]"'),
    "brax": ("brax", 'pip install -e ".[brax]"'),
    "playground": ("mujoco_playground", 'pip install -e ".[playground]"'),
    "gymnasium": ("gymnasium", 'pip install -e ".[gymnasium]"'),
}


def parse(env: str) -> tuple[str, str]:
  """`"suite:name"` -> `(suite, name)`; a bare name is a gymnax id.

  Raises:
    FlagError: for an unknown suite (listing the suites).
  """
  suite, sep, name = env.partition(":")
  if not sep:
    suite, name = "gymnax", env
  if suite not in SUITES:
    raise FlagError(f"`--env` suite must be one of {sorted(SUITES)}, got "
                    f"{suite!r} in env={env!r}; write SUITE:NAME, e.g. "
                    "playground:CartpoleSwingup.")
  return suite, name


def _names(suite: str) -> list[str]:
  # pylint: disable=g-import-not-at-top
  if suite == "gymnax":
    from examples.plumbing.envs import gymnax_envs
    return gymnax_envs.names()
  if suite == "gymnasium":
    from examples.plumbing.envs import gymnasium_envs
    return gymnasium_envs.names()
  from examples.plumbing.envs import mjx_envs
  return mjx_envs.brax_names() if suite == "brax" else (
      mjx_envs.playground_names())


def make(env: str,
         num_envs: int,
         *,
         brax_backend: str = "spring",
         auto_reset: bool = True) -> Env:
  """`num_envs` environments named `env` ("suite:name") behind one `Env`.

  Args:
    env: "suite:name", or a bare gymnax id.
    num_envs: E, the environments stepped together.
    brax_backend: the physics backend of `brax:*` environments.
    auto_reset: restart ended episodes in `step` (the `Env` contract). False
      lets Brax and Playground skip the reset where nobody reads what comes
      after an episode's end (evaluation); other suites reset regardless.

  Raises:
    FlagError: for an unknown suite or name (listing the closest names), a
      suite that is not installed (with the pip line that installs it), an
      unknown Brax backend, or a `Bins<K>` name with K < 2 or a discrete
      base task.
  """
  # pylint: disable=g-import-not-at-top
  suite, name = parse(env)
  module, install = SUITES[suite]
  try:
    importlib.import_module(module)
  except ImportError as e:
    raise FlagError(f"`--env` {env} needs the {suite} suite, which is not "
                    f"installed ({e}); run: {install}") from e
  names = _names(suite)
  names += partial_obs.names(names)
  split = discretized.split_name(name)
  if split is not None and split[0] in names:
    base, bins = split
    return discretized.discretize(
        make(
            f"{suite}:{base}",
            num_envs,
            brax_backend=brax_backend,
            auto_reset=auto_reset), bins, f"{suite}:{name}")
  if name not in names:
    close = difflib.get_close_matches(name, names, n=5, cutoff=0.5)
    listed = f"closest: {close}" if close else f"valid: {names}"
    raise FlagError(f"`--env` {suite} has no environment {name!r}; {listed}.")
  base = partial_obs.base_name(name)
  if base is not None:
    return partial_obs.without_velocity(
        make(
            f"{suite}:{base}",
            num_envs,
            brax_backend=brax_backend,
            auto_reset=auto_reset), f"{suite}:{name}")
  if suite == "gymnax":
    from examples.plumbing.envs import gymnax_envs
    return gymnax_envs.make(name, num_envs)
  if suite == "gymnasium":
    import gymnasium as gym
    from examples.plumbing.envs import gymnasium_envs
    try:
      return gymnasium_envs.make(name, num_envs)
    except gym.error.DependencyNotInstalled as e:  # E.g. MuJoCo.
      raise FlagError(f"`--env` {env} needs a package that is not installed "
                      f"({e}); run: {install}") from e
  from examples.plumbing.envs import mjx_envs
  if suite == "playground":
    return mjx_envs.make_playground(name, num_envs, auto_reset)
  if brax_backend not in mjx_envs.BRAX_BACKENDS:
    raise FlagError(f"`--brax-backend` must be one of "
                    f"{mjx_envs.BRAX_BACKENDS}, got {brax_backend!r}.")
  return mjx_envs.make_brax(name, num_envs, brax_backend, auto_reset)
