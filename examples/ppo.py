"""Proximal Policy Optimization on a gymnax environment, fully jitted.

See "Proximal Policy Optimization Algorithms" by Schulman et al. (2017,
https://arxiv.org/abs/1707.06347), with advantages from "High-Dimensional
Continuous Control Using Generalized Advantage Estimation" by Schulman et al.
(2016, https://arxiv.org/abs/1506.02438) and the usual details from "The 37
Implementation Details of Proximal Policy Optimization" by Huang et al. (2022,
https://iclr-blog-track.github.io/2022/03/25/ppo-implementation-details/):
separate tanh actor and critic MLPs with orthogonal init, a state-independent
Gaussian std (a `CategoricalHead` for discrete actions), running observation
normalisation, per-minibatch advantage normalisation, global-norm gradient
clipping and a linearly annealed learning rate.

One PPO iteration steps `num_envs` vmapped environments for `num_steps` steps
(`lax.scan`), computes GAE, then runs `num_epochs` epochs of `num_minibatches`
updates (nested `lax.scan`s). A chunk of `eval_every` environment steps is a
`lax.scan` over iterations, jitted once; the Python loop between chunks only
evaluates and checkpoints. The state holds everything (params, optimiser and
normaliser states, env states, last observations, key, step), so a run resumed
with the same flags (`--num-devices` included) reproduces the uninterrupted one
bitwise.

`--num-devices N` splits the environments over N devices (data parallel,
`shard_map`): each device steps `num_envs / N` environments and draws its own
minibatches, gradients are averaged over the devices before every update and
the normaliser merges all devices' observations, so the replicated parameters
stay identical. Advantages are normalised per device minibatch.

Time limits are truncations, not terminations: GAE is cut at every episode
end, and at a truncation the value of the true final observation is
bootstrapped (folded into the reward), so Pendulum's 200-step limit does not
look like a terminal state. The policy acts on observations normalised by the
statistics of all earlier iterations (identity in the first); each rollout is
merged into them after its updates, so the old log-probs, the values and the
losses of one iteration all see the same normalisation.

Run: `python examples/ppo.py` (Pendulum-v1, 524,288 steps, about 10 s on two
CPU cores; `--help` for flags). MountainCarContinuous-v0 needs `--gamma 0.99`.
"""

import dataclasses
from typing import Any, NamedTuple

import gymnax
import haiku as hk
import jax
import jax.numpy as jnp
import optax
import rlax
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

import common
import haiku_policies as hp


