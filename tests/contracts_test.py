"""Tests for the input checks and `assert_tree_on_devices`.

`assert_tree_on_devices` is checked on a second device in a fresh process
with 2 fake CPU devices (`multidevice.run_with_cpu_devices`); its pmap path
runs in `pmap_modules_test.py`.
"""

from absl.testing import absltest
import chex
import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies.contracts import assert_tree_on_devices
from haiku_policies.contracts import check_bool_input
from haiku_policies.contracts import check_float_input
from haiku_policies.contracts import check_same_leading_shape
import multidevice


class CheckInputTest(chex.TestCase):

  @chex.variants(with_jit=True, without_jit=True)
  def test_valid_float_inputs_pass_under_jit(self):
    @self.variant
    def f(x):
      check_float_input(x, owner="Demo", arg="obs", spec="[..., 3]", last_dim=3)
      return x

    for shape in [(3,), (2, 3), (4, 2, 3)]:
      f(jnp.zeros(shape))

  def test_float_message_names_owner_argument_and_shapes(self):
    with self.assertRaisesRegex(
        AssertionError,
        r"Demo: `obs` must be a float array of shape \[\.\.\., 3\] "
        r"\(last dim 3\), got shape \(2, 4\) and dtype float32",
    ):
      check_float_input(
          jnp.zeros((2, 4)),
          owner="Demo",
          arg="obs",
          spec="[..., 3]",
          last_dim=3,
      )

  def test_rank_zero_is_rejected(self):
    with self.assertRaisesRegex(AssertionError, r"rank >= 1\), got shape \(\)"):
      check_float_input(jnp.zeros(()), owner="Demo", arg="obs", spec="[..., O]")

  def test_integer_dtype_is_rejected_inside_jit(self):
    f = jax.jit(
        lambda x: check_float_input(x, owner="Demo", arg="obs", spec="[..., O]")
    )
    with self.assertRaisesRegex(AssertionError, "dtype int32"):
      f(jnp.zeros((2, 3), jnp.int32))

  def test_non_array_is_a_type_error(self):
    with self.assertRaisesRegex(TypeError, "Demo: `obs` must be an array"):
      check_float_input([1.0, 2.0], owner="Demo", arg="obs", spec="[..., O]")

  def test_bool_check(self):
    check_bool_input(
        np.ones((2, 4), bool),
        owner="Demo",
        arg="mask",
        spec="[..., A]",
        last_dim=4,
    )
    with self.assertRaisesRegex(AssertionError, "`mask` must be a bool array"):
      check_bool_input(
          np.ones((2, 4)), owner="Demo", arg="mask", spec="[..., A]", last_dim=4
      )

  def test_leading_shape_check(self):
    check_same_leading_shape(
        jnp.zeros((2, 3)),
        jnp.zeros((2, 1)),
        owner="Demo",
        args=("obs", "action"),
    )
    with self.assertRaisesRegex(
        AssertionError, r"got shapes \(2, 3\) and \(5, 1\)"
    ):
      check_same_leading_shape(
          jnp.zeros((2, 3)),
          jnp.zeros((5, 1)),
          owner="Demo",
          args=("obs", "action"),
      )


class AssertTreeOnDevicesTest(absltest.TestCase):

  def test_default_device_is_first_device_of_default_backend(self):
    tree = {"a": jnp.zeros(3), "b": [jnp.ones((2, 2))]}
    assert_tree_on_devices(tree)
    assert_tree_on_devices(tree, jax.devices()[0])
    assert_tree_on_devices(tree, [jax.devices()[0]])

  def test_named_device_is_honoured_where_chex_default_platform_fails(self):
    # A second device is needed (on one CPU device the named device is the
    # default one), so this runs in a fresh process with 2 fake CPU devices.
    stdout = multidevice.run_with_cpu_devices(
        """
import chex
import jax
import jax.numpy as jnp
from haiku_policies.contracts import assert_tree_on_devices


def raises(fn, message):
  try:
    fn()
  except AssertionError as e:
    assert message in str(e), str(e)
    return
  raise SystemExit(f"no AssertionError, expected {message!r}")


d0, d1 = jax.devices()[:2]
tree = {"w": jax.device_put(jnp.zeros(3), d1)}
assert_tree_on_devices(tree, d1)
assert_tree_on_devices(tree, [d1])
# The default is jax.devices()[0] alone, not any device of the backend.
raises(lambda: assert_tree_on_devices(tree),
       "leaf ['w'] is on ['cpu:1'], expected ['cpu:0']")
raises(lambda: assert_tree_on_devices(tree, [d0, d1]),
       "leaf ['w'] is on ['cpu:1'], expected ['cpu:0', 'cpu:1']")
# chex's default platform is gpu/tpu, so it rejects the same CPU tree.
raises(lambda: chex.assert_tree_is_on_device(tree), "resides on 'cpu'")
print("OK")
""",
        num_devices=2,
    )
    self.assertEqual(stdout, "OK\n")

  def test_host_arrays_are_rejected_with_their_path(self):
    with self.assertRaisesRegex(
        AssertionError, r"leaf \['b'\]\[0\] is a host ndarray"
    ):
      assert_tree_on_devices({"a": jnp.zeros(3), "b": [np.zeros(2)]})

  def test_wrong_device_set_is_rejected(self):
    with self.assertRaisesRegex(
        AssertionError, r"leaf \['a'\] is on \['cpu:0'\], expected \[\]"
    ):
      assert_tree_on_devices({"a": jnp.zeros(3)}, [])


if __name__ == "__main__":
  absltest.main()
