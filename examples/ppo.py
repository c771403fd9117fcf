"""Proximal Policy Optimization on any environment suite, fully jitted.

See "Proximal Policy Optimization Algorithms" by Schulman et al. (2017,
https://arxiv.org/abs/1707.06347), with advantages from "High-Dimensional
Continuous Control Using Generalized Advantage Estimation" by Schulman et al.
(2016, https://arxiv.org/abs/1506.02438) and the usual details from "The 37
Implementation Details of Proximal Policy Optimization" by Huang et al. (2022,
https://iclr-blog-track.github.io/2022/03/25/ppo-implementation-details/):
separate tanh actor and critic MLPs with orthogonal init, a state-independent
Gaussian std (a `CategoricalHead` for discrete actions, a
`MultiCategoricalHead` for MultiDiscrete ones such as
`gymnax:ReacherBins5-misc`), running observation normalisation,
per-minibatch advantage normalisation, global-norm gradient clipping and a
linearly annealed learning rate.

`--policy` picks the continuous-action policy: `gaussian` (the above), `beta`
(a `BetaHead` over the action bounds, so no action is clipped; see "Improving
Stochastic Policy Gradients in Continuous Control with Deep Reinforcement
Learning using the Beta Distribution" by Chou et al. (2017,
http://proceedings.mlr.press/v70/chou17a.html)) or `gsde` (a `GSDEHead` on the
actor's last hidden layer; see "Smooth Exploration for Robotic Reinforcement
Learning" by Raffin et al. (2021, https://arxiv.org/abs/2005.05719)). gSDE
explores with one noise matrix per environment, a `GSDENoise` in the training
state: redrawn at the start of every rollout and, with `--sde-sample-freq n`,
every `n` steps within it (as SB3's PPO does), so a resumed run still
reproduces the uninterrupted one bitwise.

One PPO iteration steps `num_envs` vmapped environments for `num_steps` steps
(`lax.scan`), computes GAE, then runs `num_epochs` epochs of `num_minibatches`
updates (nested `lax.scan`s). A call of `train` is a `lax.fori_loop` over
iterations, jitted once; the Python loop between calls only
evaluates and checkpoints. The state holds everything (params, optimiser and
normaliser states, env states, last observations, key, step), so a run resumed
with the same flags (`--num-devices` included) reproduces the uninterrupted one
bitwise.

`--num-devices N` splits the environments over N devices (data parallel,
`shard_map`): each device steps `num_envs / N` environments and draws its own
minibatches, gradients are averaged over the devices before every update and
the normaliser merges all devices' observations, so the replicated parameters
stay identical. Advantages are normalised per device minibatch.
With `--num-processes P` the devices are those of P processes (one per host,
or several on one machine) that train together through `jax.distributed`
(`examples/plumbing/distributed.py`): the same mesh and the same program, so
two processes with one device each train bitwise as one with two devices.

Time limits are truncations, not terminations: GAE is cut at every episode
end, and at a truncation the value of the true final observation is
bootstrapped (folded into the reward), so Pendulum's 200-step limit does not
look like a terminal state. The policy acts on observations normalised by the
statistics of all earlier iterations (identity in the first); each rollout is
merged into them after its updates, so the old log-probs, the values and the
losses of one iteration all see the same normalisation.

Run: `python -m examples.ppo` (gymnax Pendulum-v1, 524,288 steps, about 10 s
on two CPU cores; `--help` for flags). MountainCarContinuous-v0 needs
`--gamma 0.99`.
"""

import dataclasses
import math
from typing import Any, NamedTuple

import haiku as hk
import jax
import jax.numpy as jnp
import optax
import rlax
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

import haiku_policies as hp
from examples.plumbing import distributed
from examples.plumbing import envs
from examples.plumbing import flags
from examples.plumbing import training

_DEVICES = "devices"  # The mesh axis the environments are split along.
POLICIES = ("gaussian", "beta", "gsde")


