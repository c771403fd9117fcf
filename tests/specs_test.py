"""Tests for `action_bounds` and `action_nvec` with real gymnasium, gymnax and
dm_env specs."""

from absl.testing import absltest
from absl.testing import parameterized
from dm_env import specs as dm_specs
import gymnasium as gym
from gymnax.environments import spaces as gymnax_spaces
import numpy as np

from haiku_policies.specs import action_bounds
from haiku_policies.specs import action_nvec


class ActionBoundsTest(parameterized.TestCase):

  def _assert_bounds(self, space, low, high):
    got_low, got_high = action_bounds(space)
    self.assertEqual(got_low.dtype, np.float32)
    self.assertEqual(got_high.dtype, np.float32)
    np.testing.assert_array_equal(got_low, np.asarray(low, np.float32))
    np.testing.assert_array_equal(got_high, np.asarray(high, np.float32))

  def test_gymnasium_box(self):
    space = gym.spaces.Box(
        np.array([-2.0, 0.0], np.float32), np.array([2.0, 1.0], np.float32))
    self._assert_bounds(space, [-2.0, 0.0], [2.0, 1.0])

  def test_gymnasium_pendulum_action_space(self):
    env = gym.make("Pendulum-v1")
    self._assert_bounds(env.action_space, [-2.0], [2.0])
    env.close()

  def test_gymnax_box_with_scalar_bounds_is_broadcast(self):
    self._assert_bounds(
        gymnax_spaces.Box(-1.5, 3.0, (3,)), [-1.5] * 3, [3.0] * 3)

  def test_gymnax_pendulum_action_space(self):
    import gymnax  # pylint: disable=g-import-not-at-top

    env, env_params = gymnax.make("Pendulum-v1")
    self._assert_bounds(env.action_space(env_params), [-2.0], [2.0])

  def test_brax_env_acts_in_unit_bounds(self):
    import brax.envs  # pylint: disable=g-import-not-at-top
    env = brax.envs.get_environment("reacher", backend="spring")
    self._assert_bounds(env, [-1.0, -1.0], [1.0, 1.0])  # 2 joints.

  def test_playground_env_acts_in_unit_bounds(self):
    from mujoco_playground import registry  # pylint: disable=g-import-not-at-top
    env = registry.load("CartpoleSwingup", config_overrides={"impl": "jax"})
    self._assert_bounds(env, [-1.0], [1.0])

  def test_dm_env_bounded_array(self):
    spec = dm_specs.BoundedArray((2,),
                                 np.float32,
                                 minimum=[-1.0, -3.0],
                                 maximum=1.0)
    self._assert_bounds(spec, [-1.0, -3.0], [1.0, 1.0])

  @parameterized.named_parameters(
      ("gymnasium_discrete", lambda: gym.spaces.Discrete(3)),
      ("gymnasium_multi_discrete", lambda: gym.spaces.MultiDiscrete([2, 3])),
      ("gymnasium_multi_binary", lambda: gym.spaces.MultiBinary(4)),
      ("gymnax_discrete", lambda: gymnax_spaces.Discrete(4)),
      ("dm_env_discrete_array", lambda: dm_specs.DiscreteArray(5)),
      ("integer_box", lambda: gym.spaces.Box(0, 5, (2,), dtype=np.int32)),
  )
  def test_discrete_specs_raise_type_error(self, make):
    with self.assertRaisesRegex(TypeError, "discrete|integer"):
      action_bounds(make())

  def test_discrete_error_names_the_library(self):
    for space, words in ((gymnax_spaces.Discrete(4), "gymnax Discrete"),
                         (gym.spaces.Discrete(3), "gymnasium Discrete")):
      with self.subTest(words=words):
        with self.assertRaisesRegex(TypeError, words):
          action_bounds(space)

  @parameterized.named_parameters(
      ("gymnasium_infinite", lambda: gym.spaces.Box(-np.inf, np.inf, (2,))),
      (
          "gymnasium_one_sided",
          lambda: gym.spaces.Box(
              np.array([0.0, -1.0], np.float32),
              np.array([np.inf, 1.0], np.float32),
          ),
      ),
      ("dm_env_array", lambda: dm_specs.Array((2,), np.float32)),
  )
  def test_unbounded_specs_raise_value_error(self, make):
    with self.assertRaisesRegex(ValueError, "unbounded"):
      action_bounds(make())

  def test_multi_dimensional_box_raises(self):
    with self.assertRaisesRegex(ValueError, r"shape must be \(A,\)"):
      action_bounds(gym.spaces.Box(-1.0, 1.0, (2, 2)))

  def test_not_a_spec_raises(self):
    with self.assertRaisesRegex(TypeError, "must be a gymnasium/gymnax Box"):
      action_bounds((np.zeros(2), np.ones(2)))


class ActionNvecTest(parameterized.TestCase):

  @parameterized.named_parameters(
      ("gymnasium_multi_discrete", lambda: gym.spaces.MultiDiscrete([3, 5, 2]),
       (3, 5, 2)),
      ("gymnasium_multi_binary", lambda: gym.spaces.MultiBinary(3), (2, 2, 2)),
      ("gymnax_tuple_of_discrete", lambda: gymnax_spaces.Tuple(
          [gymnax_spaces.Discrete(3),
           gymnax_spaces.Discrete(4)]), (3, 4)),
      ("gymnasium_tuple_of_discrete", lambda: gym.spaces.Tuple(
          [gym.spaces.Discrete(2),
           gym.spaces.Discrete(6)]), (2, 6)),
  )
  def test_reads_multi_discrete_specs(self, make, expected):
    nvec = action_nvec(make())
    self.assertEqual(nvec, expected)
    self.assertTrue(all(type(n) is int for n in nvec))

  @parameterized.named_parameters(
      ("gymnasium_discrete", lambda: gym.spaces.Discrete(3), "CategoricalHead"),
      ("gymnax_discrete", lambda: gymnax_spaces.Discrete(3), "CategoricalHead"),
      ("dm_env_discrete_array", lambda: dm_specs.DiscreteArray(5),
       "CategoricalHead"),
      ("gymnasium_box", lambda: gym.spaces.Box(-1.0, 1.0,
                                               (2,)), "action_bounds"),
      ("gymnax_tuple_with_a_box", lambda: gymnax_spaces.Tuple(
          [gymnax_spaces.Discrete(3),
           gymnax_spaces.Box(0.0, 1.0, (1,))]), "gymnax Tuple"),
  )
  def test_other_specs_raise_type_error_naming_the_fix(self, make, words):
    with self.assertRaisesRegex(TypeError, f"action_nvec: .*{words}"):
      action_nvec(make())

  @parameterized.named_parameters(
      ("multi_dimensional", lambda: gym.spaces.MultiDiscrete([[2, 3], [4, 5]]),
       "1-D `nvec`"),
      ("nonzero_start", lambda: gym.spaces.MultiDiscrete([3, 4], start=[1, 0]),
       "`start`"),
      ("empty_discrete",
       lambda: gymnax_spaces.Tuple([gymnax_spaces.Discrete(0)]), "int >= 1"),
  )
  def test_unusable_multi_discrete_specs_raise_value_error(self, make, words):
    with self.assertRaisesRegex(ValueError, words):
      action_nvec(make())


if __name__ == "__main__":
  absltest.main()
