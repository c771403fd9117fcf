"""Soft Actor-Critic on any environment suite, fully jitted.

See "Soft Actor-Critic Algorithms and Applications" by Haarnoja et al. (2018,
https://arxiv.org/abs/1812.05905). Tanh-Gaussian policy, twin critics with
target networks, automatic entropy temperature. Acting, storing and updating
run inside one jitted loop (`off_policy.make_agent`); the replay buffer lives
in the training state, so checkpoints hold everything needed to resume
exactly.

Run: `python -m examples.sac` (gymnax Pendulum-v1, 10k steps; `--help` for
flags), e.g. `python -m examples.sac --env playground:CartpoleSwingup
--total-steps 100000 --eval-every 10000 --preset sbx` for the continuous
cart-pole (the defaults are tuned for Pendulum's 10k steps).
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

# SBX's SAC settings (its defaults; the learning start and evaluation period of
# the peer benchmarks), where the defaults below differ.
SBX = dict(
    hidden_sizes=(256, 256),
    learning_starts=1_000,
    actor_lr=3e-4,
    critic_lr=3e-4,
    alpha_lr=3e-4,
    eval_every=1_000)


@dataclasses.dataclass(frozen=True)
class Config(flags.CommonConfig):
  """SAC: flags and defaults (fast on Pendulum; `--preset sbx`: SBX's).

  The defaults solve gymnax Pendulum-v1 in seconds: smaller networks than
  SBX's (64x64, not 256x256), learning rates of 1e-3 (not 3e-4), updates from
  step 500 (not 1,000) and an evaluation every 500 steps (to see the solve
  early). The rest are SBX's (batch 256, one update per step, discount 0.99,
  Polyak 0.005, initial temperature 1), and the 100k buffer is the peer
  benchmarks'.
  """
  PRESETS = {"sbx": SBX}

  eval_every: int = flags.redefault(flags.CommonConfig, "eval_every", 500)
  hidden_sizes: tuple[int, ...] = flags.flag(
      (64, 64), "Hidden layer widths of the actor and of each critic.")
  batch_size: int = flags.flag(256, "Transitions per gradient update.")
  learning_starts: int = flags.flag(
      500, "Environment steps of uniform random actions before updates.")
  buffer_size: int = flags.flag(
      100_000, "Replay capacity in transitions (oldest overwritten first).")
  updates_per_step: int = flags.flag(
      1, "Gradient updates per vectorised environment step.")
  actor_lr: float = flags.flag(1e-3, "Actor Adam learning rate.")
  critic_lr: float = flags.flag(1e-3, "Critic Adam learning rate.")
  alpha_lr: float = flags.flag(1e-3, "Entropy temperature Adam learning rate.")
  gamma: float = flags.flag(0.99, "Discount factor.")
  tau: float = flags.flag(0.005, "Polyak rate of the target critics.")
  init_alpha: float = flags.flag(1.0, "Initial entropy temperature.")

  def __post_init__(self):
    super().__post_init__()
    flags.check_positive(self, "batch_size", "buffer_size", "updates_per_step",
                         "actor_lr", "critic_lr", "alpha_lr", "tau",
                         "init_alpha")
    if min(self.hidden_sizes) < 1:
      raise flags.FlagError(f"`--hidden-sizes` must all be >= 1, got "
                            f"{self.hidden_sizes}.")
    off_policy.check_learning_starts(self)


class Params(NamedTuple):
  actor: Any
  critic: Any
  target_critic: Any
  log_alpha: jax.Array


class Critics(NamedTuple):
  """How the critics of a SAC-family agent estimate and learn the return.

  SAC's are twin Q-values; TQC's (examples/tqc.py) are quantile ensembles.
  Shapes: `B` batch; `[N, B, ...]` the ensemble's output; `[B, ...]` the
  bootstrap values of one transition (`[B]` for SAC, `[B, K]` atoms for TQC).
  """
  network: Any  # (obs [B, O], action [B, A]) -> [N, B, ...]
  bootstrap: Any  # target critics' [N, B, ...] -> [B, ...] values to back up
  loss: Any  # (online [N, B, ...], target [B, ...]) -> scalar
  actor_value: Any  # online [N, B, ...] at the policy's action -> [B]


def twin_critics(config: Config) -> Critics:
  """SAC's clipped double Q: the minimum of two critics, squared error."""
  return Critics(
      network=lambda obs, action: hp.CriticEnsemble(2, config.hidden_sizes)
      (obs, action),
      bootstrap=lambda q: q.min(0),
      loss=lambda q, target: 0.5 * jnp.square(q - target).mean(-1).sum(),
      actor_value=lambda q: q.min(0))


