"""The fully jitted gymnax loop shared by the off-policy agents (SAC, TD3).

An agent supplies a `Learner` (its networks, losses and update, independent of
how the environment is stepped); this module steps vectorised gymnax
environments, stores transitions in the device-resident replay buffer and
updates, each chunk of `eval_every` environment steps one `lax.scan`.
Glossary: `E` vectorised environments, `O` observation dims, `A` action dims.
"""

from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp

import common
import haiku_policies as hp
import replay


class Learner(NamedTuple):
  """An agent's parts that do not depend on how the environment is stepped."""
  init: Any          # (key, obs [E, O]) -> (params, opt_state)
  update: Any        # (params, opt_state, batch, key) -> (params, opt_state)
  act: Any           # (actor params, obs [..., O], key) -> action [..., A]
  eval_policy: Any   # (actor params, obs [O]) -> deterministic action [A]


class TrainState(NamedTuple):
  params: Any        # With an `actor` field.
  opt_state: Any
  buffer: replay.Buffer
  env_state: Any
  obs: jax.Array
  key: jax.Array
  step: jax.Array


def make_agent(config: Any, make_learner: Callable[..., Learner]):
  """Returns `(env, env_params, init, train_chunk, eval_policy)` on gymnax.

  Args:
    config: a `common.CommonConfig` with `buffer_size`, `batch_size`,
      `learning_starts` and `updates_per_step`.
    make_learner: `(config, low, high) -> Learner` for the action bounds.
  """
  env, env_params = common.make_env(config.env)
  low, high = hp.action_bounds(env.action_space(env_params))
  obs_size = env.observation_space(env_params).shape[0]
  learner = make_learner(config, low, high)
  vmap_reset = jax.vmap(env.reset, in_axes=(0, None))
  vmap_step = jax.vmap(env.step, in_axes=(0, 0, 0, None))

  def init(key):
    key, learner_key, env_key = jax.random.split(key, 3)
    obs, env_state = vmap_reset(jax.random.split(env_key, config.num_envs),
                                env_params)
    params, opt_state = learner.init(learner_key, obs)
    buffer = replay.init(config.buffer_size, obs_size, len(low))
    return TrainState(params, opt_state, buffer, env_state, obs, key,
                      jnp.zeros((), jnp.int32))

  def env_step(state: TrainState) -> TrainState:
    key, act_key, env_key, update_key = jax.random.split(state.key, 4)
    policy_action = learner.act(state.params.actor, state.obs, act_key)
    random_action = jax.random.uniform(act_key, policy_action.shape,
                                       minval=low, maxval=high)
    action = jnp.where(state.step < config.learning_starts, random_action,
                       policy_action)
    obs, env_state, reward, terminated, _, info = vmap_step(
        jax.random.split(env_key, config.num_envs), state.env_state, action,
        env_params)
    # Time-limit truncation bootstraps: only termination zeroes the discount.
    buffer = replay.add(state.buffer, state.obs, action, reward,
                        info["final_observation"], 1.0 - terminated)

    def train(carry, key):
      batch_key, loss_key = jax.random.split(key)
      batch = replay.sample(buffer, batch_key, config.batch_size)
      return learner.update(*carry, batch, loss_key), None

    def updates(params, opt_state):
      return jax.lax.scan(
          train, (params, opt_state),
          jax.random.split(update_key, config.updates_per_step))[0]

    params, opt_state = jax.lax.cond(
        state.step + config.num_envs > config.learning_starts, updates,
        lambda *x: x, state.params, state.opt_state)
    return TrainState(params, opt_state, buffer, env_state, obs, key,
                      state.step + config.num_envs)

  def train_chunk(state: TrainState) -> TrainState:
    iterations = config.eval_every // config.num_envs
    return jax.lax.scan(lambda s, _: (env_step(s), None), state, None,
                        length=iterations)[0]

  return env, env_params, init, train_chunk, learner.eval_policy

