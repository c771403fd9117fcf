"""What a run shows a person: status lines, a progress bar, a plot, a summary.

One statistic everywhere: the eval return is the mean over the evaluation
episodes (in the bar, `evals.csv`, the threshold and the plot's line).
"""

import sys
from typing import Any

import numpy as np
import tqdm


def status(text: str, enabled: bool = True) -> None:
  """One line on stderr (beside the bar), if `enabled`."""
  if enabled:
    tqdm.tqdm.write(text, file=sys.stderr)


class Progress:
  """A tqdm bar over environment steps, with a compiling phase first."""

  def __init__(self, total_steps: int, *, disable: bool = False):
    self._bar = tqdm.tqdm(
        total=total_steps,
        unit="step",
        unit_scale=True,
        dynamic_ncols=True,
        disable=disable,
        desc="compiling")

  def training(self) -> None:
    """Ends the compiling phase (its time stays in the bar's clock)."""
    self._bar.set_description("training", refresh=True)

  def update(self, step: int, eval_return: float | None = None) -> None:
    """Moves the bar to `step` (the total so far) and shows `eval_return`."""
    if eval_return is not None:
      self._bar.set_postfix(eval_return=f"{eval_return:.1f}", refresh=False)
    self._bar.update(step - self._bar.n)

  def close(self) -> None:
    self._bar.close()


def plot_learning_curve(path: str, evals: list[tuple[int, list[float], float]],
                        threshold: float | None, title: str) -> None:
  """Saves a PNG: mean eval return, min-max over episodes, the threshold."""
  from matplotlib import figure  # pylint: disable=g-import-not-at-top
  fig = figure.Figure(figsize=(6, 4), layout="constrained")  # No pyplot state.
  ax = fig.add_subplot()
  if evals:
    steps = [s for s, _, _ in evals]
    ax.fill_between(
        steps, [min(r) for _, r, _ in evals], [max(r) for _, r, _ in evals],
        alpha=0.3,
        label="min-max over episodes")
    ax.plot(
        steps, [float(np.mean(r)) for _, r, _ in evals],
        marker=".",
        label="mean")
  if threshold is not None:
    ax.axhline(
        threshold,
        color="gray",
        linestyle="--",
        label=f"solved ({threshold:g})")
  if evals or threshold is not None:
    ax.legend(loc="lower right")
  ax.set(xlabel="environment steps", ylabel="eval return", title=title)
  fig.savefig(path, dpi=100)


def describe(summary: dict[str, Any]) -> str:
  """A few readable lines about a finished run (the JSON is summary.json)."""
  lines = [
      f"{summary['algo']} on {summary['env']}, seed {summary['seed']}: "
      f"{summary['total_steps']:,} steps in {summary['wall_s']:.1f} s "
      f"(compile {summary['compile_s']:.1f} s, "
      f"{summary['steps_per_s']:,.0f} steps/s)."
  ]
  final = summary["final_eval_return"]
  episodes = summary["config"]["eval_episodes"]
  lines.append("final eval return: " +
               ("none (no evaluation)" if final is
                None else f"{final:.1f} (mean of {episodes} episodes)"))
  if summary["threshold"] is not None:
    reached = summary["time_to_threshold_s"]
    lines.append(
        f"solved (eval >= {summary['threshold']:g}) after {reached:.1f} s"
        if reached is not None else
        f"never reached the threshold {summary['threshold']:g}")
  lines.append(f"run folder: {summary['run_dir']} (summary.json, evals.csv, "
               "learning_curve.png, checkpoints/)")
  return "\n".join(lines)