@dataclasses.dataclass(frozen=True)
class Config(common.CommonConfig):
  """PPO: flags and defaults (tuned for a fast Pendulum-v1)."""
  total_steps: int = common.flag(524_288, "Environment steps to train for.")
  num_envs: int = common.flag(64, "Environments stepped in parallel (vmapped).")
  eval_every: int = common.flag(
      65_536, "Environment steps between evaluations; a multiple of "
      "num_envs * num_steps (one PPO iteration).")
  num_steps: int = common.flag(64, "Rollout length per environment and "
                               "iteration.")
  num_epochs: int = common.flag(5, "Passes over each rollout.")
  num_minibatches: int = common.flag(16, "Minibatches per epoch.")
  hidden_sizes: tuple[int, ...] = common.flag(
      (64, 64), "Hidden layer widths of the actor and of the critic.")
  learning_rate: float = common.flag(2e-3, "Adam step size (initial).")
  anneal_lr: bool = common.flag(True, "Anneal the step size linearly to 0.")
  gamma: float = common.flag(
      0.95, "Discount factor (use 0.99 on MountainCarContinuous-v0).")
  gae_lambda: float = common.flag(0.95, "GAE lambda.")
  clip_eps: float = common.flag(0.2, "Clip range of the probability ratio.")
  ent_coef: float = common.flag(0.0, "Entropy bonus coefficient.")
  vf_coef: float = common.flag(0.5, "Value loss coefficient.")
  max_grad_norm: float = common.flag(0.5, "Global gradient norm clip.")
  reward_scale: float = common.flag(0.1, "Rewards are multiplied by this.")
  init_std: float = common.flag(1.0, "Initial Gaussian policy std.")
  normalize_obs: bool = common.flag(True, "Normalise observations by running "
                                    "mean and variance.")
  num_devices: int = common.flag(
      1, "Devices to split the environments over (data parallel: each "
      "device steps num_envs / num_devices environments and gradients are "
      "averaged). On CPU, make N devices with "
      "XLA_FLAGS=--xla_force_host_platform_device_count=N.")

  def __post_init__(self):
    super().__post_init__()
    common.check_positive(self, "num_steps", "num_epochs", "num_minibatches",
                          "num_devices", "learning_rate", "gamma", "clip_eps",
                          "max_grad_norm", "reward_scale", "init_std")
    if min(self.hidden_sizes) < 1:
      raise ValueError(f"`--hidden-sizes` must all be >= 1, got "
                       f"{self.hidden_sizes}.")
    if not (self.gamma <= 1 and 0 <= self.gae_lambda <= 1):
      raise ValueError(f"`--gamma` must be in (0, 1] and `--gae-lambda` in "
                       f"[0, 1], got gamma={self.gamma}, "
                       f"gae_lambda={self.gae_lambda}.")
    if self.ent_coef < 0 or self.vf_coef < 0:
      raise ValueError(f"`--ent-coef` and `--vf-coef` must be >= 0, got "
                       f"ent_coef={self.ent_coef}, vf_coef={self.vf_coef}.")
    batch = self.num_envs * self.num_steps
    if self.eval_every % batch:
      fix = max(1, round(self.eval_every / batch)) * batch
      raise ValueError(
          f"`--eval-every` must be a multiple of one PPO iteration, "
          f"`--num-envs` * `--num-steps` = {self.num_envs} * "
          f"{self.num_steps} = {batch}, got eval_every={self.eval_every}; "
          f"use e.g. --eval-every {fix}.")
    if self.num_envs % self.num_devices:
      raise ValueError(
          f"`--num-devices` must divide `--num-envs`, got "
          f"num_devices={self.num_devices}, num_envs={self.num_envs}.")
    if self.num_devices > 1 and self.num_devices > jax.device_count():
      raise ValueError(
          f"`--num-devices` {self.num_devices} exceeds the "
          f"{jax.device_count()} {jax.default_backend()} device(s) here; on "
          f"CPU set XLA_FLAGS=--xla_force_host_platform_device_count="
          f"{self.num_devices}.")
    local_batch = batch // self.num_devices
    if local_batch % self.num_minibatches:
      raise ValueError(
          f"`--num-minibatches` must divide `--num-envs` * `--num-steps` / "
          f"`--num-devices` = {local_batch}, got "
          f"num_minibatches={self.num_minibatches}.")


class Params(NamedTuple):
  actor: Any
  critic: Any


class TrainState(NamedTuple):
  params: Params
  opt_state: Any
  normalizer: hp.NormalizerState
  env_state: Any
  obs: jax.Array
  key: jax.Array
  step: jax.Array


class Transition(NamedTuple):
  """One vectorised step; fields `[T, N, ...]` after the rollout scan."""
  obs: jax.Array
  action: jax.Array
  log_prob: jax.Array
  r_t: jax.Array
  terminated: jax.Array
  truncated: jax.Array
  final_obs: jax.Array


def make_networks(config: Config, action_space):
  """The actor (obs → DiagNormal or Categorical) and the critic (obs → [B])."""
  discrete = isinstance(action_space, gymnax.environments.spaces.Discrete)
  head_init = dict(w_init="orthogonal")  # Gain 0.01: a near-uniform start.

  def torso(obs):
    return hp.MLPTorso(config.hidden_sizes, activation=jnp.tanh,
                       w_init="orthogonal")(obs)

  def actor(obs):
    if discrete:
      return hp.CategoricalHead(action_space.n, **head_init)(torso(obs))
    return hp.GaussianHead(
        action_space.shape[0], state_dependent_std=False, std_transform="exp",
        init_std=config.init_std, **head_init)(torso(obs))

  def critic(obs):
    return hp.ValueHead(w_init="orthogonal")(torso(obs))

  return (hk.without_apply_rng(hk.transform(actor)),
          hk.without_apply_rng(hk.transform(critic)))


