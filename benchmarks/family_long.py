"""The distribution family's longer runs: PPO Beta on the cart-pole, TQC.

Measured as the family section (see benchmarks/family.py, whose
`LONG_TASKS` these rows are): one example agent per row, a fresh process
per seed, medians over the seeds. PPO runs the continuous cart-pole
(Playground `CartpoleSwingup`) with the Gaussian and with `--policy beta`
at the suites section's settings (64 envs x 64 steps, gamma 0.99, 128x128
networks), shortened to 1,048,576 steps; TQC runs Pendulum-v1 (gymnax) at its
defaults (5 critics x 25 quantiles, 2 dropped per critic, SBX's SAC settings
otherwise: 256x256, batch 256, 1k random steps) for 10k steps, plain SAC's
budget, evaluating every 1k steps.
"""

from benchmarks import family
from benchmarks import suites

TITLE = "The distribution family: PPO Beta on the cart-pole, TQC on Pendulum"
REPEATS = (1, 3)  # Seeds: quick, full.


def run(full: bool, repeats: int) -> dict:
  """Every row of `family.LONG_TASKS` on seeds 0..repeats-1."""
  return suites.run_tasks(family.LONG_TASKS, TITLE, __doc__, full, repeats)
