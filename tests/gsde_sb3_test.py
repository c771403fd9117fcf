"""Cross-check of `GSDEHead` and `GSDENormal` against SB3, in float32 on CPU.

The reference is `stable_baselines3.common.distributions.
StateDependentNoiseDistribution` (PyTorch) given the same mean layer, the same
`log_std`, the same features and the same exploration matrices
(`noise_std * eps`, SB3's `exploration_mat` for one matrix, its
`exploration_matrices` for one per batch element). The actions, means, stds,
log-densities, entropies, deterministic actions and the gradients of the
log-density agree within the tolerances below.

Differences that the tolerances absorb, and why they are small here:

* SB3 adds 1e-6 inside the squash correction, `log(1 - tanh(u)^2 + 1e-6)`;
  the library uses the exact `log(1 - tanh(u)^2)`. With `|u| < ~2.5` here the
  change is below `1e-6 / (1 - tanh(2.5)^2) = 4e-5` per dimension.
* Both score a squashed action by inverting `tanh` in float32, which loses
  digits as `|action|` nears 1; the inputs keep `|u|` moderate for that.
* SB3's `expln` adds 1e-6 inside `log1p` (above 0); the library does not.

Skipped where torch or stable-baselines3 is not installed. CI installs the
`test` extra, which holds neither: a CPU torch is a large download and install,
and CI is already longer than its target. They come with the `bench` extra
(`pip install -e ".[bench,test]"`), where this test runs:
`pytest -n 0 tests/gsde_sb3_test.py`.
"""

from absl.testing import absltest
from absl.testing import parameterized
import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from haiku_policies.heads_gsde import GSDEHead

torch = pytest.importorskip(
    "torch", reason="the SB3 cross-check needs torch (the `bench` extra)")
sb3_distributions = pytest.importorskip(
    "stable_baselines3.common.distributions",
    reason="the SB3 cross-check needs stable-baselines3 (the `bench` extra)")

RTOL = 1e-5  # Actions, means, stds, deterministic actions, entropies.
ATOL = 1e-6
LOG_PROB_RTOL = 1e-5  # Log-densities: sums over A of float32 terms.
LOG_PROB_ATOL = 1e-4  # The squash correction's 1e-6 (see above).
GRAD_RTOL = 1e-4  # Gradients of the log-density (float32 backprop).
GRAD_ATOL = 1e-4
EPSILON = 1e-6  # SB3's default variance floor, passed to both.
BATCH, FEATURES, ACTIONS = 5, 6, 3
KEY = jax.random.PRNGKey(0)

# name, full_std, use_expln, squash, one matrix per batch element.
CONFIGS = (
    ("full_exp", True, False, False, False),
    ("reduced_expln_per_element", False, True, False, True),
    ("squashed_full_expln", True, True, True, False),
    ("squashed_reduced_exp_per_element", False, False, True, True),
)


def _inputs(full_std, seed=0):
  """Features, mean-layer weights, log_std and standard-normal noise."""
  rng = np.random.default_rng(seed)
  return {
      "h":
          rng.normal(scale=0.5, size=(BATCH, FEATURES)).astype(np.float32),
      "w":
          rng.normal(scale=0.3, size=(FEATURES, ACTIONS)).astype(np.float32),
      "b":
          rng.normal(scale=0.1, size=(ACTIONS,)).astype(np.float32),
      # Both sides of 0, for expln's two branches.
      "log_std":
          rng.uniform(-1.5, 0.5,
                      size=(FEATURES,
                            ACTIONS if full_std else 1)).astype(np.float32),
      "eps":
          rng.normal(size=(BATCH, FEATURES, ACTIONS)).astype(np.float32),
  }


def _ours(x, *, full_std, use_expln, squash, per_element, learn_features):
  """Our outputs, and the gradients of `sum log_prob(action)`, jitted."""
  head = hk.without_apply_rng(
      hk.transform(lambda h: GSDEHead(
          ACTIONS,
          full_std=full_std,
          use_expln=use_expln,
          squash=squash,
          learn_features=learn_features,
          epsilon=EPSILON)(h)))
  params = {
      "gsde_head/loc": {
          "w": x["w"],
          "b": x["b"]
      },
      "gsde_head": {
          "log_std": x["log_std"]
      },
  }
  eps = x["eps"] if per_element else x["eps"][0]

  def run(params, h):
    dist = head.apply(params, h)
    action, log_prob = dist.sample_and_log_prob_from_noise(eps)
    out = {
        "action": action,
        "log_prob_from_noise": log_prob,
        "log_prob": dist.log_prob(action),
        "mean": dist.loc,
        "std": dist.scale,
        "deterministic": dist.median(),
        "noise_std": dist.noise_std,
    }
    if not squash:
      out["entropy"] = dist.entropy()
    return out

  def score(params, h, action):
    return jnp.sum(head.apply(params, h).log_prob(action))

  out = jax.jit(run)(params, x["h"])
  grads = jax.jit(jax.grad(score, argnums=(0, 1)))(params, x["h"],
                                                   out["action"])
  return out, grads