def make_agent(config: Config):
  """Returns the env, its params, `init`, `train_chunk` and `eval_policy`.

  `init(key) -> TrainState`; `train_chunk(state) -> state` trains for
  `eval_every` steps; `eval_policy((actor_params, normalizer), obs)` is the
  deterministic action (the mode, clipped to the action bounds).
  """
  env, env_params = common.make_env(config.env)
  space = env.action_space(env_params)
  actor, critic = make_networks(config, space)
  if isinstance(space, gymnax.environments.spaces.Discrete):
    to_env = lambda action: action
  else:  # The Gaussian is unbounded: the env sees the clipped action.
    low, high = hp.action_bounds(space)
    to_env = lambda action: jnp.clip(action, low, high)
  num_envs = config.num_envs // config.num_devices  # On each device.
  batch_size = num_envs * config.num_steps
  minibatch_size = batch_size // config.num_minibatches
  iterations_per_chunk = config.eval_every // (config.num_envs *
                                               config.num_steps)
  chunks = -(-config.total_steps // config.eval_every)
  num_updates = (chunks * iterations_per_chunk * config.num_epochs *
                 config.num_minibatches)
  learning_rate = (optax.linear_schedule(config.learning_rate, 0.0,
                                         num_updates)
                   if config.anneal_lr else config.learning_rate)
  optimiser = optax.chain(optax.clip_by_global_norm(config.max_grad_norm),
                          optax.adam(learning_rate, eps=1e-5))
  vmap_reset = jax.vmap(env.reset, in_axes=(0, None))
  vmap_step = jax.vmap(env.step, in_axes=(0, 0, 0, None))
  # GAE along time for each environment: [T, N] in, [T, N] out.
  gae = jax.vmap(rlax.truncated_generalized_advantage_estimation,
                 in_axes=(1, 1, None, 1), out_axes=1)

  multi_device = config.num_devices > 1
  axis_name = _DEVICES if multi_device else None

  def device_key(key):  # Devices step different envs, draw different batches.
    if not multi_device:
      return key
    return jax.random.fold_in(key, jax.lax.axis_index(_DEVICES))

  def normalize(normalizer, obs):
    if not config.normalize_obs:
      return obs
    return hp.normalize(normalizer, obs, clip=10.0)  # Clip as SB3.

  def init(key):
    key, actor_key, critic_key, env_key = jax.random.split(key, 4)
    obs, env_state = vmap_reset(jax.random.split(env_key, config.num_envs),
                                env_params)
    params = Params(actor.init(actor_key, obs), critic.init(critic_key, obs))
    state = TrainState(params, optimiser.init(params),
                       hp.normalizer_init(obs.shape[-1]), env_state, obs, key,
                       jnp.zeros((), jnp.int32))
    if multi_device:  # Envs split over the devices, the rest replicated.
      state = jax.lax.with_sharding_constraint(state, shardings)
    return state

  def rollout(state: TrainState, key):
    """Steps the envs `num_steps` times with the current policy."""
    def env_step(carry, key):
      env_state, obs = carry
      act_key, env_key = jax.random.split(key)
      policy = actor.apply(state.params.actor,
                           normalize(state.normalizer, obs))
      action, log_prob = policy.sample_and_log_prob(seed=act_key)
      next_obs, env_state, r_t, terminated, truncated, info = vmap_step(
          jax.random.split(env_key, num_envs), env_state,
          to_env(action), env_params)
      return (env_state, next_obs), Transition(
          obs, action, log_prob, r_t, terminated, truncated,
          info["final_observation"])

    return jax.lax.scan(env_step, (state.env_state, state.obs),
                        jax.random.split(key, config.num_steps))

  def loss(params, batch):
    obs, action, old_log_prob, advantage, target = batch
    policy = actor.apply(params.actor, obs)
    ratio = jnp.exp(policy.log_prob(action) - old_log_prob)
    advantage = (advantage - advantage.mean()) / (advantage.std() + 1e-8)
    pg_loss = rlax.clipped_surrogate_pg_loss(ratio, advantage,
                                             config.clip_eps)
    value_loss = 0.5 * jnp.mean(jnp.square(critic.apply(params.critic, obs) -
                                           target))
    entropy = jnp.mean(policy.entropy())
    return pg_loss + config.vf_coef * value_loss - config.ent_coef * entropy

  def update(carry, minibatch):
    params, opt_state = carry
    grads = jax.grad(loss)(params, minibatch)
    if multi_device:
      grads = jax.lax.pmean(grads, _DEVICES)
    updates, opt_state = optimiser.update(grads, opt_state)
    return (optax.apply_updates(params, updates), opt_state), None

  def epoch(carry, key, batch):
    permutation = jax.random.permutation(key, batch_size)
    minibatches = jax.tree.map(
        lambda x: x[permutation].reshape(
            (config.num_minibatches, minibatch_size) + x.shape[1:]), batch)
    return jax.lax.scan(update, carry, minibatches)[0], None

  def iteration(state: TrainState, _) -> tuple[TrainState, None]:
    key, rollout_key, epoch_key = jax.random.split(state.key, 3)
    rollout_key, epoch_key = device_key(rollout_key), device_key(epoch_key)
    (env_state, obs), traj = rollout(state, rollout_key)
    # Values under the normaliser the policy acted with.
    obs_t = normalize(state.normalizer, traj.obs)
    value = critic.apply(state.params.critic, obs_t)
    last_value = critic.apply(state.params.critic,
                              normalize(state.normalizer, obs))
    final_value = critic.apply(state.params.critic,
                               normalize(state.normalizer, traj.final_obs))
    # Bootstrap truncations through the reward; cut GAE at every episode end.
    bootstrap = traj.truncated & ~traj.terminated
    r_t = (config.reward_scale * traj.r_t +
           config.gamma * jnp.where(bootstrap, final_value, 0.0))
    discount_t = config.gamma * (1.0 - (traj.terminated | traj.truncated))
    advantage = gae(r_t, discount_t, config.gae_lambda,
                    jnp.concatenate([value, last_value[None]]))
    batch = jax.tree.map(
        lambda x: x.reshape((batch_size,) + x.shape[2:]),
        (obs_t, traj.action, traj.log_prob, advantage, advantage + value))
    (params, opt_state), _ = jax.lax.scan(
        lambda carry, key: epoch(carry, key, batch),
        (state.params, state.opt_state),
        jax.random.split(epoch_key, config.num_epochs))
    normalizer = hp.normalizer_update(state.normalizer, traj.obs,
                                      axis_name=axis_name)
    return TrainState(params, opt_state, normalizer, env_state, obs, key,
                      state.step + batch_size * config.num_devices), None

  def train_chunk(state: TrainState) -> TrainState:
    return jax.lax.scan(iteration, state, None,
                        length=iterations_per_chunk)[0]

  if multi_device:
    mesh = jax.make_mesh((config.num_devices,), (_DEVICES,),
                         axis_types=(jax.sharding.AxisType.Auto,))
    specs = TrainState(P(), P(), P(), P(_DEVICES), P(_DEVICES), P(), P())
    shardings = jax.tree.map(lambda spec: NamedSharding(mesh, spec), specs,
                             is_leaf=lambda x: isinstance(x, P))
    # rlax's GAE scan starts from an unvarying zero carry, which the
    # varying-axes check rejects; the replicated outputs are replicated by
    # construction (averaged gradients, merged normaliser statistics).
    train_chunk = jax.shard_map(train_chunk, mesh=mesh, in_specs=(specs,),
                                out_specs=specs, check_vma=False)

  def eval_policy(policy_params, obs):
    actor_params, normalizer = policy_params
    return to_env(actor.apply(actor_params, normalize(normalizer, obs)).mode())

  return env, env_params, init, train_chunk, eval_policy


def policy_params(state: TrainState) -> tuple[Any, hp.NormalizerState]:
  """`eval_policy`'s parameters in a training state."""
  return state.params.actor, state.normalizer


_DEVICES = "devices"  # The mesh axis the environments are split along.


def run(config: Config) -> dict[str, Any]:
  """Trains PPO as `config` says; returns the run's summary."""
  # Init runs once: compiling it unoptimised saves about a second.
  return common.run_agent(
      "ppo", config, make_agent,
      policy_params=policy_params,
      init_options={"xla_backend_optimization_level": 0})


def main():
  print(run(common.parse_config(Config)))


if __name__ == "__main__":
  main()
