"""Recurrent PPO: PPO whose actor and critic carry an LSTM (or GRU) state.

The PPO of `examples/ppo.py` (its losses, GAE, optimiser, observation
normaliser and flags are imported from there), with a recurrent core between
torso and head, for partially observed tasks: the actor is torso → core →
policy head and the critic torso → core → value head, each with its own core
(`hp.LSTMCore` or `hp.GRUCore`) and state. What changes:

* Acting carries the core states from step to step. Each environment's state
  resets where its episode starts: `is_first`, the previous step's episode
  end (termination or time limit), is fed to the cores with every
  observation.
* A rollout stores the core states it started from. The loss unrolls both
  cores over each environment's whole rollout (`core.unroll`, `[T, n]`) from
  those states, so the log-probs and values it trains are the ones acting
  gave (same parameters, same inputs, same resets).
* Minibatches split the environments, not time: each holds
  `num_envs / num_minibatches` whole `[T]` sequences.
* A truncated episode bootstraps from the value of its final observation,
  which the critic computes in the rollout from the core state the episode
  reached (the next step's reset drops it).
* The core states and `is_first` are part of the training state, so a run
  resumed from a checkpoint reproduces the uninterrupted one bitwise.
* Evaluation runs the actor's core deterministically (the policy's mode),
  from zero states, resetting them where each episode starts.

Partially observed tasks (see `examples/plumbing/envs/partial_obs.py`):
`--env gymnax:PendulumNoVel-v1` (the default) is Pendulum-v1 without its
angular velocity, and `--env gymnax:MemoryChain-bsuite` is bsuite's memory
chain (a bit shown at the start, asked for at the end).

Run: `python -m examples.ppo_recurrent` (PendulumNoVel-v1, 524,288 steps:
final eval -172, the median of 5 seeds in benchmarks/RESULTS.md, in about 3
minutes on two busy CPU cores; `--help` for flags). MemoryChain-bsuite is
solved within 131,072 steps. One device only (`--num-devices 1`).
"""

import dataclasses
from typing import Any, NamedTuple

import haiku as hk
import jax
import jax.numpy as jnp

import haiku_policies as hp
from examples import ppo
from examples.plumbing import envs
from examples.plumbing import flags
from examples.plumbing import training

CORES = {"lstm": hp.LSTMCore, "gru": hp.GRUCore}


@dataclasses.dataclass(frozen=True)
class Config(ppo.Config):
  """Recurrent PPO: flags and defaults (tuned for PendulumNoVel-v1)."""
  env: str = flags.flag("gymnax:PendulumNoVel-v1", flags.ENV_HELP)
  learning_rate: float = flags.flag(3e-3, "Adam step size (initial).")
  num_minibatches: int = flags.flag(
      4, "Minibatches per epoch; each holds whole rollouts of num_envs / "
      "num_minibatches environments.")
  hidden_sizes: tuple[int, ...] = flags.flag(
      (64,), "Hidden layer widths of the torsos before the cores.")
  core: str = flags.flag("lstm", f"Recurrent core: one of {sorted(CORES)}.")
  core_size: int = flags.flag(
      64, "Hidden size of the actor's and the "
      "critic's core.")

  def __post_init__(self):
    if self.num_devices != 1:  # Before PPO's device checks.
      raise flags.FlagError(f"`--num-devices` must be 1 for recurrent PPO, "
                            f"got num_devices={self.num_devices}.")
    super().__post_init__()
    if self.policy == "gsde":  # Its noise state is not carried here yet.
      raise flags.FlagError("`--policy` gsde is not supported by recurrent "
                            "PPO; use gaussian or beta.")
    flags.check_positive(self, "core_size")
    if self.core not in CORES:
      raise flags.FlagError(f"`--core` must be one of {sorted(CORES)}, got "
                            f"core={self.core!r}.")
    if self.num_envs % self.num_minibatches:
      raise flags.FlagError(
          f"`--num-minibatches` must divide `--num-envs` (minibatches split "
          f"the environments), got num_minibatches={self.num_minibatches}, "
          f"num_envs={self.num_envs}.")


class CoreState(NamedTuple):
  """The actor's and the critic's core states, `[N, H]` arrays each."""
  actor: Any
  critic: Any


