"""REINFORCE with a learned baseline on any environment suite, fully jitted.

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

Run: `python -m examples.reinforce` (gymnax CartPole-v1; `--help` for flags).
"""

import dataclasses
from typing import Any, NamedTuple

import haiku as hk
import jax
import jax.numpy as jnp
import optax
import rlax

import haiku_policies as hp
from examples.plumbing import envs
from examples.plumbing import flags
from examples.plumbing import training


@dataclasses.dataclass(frozen=True)
class Config(flags.CommonConfig):
  """REINFORCE with a baseline: flags and defaults (tuned on CartPole-v1)."""
  env: str = flags.flag("gymnax:CartPole-v1", flags.ENV_HELP)
  total_steps: int = flags.flag(
      100_000, "Environment steps to train for (steps inside episodes).")
  num_envs: int = flags.flag(16, "Episodes per policy-gradient update.")
  eval_every: int = flags.flag(
      10_000, "Environment steps between evaluations (rounded up to whole "
      "iterations).")
  hidden_sizes: tuple[int, ...] = flags.flag(
      (64, 64), "Hidden layer widths of the policy and of the baseline.")
  actor_lr: float = flags.flag(3e-3, "Policy Adam learning rate.")
  critic_lr: float = flags.flag(3e-3, "Baseline Adam learning rate.")
  max_grad_norm: float = flags.flag(
      1.0, "Global gradient-norm clip of each network.")
  gamma: float = flags.flag(0.99, "Discount factor.")
  entropy_coef: float = flags.flag(0.0, "Weight of the entropy bonus.")
  normalize_advantages: bool = flags.flag(
      True, "Standardise the advantages over each batch of episodes.")

  def iteration_steps(self) -> None:
    return None  # Iterations are whole episodes, of varying length.

  def __post_init__(self):
    super().__post_init__()
    flags.check_positive(self, "actor_lr", "critic_lr", "max_grad_norm",
                         "gamma")
    if min(self.hidden_sizes) < 1:
      raise flags.FlagError(f"`--hidden-sizes` must all be >= 1, got "
                            f"{self.hidden_sizes}.")
    if self.gamma > 1 or self.entropy_coef < 0:
      raise flags.FlagError(
          f"need 0 < `--gamma` <= 1 and `--entropy-coef` >= 0, "
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
  valid: jax.Array  # True up to and including each episode's last step.


def make_networks(config: Config, env: envs.Env):
  """The policy (obs → (Multi)Categorical or DiagNormal) and the baseline."""

  def actor(obs):
    features = hp.MLPTorso(
        config.hidden_sizes, activation=jnp.tanh, w_init="orthogonal")(
            obs)
    if env.nvec is not None:  # MultiDiscrete: one Categorical per sub-action.
      return hp.MultiCategoricalHead(env.nvec, w_init="orthogonal")(features)
    if env.discrete:
      return hp.CategoricalHead(env.num_actions, w_init="orthogonal")(features)
    return hp.GaussianHead(
        env.num_actions,
        state_dependent_std=False,
        std_transform="exp",
        w_init="orthogonal")(
            features)

  def critic(obs):
    features = hp.MLPTorso(
        config.hidden_sizes, activation=jnp.tanh, w_init="orthogonal")(
            obs)
    return hp.ValueHead(w_init="orthogonal")(features)

  return (hk.without_apply_rng(hk.transform(actor)),
          hk.without_apply_rng(hk.transform(critic)))


def make_agent(config: Config) -> training.Agent:
  """REINFORCE on `config.env`, discrete or continuous actions."""
  env = envs.make(config.env, config.num_envs, brax_backend=config.brax_backend)
  actor, critic = make_networks(config, env)
  adam = lambda lr: optax.chain(
      optax.clip_by_global_norm(config.max_grad_norm), optax.adam(lr))
  optimisers = Params(adam(config.actor_lr), adam(config.critic_lr))
  to_env = ((lambda a: a) if env.discrete else
            (lambda a: jnp.clip(a, env.low, env.high)))

  def init(key):
    key, actor_key, critic_key = jax.random.split(key, 3)
    obs = jnp.zeros((1, env.obs_size))
    params = Params(actor.init(actor_key, obs), critic.init(critic_key, obs))
    opt_state = Params(*(opt.init(p) for opt, p in zip(optimisers, params)))
    return TrainState(params, opt_state, key, jnp.zeros((), jnp.int32))

  def rollout(actor_params, key) -> Trajectory:
    reset_key, step_key = jax.random.split(key)
    env_state, obs = env.reset(reset_key)

    def step(carry, key):
      obs, env_state, valid = carry
      act_key, env_key = jax.random.split(key)
      action = actor.apply(actor_params, obs).sample(seed=act_key)
      env_state, out = env.step(env_state, to_env(action), env_key)
      transition = Trajectory(obs, action, out.reward, out.terminated,
                              out.truncated, out.final_obs, valid)
      valid = valid & ~(out.terminated | out.truncated)  # Masked after.
      return (out.obs, env_state, valid), transition

    init = (obs, env_state, jnp.ones((config.num_envs,), bool))
    return jax.lax.scan(step, init,
                        jax.random.split(step_key, env.max_episode_steps))[1]

  def loss(params, traj: Trajectory):
    valid = traj.valid.astype(jnp.float32)
    masked_mean = lambda x: (x * valid).sum() / valid.sum()
    values = critic.apply(params.critic, traj.obs)
    bootstrap = jax.lax.stop_gradient(
        critic.apply(params.critic, traj.final_obs))
    truncated = traj.truncated & ~traj.terminated  # Both: it terminated.
    reward = traj.reward + config.gamma * truncated * bootstrap
    done = traj.terminated | traj.truncated
    returns = jax.vmap(
        rlax.discounted_returns, in_axes=(1, 1, 0),
        out_axes=1)(reward, config.gamma * (1.0 - done),
                    jnp.zeros(config.num_envs))
    advantages = jax.lax.stop_gradient(returns - values)
    if config.normalize_advantages:
      centred = advantages - masked_mean(advantages)
      advantages = centred / (jnp.sqrt(masked_mean(centred**2)) + 1e-8)
    policy = actor.apply(params.actor, traj.obs)
    policy_loss = -masked_mean(
        policy.log_prob(traj.action) * advantages +
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
    params = Params(
        optax.apply_updates(state.params.actor, actor_step),
        optax.apply_updates(state.params.critic, critic_step))
    return TrainState(params, Params(actor_state, critic_state), key,
                      state.step + traj.valid.sum(dtype=jnp.int32))

  def train(state: TrainState, num_steps: jax.Array) -> TrainState:
    """Iterates until `num_steps` more steps are done (whole episodes)."""
    end = state.step + num_steps
    return jax.lax.while_loop(lambda s: s.step < end, iteration, state)

  def eval_policy(actor_params, obs):
    return to_env(actor.apply(actor_params, obs).mode())

  # An iteration's steps vary with the episodes' lengths: one is the unit.
  return training.Agent(
      env,
      init,
      train,
      eval_policy,
      lambda state: state.params.actor,
      step_unit=1)


def run(config: Config) -> dict[str, Any]:
  """Trains REINFORCE as `config` says; returns the run's summary."""
  return training.run_agent("reinforce", config, make_agent)


if __name__ == "__main__":
  training.main(Config, run)
