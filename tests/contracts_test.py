"""Tests for `assert_tree_on_devices`, the device-placement testing helper.

It is checked on a second device in a fresh process with 2 fake CPU devices
(`multidevice.run_with_cpu_devices`); its pmap path runs in
`pmap_modules_test.py`. The library's input checks are in `checks_test.py`.
"""

import re

from absl.testing import absltest
import jax
import jax.numpy as jnp
import numpy as np

from haiku_policies.contracts import assert_tree_on_devices
import multidevice


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
# Device names are str(device): 'cpu:0' on new JAX, 'TFRT_CPU_0' on old.
raises(lambda: assert_tree_on_devices(tree),
       f"leaf ['w'] is on [{str(d1)!r}], expected [{str(d0)!r}]")
raises(lambda: assert_tree_on_devices(tree, [d0, d1]),
       f"leaf ['w'] is on [{str(d1)!r}], expected [{str(d0)!r}, {str(d1)!r}]")
# chex's default platform is gpu/tpu, so it rejects the same CPU tree.
raises(lambda: chex.assert_tree_is_on_device(tree), "resides on 'cpu'")
print("OK")
""",
        num_devices=2,
    )
    self.assertEqual(stdout, "OK\n")

  def test_host_arrays_are_rejected_with_their_path(self):
    with self.assertRaisesRegex(AssertionError,
                                r"leaf \['b'\]\[0\] is a host ndarray"):
      assert_tree_on_devices({"a": jnp.zeros(3), "b": [np.zeros(2)]})

  def test_wrong_device_set_is_rejected(self):
    name = re.escape(repr(str(jax.devices()[0])))  # 'cpu:0' / 'TFRT_CPU_0'.
    with self.assertRaisesRegex(
        AssertionError, rf"leaf \['a'\] is on \[{name}\], expected \[\]"):
      assert_tree_on_devices({"a": jnp.zeros(3)}, [])


if __name__ == "__main__":
  absltest.main()