class TrainState(NamedTuple):
  params: ppo.Params
  opt_state: Any
  normalizer: hp.NormalizerState
  env_state: Any
  obs: jax.Array
  is_first: jax.Array  # [N]: `obs` starts an episode.
  core_state: CoreState  # The states `obs` is acted on with.
  key: jax.Array
  step: jax.Array


class Transition(NamedTuple):
  """One vectorised step; fields `[T, N, ...]` after the rollout scan."""
  obs: jax.Array
  is_first: jax.Array
  action: jax.Array
  log_prob: jax.Array
  value: jax.Array
  final_value: jax.Array  # Of `final_obs`, from the episode's core state.
  r_t: jax.Array
  terminated: jax.Array
  truncated: jax.Array


def make_networks(config: Config, env: envs.Env):
  """The actor and the critic, torso → core → head, and the zero state.

  Returns:
    `(actor, critic, initial_state)`: `actor.apply(params, obs, is_first,
    state, unroll)` gives `(policy, state)`, `critic.apply(...)` gives
    `(value, state)` (one step on `[N, ...]` inputs, or with `unroll` a
    time-major `[T, N, ...]` sequence), and `initial_state(N)` the zero
    state of either core.
  """

  def body(obs, is_first, state, unroll):
    core = CORES[config.core](config.core_size)
    h = ppo.torso(config)(obs)
    return (core.unroll if unroll else core)((h, is_first), state)

  def actor(obs, is_first, state, unroll=False):
    h, state = body(obs, is_first, state, unroll)
    return ppo.policy_head(config, env)(h), state

  def critic(obs, is_first, state, unroll=False):
    h, state = body(obs, is_first, state, unroll)
    return ppo.value_head()(h), state

  zeros = hk.without_apply_rng(
      hk.transform(lambda n: CORES[config.core]
                   (config.core_size).initial_state(n)))
  return (hk.without_apply_rng(hk.transform(actor)),
          hk.without_apply_rng(hk.transform(critic)),
          lambda n: zeros.apply({}, n))


def make_rollout(config: Config, env: envs.Env, actor: hk.Transformed,
                 critic: hk.Transformed):
  """`rollout(state, key) -> (carry, traj)`: `num_steps` steps of the envs.

  The policy acts from `state`'s observations, episode-start flags and core
  states (normalising the observations by `state.normalizer`); `carry` is
  `(env_state, obs, is_first, core_state)` after the last step and `traj` a
  `Transition` with `[T, N, ...]` fields, `obs` as the envs gave them.
  """
  to_env = ppo.env_action(env)

  def rollout(state: TrainState, key):
    params = state.params
    normalize = lambda obs: ppo.normalize(config, state.normalizer, obs)

    def env_step(carry, key):
      env_state, obs, is_first, core_state = carry
      act_key, env_key = jax.random.split(key)
      policy, actor_state = actor.apply(params.actor, normalize(obs), is_first,
                                        core_state.actor)
      value, critic_state = critic.apply(params.critic, normalize(obs),
                                         is_first, core_state.critic)
      action, log_prob = policy.sample_and_log_prob(seed=act_key)
      env_state, out = env.step(env_state, to_env(action), env_key)
      # The episode's own next value; the next step resets if it ended.
      final_value, _ = critic.apply(params.critic, normalize(out.final_obs),
                                    jnp.zeros_like(is_first), critic_state)
      done = out.terminated | out.truncated  # The next obs starts anew.
      return (env_state, out.obs, done,
              CoreState(actor_state,
                        critic_state)), Transition(obs, is_first, action,
                                                   log_prob, value, final_value,
                                                   out.reward, out.terminated,
                                                   out.truncated)

    return jax.lax.scan(
        env_step,
        (state.env_state, state.obs, state.is_first, state.core_state),
        jax.random.split(key, config.num_steps))

  return rollout


def learner_batch(config: Config, state: TrainState, traj: Transition,
                  advantage: jax.Array) -> tuple[Any, CoreState]:
  """The loss's batch from a rollout that started from `state`.

  Returns:
    `(sequences, start)`: batch-major `[N, T, ...]` sequences (observations
    normalised as the policy saw them, `is_first`, actions, old log-probs,
    advantages and value targets) and the core states the rollout started
    from, so minibatches of environments slice both along `N`.
  """
  obs = ppo.normalize(config, state.normalizer, traj.obs)
  sequences = jax.tree.map(
      lambda x: jnp.swapaxes(x, 0, 1),  # [T, N, ...] -> [N, T, ...].
      (obs, traj.is_first, traj.action, traj.log_prob, advantage,
       advantage + traj.value))
  return sequences, state.core_state


