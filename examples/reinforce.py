"""REINFORCE with a learned baseline on a gymnax environment, fully jitted.

See "Simple Statistical Gradient-Following Algorithms for Connectionist
Reinforcement Learning" by Williams (1992,
https://doi.org/10.1007/BF00992696). Each iteration resets `num_envs`
vectorised environments and rolls out one full episode in each (a `lax.scan`
over the time limit; steps after an episode's end are masked out and not
counted). Monte-Carlo returns `G_t = r_t + gamma (1 - done_t) G_{t+1}` come
from `rlax.discounted_returns`; at a time-limit truncation the return
bootstraps from the baseline's value of the final observation (see "Time
Limits in Reinforcement Learning" by Pardo et al. (2018,
https://arxiv.org/abs/1712.00378)), so only termination ends the return. The
policy gradient uses the advantage `G_t - V(s_t)`, normalised over the batch;
the baseline `V` regresses on `G_t`. Discrete actions use a categorical policy
(evaluated by its mode), continuous ones a Gaussian (evaluated by its mean,
clipped to the bounds; samples are clipped only on their way to the env).

Run: `python examples/reinforce.py` (CartPole-v1; `--help` for flags).
"""

import dataclasses
from typing import Any, NamedTuple

import haiku as hk
import jax
import jax.numpy as jnp
import optax
import rlax

import common
import haiku_policies as hp


@dataclasses.dataclass(frozen=True)
class Config(common.CommonConfig):
  """REINFORCE with a baseline: flags and defaults (tuned on CartPole-v1)."""
  env: str = common.flag("CartPole-v1",
                         f"gymnax environment, one of {common.ENVS}.")
  total_steps: int = common.flag(
      100_000, "Environment steps to train for (steps inside episodes).")
  num_envs: int = common.flag(16, "Episodes per policy-gradient update.")
  eval_every: int = common.flag(
      10_000, "Environment steps between evaluations (rounded up to whole "
      "iterations).")
  hidden_sizes: tuple[int, ...] = common.flag(
      (64, 64), "Hidden layer widths of the policy and of the baseline.")
  actor_lr: float = common.flag(3e-3, "Policy Adam learning rate.")
  critic_lr: float = common.flag(3e-3, "Baseline Adam learning rate.")
  max_grad_norm: float = common.flag(
      1.0, "Global gradient-norm clip of each network.")
  gamma: float = common.flag(0.99, "Discount factor.")
  entropy_coef: float = common.flag(0.0, "Weight of the entropy bonus.")
  normalize_advantages: bool = common.flag(
      True, "Standardise the advantages over each batch of episodes.")

  def __post_init__(self):
    super().__post_init__()
    common.check_positive(self, "actor_lr", "critic_lr", "max_grad_norm",
                          "gamma")
    if min(self.hidden_sizes) < 1:
      raise ValueError(f"`--hidden-sizes` must all be >= 1, got "
                       f"{self.hidden_sizes}.")
    if self.gamma > 1 or self.entropy_coef < 0:
      raise ValueError(f"need 0 < `--gamma` <= 1 and `--entropy-coef` >= 0, "
                       f"got gamma={self.gamma}, "
                       f"entropy_coef={self.entropy_coef}.")


class Params(NamedTuple):
  actor: Any
  critic: Any


class TrainState(NamedTuple):
  params: Params
  opt_state: Params
  key: jax.Array
  step: jax.Array  # Environment steps inside episodes so far.


class Trajectory(NamedTuple):
  """One batch of episodes, each field `[T, E, ...]` (time, environment)."""
  obs: jax.Array
  action: jax.Array
  reward: jax.Array
  terminated: jax.Array
  truncated: jax.Array
  final_obs: jax.Array  # The observation after the step, before any reset.
  valid: jax.Array      # True up to and including each episode's last step.


def make_networks(config: Config, action_space):
  """The policy (obs → Categorical or DiagNormal) and the baseline (obs → V)."""
  discrete = hasattr(action_space, "n")

  def actor(obs):
    features = hp.MLPTorso(config.hidden_sizes, activation=jnp.tanh,
                           w_init="orthogonal")(obs)
    if discrete:
      return hp.CategoricalHead(action_space.n, w_init="orthogonal")(features)
    return hp.GaussianHead(action_space.shape[0], state_dependent_std=False,
                           std_transform="exp", w_init="orthogonal")(features)

  def critic(obs):
    features = hp.MLPTorso(config.hidden_sizes, activation=jnp.tanh,
                           w_init="orthogonal")(obs)
    return hp.ValueHead(w_init="orthogonal")(features)

  return (hk.without_apply_rng(hk.transform(actor)),
          hk.without_apply_rng(hk.transform(critic)))


