"""The jitted training loop shared by the off-policy agents (SAC, TD3).

An agent supplies a `Learner` (its networks, losses and update, independent of
how the environment is stepped); this module steps the vectorised
environments of any suite, stores transitions in the device-resident replay
buffer and updates: a call of `train` is one `lax.fori_loop` over
environment steps. Glossary: `E` vectorised environments, `O` observation
dims, `A` action dims.
"""

from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp

from examples.plumbing import envs
from examples.plumbing import flags
from examples.plumbing import replay
from examples.plumbing import training


class Learner(NamedTuple):
  """An agent's parts that do not depend on how the environment is stepped."""
  init: Any  # (key, obs [E, O]) -> (params, opt_state)
  update: Any  # (params, opt_state, batch, key) -> (params, opt_state)
  act: Any  # (actor params, obs [..., O], key) -> action [..., A]
  eval_policy: Any  # (actor params, obs [..., O]) -> deterministic action


class TrainState(NamedTuple):
  params: Any  # With an `actor` field.
  opt_state: Any
  buffer: replay.Buffer
  env_state: Any
  obs: jax.Array
  key: jax.Array
  step: jax.Array


def make_agent(algo: str, config: Any,
               make_learner: Callable[..., Learner]) -> training.Agent:
  """The `Agent` of an off-policy algorithm on `config.env`.

  Args:
    algo: the algorithm's name, for error messages.
    config: a `flags.CommonConfig` with `buffer_size`, `batch_size`,
      `learning_starts` and `updates_per_step`.
    make_learner: `(config, low, high) -> Learner` for the action bounds.

  Raises:
    flags.FlagError: if `config.env` has discrete actions.
  """
  env = envs.make(config.env, config.num_envs, brax_backend=config.brax_backend)
  if env.discrete:
    raise flags.FlagError(
        f"`--env` {config.env} has discrete actions; {algo} needs continuous "
        "ones. Use examples/ppo.py or examples/reinforce.py for it.")
  low, high = env.low, env.high
  learner = make_learner(config, low, high)

  def init(key):
    key, learner_key, env_key = jax.random.split(key, 3)
    env_state, obs = env.reset(env_key)
    params, opt_state = learner.init(learner_key, obs)
    buffer = replay.init(config.buffer_size, env.obs_size, len(low))
    return TrainState(params, opt_state, buffer, env_state, obs, key,
                      jnp.zeros((), jnp.int32))

  def env_step(state: TrainState) -> TrainState:
    key, act_key, env_key, update_key = jax.random.split(state.key, 4)
    policy_action = learner.act(state.params.actor, state.obs, act_key)
    random_action = jax.random.uniform(
        act_key, policy_action.shape, minval=low, maxval=high)
    action = jnp.where(state.step < config.learning_starts, random_action,
                       policy_action)
    env_state, out = env.step(state.env_state, action, env_key)
    # Time-limit truncation bootstraps: only termination zeroes the discount.
    buffer = replay.add(state.buffer, state.obs, action, out.reward,
                        out.final_obs, 1.0 - out.terminated)

    def train(carry, key):
      batch_key, loss_key = jax.random.split(key)
      batch = replay.sample(buffer, batch_key, config.batch_size)
      return learner.update(*carry, batch, loss_key), None

    def updates(params, opt_state):
      return jax.lax.scan(train, (params, opt_state),
                          jax.random.split(update_key,
                                           config.updates_per_step))[0]

    params, opt_state = jax.lax.cond(
        state.step + config.num_envs > config.learning_starts, updates,
        lambda *x: x, state.params, state.opt_state)
    return TrainState(params, opt_state, buffer, env_state, out.obs, key,
                      state.step + config.num_envs)

  def train(state: TrainState, num_steps: jax.Array) -> TrainState:
    iterations = -(-num_steps // config.num_envs)
    return jax.lax.fori_loop(0, iterations, lambda _, s: env_step(s), state)

  return training.Agent(env, init, train, learner.eval_policy,
                        lambda state: state.params.actor, config.num_envs)


def check_learning_starts(config: Any) -> None:
  """Refuses a run that would end before its first update.

  Raises:
    flags.FlagError: if `learning_starts` >= `total_steps`.
  """
  if config.learning_starts < 0 or (config.learning_starts
                                    >= config.total_steps):
    raise flags.FlagError(
        f"`--learning-starts` must be >= 0 and < `--total-steps`, got "
        f"learning_starts={config.learning_starts}, "
        f"total_steps={config.total_steps}: the run would never update; "
        "lower --learning-starts or raise --total-steps.")