def make_unroll(actor: hk.Transformed, critic: hk.Transformed):
  """`unroll(params, minibatch) -> (policy, value, (action, old_log_prob,
  advantage, target))`.

  Unrolls both cores over a minibatch of `learner_batch` (`[n, T, ...]`
  sequences and `[n, H]` start states) from its start states; the policy,
  the values and the other fields come out time-major, `[T, n, ...]`.
  """

  def unroll(params, minibatch):
    sequences, start = minibatch
    obs, is_first, *rest = jax.tree.map(lambda x: jnp.swapaxes(x, 0, 1),
                                        sequences)
    policy, _ = actor.apply(params.actor, obs, is_first, start.actor, True)
    value, _ = critic.apply(params.critic, obs, is_first, start.critic, True)
    return policy, value, tuple(rest)

  return unroll


def make_agent(config: Config) -> training.Agent:
  """Recurrent PPO on `config.env`, discrete or continuous actions.

  `eval_policy((actor_params, normalizer), obs, is_first, state)` is the
  deterministic action (the mode, clipped to the action bounds) and the
  actor's next core state.
  """
  env = envs.make(config.env, config.num_envs, brax_backend=config.brax_backend)
  actor, critic, initial_state = make_networks(config, env)
  rollout = make_rollout(config, env, actor, critic)
  unroll = make_unroll(actor, critic)
  to_env = ppo.env_action(env)
  step_unit = config.num_envs * config.num_steps
  optimiser = ppo.make_optimiser(
      config, config.total_steps // step_unit * config.num_epochs *
      config.num_minibatches)

  def init(key):
    key, actor_key, critic_key, env_key = jax.random.split(key, 4)
    env_state, obs = env.reset(env_key)
    is_first = jnp.ones((config.num_envs,), bool)
    zeros = initial_state(config.num_envs)
    params = ppo.Params(
        actor.init(actor_key, obs, is_first, zeros),
        critic.init(critic_key, obs, is_first, zeros))
    return TrainState(params, optimiser.init(params),
                      hp.normalizer_init(obs.shape[-1]), env_state, obs,
                      is_first, CoreState(zeros, zeros), key,
                      jnp.zeros((), jnp.int32))

  def loss(params, minibatch):
    policy, value, sequences = unroll(params, minibatch)
    return ppo.ppo_loss(config, policy, value, *sequences)

  epochs = ppo.make_epochs(config, loss, optimiser, axis_name=None)

  def iteration(state: TrainState) -> TrainState:
    key, rollout_key, epoch_key = jax.random.split(state.key, 3)
    (env_state, obs, is_first, core_state), traj = rollout(state, rollout_key)
    normalize = lambda obs: ppo.normalize(config, state.normalizer, obs)
    last_value, _ = critic.apply(state.params.critic, normalize(obs), is_first,
                                 core_state.critic)
    advantage = ppo.advantages(config, traj, traj.value, last_value,
                               traj.final_value)
    params, opt_state = epochs(state.params, state.opt_state, epoch_key,
                               learner_batch(config, state, traj, advantage))
    normalizer = hp.normalizer_update(state.normalizer, traj.obs)
    return TrainState(params, opt_state, normalizer, env_state, obs, is_first,
                      core_state, key, state.step + step_unit)

  train = ppo.make_train(iteration, step_unit)

  def eval_policy(policy_params, obs, is_first, core_state):
    actor_params, normalizer = policy_params
    policy, core_state = actor.apply(actor_params,
                                     ppo.normalize(config, normalizer, obs),
                                     is_first, core_state)
    return to_env(policy.mode()), core_state

  return training.Agent(
      env,
      init,
      train,
      eval_policy,
      ppo.policy_params,
      step_unit,
      eval_state=initial_state)


def run(config: Config) -> dict[str, Any]:
  """Trains recurrent PPO as `config` says; returns the run's summary."""
  return training.run_agent("ppo_recurrent", config, make_agent)


if __name__ == "__main__":
  training.main(Config, run)