def make_learner(config: Config,
                 low,
                 high,
                 critics: Critics | None = None) -> off_policy.Learner:
  """Networks, losses and the gradient update of SAC for bounds `low, high`.

  The learner works in the unit box `[-1, 1]^A`, as SB3 and SBX do: the
  policy's distribution, its log-probabilities (hence the entropy target
  `-A`) and the critics' action inputs are all in unit-box coordinates;
  `act` and `eval_policy` return actions rescaled to `[low, high]`, and
  `update` takes replayed actions in `[low, high]`. So learning does not
  depend on the action units: in the environment's box, the critics' action
  inputs would scale with them and every log-probability would shift by
  `-sum log((high - low) / 2)`, moving the effective entropy target.

  `critics` replaces the twin Q critics (TQC passes its quantile critics).
  """
  critics = critics or twin_critics(config)
  centre, half = unit_box(low, high)

  def actor_fn(obs):
    features = hp.MLPTorso(config.hidden_sizes)(obs)
    return hp.TanhGaussianHead(len(low), std_transform="clipped_exp")(features)

  actor = hk.without_apply_rng(hk.transform(actor_fn))
  critic = hk.without_apply_rng(hk.transform(critics.network))
  target_entropy = -float(len(low))
  optimisers = Params(
      actor=optax.adam(config.actor_lr),
      critic=optax.adam(config.critic_lr),
      target_critic=None,
      log_alpha=optax.adam(config.alpha_lr))

  def init(key, obs):
    actor_key, critic_key = jax.random.split(key)
    critic_params = critic.init(critic_key, obs,
                                jnp.zeros(obs.shape[:-1] + (len(low),)))
    params = Params(
        actor=actor.init(actor_key, obs),
        critic=critic_params,
        target_critic=critic_params,
        log_alpha=jnp.log(jnp.float32(config.init_alpha)))
    opt_state = Params(*(None if opt is None else opt.init(p)
                         for opt, p in zip(optimisers, params)))
    return params, opt_state

  def losses(params, batch, key):
    next_key, key = jax.random.split(key)
    alpha = jnp.exp(params.log_alpha)
    # Critic: soft Bellman target from the target critics.
    next_action, next_log_prob = actor.apply(
        params.actor, batch.next_obs).sample_and_log_prob(seed=next_key)
    next_value = critics.bootstrap(
        critic.apply(params.target_critic, batch.next_obs, next_action))
    per_sample = lambda x: x.reshape(x.shape + (1,) * (next_value.ndim - 1))
    target = jax.lax.stop_gradient(
        per_sample(batch.reward) + config.gamma * per_sample(batch.discount) *
        (next_value - alpha * per_sample(next_log_prob)))
    critic_loss = critics.loss(
        critic.apply(params.critic, batch.obs, (batch.action - centre) / half),
        target)
    # Actor: reparameterized sample through the (frozen) critics.
    action, log_prob = actor.apply(params.actor,
                                   batch.obs).sample_and_log_prob(seed=key)
    q_pi = critics.actor_value(
        critic.apply(jax.lax.stop_gradient(params.critic), batch.obs, action))
    actor_loss = jnp.mean(jax.lax.stop_gradient(alpha) * log_prob - q_pi)
    # Temperature: match the policy entropy to the target entropy.
    alpha_loss = -jnp.mean(
        params.log_alpha * jax.lax.stop_gradient(log_prob + target_entropy))
    return critic_loss + actor_loss + alpha_loss

  def update(params, opt_state, batch, key):
    grads = jax.grad(losses)(params, batch, key)
    new_params, new_opt_state = [], []
    for opt, p, g, s in zip(optimisers, params, grads, opt_state):
      if opt is None:  # The target critic follows by Polyak averaging.
        new_params.append(p)
        new_opt_state.append(s)
        continue
      step, s = opt.update(g, s)
      new_params.append(optax.apply_updates(p, step))
      new_opt_state.append(s)
    params = Params(*new_params)
    params = params._replace(
        target_critic=optax.incremental_update(
            params.critic, params.target_critic, config.tau))
    return params, Params(*new_opt_state)

  def to_bounds(unit_action):
    # `centre + half * a` can round one ulp past a bound: clip.
    return jnp.clip(centre + half * unit_action, low, high)

  def act(actor_params, obs, key):
    return to_bounds(actor.apply(actor_params, obs).sample(seed=key))

  def eval_policy(actor_params, obs):
    return to_bounds(actor.apply(actor_params, obs).median())

  return off_policy.Learner(init, update, act, eval_policy)


def unit_box(low, high) -> tuple[jax.Array, jax.Array]:
  """`(centre, half)` with `action = centre + half * unit_action`.

  Args:
    low: `[A]` finite lower action bounds.
    high: `[A]` finite upper action bounds.

  Returns:
    Two `[A]` float32 arrays, `(high + low) / 2` and `(high - low) / 2`.
  """
  low = jnp.asarray(low, jnp.float32)
  high = jnp.asarray(high, jnp.float32)
  return (high + low) / 2, (high - low) / 2


def make_agent(config: Config) -> training.Agent:
  """SAC on `config.env` (any suite with continuous actions)."""
  return off_policy.make_agent("SAC", config, make_learner)


def run(config: Config) -> dict[str, Any]:
  """Trains SAC as `config` says; returns the run's summary."""
  return training.run_agent("sac", config, make_agent)


if __name__ == "__main__":
  training.main(Config, run)
