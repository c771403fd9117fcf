"""Twin Delayed DDPG (TD3) on any environment suite, fully jitted.

See "Addressing Function Approximation Error in Actor-Critic Methods" by
Fujimoto et al. (2018, https://arxiv.org/abs/1802.09477). A deterministic
actor, twin critics whose minimum forms the target (clipped double Q), target
policy smoothing with clipped noise, and actor updates delayed to every
`policy_delay`-th critic update (a `lax.cond` inside the scan, so no Python
branches per step). The paper also delays the Polyak updates of the targets;
here they follow every critic update by default, as in SBX's TD3, which
learned sooner on Pendulum-v1 (`--target-delay 2`: the paper's schedule).
Noise scales are fractions of the action half-range (see
`haiku_policies.add_exploration_noise`). Acting, storing and updating run
inside one jitted loop (`off_policy.make_agent`); the replay buffer lives in
the training state, so checkpoints hold everything to resume exactly.

Run: `python -m examples.td3` (gymnax Pendulum-v1, 10k steps; `--help` for
flags).
Fastest to an eval >= -200 on Pendulum-v1 in our tests: `--hidden-sizes 64 64
--actor-lr 1e-3 --critic-lr 1e-3 --learning-starts 500 --updates-per-step 2
--eval-every 500`.
"""

import dataclasses
from typing import Any, NamedTuple

import haiku as hk
import jax
import jax.numpy as jnp
import optax

import haiku_policies as hp
from examples import off_policy
from examples.plumbing import flags
from examples.plumbing import training


@dataclasses.dataclass(frozen=True)
class Config(flags.CommonConfig):
  """TD3: flags and defaults (SBX's TD3 settings unless noted)."""
  hidden_sizes: tuple[int, ...] = flags.flag(
      (256, 256), "Hidden layer widths of the actor and of each critic.")
  batch_size: int = flags.flag(256, "Transitions per gradient update.")
  learning_starts: int = flags.flag(
      1_000, "Environment steps of uniform random actions before updates.")
  buffer_size: int = flags.flag(
      100_000, "Replay capacity in transitions (oldest overwritten first).")
  updates_per_step: int = flags.flag(
      1, "Critic updates per vectorised environment step.")
  actor_lr: float = flags.flag(
      3e-4, "Actor Adam learning rate (SBX's; SB3's TD3 uses 1e-3).")
  critic_lr: float = flags.flag(3e-4, "Critic Adam learning rate.")
  gamma: float = flags.flag(0.99, "Discount factor.")
  tau: float = flags.flag(0.005, "Polyak rate of the target networks.")
  policy_delay: int = flags.flag(2, "Critic updates per actor update.")
  target_delay: int = flags.flag(
      1, "Critic updates per target update (SBX: 1; the paper: 2, with the "
      "actor).")
  exploration_noise: float = flags.flag(
      0.1, "Std of the acting noise, as a fraction of the action half-range.")
  target_noise: float = flags.flag(
      0.2, "Std of the target smoothing noise (fraction of the half-range).")
  target_noise_clip: float = flags.flag(
      0.5, "Bound of the target smoothing noise (fraction of the half-range).")

  def __post_init__(self):
    super().__post_init__()
    flags.check_positive(self, "batch_size", "buffer_size", "updates_per_step",
                         "actor_lr", "critic_lr", "tau", "policy_delay",
                         "target_delay")
    if min(self.hidden_sizes) < 1:
      raise flags.FlagError(f"`--hidden-sizes` must all be >= 1, got "
                            f"{self.hidden_sizes}.")
    for name in ("exploration_noise", "target_noise", "target_noise_clip"):
      if getattr(self, name) < 0:
        raise flags.FlagError(f"`--{name.replace('_', '-')}` must be >= 0, got "
                              f"{name}={getattr(self, name)!r}.")
    off_policy.check_learning_starts(self)


class Params(NamedTuple):
  actor: Any
  critic: Any
  target_actor: Any
  target_critic: Any


class OptState(NamedTuple):
  actor: Any
  critic: Any
  updates: jax.Array  # Critic updates so far; times the delayed updates.


