"""Several processes training one run together, on JAX's own runtime.

With `--num-processes N` (N > 1) the N processes of a run (one per host, or
several on one machine) join through `jax.distributed.initialize` at the
coordinator, `--coordinator-address host:port`, where process 0 listens. From
then on `jax.devices()` lists every process's devices, so the agent's mesh
spans all of them and each process steps the environments of its own devices;
collectives between processes go through gloo on CPU (JAX's default since
0.5.1) and NCCL on GPU. Every process runs the same program on its shards:
`train` is one SPMD program over all devices.

JAX itself reads only the coordinator's address from the environment
(`JAX_COORDINATOR_ADDRESS`, used when `--coordinator-address` is not given);
`--num-processes` and `--process-id` are flags.

Errors are caught early, with one line and exit status 2 where JAX would hang
or abort without naming the cause:
- the processes have not all joined at the coordinator within
  `--coordinator-timeout` seconds (it cannot be reached, or some process did not
  start): JAX aborts the process with a bare DEADLINE_EXCEEDED, so a watchdog
  ends it first, naming the address;
- the processes were started with different flags: a hash of each process's
  flags is gathered from all of them before anything else runs, and every
  process stops, instead of training diverging copies;
- a process id out of range, or `--num-devices` other than all devices of
  all processes (checked by the config and after joining).
"""

import dataclasses
import hashlib
import json
import os
import sys
import threading

import jax
import numpy as np
from jax.experimental import multihost_utils

from examples.plumbing import flags

# Flags that may differ between the processes of one run: those that do not
# change its result (`flags.RUN_ONLY_FLAGS`: how each process meets the
# others, shows its progress and keeps its files and compiled programs; the
# checkpoint interval, of which process 0's decides every save), except
# `resume`: every process continues the same run.
PER_PROCESS_FLAGS = tuple(f for f in flags.RUN_ONLY_FLAGS if f != "resume")
# Seconds JAX's own connection deadline runs past the watchdog's, so that the
# watchdog's clear message comes first.
_GRACE_S = 30
_PATH_BYTES = 4096  # The longest run folder path `broadcast_path` carries.


@dataclasses.dataclass(frozen=True)
class Config(flags.CommonConfig):
  """Flags of an agent whose training can span several processes."""
  num_processes: int = flags.flag(
      1, "Processes training this run together (jax.distributed): one per "
      "host, or several on one machine. Start each with the same flags and "
      "its own --process-id; 1: no jax.distributed.")
  process_id: int = flags.flag(
      0, "This process's index among --num-processes (0 writes the run "
      "folder).")
  coordinator_address: str | None = flags.flag(
      None, "host:port where process 0 listens and the others connect, with "
      "--num-processes > 1 (default: $JAX_COORDINATOR_ADDRESS).")
  coordinator_timeout: int = flags.flag(
      300, "Seconds to wait for all processes to join at the coordinator.")

  def __post_init__(self):
    super().__post_init__()
    flags.check_positive(self, "num_processes", "coordinator_timeout")
    if not 0 <= self.process_id < self.num_processes:
      raise flags.FlagError(
          f"`--process-id` must be in [0, `--num-processes`), got "
          f"process_id={self.process_id}, num_processes={self.num_processes}.")
    if self.num_processes > 1 and coordinator(self) is None:
      raise flags.FlagError(
          f"`--num-processes` {self.num_processes} needs the coordinator's "
          "address: pass --coordinator-address host:port (process 0's host) "
          "or set JAX_COORDINATOR_ADDRESS.")


def coordinator(config: Config) -> str | None:
  """The coordinator's `host:port`: the flag, else JAX's variable."""
  return config.coordinator_address or os.environ.get("JAX_COORDINATOR_ADDRESS")


