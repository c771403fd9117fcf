"""Tests for `ValueHead`, `QHead`, `CriticEnsemble` and
`QuantileCriticEnsemble`, against NumPy.

The ensembles are checked member by member against a lone `QHead` given that
member's slice of the stacked parameters. The quantile critics' pairing with
`rlax.quantile_regression_loss` is checked against the quantile Huber loss
written out in NumPy; rlax is a `test` extra but not in the minimum-versions
environment, where that test skips.
"""

import functools

from absl.testing import absltest
from absl.testing import parameterized
import chex
import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies.critics import CriticEnsemble
from haiku_policies.critics import QHead
from haiku_policies.critics import QuantileCriticEnsemble
from haiku_policies.critics import ValueHead

try:
  import rlax  # pylint: disable=g-import-not-at-top
except ImportError:  # The minimum-versions environment has no rlax.
  rlax = None

RTOL = 1e-5
ATOL = 1e-5
KEY = jax.random.PRNGKey(0)


def _arrays(batch_shape, seed=0):
  rng = np.random.default_rng(seed)
  obs = rng.normal(size=(*batch_shape, 3)).astype(np.float32)
  act = rng.uniform(-1, 1, size=(*batch_shape, 2)).astype(np.float32)
  return obs, act


def _pure(fn):
  return hk.without_apply_rng(hk.transform(fn))


def _member_params(params, i, prefix="critic_ensemble/"):
  """Member `i` of stacked ensemble params, as a lone `QHead`'s."""
  return {
      k.replace(prefix, ""): jax.tree_util.tree_map(lambda x: x[i], v)
      for k, v in params.items()
  }


class ValueHeadTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  @parameterized.parameters(((),), ((5,),), ((2, 5),))
  def test_output_drops_only_the_unit_axis(self, batch_shape):
    h, _ = _arrays(batch_shape)
    f = _pure(lambda h: ValueHead()(h))
    params = f.init(KEY, h)
    v = self.variant(f.apply)(params, h)
    self.assertEqual(v.shape, batch_shape)
    w, b = params["value_head/linear"]["w"], params["value_head/linear"]["b"]
    np.testing.assert_allclose(v, (h @ w + b)[..., 0], rtol=RTOL, atol=ATOL)

  def test_orthogonal_w_init_uses_value_gain(self):
    f = _pure(lambda h: ValueHead(w_init="orthogonal")(h))
    w = np.asarray(
        f.init(KEY, np.zeros((1, 16), np.float32))["value_head/linear"]["w"])
    np.testing.assert_allclose(np.linalg.norm(w), 1.0, rtol=1e-5)


class QHeadTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  def test_matches_numpy_mlp_on_concatenation(self):
    obs, act = _arrays((4,))
    f = _pure(lambda o, a: QHead((8,))(o, a))
    params = f.init(KEY, obs, act)
    x = np.concatenate([obs, act], -1)
    h = np.maximum(
        x @ params["q_head/mlp_torso/linear_0"]["w"] +
        params["q_head/mlp_torso/linear_0"]["b"],
        0,
    )
    q = h @ params["q_head/linear"]["w"] + params["q_head/linear"]["b"]
    np.testing.assert_allclose(
        self.variant(f.apply)(params, obs, act), q[:, 0], rtol=RTOL, atol=ATOL)

  def test_empty_output_sizes_gives_linear_head(self):
    obs, act = _arrays((4,))
    f = _pure(lambda o, a: QHead(())(o, a))
    params = f.init(KEY, obs, act)
    self.assertEqual(list(params), ["q_head/linear"])
    w, b = params["q_head/linear"]["w"], params["q_head/linear"]["b"]
    self.assertEqual(w.shape, (3 + 2, 1))  # Over `concat(obs, action)`.
    expected = (np.concatenate([obs, act], -1) @ w + b)[:, 0]
    np.testing.assert_allclose(
        f.apply(params, obs, act), expected, rtol=RTOL, atol=ATOL)


