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
  return evaluate_recurrent(
      env, lambda params, obs, is_first, state: (policy_fn(params, obs), state),
      (), params, key)


def evaluate_recurrent(env: Env, policy_fn: Callable[..., tuple[jax.Array,
                                                                Any]],
                       initial_state: Any, params: Any,
                       key: jax.Array) -> jax.Array:
  """`evaluate` for a policy with a recurrent state.

  As `evaluate`, but the policy carries a state from step to step, starting
  from `initial_state`, and sees where an episode starts:
  `policy_fn(params, obs [E, O], is_first [E], state) -> (action, state)`,
  `is_first` True at the first step and after every episode end.

  Args:
    env: as in `evaluate`.
    policy_fn: the deterministic policy and its state update.
    initial_state: the state before the first step (a pytree of `[E, ...]`
      arrays; `()` for none).
    params: the policy's parameters.
    key: PRNG key for the resets and the environments' noise.

  Returns:
    `[E]` float32 undiscounted episode returns.
  """
  reset_key, step_key = jax.random.split(key)
  state, obs = env.reset(reset_key)

  def step(carry, key_t):
    state, obs, is_first, policy_state, total, running = carry
    action, policy_state = policy_fn(params, obs, is_first, policy_state)
    state, out = env.step(state, action, key_t)
    total = total + jnp.where(running, out.reward, 0.0)
    is_first = out.terminated | out.truncated
    running = running & ~is_first
    return (state, out.obs, is_first, policy_state, total, running), None

  ones = jnp.ones((env.num_envs,), bool)
  init = (state, obs, ones, initial_state,
          jnp.zeros((env.num_envs,), jnp.float32), ones)
  keys = jax.random.split(step_key, env.max_episode_steps)
  return jax.lax.scan(step, init, keys)[0][4]