def initialize(config: Config) -> None:
  """Joins the run's processes, if `config.num_processes` > 1.

  Call it before any JAX computation. With one process it does nothing. A
  process that already joined (an earlier run in the same process) only
  checks the flags again.

  Raises:
    flags.FlagError: if the processes were started with different flags, or
      `--num-devices` is not the number of devices of all processes.
  """
  if config.num_processes == 1:
    return
  if not jax.distributed.is_initialized():
    _join(config)
  check_same_flags(config)
  num_devices = getattr(config, "num_devices", jax.device_count())
  if num_devices != jax.device_count():
    raise flags.FlagError(
        f"`--num-devices` must be the {jax.device_count()} devices of all "
        f"{config.num_processes} processes, got num_devices={num_devices}.")


def _join(config: Config) -> None:
  """`jax.distributed.initialize`, ended with a clear message if it stalls."""
  address, timeout = coordinator(config), config.coordinator_timeout
  message = (f"process {config.process_id} of {config.num_processes}: not all "
             f"processes joined at the coordinator {address} within {timeout}"
             " s (--coordinator-timeout). Check that process 0 runs on that "
             "host, that its port is reachable from here, and that all "
             f"{config.num_processes} processes were started.")
  watchdog = threading.Timer(timeout, _give_up, args=(message,))
  watchdog.daemon = True
  watchdog.start()
  try:
    jax.distributed.initialize(
        address,
        config.num_processes,
        config.process_id,
        initialization_timeout=timeout + _GRACE_S)
  finally:
    watchdog.cancel()


def _give_up(message: str) -> None:
  """Ends the process at once, as a usage error (JAX's wait cannot be cut)."""
  sys.stderr.write(f"{os.path.basename(sys.argv[0])}: error: {message}\n")
  sys.stderr.flush()
  os._exit(2)  # pylint: disable=protected-access


def flags_hash(config: Config) -> int:
  """A 31-bit hash of every flag but `PER_PROCESS_FLAGS`."""
  values = {
      k: v
      for k, v in dataclasses.asdict(config).items()
      if k not in PER_PROCESS_FLAGS
  }
  digest = hashlib.sha256(json.dumps(values, sort_keys=True).encode()).digest()
  return int.from_bytes(digest[:4], "little") >> 1


def check_same_flags(config: Config) -> None:
  """Checks that every process was started with the same flags.

  A collective: every process of the run must call it.

  Raises:
    flags.FlagError: in every process, naming those whose flags differ from
      process 0's.
  """
  hashes = multihost_utils.process_allgather(np.int32(
      flags_hash(config))).reshape(-1)
  differing = [i for i, h in enumerate(hashes) if h != hashes[0]]
  if differing:
    raise flags.FlagError(
        f"the {config.num_processes} processes were started with different "
        f"flags: process(es) {', '.join(map(str, differing))} differ from "
        "process 0. Start every process with the same flags; only "
        f"{', '.join(flags.flag_name(f) for f in PER_PROCESS_FLAGS)} may "
        "differ.")


def is_primary() -> bool:
  """Whether this process writes the run folder and shows the progress."""
  return jax.process_index() == 0


def broadcast_path(path: str | None) -> str:
  """Process 0's `path` in every process (others pass anything)."""
  if jax.process_count() == 1:
    return path or ""
  data = np.zeros(_PATH_BYTES, np.uint8)
  if is_primary():
    encoded = (path or "").encode()
    if len(encoded) > _PATH_BYTES:
      raise ValueError(f"broadcast_path: `path` is over {_PATH_BYTES} bytes: "
                       f"{path!r}.")
    data[:len(encoded)] = np.frombuffer(encoded, np.uint8)
  data = np.asarray(multihost_utils.broadcast_one_to_all(data))
  return bytes(data).rstrip(b"\0").decode()


def primary_decides(value: bool) -> bool:
  """Process 0's `value` in every process (others pass their own).

  For a choice that every process must make alike because what follows is
  collective (a checkpoint), when it rests on something that differs between
  processes (a clock).
  """
  if jax.process_count() == 1:
    return value
  return bool(multihost_utils.broadcast_one_to_all(np.bool_(value)))


def local_copy(tree):
  """This process's copy of a replicated `tree` (itself with one process).

  Process 0 evaluates alone, on its own device: a jitted call on arrays that
  span all processes would have to run in every process.
  """
  if jax.process_count() == 1:
    return tree
  return jax.tree.map(lambda x: x.addressable_data(0), tree)
