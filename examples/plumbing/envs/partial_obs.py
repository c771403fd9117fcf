"""Partially observed variants of classic-control tasks: velocities removed.

`<Base>NoVel-<version>` names, as RL Baselines3 Zoo spells them (e.g.
`PendulumNoVel-v1`), are the task `<Base>-<version>` of the same suite with
the velocity entries dropped from every observation (`obs` and `final_obs`),
so that a policy must infer them from the observations it has seen: a
memory task for recurrent agents. Everything else (dynamics, rewards,
episode ends, threshold) is the base task's. They exist wherever the base
task does: `gymnax:PendulumNoVel-v1` and `gymnasium:PendulumNoVel-v1` alike.

Glossary: `E` environments, `O` the base task's observation dims, `K` those
kept.
"""

import re

import jax
import numpy as np

from examples.plumbing.envs import core

# Base task -> the observation entries kept (positions, angles, ...).
NO_VELOCITY = {
    "Pendulum-v1": (0, 1),  # cos(theta), sin(theta); drops theta_dot.
    "CartPole-v1": (0, 2),  # x, theta; drops x_dot and theta_dot.
    "MountainCarContinuous-v0": (0,),  # position; drops velocity.
    "Acrobot-v1": (0, 1, 2, 3),  # cos and sin of both joints; drops both
    # angular velocities.
}
_NAME = re.compile(r"^(?P<stem>.+)NoVel(?P<version>-v\d+)$")


def base_name(name: str) -> str | None:
  """`"PendulumNoVel-v1"` -> `"Pendulum-v1"`; None for other names."""
  match = _NAME.match(name)
  if match is None:
    return None
  base = match["stem"] + match["version"]
  return base if base in NO_VELOCITY else None


def names(base_names: list[str]) -> list[str]:
  """The velocity-free names of the tasks in `base_names` that have one."""
  return [
      re.sub(r"(-v\d+)$", r"NoVel\1", name)
      for name in base_names
      if name in NO_VELOCITY
  ]


def without_velocity(env: core.Env, name: str) -> core.Env:
  """`env` (a `NO_VELOCITY` base task) seeing only its kept entries.

  Args:
    env: the base task's `Env`, `[E, O]` observations.
    name: the `Env.name` to give the result ("suite:<Base>NoVel-<version>").

  Returns:
    The same environments with `[E, K]` observations.
  """
  keep = np.asarray(NO_VELOCITY[base_name(name.partition(":")[2])])

  def select(obs: jax.Array) -> jax.Array:
    return obs[..., keep]

  def reset(key):
    state, obs = env.reset(key)
    return state, select(obs)

  def step(state, action, key):
    state, out = env.step(state, action, key)
    return state, out._replace(
        obs=select(out.obs), final_obs=select(out.final_obs))

  return env._replace(name=name, obs_size=len(keep), reset=reset, step=step)
