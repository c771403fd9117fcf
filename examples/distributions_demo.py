"""Builds a tanh-Gaussian policy, samples actions and prints their log-probs.

Run: `python examples/distributions_demo.py`
"""

import haiku as hk
import jax
import numpy as np

import haiku_policies as hp


def policy(obs):
  hidden = hk.nets.MLP([64, 64], activate_final=True)(obs)
  loc = hk.Linear(2)(hidden)
  scale = jax.nn.softplus(hk.Linear(2)(hidden)) + 1e-3
  return hp.TanhNormal(loc, scale, low=np.array([-2.0, 0.0]),
                       high=np.array([2.0, 1.0]))


def main():
  net = hk.without_apply_rng(hk.transform(policy))
  obs = jax.random.normal(jax.random.PRNGKey(0), (4, 3))
  params = net.init(jax.random.PRNGKey(1), obs)

  @jax.jit
  def act(params, obs, key):
    dist = net.apply(params, obs)
    action, log_prob = dist.sample_and_log_prob(seed=key)
    return action, log_prob, dist.entropy(), dist.mode()

  action, log_prob, entropy, mode = act(params, obs, jax.random.PRNGKey(2))
  print("actions:\n", action)
  print("log-probs:", log_prob)
  print("entropy:", entropy)
  print("mode:\n", mode)


if __name__ == "__main__":
  main()