@dataclasses.dataclass(frozen=True)
class Config(distributed.Config):
  """PPO: flags and defaults (tuned for a fast Pendulum-v1)."""
  total_steps: int = flags.flag(524_288, "Environment steps to train for.")
  num_envs: int = flags.flag(64, "Environments stepped in parallel (vmapped).")
  eval_every: int = flags.flag(
      65_536, "Environment steps between evaluations; a multiple of "
      "num_envs * num_steps (one PPO iteration).")
  num_steps: int = flags.flag(
      64, "Rollout length per environment and "
      "iteration.")
  num_epochs: int = flags.flag(5, "Passes over each rollout.")
  num_minibatches: int = flags.flag(16, "Minibatches per epoch.")
  hidden_sizes: tuple[int, ...] = flags.flag(
      (64, 64), "Hidden layer widths of the actor and of the critic.")
  learning_rate: float = flags.flag(2e-3, "Adam step size (initial).")
  anneal_lr: bool = flags.flag(True, "Anneal the step size linearly to 0.")
  gamma: float = flags.flag(
      0.95, "Discount factor (use 0.99 on MountainCarContinuous-v0).")
  gae_lambda: float = flags.flag(0.95, "GAE lambda.")
  clip_eps: float = flags.flag(0.2, "Clip range of the probability ratio.")
  ent_coef: float = flags.flag(0.0, "Entropy bonus coefficient.")
  vf_coef: float = flags.flag(0.5, "Value loss coefficient.")
  max_grad_norm: float = flags.flag(0.5, "Global gradient norm clip.")
  reward_scale: float = flags.flag(0.1, "Rewards are multiplied by this.")
  init_std: float = flags.flag(
      1.0, "Initial Gaussian policy std (gsde: of each exploration matrix "
      "entry; beta: unused).")
  policy: str = flags.flag(
      "gaussian", "Continuous-action policy: gaussian, beta (bounded, "
      "unclipped) or gsde (state-dependent exploration).")
  sde_sample_freq: int = flags.flag(
      -1, "With --policy gsde: steps each exploration matrix serves; -1: "
      "redrawn only at the start of each rollout.")
  normalize_obs: bool = flags.flag(
      True, "Normalise observations by running "
      "mean and variance.")
  num_devices: int = flags.flag(
      1, "Devices to split the environments over (data parallel: each "
      "device steps num_envs / num_devices environments and gradients are "
      "averaged), over all processes with --num-processes. On CPU, make N "
      "devices with XLA_FLAGS=--xla_force_host_platform_device_count=N.")

  def iteration_steps(self) -> tuple[int, str]:
    return (self.num_envs * self.num_steps,
            "one PPO iteration, `--num-envs` * `--num-steps`")

  def __post_init__(self):
    super().__post_init__()
    flags.check_positive(self, "num_steps", "num_epochs", "num_minibatches",
                         "num_devices", "learning_rate", "gamma", "clip_eps",
                         "max_grad_norm", "reward_scale", "init_std")
    if min(self.hidden_sizes) < 1:
      raise flags.FlagError(f"`--hidden-sizes` must all be >= 1, got "
                            f"{self.hidden_sizes}.")
    if not (self.gamma <= 1 and 0 <= self.gae_lambda <= 1):
      raise flags.FlagError(
          f"`--gamma` must be in (0, 1] and `--gae-lambda` in "
          f"[0, 1], got gamma={self.gamma}, "
          f"gae_lambda={self.gae_lambda}.")
    if self.ent_coef < 0 or self.vf_coef < 0:
      raise flags.FlagError(
          f"`--ent-coef` and `--vf-coef` must be >= 0, got "
          f"ent_coef={self.ent_coef}, vf_coef={self.vf_coef}.")
    if self.policy not in POLICIES:
      raise flags.FlagError(f"`--policy` must be one of {', '.join(POLICIES)},"
                            f" got policy={self.policy!r}.")
    if self.sde_sample_freq < 1 and self.sde_sample_freq != -1:
      raise flags.FlagError(
          f"`--sde-sample-freq` must be >= 1, or -1 for once per rollout, got "
          f"sde_sample_freq={self.sde_sample_freq}.")
    batch = self.num_envs * self.num_steps
    if self.num_envs % self.num_devices:
      raise flags.FlagError(
          f"`--num-devices` must divide `--num-envs`, got "
          f"num_devices={self.num_devices}, num_envs={self.num_envs}.")
    if self.num_devices > 1 and envs.parse(self.env)[0] == "gymnasium":
      raise flags.FlagError(
          f"`--num-devices` {self.num_devices} needs a JAX-native suite; "
          f"{self.env} is stepped on the host. Use --num-devices 1.")
    if self.num_devices % self.num_processes:
      raise flags.FlagError(
          f"`--num-devices` must count the devices of all "
          f"{self.num_processes} processes (a multiple of "
          f"`--num-processes`), got num_devices={self.num_devices}.")
    if (self.num_processes == 1 and self.num_devices > 1 and
        self.num_devices > jax.device_count()):  # Else checked once joined.
      raise flags.FlagError(
          f"`--num-devices` {self.num_devices} exceeds the "
          f"{jax.device_count()} {jax.default_backend()} device(s) here; on "
          f"CPU set XLA_FLAGS=--xla_force_host_platform_device_count="
          f"{self.num_devices}.")
    local_batch = batch // self.num_devices
    if local_batch % self.num_minibatches:
      raise flags.FlagError(
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
  noise: hp.GSDENoise | None  # gSDE's matrices, [E, H, A]; None otherwise.


class Transition(NamedTuple):
  """One vectorised step; fields `[T, N, ...]` after the rollout scan."""
  obs: jax.Array
  action: jax.Array
  log_prob: jax.Array
  r_t: jax.Array
  terminated: jax.Array
  truncated: jax.Array
  final_obs: jax.Array


def torso(config: Config) -> hk.Module:
  """The tanh MLP torso of the actor and of the critic (orthogonal init)."""
  return hp.MLPTorso(
      config.hidden_sizes, activation=jnp.tanh, w_init="orthogonal")


def policy_head(config: Config, env: envs.Env) -> hk.Module:
  """A (Multi)Categorical head (discrete actions), else the `--policy`'s."""
  head_init = dict(w_init="orthogonal")  # Gain 0.01: a near-uniform start.
  if env.nvec is not None:  # MultiDiscrete: one Categorical per sub-action.
    return hp.MultiCategoricalHead(env.nvec, **head_init)
  if env.discrete:
    return hp.CategoricalHead(env.num_actions, **head_init)
  if config.policy == "beta":
    return hp.BetaHead((env.low, env.high), **head_init)
  if config.policy == "gsde":  # The last hidden layer drives the noise.
    return hp.GSDEHead(
        env.num_actions, log_std_init=math.log(config.init_std), **head_init)
  return hp.GaussianHead(
      env.num_actions,
      state_dependent_std=False,
      std_transform="exp",
      init_std=config.init_std,
      **head_init)


def value_head() -> hk.Module:
  return hp.ValueHead(w_init="orthogonal")


def make_networks(config: Config, env: envs.Env):
  """The actor (obs → the `--policy`'s distribution, or a (Multi)Categorical
  for discrete actions) and the critic (obs → [B])."""

  def actor(obs):
    return policy_head(config, env)(torso(config)(obs))

  def critic(obs):
    return value_head()(torso(config)(obs))

  return (hk.without_apply_rng(hk.transform(actor)),
          hk.without_apply_rng(hk.transform(critic)))


def env_action(env: envs.Env):
  """The policy's action as the env takes it (Gaussian samples clipped)."""
  if env.discrete:
    return lambda action: action
  return lambda action: jnp.clip(action, env.low, env.high)


def make_optimiser(config: Config, num_updates: int):
  """Adam after global-norm clipping, its step size annealed to 0 (or not)."""
  learning_rate = (
      optax.linear_schedule(config.learning_rate, 0.0, num_updates)
      if config.anneal_lr else config.learning_rate)
  return optax.chain(
      optax.clip_by_global_norm(config.max_grad_norm),
      optax.adam(learning_rate, eps=1e-5))


def normalize(config: Config, normalizer: hp.NormalizerState,
              obs: jax.Array) -> jax.Array:
  """`obs` normalised by the running statistics (if `--normalize-obs`)."""
  if not config.normalize_obs:
    return obs
  return hp.normalize(normalizer, obs, clip=10.0)  # Clip as SB3.


# GAE along time for each environment: [T, N] in, [T, N] out.
_gae = jax.vmap(
    rlax.truncated_generalized_advantage_estimation,
    in_axes=(1, 1, None, 1),
    out_axes=1)


def advantages(config: Config, traj: Any, value: jax.Array,
               last_value: jax.Array, final_value: jax.Array) -> jax.Array:
  """GAE advantages `[T, N]` of a rollout, cut at every episode end.

  Args:
    config: the discount, GAE lambda and reward scale.
    traj: the rollout, with `[T, N]` fields `r_t`, `terminated` and
      `truncated`.
    value: `[T, N]` values of the rollout's observations.
    last_value: `[N]` values of the observations after it.
    final_value: `[T, N]` values of each step's `final_obs`: bootstrapped
      (folded into the reward) where the step is a truncation.
  """
  bootstrap = traj.truncated & ~traj.terminated
  r_t = (
      config.reward_scale * traj.r_t +
      config.gamma * jnp.where(bootstrap, final_value, 0.0))
  discount_t = config.gamma * (1.0 - (traj.terminated | traj.truncated))
  return _gae(r_t, discount_t, config.gae_lambda,
              jnp.concatenate([value, last_value[None]]))


def ppo_loss(config: Config, policy: Any, value: jax.Array, action: jax.Array,
             old_log_prob: jax.Array, advantage: jax.Array,
             target: jax.Array) -> jax.Array:
  """The clipped surrogate, value and entropy losses of one minibatch.

  Advantages are normalised over the minibatch; every argument but `config`
  has the minibatch's leading dims (`policy` a distribution over them).
  """
  ratio = jnp.exp(policy.log_prob(action) - old_log_prob)
  advantage = (advantage - advantage.mean()) / (advantage.std() + 1e-8)
  pg_loss = rlax.clipped_surrogate_pg_loss(
      ratio.reshape(-1), advantage.reshape(-1), config.clip_eps)
  value_loss = 0.5 * jnp.mean(jnp.square(value - target))
  entropy = jnp.mean(policy.entropy())
  return pg_loss + config.vf_coef * value_loss - config.ent_coef * entropy


def make_train(iteration: Any, step_unit: int):
  """`train(state, num_steps)`: whole iterations until `num_steps` are done.

  A `lax.fori_loop` of `iteration(state) -> state`, each `step_unit`
  environment steps; `num_steps` (traced) is rounded up to whole iterations.
  """

  def train(state, num_steps: jax.Array):
    iterations = -(-num_steps // step_unit)
    return jax.lax.fori_loop(0, iterations, lambda _, s: iteration(s), state)

  return train


def make_epochs(config: Config, loss: Any, optimiser: Any,
                axis_name: str | None):
  """`epochs(params, opt_state, key, batch) -> (params, opt_state)`.

  Each of `config.num_epochs` epochs shuffles `batch` along its leading axis
  and splits it into `config.num_minibatches` minibatches, with one gradient
  step of `loss(params, minibatch)` on each (gradients averaged over the
  devices of `axis_name`, if any).
  """

  def update(carry, minibatch):
    params, opt_state = carry
    grads = jax.grad(loss)(params, minibatch)
    if axis_name is not None:
      grads = jax.lax.pmean(grads, axis_name)
    updates, opt_state = optimiser.update(grads, opt_state)
    return (optax.apply_updates(params, updates), opt_state), None

  def epoch(carry, key, batch):
    size = jax.tree.leaves(batch)[0].shape[0]
    permutation = jax.random.permutation(key, size)
    minibatches = jax.tree.map(
        lambda x: x[permutation].reshape((config.num_minibatches, size // config
                                          .num_minibatches) + x.shape[1:]),
        batch)
    return jax.lax.scan(update, carry, minibatches)[0], None

  def epochs(params, opt_state, key, batch):
    return jax.lax.scan(lambda carry, key: epoch(carry, key, batch),
                        (params, opt_state),
                        jax.random.split(key, config.num_epochs))[0]

  return epochs


def make_agent(config: Config) -> training.Agent:
  """PPO on `config.env`, discrete or continuous actions.

  `eval_policy((actor_params, normalizer), obs)` is the deterministic action
  (the mode, clipped to the action bounds).
  """
  env = envs.make(
      config.env,
      config.num_envs // config.num_devices,
      brax_backend=config.brax_backend)
  if env.discrete and config.policy != "gaussian":
    raise flags.FlagError(
        f"`--policy` {config.policy} needs continuous actions; {config.env} "
        "has discrete ones (a Categorical or MultiCategorical policy). Leave "
        "--policy out.")
  actor, critic = make_networks(config, env)
  gsde = config.policy == "gsde" and not env.discrete
  to_env = env_action(env)  # Clips Gaussian and gSDE actions (Beta's lie in).
  num_envs = config.num_envs // config.num_devices  # On each device.
  batch_size = num_envs * config.num_steps
  step_unit = config.num_envs * config.num_steps  # One iteration, all devices.
  optimiser = make_optimiser(
      config, config.total_steps // step_unit * config.num_epochs *
      config.num_minibatches)
  multi_device = config.num_devices > 1
  axis_name = _DEVICES if multi_device else None

  def device_key(key):  # Devices step different envs, draw different batches.
    if not multi_device:
      return key
    return jax.random.fold_in(key, jax.lax.axis_index(_DEVICES))

  def normalize_(normalizer, obs):
    return normalize(config, normalizer, obs)

  def new_noise(key, num_envs):
    """Fresh gSDE matrices, one per environment (None without gSDE)."""
    if not gsde:
      return None
    return hp.gsde_noise_init(
        key, config.hidden_sizes[-1], env.num_actions, batch_shape=(num_envs,))

  def init(key):
    key, actor_key, critic_key, env_key = jax.random.split(key, 4)
    noise = new_noise(jax.random.fold_in(key, 1), config.num_envs)
    if multi_device:  # One `Env` batch per device, concatenated.
      env_state, obs = jax.tree.map(
          lambda x: x.reshape((-1,) + x.shape[2:]),
          jax.vmap(env.reset)(jax.random.split(env_key, config.num_devices)))
    else:
      env_state, obs = env.reset(env_key)
    params = Params(actor.init(actor_key, obs), critic.init(critic_key, obs))
    state = TrainState(params, optimiser.init(params),
                       hp.normalizer_init(obs.shape[-1]), env_state, obs, key,
                       jnp.zeros((), jnp.int32), noise)
    if multi_device:  # Envs split over the devices, the rest replicated.
      state = jax.lax.with_sharding_constraint(state, shardings)
    return state

  def rollout(state: TrainState, key):
    """Steps the envs `num_steps` times with the current policy."""
    noise = None
    if gsde:  # Fresh matrices for every rollout, as SB3.
      key, noise_key = jax.random.split(key)
      noise = new_noise(noise_key, num_envs)

    def env_step(carry, key):
      env_state, obs, noise = carry
      act_key, env_key = jax.random.split(key)
      policy = actor.apply(state.params.actor,
                           normalize_(state.normalizer, obs))
      if gsde:
        action, log_prob = policy.sample_and_log_prob_from_noise(noise)
        if config.sde_sample_freq > 0:
          noise = hp.gsde_noise_update(
              noise, act_key, every=config.sde_sample_freq)
      else:
        action, log_prob = policy.sample_and_log_prob(seed=act_key)
      env_state, out = env.step(env_state, to_env(action), env_key)
      return (env_state, out.obs,
              noise), Transition(obs, action, log_prob, out.reward,
                                 out.terminated, out.truncated, out.final_obs)

    return jax.lax.scan(env_step, (state.env_state, state.obs, noise),
                        jax.random.split(key, config.num_steps))

  def loss(params, batch):
    obs, action, old_log_prob, advantage, target = batch
    return ppo_loss(config, actor.apply(params.actor, obs),
                    critic.apply(params.critic, obs), action, old_log_prob,
                    advantage, target)

  epochs = make_epochs(config, loss, optimiser, axis_name)

  def iteration(state: TrainState) -> TrainState:
    key, rollout_key, epoch_key = jax.random.split(state.key, 3)
    rollout_key, epoch_key = device_key(rollout_key), device_key(epoch_key)
    (env_state, obs, noise), traj = rollout(state, rollout_key)
    # Values under the normaliser the policy acted with.
    value_of = lambda obs: critic.apply(state.params.critic,
                                        normalize_(state.normalizer, obs))
    obs_t = normalize_(state.normalizer, traj.obs)
    value = critic.apply(state.params.critic, obs_t)
    advantage = advantages(config, traj, value, value_of(obs),
                           value_of(traj.final_obs))
    batch = jax.tree.map(
        lambda x: x.reshape((batch_size,) + x.shape[2:]),
        (obs_t, traj.action, traj.log_prob, advantage, advantage + value))
    params, opt_state = epochs(state.params, state.opt_state, epoch_key, batch)
    normalizer = hp.normalizer_update(
        state.normalizer, traj.obs, axis_name=axis_name)
    return TrainState(params, opt_state, normalizer, env_state, obs, key,
                      state.step + step_unit, noise)

  train = make_train(iteration, step_unit)

  if multi_device:
    mesh = jax.make_mesh((config.num_devices,), (_DEVICES,),
                         axis_types=(jax.sharding.AxisType.Auto,))
    specs = TrainState(P(), P(), P(), P(_DEVICES), P(_DEVICES), P(), P(),
                       hp.GSDENoise(P(_DEVICES), P()) if gsde else None)
    shardings = jax.tree.map(
        lambda spec: NamedSharding(mesh, spec),
        specs,
        is_leaf=lambda x: isinstance(x, P))
    # rlax's GAE scan starts from an unvarying zero carry, which the
    # varying-axes check rejects; the replicated outputs are replicated by
    # construction (averaged gradients, merged normaliser statistics).
    train = jax.shard_map(
        train,
        mesh=mesh,
        in_specs=(specs, P()),
        out_specs=specs,
        check_vma=False)

  def eval_policy(policy_params, obs):
    actor_params, normalizer = policy_params
    return to_env(actor.apply(actor_params, normalize_(normalizer, obs)).mode())

  return training.Agent(env, init, train, eval_policy, policy_params, step_unit)


def policy_params(state: TrainState) -> tuple[Any, hp.NormalizerState]:
  """`eval_policy`'s parameters in a training state."""
  return state.params.actor, state.normalizer


def run(config: Config) -> dict[str, Any]:
  """Trains PPO as `config` says; returns the run's summary."""
  distributed.initialize(config)  # With --num-processes > 1.
  return training.run_agent("ppo", config, make_agent)


if __name__ == "__main__":
  training.main(Config, run)
