"""gymnasium environments, stepped on the host, behind the `Env` interface.

The environments are Python objects (MuJoCo v5 tasks, classic control, ...),
so `reset` and `step` call them through `jax.experimental.io_callback`
(ordered): an agent's jitted loop stays one `lax.scan`, and only the
environment step leaves the compiled code. Episode ends follow gymnasium:
`terminated` from the env, `truncated` from its `TimeLimit`; an ended
episode is reset in the same call (the new episode's first observation is
returned, the old one's last in `final_obs`).

`HostEnvs.snapshot()`/`restore()` save every environment's state (each
wrapper's and the base env's attributes: MuJoCo data, RNG, elapsed steps),
so a checkpointed run resumes bitwise.
"""

import pickle
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental import io_callback

from examples.plumbing.envs import core
from examples.plumbing.flags import FlagError


def names() -> list[str]:
  import gymnasium as gym  # pylint: disable=g-import-not-at-top
  return sorted(gym.registry)


class HostEnvs:
  """`num_envs` gymnasium environments stepped one after another."""

  def __init__(self, name: str, num_envs: int):
    import gymnasium as gym  # pylint: disable=g-import-not-at-top
    self.envs = [gym.make(name) for _ in range(num_envs)]
    self.spec = self.envs[0].spec
    self.observation_space = self.envs[0].observation_space
    self.action_space = self.envs[0].action_space
    self._discrete = hasattr(self.action_space, "n")

  def reset(self, seed: np.ndarray) -> np.ndarray:
    """Resets environment `i` with `seed + i`; returns `[E, O]` float32."""
    return np.stack([
        self._flat(env.reset(seed=int(seed) + i)[0])
        for i, env in enumerate(self.envs)
    ])

  def step(self, action: np.ndarray):
    """Steps each environment; resets those whose episode ended."""
    outs = [], [], [], [], []
    for env, a in zip(self.envs, np.asarray(action)):
      a = int(a) if self._discrete else a.astype(self.action_space.dtype)
      obs, reward, terminated, truncated, _ = env.step(a)
      final = self._flat(obs)
      if terminated or truncated:
        obs = env.reset()[0]
      for out, x in zip(outs,
                        (self._flat(obs), np.float32(reward), bool(terminated),
                         bool(truncated and not terminated), final)):
        out.append(x)
    return tuple(np.stack(out) for out in outs)

  def snapshot(self) -> bytes:
    """Every environment's state (all wrapper layers), pickled."""
    return pickle.dumps([[{
        k: v for k, v in vars(layer).items() if k != "env"
    } for layer in _layers(env)] for env in self.envs])

  def restore(self, blob: bytes) -> None:
    """Puts back the state from `snapshot`."""
    for env, saved in zip(self.envs, pickle.loads(blob)):
      for layer, attributes in zip(_layers(env), saved):
        vars(layer).update(attributes)

  @staticmethod
  def _flat(obs: Any) -> np.ndarray:
    return np.asarray(obs, np.float32).reshape(-1)


def _layers(env: Any):
  """The wrappers of `env` from the outermost to the base environment."""
  while True:
    yield env
    if not hasattr(env, "env"):
      return
    env = env.env


def make(name: str, num_envs: int) -> core.Env:
  """`num_envs` copies of the gymnasium environment `name`."""
  host = HostEnvs(name, num_envs)
  if host.spec.max_episode_steps is None:
    raise FlagError(f"`--env` gymnasium:{name} has no time limit; register "
                    "it with max_episode_steps (evaluation needs a horizon).")
  discrete, num_actions, low, high = core.action_spec(host.action_space)
  obs_size = int(np.prod(host.observation_space.shape))
  obs_type = jax.ShapeDtypeStruct((num_envs, obs_size), jnp.float32)
  flags = jax.ShapeDtypeStruct((num_envs,), jnp.bool_)
  step_types = (obs_type, jax.ShapeDtypeStruct(
      (num_envs,), jnp.float32), flags, flags, obs_type)

  def reset(key):
    seed = jax.random.randint(key, (), 0, 2**30)
    obs = io_callback(host.reset, obs_type, seed, ordered=True)
    return jnp.zeros((num_envs,), jnp.int32), obs

  def step(state, action, key):
    del key  # The environments draw from their own seeded RNGs.
    step = core.Step(*io_callback(host.step, step_types, action, ordered=True))
    done = step.terminated | step.truncated
    return jnp.where(done, 0, state + 1), step

  return core.Env(
      name=f"gymnasium:{name}",
      num_envs=num_envs,
      obs_size=obs_size,
      discrete=discrete,
      num_actions=num_actions,
      low=low,
      high=high,
      max_episode_steps=int(host.spec.max_episode_steps),
      threshold=host.spec.reward_threshold,
      reset=reset,
      step=step,
      host=host)
