"""The declared minimum versions are the ones `.ci/run` tests.

`setup.cfg` declares floors (`install_requires`); `.ci/minimum-versions.txt`
pins what the library's tests run at. A floor raised without its pin (or a pin
moved without its floor) would leave the floor untested, so they must agree.
"""

import configparser
import os
import re

from absl.testing import absltest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def floors() -> dict[str, str]:
  """`{package: version}` from setup.cfg's `install_requires` (`>=` only)."""
  config = configparser.ConfigParser()
  config.read(os.path.join(ROOT, "setup.cfg"))
  out = {}
  for line in config["options"]["install_requires"].split():
    match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9][0-9A-Za-z.]*)", line)
    assert match, f"setup.cfg: {line!r} is not `name>=version`"
    out[match[1].lower()] = match[2]
  return out


def pins() -> dict[str, str]:
  """`{package: version}` from .ci/minimum-versions.txt."""
  out = {}
  with open(os.path.join(ROOT, ".ci", "minimum-versions.txt")) as f:
    for line in f:
      line = line.split("#")[0].strip()
      if line:
        name, version = line.split("==")
        out[name.lower()] = version
  return out


class MinimumVersionsTest(absltest.TestCase):

  def test_every_floor_is_pinned_at_exactly_its_version(self):
    pinned = pins()
    for name, version in floors().items():
      self.assertEqual(
          pinned.get(name), version,
          f"setup.cfg declares {name}>={version} but "
          f".ci/minimum-versions.txt pins {name}=={pinned.get(name)}: "
          "change both together")

  def test_floors_are_read_from_setup_cfg(self):
    self.assertEqual(
        set(floors()), {"chex", "distrax", "dm-haiku", "jax", "optax"})


if __name__ == "__main__":
  absltest.main()
