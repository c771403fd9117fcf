"""gymnax environments behind the `Env` interface (fully jittable).

gymnax auto-resets inside `step` and reports `terminated` and `truncated`
(gymnax >= 1.0) with the pre-reset observation in `info["final_observation"]`.
"""

import jax
import jax.numpy as jnp
import numpy as np

from examples.plumbing.envs import core

# Eval return counted as solved: Pendulum as reached by SAC/TD3 at 10k steps
# in this project's benchmarks, the others gymnasium's reward_threshold.
THRESHOLDS = {
    "Pendulum-v1": -200.0,
    "MountainCarContinuous-v0": 90.0,
    "CartPole-v1": 475.0,
    "Acrobot-v1": -100.0,
}


def names() -> list[str]:
  import gymnax  # pylint: disable=g-import-not-at-top
  return list(gymnax.registered_envs)


def make(name: str, num_envs: int) -> core.Env:
  """`num_envs` copies of the gymnax environment `name`."""
  import gymnax  # pylint: disable=g-import-not-at-top
  env, params = gymnax.make(name)
  discrete, num_actions, low, high = core.action_spec(env.action_space(params))
  obs_shape = env.observation_space(params).shape
  vmap_reset = jax.vmap(env.reset, in_axes=(0, None))
  vmap_step = jax.vmap(env.step, in_axes=(0, 0, 0, None))

  def reset(key):
    obs, state = vmap_reset(jax.random.split(key, num_envs), params)
    return state, core.flat_obs(obs, 1)

  def step(state, action, key):
    obs, state, reward, terminated, truncated, info = vmap_step(
        jax.random.split(key, num_envs), state, action, params)
    terminated = jnp.asarray(terminated, bool)
    return state, core.Step(
        obs=core.flat_obs(obs, 1),
        reward=jnp.asarray(reward, jnp.float32),
        terminated=terminated,
        truncated=jnp.asarray(truncated, bool) & ~terminated,
        final_obs=core.flat_obs(info["final_observation"], 1))

  return core.Env(
      name=f"gymnax:{name}",
      num_envs=num_envs,
      obs_size=int(np.prod(obs_shape)),
      discrete=discrete,
      num_actions=num_actions,
      low=low,
      high=high,
      max_episode_steps=int(params.max_steps_in_episode),
      threshold=THRESHOLDS.get(name),
      reset=reset,
      step=step)
