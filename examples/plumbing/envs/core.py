"""The one environment interface the agents see, whatever the suite.

An `Env` steps `E` environments at once through two pure functions,
`reset(key) -> (state, obs)` and `step(state, action, key) -> (state, Step)`,
that run inside `jax.jit` and `lax.scan` (the gymnasium suite reaches the
host through `jax.experimental.io_callback`, so the agents' loops are the same
for every suite). The suite differences are settled here once:

* Auto-reset: an environment whose episode ended starts a new one in the same
  call; `Step.obs` is the new episode's first observation and
  `Step.final_obs` the observation the step reached.
* Terminations vs time limits: `terminated` is a true end (no value after it);
  `truncated` is a time limit only, false where `terminated` is true, so an
  agent bootstraps from `final_obs` exactly where `truncated` is set.
* Observations are `[E, O]` float32 vectors (multi-dimensional observations
  are flattened; Playground's observation dicts give their "state" entry).
* Actions: `discrete` envs take `[E]` int32 actions in `[0, num_actions)`,
  or, MultiDiscrete (`nvec` set), `[E, A]` int32 actions, one sub-action
  per dim with entry `a` in `[0, nvec[a])`; continuous ones `[E, A]` float32
  actions within `[low, high]`.

Glossary: `E` environments, `O` observation dims, `A` action dims (the
sub-actions of a MultiDiscrete action).
"""

from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

import haiku_policies as hp
from examples.plumbing.flags import FlagError


class Step(NamedTuple):
  """What one call of `Env.step` returns besides the state; `[E, ...]` each."""
  obs: jax.Array  # [E, O] the next observation, after any auto-reset.
  reward: jax.Array  # [E] float32.
  terminated: jax.Array  # [E] bool: the episode ended for good.
  truncated: jax.Array  # [E] bool: cut by the time limit, not terminated.
  final_obs: jax.Array  # [E, O] the observation this step reached.


class Env(NamedTuple):
  """`num_envs` environments of one suite behind pure, jittable functions."""
  name: str  # "suite:id", as given to `envs.make`.
  num_envs: int  # E.
  obs_size: int  # O.
  discrete: bool
  num_actions: int  # Discrete: how many actions; else A.
  low: np.ndarray | None  # [A] float32 bounds (continuous only).
  high: np.ndarray | None
  max_episode_steps: int  # The time limit.
  threshold: float | None  # Return counted as solved, if the suite has one.
  reset: Callable[[jax.Array], tuple[Any, jax.Array]]
  step: Callable[[Any, jax.Array, jax.Array], tuple[Any, Step]]
  host: Any = None  # Host-side state to checkpoint (gymnasium).
  nvec: tuple[int, ...] | None = None  # MultiDiscrete (discrete): [A] sizes.


def action_spec(space: Any) -> tuple[bool, int, Any, Any]:
  """`(discrete, num_actions, low, high)` of a gymnax or gymnasium space."""
  if hasattr(space, "n"):  # Discrete.
    return True, int(space.n), None, None
  try:
    low, high = hp.action_bounds(space)  # Refuses other discrete kinds.
  except (TypeError, ValueError) as e:
    raise FlagError(f"`--env`: the example agents take Discrete or bounded "
                    f"Box actions; {e}") from e
  return False, low.shape[0], low, high


def flat_obs(obs: Any, num_leading: int) -> jax.Array:
  """`[E, ...]` observations (or a dict with "state") as `[E, O]` float32."""
  if isinstance(obs, dict):
    if "state" not in obs:
      raise FlagError(
          f"`--env`: observation dict without a 'state' entry: keys "
          f"{sorted(obs)}; this suite's pixel or privileged "
          "observations are not supported by the examples.")
    obs = obs["state"]
  obs = jnp.asarray(obs, jnp.float32)
  return obs.reshape(obs.shape[:num_leading] + (-1,))


def select(done: jax.Array, new: Any, old: Any) -> Any:
  """Leaf by leaf, `new` where `done` (`[E]`), else `old` (same structure)."""

  def pick(n, o):
    mask = done.reshape(done.shape + (1,) * (o.ndim - done.ndim))
    return jnp.where(mask, n.astype(o.dtype), o)

  return jax.tree.map(pick, new, old)
