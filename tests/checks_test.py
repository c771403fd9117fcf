"""Tests for `haiku_policies._checks`, the one home of the argument checks.

Every kind of mistake has one error type: `TypeError` for a wrong type,
`ValueError` for a wrong value, chex `AssertionError` for array inputs at call
time. The per-module messages are in `bad_input_test.py`.
"""

from absl.testing import absltest
from absl.testing import parameterized
import chex
import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies import _checks
from haiku_policies._checks import bool_input
from haiku_policies._checks import float_input
from haiku_policies._checks import same_leading_shape


class IntegerTest(parameterized.TestCase):

  @parameterized.parameters(3, np.int32(3), np.int64(3))
  def test_python_and_numpy_ints_are_returned_as_int(self, value):
    out = _checks.integer(value, owner="Demo", arg="n")
    self.assertIs(type(out), int)
    self.assertEqual(out, 3)

  @parameterized.parameters(True, 3.0, np.float32(3.0), "3", None)
  def test_non_int_is_a_type_error(self, value):
    with self.assertRaisesRegex(TypeError, "Demo: `n` must be an int, got n="):
      _checks.integer(value, owner="Demo", arg="n")

  def test_below_minimum_is_a_value_error(self):
    with self.assertRaisesRegex(ValueError, "`n` must be an int >= 1, got n=0"):
      _checks.integer(np.int64(0), owner="Demo", arg="n")
    self.assertEqual(_checks.integer(0, owner="D", arg="n", minimum=0), 0)


class FlagTest(parameterized.TestCase):

  @parameterized.parameters(True, False, np.bool_(True))
  def test_bools_are_returned_as_bool(self, value):
    out = _checks.flag(value, owner="Demo", arg="on")
    self.assertIs(type(out), bool)
    self.assertEqual(out, bool(value))

  @parameterized.parameters("False", 0, 1.0, None)
  def test_non_bool_is_a_type_error(self, value):
    with self.assertRaisesRegex(TypeError, "Demo: `on` must be a bool"):
      _checks.flag(value, owner="Demo", arg="on")


class FloatTest(parameterized.TestCase):

  @parameterized.parameters(2, 0.5, np.float32(0.5), np.int64(2))
  def test_positive_numbers_are_returned_as_float(self, value):
    out = _checks.positive_float(value, owner="Demo", arg="x")
    self.assertIs(type(out), float)
    self.assertEqual(out, float(value))

  @parameterized.parameters(True, "1.0", None, ([1.0],))
  def test_non_number_is_a_type_error(self, value):
    for check in (_checks.positive_float, _checks.nonnegative_float):
      with self.assertRaisesRegex(TypeError, "Demo: `x` must be a finite"):
        check(value, owner="Demo", arg="x")

  @parameterized.parameters(0.0, -1.0, float("inf"), float("nan"))
  def test_positive_refuses_zero_negative_and_non_finite(self, value):
    with self.assertRaisesRegex(ValueError, "`x` must be a finite float > 0"):
      _checks.positive_float(value, owner="Demo", arg="x")

  @parameterized.parameters(-2.5, 0, np.float32(3.0))
  def test_finite_accepts_any_finite_number(self, value):
    out = _checks.finite_float(value, owner="Demo", arg="x")
    self.assertIs(type(out), float)
    self.assertEqual(out, float(value))

  @parameterized.parameters(float("inf"), float("-inf"), float("nan"))
  def test_finite_refuses_non_finite(self, value):
    with self.assertRaisesRegex(ValueError, "`x` must be a finite float, got"):
      _checks.finite_float(value, owner="Demo", arg="x")

  def test_nonnegative_accepts_zero_and_refuses_negative(self):
    self.assertEqual(_checks.nonnegative_float(0, owner="D", arg="x"), 0.0)
    with self.assertRaisesRegex(ValueError, ">= 0, got x=-0.5"):
      _checks.nonnegative_float(-0.5, owner="Demo", arg="x")


class OutputSizesTest(absltest.TestCase):

  def test_numpy_ints_are_returned_as_a_tuple_of_ints(self):
    sizes = _checks.output_sizes([np.int64(8), 4],
                                 owner="Demo",
                                 allow_empty=False)
    self.assertEqual(sizes, (8, 4))
    self.assertIs(type(sizes[0]), int)

  def test_non_int_entry_is_a_type_error(self):
    with self.assertRaisesRegex(TypeError, "sequence of ints.*holding a float"):
      _checks.output_sizes((8, 4.0), owner="Demo", allow_empty=False)

  def test_string_is_a_type_error(self):
    with self.assertRaisesRegex(TypeError, "sequence of ints"):
      _checks.output_sizes("64", owner="Demo", allow_empty=False)

  def test_empty_is_refused_unless_allowed(self):
    self.assertEqual(_checks.output_sizes((), owner="D", allow_empty=True), ())
    with self.assertRaisesRegex(ValueError, "at least one"):
      _checks.output_sizes((), owner="Demo", allow_empty=False)


class OneOfTest(absltest.TestCase):

  def test_non_string_is_a_type_error_and_unknown_a_value_error(self):
    self.assertEqual(_checks.one_of("a", ("a",), owner="D", arg="k"), "a")
    with self.assertRaisesRegex(TypeError, r"one of \('a',\), got k=1 \(int\)"):
      _checks.one_of(1, ("a",), owner="D", arg="k")
    with self.assertRaisesRegex(ValueError, "got k='b'"):
      _checks.one_of("b", ("a",), owner="D", arg="k")