class CriticEnsembleTest(chex.TestCase):

  def _init(self, n=3, layer_norm=False, batch_shape=(4,)):
    obs, act = _arrays(batch_shape)
    f = _pure(lambda o, a: CriticEnsemble(n, (8, 8), layer_norm=layer_norm)
              (o, a))
    return f, f.init(KEY, obs, act), obs, act

  @chex.variants(with_jit=True, without_jit=True)
  @parameterized.parameters(False, True)
  def test_each_member_equals_a_lone_q_head_with_its_params(self, layer_norm):
    f, params, obs, act = self._init(layer_norm=layer_norm)
    q = self.variant(f.apply)(params, obs, act)
    self.assertEqual(q.shape, (3, 4))
    lone = _pure(lambda o, a: QHead((8, 8), layer_norm=layer_norm)(o, a))
    for i in range(3):
      np.testing.assert_allclose(
          q[i],
          lone.apply(_member_params(params, i), obs, act),
          rtol=RTOL,
          atol=ATOL,
      )

  def test_numpy_int_num_critics_is_accepted(self):
    # Every int check in the library takes NumPy ints (e.g. from a config).
    obs, act = _arrays((4,))
    f = _pure(lambda o, a: CriticEnsemble(np.int64(2), (8,))(o, a))
    q = f.apply(f.init(KEY, obs, act), obs, act)
    self.assertEqual(q.shape, (2, 4))

  def test_members_have_independent_initial_weights(self):
    _, params, _, _ = self._init(n=4)
    for module, leaves in params.items():
      w = leaves.get("w")
      if w is None:
        continue
      for i in range(4):
        for j in range(i + 1, 4):
          self.assertFalse(
              np.allclose(w[i], w[j]), msg=f"{module} members {i}, {j}")

  def test_members_are_initialised_like_a_lone_q_head(self):
    # Reference: hk.Linear's default initializer,
    # TruncatedNormal(1/sqrt(fan_in)),
    # with fan_in = 8 for the second layer (not 8 * N, as a stacked init gives).
    _, params, _, _ = self._init(n=64)
    w = np.asarray(params["critic_ensemble/q_head/mlp_torso/linear_1"]["w"],
                   np.float64)
    init = hk.initializers.TruncatedNormal(1.0 / np.sqrt(8))
    ref = hk.transform(lambda: init((64, 8, 8), jnp.float32)).apply({}, KEY)
    np.testing.assert_allclose(
        w.std(), np.asarray(ref, np.float64).std(), rtol=0.05)

  def test_forward_is_one_batched_matmul_per_layer(self):
    for n in (2, 10):
      f, params, obs, act = self._init(n=n)
      jaxpr = jax.make_jaxpr(f.apply)(params, obs, act)
      dots = [e for e in jaxpr.jaxpr.eqns if e.primitive.name == "dot_general"]
      self.assertLen(dots, 3, msg=f"num_critics={n}")

  def test_leading_dims_and_unbatched_inputs(self):
    f, params, _, _ = self._init()
    lone = _pure(lambda o, a: QHead((8, 8))(o, a))
    obs, act = _arrays((2, 5))
    q = f.apply(params, obs, act)
    q_single = f.apply(params, obs[1, 3], act[1, 3])
    self.assertEqual(q.shape, (3, 2, 5))
    self.assertEqual(q_single.shape, (3,))
    for i in range(3):
      member = _member_params(params, i)
      np.testing.assert_allclose(
          q[i], lone.apply(member, obs, act), rtol=RTOL, atol=ATOL)
      np.testing.assert_allclose(
          q_single[i],
          lone.apply(member, obs[1, 3], act[1, 3]),
          rtol=RTOL,
          atol=ATOL,
      )

  def test_calling_one_instance_twice_shares_parameters(self):
    obs, act = _arrays((4,))

    def f(o, a):
      critic = CriticEnsemble(2, (8,))
      return critic(o, a), critic(o + 1.0, a)

    twice = _pure(f)
    params = twice.init(KEY, obs, act)
    self.assertEqual(
        sorted({k.split("/")[0] for k in params}), ["critic_ensemble"])
    once = _pure(lambda o, a: CriticEnsemble(2, (8,))(o, a))
    q_first, q_second = twice.apply(params, obs, act)
    np.testing.assert_allclose(q_first, once.apply(params, obs, act), rtol=RTOL)
    np.testing.assert_allclose(
        q_second, once.apply(params, obs + 1.0, act), rtol=RTOL)

  def test_sliced_params_apply_only_those_members(self):
    f, params, obs, act = self._init(n=3)
    q = f.apply(params, obs, act)
    for members in (slice(0, 1), slice(1, 3)):
      sliced = jax.tree_util.tree_map(lambda p, m=members: p[m], params)
      np.testing.assert_allclose(
          f.apply(sliced, obs, act), q[members], rtol=RTOL, atol=ATOL)


