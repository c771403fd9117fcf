"""PureJaxRL's continuous-action PPO, loaded from its folder and timed.

PureJaxRL is not on PyPI: the sections that measure against it take the path
of a folder holding its `purejaxrl/` sources (`--purejaxrl PATH`) and skip,
naming the upstream repository, when it is absent. Its `make_train(config)`
builds one jitted scan over the whole run; it reports training returns (the
stochastic policy's, averaged over the episodes that ended in each update),
not evaluations.
"""

import functools
import os
import sys
import time

# `ppo_continuous_action`'s settings at 64 envs x 64 steps, as both sections
# run it; each adds its task, budget and minibatch count.
SETTINGS = dict(
    LR=3e-4,
    NUM_ENVS=64,
    NUM_STEPS=64,
    UPDATE_EPOCHS=4,
    GAMMA=0.99,
    GAE_LAMBDA=0.95,
    CLIP_EPS=0.2,
    ENT_COEF=0.0,
    VF_COEF=0.5,
    MAX_GRAD_NORM=0.5,
    ACTIVATION="tanh",
    ANNEAL_LR=False,
    NORMALIZE_ENV=True,
    DEBUG=False)
MISSING = ("not measured: no PureJaxRL folder at {path!r} (give --purejaxrl "
           "PATH; upstream github.com/luchris429/purejaxrl)")


def run_ppo(path: str,
            config: dict,
            seed: int,
            threshold: float,
            brax_backend: str | None = None) -> dict:
  """`ppo_continuous_action.make_train(config)`; compile and training timed
  apart.

  Args:
    path: the folder holding `purejaxrl/`.
    config: its config dict (`ENV_NAME`, `TOTAL_TIMESTEPS`, ...).
    seed: the run's PRNG seed.
    threshold: the return its time and steps to threshold are taken at.
    brax_backend: for a Brax task, the physics backend (its wrapper defaults
      to `positional`); None for gymnax.

  Returns:
    `compile_s`, `train_s`, `steps_per_s` (training steps over `train_s`),
    `final_train_return` (the mean of the last 10 updates' returns), and
    `time_to_threshold_s` (compile plus the share of training up to the
    first update whose mean return reaches `threshold`: its updates take
    equal time in one scan) and `steps_to_threshold`, None if never.
  """
  # pylint: disable=g-import-not-at-top
  import jax
  import numpy as np
  sys.path.insert(0, os.path.join(path, "purejaxrl"))
  import ppo_continuous_action as peer
  import wrappers
  if brax_backend is not None:
    peer.BraxGymnaxWrapper = functools.partial(
        wrappers.BraxGymnaxWrapper, backend=brax_backend)
  total_steps = config["TOTAL_TIMESTEPS"]
  start = time.perf_counter()
  train = jax.jit(peer.make_train(config)).lower(
      jax.random.PRNGKey(seed)).compile()
  compile_s = time.perf_counter() - start
  start = time.perf_counter()
  out = jax.block_until_ready(train(jax.random.PRNGKey(seed)))
  train_s = time.perf_counter() - start
  metrics = out["metrics"]
  ended = np.asarray(metrics["returned_episode"])  # [updates, steps, envs].
  returns = np.asarray(metrics["returned_episode_returns"])
  per_update = [
      float(r[e].mean()) if e.any() else None for r, e in zip(returns, ended)
  ]
  first = next(
      (i for i, r in enumerate(per_update) if r is not None and r >= threshold),
      None)
  updates = len(per_update)
  last = [r for r in per_update if r is not None][-10:]
  return dict(
      compile_s=compile_s,
      train_s=train_s,
      steps_per_s=total_steps / train_s,
      final_train_return=float(np.mean(last)) if last else None,
      time_to_threshold_s=None if first is None else compile_s + train_s *
      (first + 1) / updates,
      steps_to_threshold=None if first is None else
      (first + 1) * total_steps // updates)
