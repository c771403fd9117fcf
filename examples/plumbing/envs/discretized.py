"""MultiDiscrete variants of continuous tasks: each action dim split into bins.

`<Base>Bins<K>-<version>` (e.g. `gymnax:PendulumBins5-v1`,
`gymnax:ReacherBins5-misc`) is the continuous task `<Base>-<version>` of the
same suite with a MultiDiscrete action: one sub-action per action dim, each
taking `K >= 2` values. Sub-action `a` with value `b` in `[0, K)` applies

    low[a] + b * (high[a] - low[a]) / (K - 1),

`K` evenly spaced values from `low[a]` to `high[a]`, both bounds included
(an odd `K` includes the midpoint, zero on a symmetric range). A name
without a version suffix (Brax's `reacher`) puts `Bins<K>` at the end
(`brax:reacherBins5`). Everything else (observations, dynamics, rewards,
episode ends, threshold) is the base task's, so a policy over the `A`
sub-actions (a `MultiCategorical`: log-probabilities and entropies summed over
them) acts on the base task through a grid of `K^A` joint actions. The variants
exist wherever the continuous base task does, `NoVel` tasks included
(`gymnax:PendulumNoVelBins5-v1`).

Glossary: `E` environments, `A` action dims of the base task (the
sub-actions; the library's `MultiCategorical` calls their number `K`), `K`
here the values per sub-action (its `nvec` is `(K,) * A`).
"""

import re

import chex
import jax.numpy as jnp
import numpy as np

from examples.plumbing.envs import core
from examples.plumbing.flags import FlagError

_NAME = re.compile(r"^(?P<stem>.+?)Bins(?P<bins>\d+)(?P<version>-[^-]+)?$")


def split_name(name: str) -> tuple[str, int] | None:
  """`"PendulumBins5-v1"` -> `("Pendulum-v1", 5)`; None for other names."""
  match = _NAME.match(name)
  if match is None:
    return None
  return match["stem"] + (match["version"] or ""), int(match["bins"])


def bin_values(low: np.ndarray, high: np.ndarray, bins: int) -> np.ndarray:
  """The `[K, A]` float32 action each value of each sub-action applies."""
  fraction = np.arange(bins, dtype=np.float64)[:, None] / (bins - 1)
  return (low + fraction * (high - low)).astype(np.float32)


def discretize(env: core.Env, bins: int, name: str) -> core.Env:
  """`env` (continuous `[E, A]` actions) taking `[E, A]` int32 bin indices.

  Args:
    env: the base task's `Env`.
    bins: K, the values of each sub-action.
    name: the `Env.name` to give the result ("suite:<Base>Bins<K>-<version>").

  Returns:
    The same environments with MultiDiscrete actions: `discrete` True,
    `num_actions` A and `nvec` `(K,) * A`.

  Raises:
    FlagError: if `env` has discrete actions or `bins` < 2.
  """
  if env.discrete:
    raise FlagError(f"`--env` {name}: Bins<K> splits continuous actions into "
                    f"bins, but {env.name} has discrete ones; use {env.name}.")
  if bins < 2:
    raise FlagError(f"`--env` {name}: Bins<K> needs K >= 2 values per action "
                    f"dim (both bounds), got K={bins}.")
  values = jnp.asarray(bin_values(env.low, env.high, bins))  # [K, A].
  dims = jnp.arange(env.num_actions)

  def step(state, action, key):
    # [E, A] sub-actions; an [E] action of a single Discrete space would
    # broadcast silently where E == A.
    chex.assert_shape(
        action, (env.num_envs, env.num_actions),
        custom_message=f"{name} takes [E, A] int sub-actions, one per dim")
    return env.step(state, values[action, dims], key)

  return env._replace(
      name=name,
      discrete=True,
      low=None,
      high=None,
      step=step,
      nvec=(bins,) * env.num_actions)