QUANTILES = 5
CRITICS = 3


def _quantile_ensemble(batch_shape=(4,)):
  obs, act = _arrays(batch_shape)
  f = _pure(lambda o, a: QuantileCriticEnsemble(CRITICS, QUANTILES, (8,))(o, a))
  return f, jax.jit(f.init)(KEY, obs, act), obs, act


def _huber_quantile_loss(z, tau, target):
  """Quantile Huber loss (kappa 1), summed over `z`, averaged over targets."""
  delta = target[None, :] - z[:, None]
  huber = np.where(
      np.abs(delta) <= 1.0, 0.5 * np.square(delta),
      np.abs(delta) - 0.5)
  return np.sum(np.mean(np.abs(tau[:, None] - (delta < 0)) * huber, -1))


TAU = ((np.arange(QUANTILES) + 0.5) / QUANTILES).astype(np.float32)
TARGET = np.random.default_rng(3).normal(size=(4, 7)).astype(np.float32)


def _rlax_loss_and_grads(f, params, obs, act):
  """TQC's critic loss through rlax: mean over critics and batch."""

  def loss(params):
    z = f.apply(params, obs, act)  # [N, B, M].
    huber = functools.partial(rlax.quantile_regression_loss, huber_param=1.0)
    per_critic = jax.vmap(huber, (0, None, 0))  # Over the batch.
    per_member = jax.vmap(per_critic, (0, None, None))  # Over the critics.
    return jnp.mean(per_member(z, TAU, TARGET))

  return jax.jit(jax.value_and_grad(loss))(params)


class QuantileCriticsTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  def test_q_head_quantiles_are_the_output_layer_units(self):
    obs, act = _arrays((4,))
    f = _pure(lambda o, a: QHead((), num_quantiles=QUANTILES)(o, a))
    params = f.init(KEY, obs, act)
    w, b = params["q_head/linear"]["w"], params["q_head/linear"]["b"]
    expected = np.concatenate([obs, act], -1) @ w + b
    z = self.variant(f.apply)(params, obs, act)
    self.assertEqual(z.shape, (4, QUANTILES))
    np.testing.assert_allclose(z, expected, rtol=RTOL, atol=ATOL)

  @chex.variants(with_jit=True, without_jit=True)
  def test_each_member_equals_a_lone_quantile_q_head(self):
    f, params, obs, act = _quantile_ensemble()
    z = self.variant(f.apply)(params, obs, act)
    self.assertEqual(z.shape, (CRITICS, 4, QUANTILES))
    lone = jax.jit(
        _pure(lambda o, a: QHead((8,), num_quantiles=QUANTILES)(o, a)).apply)
    for i in range(CRITICS):
      member = _member_params(params, i, prefix="quantile_critic_ensemble/")
      np.testing.assert_allclose(
          z[i], lone(member, obs, act), rtol=RTOL, atol=ATOL)

  @absltest.skipIf(rlax is None, "rlax is not installed")
  def test_rlax_quantile_loss_maps_over_critics_and_batch(self):
    f, params, obs, act = _quantile_ensemble()
    value, _ = _rlax_loss_and_grads(f, params, obs, act)
    z = np.asarray(f.apply(params, obs, act), np.float64)
    expected = np.mean(
        [[_huber_quantile_loss(z[n, b], TAU, TARGET[b])
          for b in range(4)]
         for n in range(CRITICS)])
    np.testing.assert_allclose(value, expected, rtol=RTOL)

  @absltest.skipIf(rlax is None, "rlax is not installed")
  def test_rlax_quantile_loss_reaches_every_member(self):
    f, params, obs, act = _quantile_ensemble()
    _, grads = _rlax_loss_and_grads(f, params, obs, act)
    for module, leaves in grads.items():
      for name, grad in leaves.items():
        per_member = np.abs(np.asarray(grad)).reshape(CRITICS, -1).sum(-1)
        self.assertTrue(
            np.all(per_member > 0), msg=f"{module}/{name}: {per_member}")


if __name__ == "__main__":
  absltest.main()
