"""Tests for `ValueHead`, `QHead` and `CriticEnsemble`, against NumPy.

The ensemble is checked member by member against a lone `QHead` given that
member's slice of the stacked parameters.
"""

from absl.testing import absltest
from absl.testing import parameterized
import chex
import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies.critics import CriticEnsemble
from haiku_policies.critics import QHead
from haiku_policies.critics import ValueHead

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


def _member_params(params, i):
  """Member `i` of stacked `CriticEnsemble` params, as a lone `QHead`'s."""
  return {
      k.replace("critic_ensemble/", ""):
          jax.tree_util.tree_map(lambda x: x[i], v) for k, v in params.items()
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


if __name__ == "__main__":
  absltest.main()
