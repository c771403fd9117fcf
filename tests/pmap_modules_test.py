"""`pmap` over 2 fake CPU devices matches one device, for every public module.

JAX fixes its device count when the first operation runs, and the pytest
process has long run one, so each test runs its body in a fresh Python process
started with `--xla_force_host_platform_device_count=2` (see
`multidevice.run_with_cpu_devices`). The child imports `CASES` from
`conformance_test`, so the list of modules is the conformance list.
"""

from absl.testing import absltest
import chex
import pytest

import conformance_test
import multidevice

# Run once, in the full suite: `.ci/run` leaves them out of its
# minimum-versions step (`-m "not multidevice"`).
pytestmark = pytest.mark.multidevice

_CHILD_PRELUDE = """
import os, sys
sys.path.insert(0, os.path.join(os.getcwd(), "tests"))
import chex
import jax
import jax.numpy as jnp
import numpy as np
from haiku_policies.contracts import assert_tree_on_devices

assert jax.device_count() == 2, jax.devices()
DEVICES = jax.local_devices()[:2]


def replicate(tree):
  if not jax.tree_util.tree_leaves(tree):  # e.g. a module without params.
    return tree
  stacked = jax.tree_util.tree_map(lambda x: jnp.stack([x, x]), tree)
  return jax.pmap(lambda t: t)(stacked)
"""


class PmapModulesTest(chex.TestCase):

  def test_every_conformance_case_matches_single_device(self):
    stdout = multidevice.run_with_cpu_devices(
        _CHILD_PRELUDE + """
import conformance_test as ct

for case in ct.CASES:
  apply, params, state, _ = ct.init(case)
  shards = case.inputs((2, ct.BATCH))  # `[devices, B, ...]`.
  params_r, state_r = replicate(params), replicate(state)
  assert_tree_on_devices(params_r, DEVICES)
  out = jax.pmap(ct.outputs, static_broadcasted_argnums=0)(
      apply, params_r, state_r, *shards)
  assert_tree_on_devices(out, DEVICES)
  for d in range(2):
    expected = ct.outputs(apply, params, state, *[x[d] for x in shards])
    actual = jax.tree_util.tree_map(lambda y: y[d], out)
    chex.assert_trees_all_close(actual, expected, rtol=ct.RTOL, atol=ct.ATOL)
  print("OK", case.name)
""",
        num_devices=2,
    )
    for case in conformance_test.CASES:
      self.assertIn(f"OK {case.name}\n", stdout)

  def test_running_normalizer_merges_statistics_across_devices(self):
    stdout = multidevice.run_with_cpu_devices(
        _CHILD_PRELUDE + """
import haiku as hk
from haiku_policies.normalization import RunningNormalizer

rng = np.random.default_rng(0)
# Different means and spreads per device, so a per-device update is wrong.
x = np.stack([rng.normal(5.0, 2.0, size=(6, 3)),
              rng.normal(-1.0, 0.5, size=(6, 3))]).astype(np.float32)
f = hk.transform_with_state(lambda x: RunningNormalizer(axis_name="i")(x))
params, state = f.init(None, x[0])
prior = {"running_normalizer": {"count": np.float32(4.0),
                                "mean": np.full(3, 1.0, np.float32),
                                "var": np.full(3, 2.0, np.float32)}}
pmapped = jax.pmap(f.apply, axis_name="i", in_axes=(None, None, None, 0))
out, new_state = pmapped(params, prior, None, x)
single = hk.transform_with_state(lambda x: RunningNormalizer()(x))
expected_out, expected_state = single.apply(
    params, prior, None, x.reshape(12, 3))
for d in range(2):
  chex.assert_trees_all_close(
      jax.tree_util.tree_map(lambda y: y[d], new_state), expected_state,
      rtol=1e-5, atol=1e-6)
chex.assert_trees_all_close(
    out.reshape(12, 3), expected_out, rtol=1e-5, atol=1e-5)
# And against float64: 4 prior samples with mean 1 and variance 2.
data = x.reshape(12, 3).astype(np.float64)
mean = (4 * 1.0 + data.sum(0)) / 16
m2 = 4 * (2.0 + (1.0 - mean) ** 2) + ((data - mean) ** 2).sum(0)
stats = new_state["running_normalizer"]
np.testing.assert_allclose(stats["mean"][0], mean, rtol=1e-5)
np.testing.assert_allclose(stats["var"][0], m2 / 16, rtol=1e-5)
print("OK normalizer")
""",
        num_devices=2,
    )
    self.assertIn("OK normalizer\n", stdout)


if __name__ == "__main__":
  absltest.main()
