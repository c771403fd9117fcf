"""The README's example command lines parse as the scripts would parse them."""

import contextlib
import io
import os
import re
import shlex

from absl.testing import absltest

from examples import ppo
from examples import ppo_recurrent
from examples import reinforce
from examples import sac
from examples import td3
from examples import tqc
from examples.plumbing import flags

AGENTS = {
    "sac": sac,
    "td3": td3,
    "tqc": tqc,
    "ppo": ppo,
    "ppo_recurrent": ppo_recurrent,
    "reinforce": reinforce
}
README = os.path.join(
    os.path.dirname(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    "README.md")


class ReadmeTest(absltest.TestCase):

  def test_every_example_command_line_is_accepted(self):
    with open(README) as f:
      commands = re.findall(r"python -m examples\.(\w+)([^\n`&|#]*)", f.read())
    self.assertNotEmpty(commands)
    for agent, argv in commands:
      with self.subTest(command=f"{agent}{argv}"):
        module = AGENTS[agent]
        if "--help" in argv:
          with self.assertRaises(SystemExit) as raised, \
              contextlib.redirect_stdout(io.StringIO()):
            flags.parse_config(module.Config, shlex.split(argv))
          self.assertEqual(raised.exception.code, 0)
          continue
        config = flags.parse_config(module.Config, shlex.split(argv))
        self.assertIsInstance(config, module.Config)


if __name__ == "__main__":
  absltest.main()