def make_agent(config: Config):
  """Returns `init(key) -> TrainState`, `train_chunk` and `eval_policy`."""
  env, env_params = common.make_env(config.env)
  action_space = env.action_space(env_params)
  discrete = hasattr(action_space, "n")
  low, high = (None, None) if discrete else hp.action_bounds(action_space)
  actor, critic = make_networks(config, action_space)
  adam = lambda lr: optax.chain(
      optax.clip_by_global_norm(config.max_grad_norm), optax.adam(lr))
  optimisers = Params(adam(config.actor_lr), adam(config.critic_lr))
  horizon = env_params.max_steps_in_episode
  vmap_reset = jax.vmap(env.reset, in_axes=(0, None))
  vmap_step = jax.vmap(env.step, in_axes=(0, 0, 0, None))
  to_env = (lambda a: a) if discrete else (lambda a: jnp.clip(a, low, high))

  def init(key):
    key, actor_key, critic_key = jax.random.split(key, 3)
    obs = jnp.zeros((1,) + env.observation_space(env_params).shape)
    params = Params(actor.init(actor_key, obs), critic.init(critic_key, obs))
    opt_state = Params(*(opt.init(p) for opt, p in zip(optimisers, params)))
    return TrainState(params, opt_state, key, jnp.zeros((), jnp.int32))

  def rollout(actor_params, key) -> Trajectory:
    reset_key, step_key = jax.random.split(key)
    obs, env_state = vmap_reset(jax.random.split(reset_key, config.num_envs),
                                env_params)

    def step(carry, key):
      obs, env_state, valid = carry
      act_key, env_key = jax.random.split(key)
      action = actor.apply(actor_params, obs).sample(seed=act_key)
      next_obs, env_state, reward, terminated, truncated, info = vmap_step(
          jax.random.split(env_key, config.num_envs), env_state,
          to_env(action), env_params)
      transition = Trajectory(obs, action, reward, terminated, truncated,
                              info["final_observation"], valid)
      valid = valid & ~(terminated | truncated)  # Auto-reset: masked after.
      return (next_obs, env_state, valid), transition

    init = (obs, env_state, jnp.ones((config.num_envs,), bool))
    return jax.lax.scan(step, init, jax.random.split(step_key, horizon))[1]

  def loss(params, traj: Trajectory):
    valid = traj.valid.astype(jnp.float32)
    masked_mean = lambda x: (x * valid).sum() / valid.sum()
    values = critic.apply(params.critic, traj.obs)
    bootstrap = jax.lax.stop_gradient(critic.apply(params.critic,
                                                   traj.final_obs))
    truncated = traj.truncated & ~traj.terminated  # Both: it terminated.
    reward = traj.reward + config.gamma * truncated * bootstrap
    done = traj.terminated | traj.truncated
    returns = jax.vmap(rlax.discounted_returns, in_axes=(1, 1, 0),
                       out_axes=1)(
        reward, config.gamma * (1.0 - done), jnp.zeros(config.num_envs))
    advantages = jax.lax.stop_gradient(returns - values)
    if config.normalize_advantages:
      centred = advantages - masked_mean(advantages)
      advantages = centred / (jnp.sqrt(masked_mean(centred**2)) + 1e-8)
    policy = actor.apply(params.actor, traj.obs)
    policy_loss = -masked_mean(policy.log_prob(traj.action) * advantages +
                               config.entropy_coef * policy.entropy())
    value_loss = 0.5 * masked_mean(jnp.square(returns - values))
    return policy_loss + value_loss

  def iteration(state: TrainState) -> TrainState:
    key, rollout_key = jax.random.split(state.key)
    traj = rollout(state.params.actor, rollout_key)
    grads = jax.grad(loss)(state.params, traj)
    actor_step, actor_state = optimisers.actor.update(grads.actor,
                                                      state.opt_state.actor)
    critic_step, critic_state = optimisers.critic.update(
        grads.critic, state.opt_state.critic)
    params = Params(optax.apply_updates(state.params.actor, actor_step),
                    optax.apply_updates(state.params.critic, critic_step))
    return TrainState(params, Params(actor_state, critic_state), key,
                      state.step + traj.valid.sum(dtype=jnp.int32))

  def train_chunk(state: TrainState) -> TrainState:
    """Iterates until the step count passes the next multiple of eval_every."""
    end = jnp.minimum((state.step // config.eval_every + 1) *
                      config.eval_every, config.total_steps)
    return jax.lax.while_loop(lambda s: s.step < end, iteration, state)

  def eval_policy(actor_params, obs):
    return to_env(actor.apply(actor_params, obs).mode())

  return env, env_params, init, train_chunk, eval_policy


def run(config: Config) -> dict[str, Any]:
  """Trains REINFORCE as `config` says; returns the run's summary."""
  return common.run_agent("reinforce", config, make_agent)


def main():
  print(run(common.parse_config(Config)))


if __name__ == "__main__":
  main()
