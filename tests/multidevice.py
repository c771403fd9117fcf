"""Runs a snippet in a fresh Python process that sees N fake CPU devices.

JAX fixes its device count when the first operation runs, so multi-device
tests cannot share the pytest process: they run their body here instead.
"""

import os
import subprocess
import sys
import textwrap


def run_with_cpu_devices(code: str,
                         num_devices: int = 2,
                         timeout: float = 900.0) -> str:
  """Runs `code` with `num_devices` CPU devices; returns its stdout.

  `timeout` (seconds) only guards against a hung child: these snippets take
  about a minute on an idle 2-core CPU and were seen past 300 s under a load
  average of 10.

  Raises:
    AssertionError: if the snippet fails, with its stderr.
  """
  env = dict(os.environ)
  env["XLA_FLAGS"] = (
      env.get("XLA_FLAGS", "") +
      f" --xla_force_host_platform_device_count={num_devices}")
  env["JAX_PLATFORMS"] = "cpu"
  result = subprocess.run(
      [sys.executable, "-c", textwrap.dedent(code)],
      capture_output=True,
      text=True,
      env=env,
      timeout=timeout,
      check=False)
  assert result.returncode == 0, (
      f"multi-device snippet failed:\n{result.stdout}\n{result.stderr}")
  return result.stdout
