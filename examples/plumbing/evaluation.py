"""Deterministic evaluation on any suite: full episodes, one per environment.

Glossary: `E` evaluation episodes (the eval `Env`'s environments), `O`
observation dims.
"""

from typing import Any, Callable

import jax
import jax.numpy as jnp

from examples.plumbing.envs import Env


def evaluate(env: Env, policy_fn: Callable[[Any, jax.Array], jax.Array],
             params: Any, key: jax.Array) -> jax.Array:
  """Returns of one full episode in each of `env`'s environments.

  All episodes start together from `env.reset(key)` and run for the time
  limit (`env.max_episode_steps` steps, one `lax.scan`); each return sums the
  rewards up to and including its episode's first end. Pass the same `key`
  at every evaluation to score every policy on the same start states.

  Args:
    env: an `Env` with one environment per episode; what it does after an
      episode ends is not read (`envs.make(..., auto_reset=False)` suits).
    policy_fn: `policy_fn(params, obs [E, O]) -> action`, deterministic.
    params: the policy's parameters.
    key: PRNG key for the resets and the environments' noise.

  Returns:
    `[E]` float32 undiscounted episode returns.
  """
  reset_key, step_key = jax.random.split(key)
  state, obs = env.reset(reset_key)

  def step(carry, key_t):
    state, obs, total, running = carry
    state, out = env.step(state, policy_fn(params, obs), key_t)
    total = total + jnp.where(running, out.reward, 0.0)
    running = running & ~(out.terminated | out.truncated)
    return (state, out.obs, total, running), None

  init = (state, obs, jnp.zeros((env.num_envs,),
                                jnp.float32), jnp.ones((env.num_envs,), bool))
  keys = jax.random.split(step_key, env.max_episode_steps)
  return jax.lax.scan(step, init, keys)[0][2]