def make_learner(config: Config, low, high) -> off_policy.Learner:
  """Networks, losses and the gradient update of TD3 for bounds `low, high`."""

  def actor_fn(obs):
    return hp.DeterministicHead((low, high))(
        hp.MLPTorso(config.hidden_sizes)(obs))

  def critic_fn(obs, action):
    return hp.CriticEnsemble(2, config.hidden_sizes)(obs, action)

  actor = hk.without_apply_rng(hk.transform(actor_fn))
  critic = hk.without_apply_rng(hk.transform(critic_fn))
  actor_opt = optax.adam(config.actor_lr)
  critic_opt = optax.adam(config.critic_lr)

  def init(key, obs):
    actor_key, critic_key = jax.random.split(key)
    actor_params = actor.init(actor_key, obs)
    critic_params = critic.init(critic_key, obs,
                                jnp.zeros(obs.shape[:-1] + (len(low),)))
    params = Params(actor_params, critic_params, actor_params, critic_params)
    return params, OptState(
        actor_opt.init(actor_params), critic_opt.init(critic_params),
        jnp.zeros((), jnp.int32))

  def critic_loss(critic_params, params, batch, key):
    # Clipped double Q on a smoothed target action.
    next_action = hp.add_target_smoothing_noise(
        key,
        actor.apply(params.target_actor, batch.next_obs),
        low,
        high,
        noise_scale=config.target_noise,
        noise_clip=config.target_noise_clip)
    next_q = critic.apply(params.target_critic, batch.next_obs,
                          next_action).min(0)
    target = jax.lax.stop_gradient(batch.reward +
                                   config.gamma * batch.discount * next_q)
    q = critic.apply(critic_params, batch.obs, batch.action)
    return jnp.square(q - target).mean(-1).sum()

  def actor_loss(actor_params, critic_params, obs):
    # Q1 only, as the paper: the ensemble's first member, sliced from the
    # stacked `[2, ...]` parameters, costs half the forward pass of both.
    q1_params = jax.tree.map(lambda p: p[:1], critic_params)
    return -critic.apply(q1_params, obs, actor.apply(actor_params, obs)).mean()

  def actor_update(params, opt_state, obs):
    grads = jax.grad(actor_loss)(params.actor, params.critic, obs)
    step, actor_state = actor_opt.update(grads, opt_state.actor)
    return (params._replace(actor=optax.apply_updates(params.actor, step)),
            opt_state._replace(actor=actor_state))

  def update(params, opt_state, batch, key):
    grads = jax.grad(critic_loss)(params.critic, params, batch, key)
    step, critic_state = critic_opt.update(grads, opt_state.critic)
    params = params._replace(critic=optax.apply_updates(params.critic, step))
    updates = opt_state.updates + 1
    opt_state = opt_state._replace(critic=critic_state, updates=updates)
    params, opt_state = jax.lax.cond(  # Skips the actor's compute when False.
        updates % config.policy_delay == 0, actor_update,
        lambda params, opt_state, _: (params, opt_state), params, opt_state,
        batch.obs)
    # Targets by Polyak averaging; a rate of 0 leaves them as they are.
    tau = jnp.where(updates % config.target_delay == 0, config.tau, 0.0)
    params = params._replace(
        target_actor=optax.incremental_update(params.actor, params.target_actor,
                                              tau),
        target_critic=optax.incremental_update(params.critic,
                                               params.target_critic, tau))
    return params, opt_state

  def act(actor_params, obs, key):
    return hp.add_exploration_noise(
        key,
        actor.apply(actor_params, obs),
        low,
        high,
        noise_scale=config.exploration_noise)

  def eval_policy(actor_params, obs):
    return actor.apply(actor_params, obs)

  return off_policy.Learner(init, update, act, eval_policy)


def make_agent(config: Config) -> training.Agent:
  """TD3 on `config.env` (any suite with continuous actions)."""
  return off_policy.make_agent("TD3", config, make_learner)


def run(config: Config) -> dict[str, Any]:
  """Trains TD3 as `config` says; returns the run's summary."""
  return training.run_agent("td3", config, make_agent)


if __name__ == "__main__":
  training.main(Config, run)
