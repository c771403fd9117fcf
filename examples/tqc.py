"""Truncated Quantile Critics (TQC) on any environment suite, fully jitted.

See "Controlling Overestimation Bias with Truncated Mixture of Continuous
Distributional Quantile Critics" by Kuznetsov, Shvechikov, Grishin and Vetrov
(2020, https://arxiv.org/abs/2005.04269). SAC (examples/sac.py: the same
tanh-Gaussian actor, automatic entropy temperature, Polyak-averaged targets
and jitted loop) with its twin Q critics replaced by `N` distributional
critics of `M` return quantiles each (`hp.QuantileCriticEnsemble`):

* target: the `N * M` atoms the target critics give for the next state and
  action are pooled, sorted, and the `d * N` largest dropped (`d` per
  critic, `--drop-per-critic`); the `K = (M - d) * N` atoms left become
  `r + gamma * discount * (atom - alpha * log pi(a'|s'))`. Dropping the top
  atoms, rather than taking a minimum over critics, is how TQC controls the
  overestimation bias, in steps of `1 / M`;
* critic loss: the quantile Huber loss (threshold 1) of every critic's `M`
  quantiles, at levels `tau_j = (2 j + 1) / (2 M)`, against all `K` target
  atoms (`rlax.quantile_regression_loss`), averaged over quantiles, atoms
  and the batch and summed over the critics;
* actor loss: `alpha * log pi(a|s)` minus the mean of all `N * M` atoms.

Defaults are the paper's (5 critics x 25 quantiles, 2 dropped per critic)
and SBX's SAC settings otherwise (`sac.SBX`: 256x256, learning rates 3e-4,
updates from step 1,000; SBX's TQC uses 2 critics: `--num-critics 2`).

Run: `python -m examples.tqc` (gymnax Pendulum-v1, 10k steps; `--help` for
flags), e.g. `python -m examples.tqc --env gymnasium:HalfCheetah-v5
--total-steps 100000 --eval-every 10000`.
"""

import dataclasses
import functools
from typing import Any

import jax
import jax.numpy as jnp
import rlax

import haiku_policies as hp
from examples import off_policy
from examples import sac
from examples.plumbing import flags
from examples.plumbing import training


@dataclasses.dataclass(frozen=True)
class Config(sac.Config):
  """TQC: flags and defaults (the paper's critics, SBX's SAC settings)."""
  PRESETS = {}  # Its defaults are SBX's settings (`sac.SBX`).

  eval_every: int = flags.redefault(sac.Config, "eval_every",
                                    sac.SBX["eval_every"])
  hidden_sizes: tuple[int, ...] = flags.redefault(sac.Config, "hidden_sizes",
                                                  sac.SBX["hidden_sizes"])
  learning_starts: int = flags.redefault(sac.Config, "learning_starts",
                                         sac.SBX["learning_starts"])
  actor_lr: float = flags.redefault(sac.Config, "actor_lr", sac.SBX["actor_lr"])
  critic_lr: float = flags.redefault(sac.Config, "critic_lr",
                                     sac.SBX["critic_lr"])
  alpha_lr: float = flags.redefault(sac.Config, "alpha_lr", sac.SBX["alpha_lr"])
  num_critics: int = flags.flag(5, "Quantile critics N.")
  num_quantiles: int = flags.flag(25, "Return quantiles M of each critic.")
  drop_per_critic: int = flags.flag(
      2, "Largest target atoms dropped per critic d: the target keeps the "
      "(M - d) * N smallest of the N * M pooled atoms.")

  def __post_init__(self):
    super().__post_init__()
    flags.check_positive(self, "num_critics", "num_quantiles")
    if not 0 <= self.drop_per_critic < self.num_quantiles:
      raise flags.FlagError(
          f"`--drop-per-critic` must be >= 0 and < `--num-quantiles`, got "
          f"drop_per_critic={self.drop_per_critic}, "
          f"num_quantiles={self.num_quantiles}: at least one atom per critic "
          "must remain.")


def truncated_atoms(z: jax.Array, drop_per_critic: int) -> jax.Array:
  """TQC's target atoms: `z` `[N, B, M]` pooled and sorted, `d * N` dropped.

  Returns the `(M - d) * N` smallest of the `N * M` atoms of each
  transition, ascending, `[B, (M - d) * N]`.
  """
  num_critics, num_quantiles = z.shape[0], z.shape[-1]
  pooled = jnp.moveaxis(z, 0, -2).reshape(z.shape[1:-1] + (-1,))
  keep = (num_quantiles - drop_per_critic) * num_critics
  return jnp.sort(pooled, axis=-1)[..., :keep]


def quantile_critics(config: Config) -> sac.Critics:
  """TQC's distributional critics, truncated target and quantile loss."""
  m = config.num_quantiles
  taus = (2 * jnp.arange(m, dtype=jnp.float32) + 1) / (2 * m)
  # One critic's [M] quantiles vs one transition's [K] atoms, mapped over the
  # batch, then over the critics (the target is shared): [N, B].
  loss_fn = functools.partial(rlax.quantile_regression_loss, huber_param=1.0)
  loss_fn = jax.vmap(jax.vmap(loss_fn, (0, None, 0)), (0, None, None))

  def loss(z, target):  # rlax sums over the quantiles: / M to average them.
    return loss_fn(z, taus, target).mean(-1).sum() / m

  return sac.Critics(
      network=lambda obs, action: hp.QuantileCriticEnsemble(
          config.num_critics, m, config.hidden_sizes)(obs, action),
      bootstrap=lambda z: truncated_atoms(z, config.drop_per_critic),
      loss=loss,
      actor_value=lambda z: z.mean((0, -1)))


def make_learner(config: Config, low, high) -> off_policy.Learner:
  """SAC's learner with TQC's critics, for bounds `low, high`."""
  return sac.make_learner(config, low, high, quantile_critics(config))


def make_agent(config: Config) -> training.Agent:
  """TQC on `config.env` (any suite with continuous actions)."""
  return off_policy.make_agent("TQC", config, make_learner)


def run(config: Config) -> dict[str, Any]:
  """Trains TQC as `config` says; returns the run's summary."""
  return training.run_agent("tqc", config, make_agent)


if __name__ == "__main__":
  training.main(Config, run)