def _sb3(x, matrices, *, full_std, use_expln, squash, per_element,
         learn_features):
  """SB3's outputs for the same weights, features and matrices `[B, H, A]`."""
  dist = sb3_distributions.StateDependentNoiseDistribution(
      ACTIONS,
      full_std=full_std,
      use_expln=use_expln,
      squash_output=squash,
      learn_features=learn_features,
      epsilon=EPSILON)
  mean_net, log_std = dist.proba_distribution_net(FEATURES)
  with torch.no_grad():
    mean_net.weight.copy_(torch.from_numpy(x["w"].T.copy()))
    mean_net.bias.copy_(torch.from_numpy(x["b"]))
    log_std.copy_(torch.from_numpy(x["log_std"]))
  matrices = torch.from_numpy(np.array(matrices))  # A writable copy.
  # One matrix: `exploration_mat`, used when the batch differs from the
  # number of `exploration_matrices` (one here).
  dist.exploration_mat = matrices[0]
  dist.exploration_matrices = matrices if per_element else matrices[:1]
  h = torch.from_numpy(x["h"]).requires_grad_(True)
  dist.proba_distribution(mean_net(h), log_std, h)
  with torch.no_grad():
    action = dist.sample()
  log_prob = dist.log_prob(action)
  log_prob.sum().backward()
  out = {
      "action": action,
      "log_prob": log_prob.detach(),
      "mean": dist.distribution.mean.detach(),
      "std": dist.distribution.stddev.detach(),
      "deterministic": dist.mode().detach(),
  }
  if not squash:
    out["entropy"] = dist.entropy().detach()
  grads = {
      "w": mean_net.weight.grad.T,
      "b": mean_net.bias.grad,
      "log_std": log_std.grad,
      "h": h.grad,
  }
  return ({
      k: v.numpy() for k, v in out.items()
  }, {
      k: v.numpy() for k, v in grads.items()
  })


def _both(config, learn_features=False):
  _, full_std, use_expln, squash, per_element = config
  x = _inputs(full_std)
  kwargs = dict(
      full_std=full_std,
      use_expln=use_expln,
      squash=squash,
      per_element=per_element,
      learn_features=learn_features)
  ours, our_grads = _ours(x, **kwargs)
  matrices = np.asarray(ours["noise_std"]) * x["eps"]  # Float32, as ours.
  if not per_element:
    matrices = np.broadcast_to(matrices[0], matrices.shape)
  theirs, their_grads = _sb3(x, matrices, **kwargs)
  return ours, our_grads, theirs, their_grads


class GSDEAgainstSB3Test(parameterized.TestCase):

  @parameterized.named_parameters(*CONFIGS)
  def test_outputs_match_sb3(self, *config):
    ours, _, theirs, _ = _both(("",) + config)
    for name in ("action", "mean", "std", "deterministic", "entropy"):
      if name in theirs:
        np.testing.assert_allclose(
            ours[name], theirs[name], rtol=RTOL, atol=ATOL, err_msg=name)

  @parameterized.named_parameters(*CONFIGS)
  def test_log_prob_matches_sb3(self, *config):
    ours, _, theirs, _ = _both(("",) + config)
    for name in ("log_prob", "log_prob_from_noise"):
      np.testing.assert_allclose(
          ours[name],
          theirs["log_prob"],
          rtol=LOG_PROB_RTOL,
          atol=LOG_PROB_ATOL,
          err_msg=name)

  @parameterized.product(config=CONFIGS[1:3], learn_features=(False, True))
  def test_log_prob_gradients_match_sb3(self, config, learn_features):
    _, our_grads, _, their_grads = _both(config, learn_features)
    params, h = our_grads
    ours = {
        "w": params["gsde_head/loc"]["w"],
        "b": params["gsde_head/loc"]["b"],
        "log_std": params["gsde_head"]["log_std"],
        "h": h,
    }
    for name, grad in ours.items():
      np.testing.assert_allclose(
          grad, their_grads[name], rtol=GRAD_RTOL, atol=GRAD_ATOL, err_msg=name)


if __name__ == "__main__":
  absltest.main()