class BoundsTest(absltest.TestCase):

  def test_scalar_and_array_broadcast_to_one_shape(self):
    low, high = _checks.bounds(-1.0, [1.0, 2.0], owner="Demo", finite=True)
    self.assertEqual((low.shape, high.shape), ((2,), (2,)))
    np.testing.assert_array_equal(low, [-1.0, -1.0])
    np.testing.assert_array_equal(high, [1.0, 2.0])
    self.assertEqual(low.dtype, np.float64)

  def test_scalars_broadcast_to_size(self):
    low, high = _checks.bounds(-1, 1, owner="Demo", finite=True, size=3)
    self.assertEqual((low.shape, high.shape), ((3,), (3,)))

  def test_scalars_stay_scalars_without_size(self):
    low, _ = _checks.bounds(-1.0, 1.0, owner="Demo", finite=True)
    self.assertEqual(low.shape, ())

  def test_shape_other_than_size_is_a_value_error(self):
    with self.assertRaisesRegex(ValueError, r"shape \(2,\), got shapes \(3,\)"):
      _checks.bounds(np.zeros(3), 1.0, owner="Demo", finite=True, size=2)

  def test_rank_two_is_a_value_error(self):
    with self.assertRaisesRegex(ValueError, "scalars or \\[A\\] arrays"):
      _checks.bounds(np.zeros((1, 2)), 1.0, owner="Demo", finite=True)

  def test_empty_is_a_value_error(self):
    with self.assertRaisesRegex(ValueError, "A >= 1"):
      _checks.bounds(np.zeros(0), np.ones(0), owner="Demo", finite=True)

  def test_traced_bound_is_a_type_error(self):
    f = jax.jit(lambda low: _checks.bounds(low, 1.0, owner="D", finite=True))
    with self.assertRaisesRegex(TypeError, "`low` must be a concrete value"):
      f(jnp.zeros(2))

  def test_non_numeric_bound_is_a_type_error(self):
    with self.assertRaisesRegex(TypeError, "`high` must be a float or an"):
      _checks.bounds(0.0, "one", owner="Demo", finite=True)

  def test_infinite_bounds_only_when_allowed(self):
    low, high = -np.inf, np.inf
    _checks.bounds(low, high, owner="Demo", finite=False, size=1)
    with self.assertRaisesRegex(ValueError, "must be finite"):
      _checks.bounds(low, high, owner="Demo", finite=True, size=1)


class ActionSpecTest(absltest.TestCase):

  def test_numpy_int_means_unit_bounds(self):
    low, high = _checks.action_spec(np.int64(2), owner="Demo", finite=True)
    np.testing.assert_array_equal(low, [-1.0, -1.0])
    np.testing.assert_array_equal(high, [1.0, 1.0])

  def test_scalar_pair_is_a_value_error(self):
    with self.assertRaisesRegex(ValueError, "must hold an \\[A\\] array"):
      _checks.action_spec((-1.0, 1.0), owner="Demo", finite=True)

  def test_pair_with_one_array_broadcasts(self):
    low, _ = _checks.action_spec((0.0, np.ones(2)), owner="D", finite=True)
    self.assertEqual(low.shape, (2,))
    np.testing.assert_array_equal(low, [0.0, 0.0])

  def test_bool_is_a_type_error(self):
    with self.assertRaisesRegex(TypeError, "`action_spec` must be an int A"):
      _checks.action_spec(True, owner="Demo", finite=True)


class CheckInputTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  def test_valid_float_inputs_pass_under_jit(self):

    @self.variant
    def f(x):
      float_input(x, owner="Demo", arg="obs", spec="[..., 3]", last_dim=3)
      return x

    for shape in [(3,), (2, 3), (4, 2, 3)]:
      f(jnp.zeros(shape))

  def test_float_message_names_owner_argument_and_shapes(self):
    with self.assertRaisesRegex(
        AssertionError,
        r"Demo: `obs` must be a float array of shape \[\.\.\., 3\] "
        r"\(last dim 3\), got shape \(2, 4\) and dtype float32",
    ):
      float_input(
          jnp.zeros((2, 4)),
          owner="Demo",
          arg="obs",
          spec="[..., 3]",
          last_dim=3,
      )

  def test_rank_zero_is_rejected(self):
    with self.assertRaisesRegex(AssertionError, r"rank >= 1\), got shape \(\)"):
      float_input(jnp.zeros(()), owner="Demo", arg="obs", spec="[..., O]")

  def test_integer_dtype_is_rejected_inside_jit(self):
    f = jax.jit(
        lambda x: float_input(x, owner="Demo", arg="obs", spec="[..., O]"))
    with self.assertRaisesRegex(AssertionError, "dtype int32"):
      f(jnp.zeros((2, 3), jnp.int32))

  def test_non_array_is_a_type_error(self):
    with self.assertRaisesRegex(TypeError, "Demo: `obs` must be an array"):
      float_input([1.0, 2.0], owner="Demo", arg="obs", spec="[..., O]")

  def test_bool_check(self):
    bool_input(
        np.ones((2, 4), bool),
        owner="Demo",
        arg="mask",
        spec="[..., A]",
        last_dim=4,
    )
    with self.assertRaisesRegex(AssertionError, "`mask` must be a bool array"):
      bool_input(
          np.ones((2, 4)),
          owner="Demo",
          arg="mask",
          spec="[..., A]",
          last_dim=4)

  def test_leading_shape_check(self):
    same_leading_shape(
        jnp.zeros((2, 3)),
        jnp.zeros((2, 1)),
        owner="Demo",
        args=("obs", "action"),
    )
    with self.assertRaisesRegex(AssertionError,
                                r"got shapes \(2, 3\) and \(5, 1\)"):
      same_leading_shape(
          jnp.zeros((2, 3)),
          jnp.zeros((5, 1)),
          owner="Demo",
          args=("obs", "action"),
      )


if __name__ == "__main__":
  absltest.main()
