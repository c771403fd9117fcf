"""Brax and MuJoCo Playground environments behind the `Env` interface.

Both suites expose `reset(key) -> State` and `step(State, action) -> State`
with `obs`, `reward` and `done` fields, actions in `[-1, 1]`, and no time
limit or auto-reset of their own (their training wrappers add those, but
reset to one stored start state). Here each environment counts its steps,
`done` is a termination, reaching `max_episode_steps` a truncation, and an
episode that ended restarts from a fresh random state: the batch of resets
runs under `lax.cond` only on steps where some episode ended. Evaluation,
which stops counting at each episode's end, asks for no auto-reset: the
reset then stays out of the step's compiled code.

Playground's dm_control suite defaults to the Warp implementation, which
needs a GPU; on a CPU this loads `impl="jax"` (MJX).
"""

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import haiku_policies as hp
from examples.plumbing.envs import core
from examples.plumbing.flags import FlagError

BRAX_BACKENDS = ("spring", "positional", "generalized", "mjx")
BRAX_EPISODE_STEPS = 1000  # brax.envs.create's default episode_length.
# Eval return counted as solved (rewards per step are at most 1 in both).
THRESHOLDS = {
    "brax:inverted_pendulum": 950.0,  # gymnasium's InvertedPendulum's.
    "playground:CartpoleSwingup": 800.0,
    "playground:CartpoleBalance": 900.0,
}


class State(NamedTuple):
  inner: Any  # The suite's State, batched `[E, ...]`.
  t: jax.Array  # [E] steps into the current episode.


def brax_names() -> list[str]:
  import brax.envs  # pylint: disable=g-import-not-at-top
  return sorted(brax.envs._envs)  # pylint: disable=protected-access


def playground_names() -> list[str]:
  from mujoco_playground import registry  # pylint: disable=g-import-not-at-top
  return list(registry.ALL_ENVS)


def make_brax(name: str,
              num_envs: int,
              backend: str,
              auto_reset: bool = True) -> core.Env:
  import brax.envs  # pylint: disable=g-import-not-at-top
  env = brax.envs.get_environment(name, backend=backend)
  return _wrap(f"brax:{name}", env, num_envs, BRAX_EPISODE_STEPS, auto_reset)


def make_playground(name: str,
                    num_envs: int,
                    auto_reset: bool = True) -> core.Env:
  from mujoco_playground import registry  # pylint: disable=g-import-not-at-top
  overrides = {"impl": "jax"} if jax.default_backend() == "cpu" else {}
  config = registry.get_default_config(name)
  env = registry.load(name, config_overrides=overrides or None)
  if int(config.get("action_repeat", 1)) != 1:
    raise FlagError(f"`--env` playground:{name} repeats each action "
                    f"{config.action_repeat} times, which the examples do not "
                    "do yet; pick a task without action repeat (the dm_control "
                    "suite has none).")
  steps = int(config.episode_length)
  return _wrap(f"playground:{name}", env, num_envs, steps, auto_reset)


def _wrap(name: str, env: Any, num_envs: int, max_steps: int,
          auto_reset: bool) -> core.Env:
  vmap_reset, vmap_step = jax.vmap(env.reset), jax.vmap(env.step)

  def reset(key):
    inner = vmap_reset(jax.random.split(key, num_envs))
    return State(inner, jnp.zeros((num_envs,),
                                  jnp.int32)), core.flat_obs(inner.obs, 1)

  def step(state, action, key):
    inner = vmap_step(state.inner, action)
    t = state.t + 1
    terminated = inner.done > 0
    truncated = (t >= max_steps) & ~terminated
    done = terminated | truncated

    def restart():  # Cast: reset and step may differ in weak types.
      fresh = vmap_reset(jax.random.split(key, num_envs))
      return jax.tree.map(lambda f, i: f.astype(i.dtype), fresh, inner)

    if auto_reset:
      restarted = jax.lax.cond(jnp.any(done), restart, lambda: inner)
      new = core.select(done, restarted, inner)
    else:  # Ended episodes step on from their last state (no compile cost).
      new = inner
    return State(new, jnp.where(done, 0, t)), core.Step(
        obs=core.flat_obs(new.obs, 1),
        reward=jnp.asarray(inner.reward, jnp.float32),
        terminated=terminated,
        truncated=truncated,
        final_obs=core.flat_obs(inner.obs, 1))

  obs = jax.eval_shape(reset, jax.random.PRNGKey(0))[1]
  low, high = hp.action_bounds(env)
  return core.Env(
      name=name,
      num_envs=num_envs,
      obs_size=int(obs.shape[-1]),
      discrete=False,
      num_actions=len(low),
      low=low,
      high=high,
      max_episode_steps=max_steps,
      threshold=THRESHOLDS.get(name),
      reset=reset,
      step=step)
