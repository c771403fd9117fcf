"""Runs a snippet in fresh Python processes: one that sees N fake CPU
devices, or several that train together through `jax.distributed`.

JAX fixes its device count when the first operation runs, so multi-device
tests cannot share the pytest process: they run their body here instead.
"""

import os
import socket
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


def free_port() -> int:
  """A TCP port on 127.0.0.1 that nothing listens on (at the moment)."""
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


def run_processes(argvs: list[list[str]],
                  timeout: float = 600.0) -> list[subprocess.CompletedProcess]:
  """Runs one Python process per `argvs` entry at once (one CPU device each).

  Each entry is the argument list after `python`, e.g. `["-c", code, "0"]`
  or `["-m", "examples.ppo", ...]`; the processes run from the repository
  root and inherit the environment (the compilation cache included).

  Returns:
    The finished processes (return codes, stdout and stderr as text), in
    `argvs`' order.

  Raises:
    subprocess.TimeoutExpired: if one is still running after `timeout`
      seconds (all are killed): a peer that never came would hang the rest.
  """
  root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  env = dict(os.environ, JAX_PLATFORMS="cpu")
  env.pop("XLA_FLAGS", None)  # One device per process.
  procs = [
      subprocess.Popen(
          [sys.executable] + argv,
          cwd=root,
          env=env,
          stdout=subprocess.PIPE,
          stderr=subprocess.PIPE,
          text=True) for argv in argvs
  ]
  try:
    outs = [p.communicate(timeout=timeout) for p in procs]
  finally:
    for p in procs:  # A stuck peer must not outlive the test.
      if p.poll() is None:
        p.kill()
        p.wait()
  return [
      subprocess.CompletedProcess(p.args, p.returncode, out, err)
      for p, (out, err) in zip(procs, outs)
  ]
