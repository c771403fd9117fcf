"""Runs the benchmark sections and regenerates benchmarks/RESULTS.md.

  python -m benchmarks.run                      # all but gpu, short budget
  python -m benchmarks.run --only sac,ppo --full --repeats 3
  python -m benchmarks.run --render             # RESULTS.md from stored JSON
  python -m benchmarks.gpu                      # the gpu section (opt-in)
  python -m benchmarks.run --only brax_pendulum --full \
      --purejaxrl ../shared/peers/purejaxrl     # a section with a peer folder

Each section's result is stored in benchmarks/out/<section>.json (git-ignored)
with the command, date and machine it was measured with; RESULTS.md is
rendered from every stored section, so rerunning one section keeps the others.
Peers are always measured by the same invocation as ours (within a section).
"""

import argparse
import datetime
import importlib
import inspect
import json
import math
import os
import sys
import time

from benchmarks import harness
from benchmarks import notes

SECTIONS = {  # name: module (with TITLE, REPEATS and run(full, repeats)).
    "overhead": "benchmarks.overhead",
    "sac": "benchmarks.sac_peers",
    "ppo": "benchmarks.ppo_peers",
    "ppo_purejaxrl": "benchmarks.ppo_purejaxrl",
    "solve": "benchmarks.solve",
    "scaling": "benchmarks.scaling",
    "processes": "benchmarks.processes",
    "suites": "benchmarks.suites",
    "brax_pendulum": "benchmarks.brax_pendulum",
    "recurrent": "benchmarks.recurrent",
    "family": "benchmarks.family",
    "family_long": "benchmarks.family_long",
    "multi_discrete": "benchmarks.multi_discrete",
    "gpu": "benchmarks.gpu",
}
OPT_IN = ("gpu",)  # Run only when named in --only (it needs an accelerator).
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")
RESULTS = os.path.join(HERE, "RESULTS.md")


def parse_args(argv=None) -> argparse.Namespace:
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument(
      "--only",
      default=",".join(s for s in SECTIONS if s not in OPT_IN),
      help=f"comma-separated sections, from {list(SECTIONS)} (default: all "
      f"but {', '.join(OPT_IN)})")
  parser.add_argument(
      "--full",
      action="store_true",
      help="full budgets (default: short ones for a check)")
  parser.add_argument(
      "--repeats",
      type=int,
      default=None,
      help="repeats per measurement (default: per section, "
      "see each module's REPEATS = (quick, full))")
  parser.add_argument(
      "--purejaxrl",
      default=None,
      help="folder holding PureJaxRL (its purejaxrl/ package), for the "
      "sections that measure it as a peer; without it they skip the peer")
  parser.add_argument(
      "--render",
      action="store_true",
      help="only regenerate RESULTS.md from benchmarks/out")
  args = parser.parse_args(argv)
  args.only = [s.strip() for s in args.only.split(",") if s.strip()]
  unknown = [s for s in args.only if s not in SECTIONS]
  if unknown:
    parser.error(f"unknown section(s) {unknown}; choose from {list(SECTIONS)}")
  if args.repeats is not None and args.repeats < 1:
    parser.error(f"--repeats must be >= 1, got {args.repeats}")
  if args.purejaxrl is not None and not os.path.isdir(
      os.path.join(args.purejaxrl, "purejaxrl")):
    parser.error(f"--purejaxrl: no purejaxrl/ package in {args.purejaxrl!r}; "
                 "give the folder that holds it")
  return args


def run_section(name: str,
                full: bool,
                repeats: int | None,
                purejaxrl: str | None = None,
                *,
                command: str | None = None,
                **options) -> dict:
  """Runs a section, stores its JSON and returns it.

  Args:
    name: a key of `SECTIONS`.
    full: full budgets, else short ones.
    repeats: repeats per measurement (None: the module's `REPEATS`).
    purejaxrl: PureJaxRL's folder, for the sections that take it.
    command: the command line recorded (default: this module's, with the
      process's arguments).
    **options: further keyword arguments of the section's `run`.
  """
  module = importlib.import_module(SECTIONS[name])
  repeats = repeats or module.REPEATS[full]
  peers = {}
  if "purejaxrl" in inspect.signature(module.run).parameters:
    peers["purejaxrl"] = purejaxrl
  meta = dict(
      command=command or "python -m benchmarks.run " + " ".join(sys.argv[1:]),
      date=datetime.datetime.now().isoformat(timespec="seconds"),
      full=full,
      repeats=repeats,
      machine=harness.machine())
  print(
      f"[{name}] {module.TITLE}: {'full' if full else 'quick'}, "
      f"{repeats} repeat(s)",
      flush=True)
  start = time.perf_counter()
  result = module.run(full=full, repeats=repeats, **peers, **options)
  meta["elapsed_s"] = time.perf_counter() - start
  result["meta"] = meta
  os.makedirs(OUT, exist_ok=True)
  with open(os.path.join(OUT, f"{name}.json"), "w") as f:
    json.dump(result, f, indent=1, default=str)
  print(f"[{name}] done in {meta['elapsed_s']:.0f} s", flush=True)
  return result


def fmt(value) -> str:
  """A table cell: numbers to 3 significant digits, thousands separated."""
  if value is None or value == "":
    return "—"
  if isinstance(value, bool):
    return "yes" if value else "no"
  if isinstance(value, float):
    if math.isinf(value):
      return "not solved" if value > 0 else "-inf"
    if math.isnan(value):
      return "nan"
    if abs(value) >= 100:
      return f"{value:,.0f}"
    return f"{value:.3g}"
  if isinstance(value, int):
    return f"{value:,}"
  return str(value).replace("|", "\\|").replace("\n", " ")


def render_table(table: dict) -> list[str]:
  lines = [
      f"*{table['caption']}*", "", "| " + " | ".join(table["columns"]) + " |",
      "|" + "---|" * len(table["columns"])
  ]
  lines += [
      "| " + " | ".join(fmt(c) for c in row) + " |" for row in table["rows"]
  ]
  return lines + [""]


def render_section(name: str, result: dict) -> list[str]:
  meta = result["meta"]
  m = meta["machine"]
  mode = ("full"
          if meta["full"] else "quick (a short-budget check, not for citing)")
  lines = [
      f"## {result['title']}", "",
      f"Measured {meta['date']} by `{meta['command']}` "
      f"({mode} mode, {meta['repeats']} repeat(s), "
      f"{meta['elapsed_s']:.0f} s). "
      f"Machine: {m['cpu']}, {m['usable_cores']} usable cores; load average "
      f"at start {', '.join(f'{x:.1f}' for x in m['load_average'])}.", "",
      "<details><summary>How it is measured</summary>", "",
      result["method"].strip(), "", "</details>", ""
  ]
  for table in result["tables"]:
    lines += render_table(table)
  missed = [t for t in result["targets"] if not t["met"]]
  for t in result["targets"]:
    status = "met" if t["met"] else "**MISSED**"
    lines.append(f"- Target {t['name']} {t['target']}: measured "
                 f"{fmt(t['value'])} — {status}.")
  if result["targets"]:
    lines.append("")
  note = notes.NOTES.get(name, "").strip()
  if note:
    lines += [f"**Notes.** {note}", ""]
  elif missed:
    lines += [
        "**Notes.** MISSED target(s) not yet explained: fill "
        f"`NOTES['{name}']` in benchmarks/notes.py and run "
        "`python -m benchmarks.run --render`.", ""
    ]
  return lines


def render() -> str:
  stored = {}
  for name in SECTIONS:
    path = os.path.join(OUT, f"{name}.json")
    if os.path.exists(path):
      with open(path) as f:
        stored[name] = json.load(f)
  previous = _previous_sections()
  lines = [
      "# Benchmark results", "", "Generated by `python -m benchmarks.run` from "
      "benchmarks/out/*.json; do not edit by hand (explanations go in "
      "benchmarks/notes.py). Each section was measured by the command it "
      "names; peers within a section were measured by the same "
      "invocation as ours. Medians over the repeats in each row's `n` "
      "column.", ""
  ]
  if not stored and "Machine" in previous:
    lines += previous["Machine"]
  if stored:
    latest = max(stored.values(), key=lambda r: r["meta"]["date"])["meta"]
    m = latest["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v)
    lines += [
        "## Machine", "",
        f"- CPU: {m['cpu']} ({m['cpu_flags'] or 'flags unknown'}), "
        f"{m['cores']} cores ({m['usable_cores']} usable), Python "
        f"{m['python']}.", f"- Versions: {versions}.",
        f"- XLA_FLAGS: `{m['xla_flags'] or '(none)'}`.",
        f"- Latest run: {latest['date']}, `{latest['command']}`.", ""
    ]
  kept = {
      n: previous[importlib.import_module(m).TITLE]
      for n, m in SECTIONS.items()
      if n not in stored and importlib.import_module(m).TITLE in previous
  }
  missing = [n for n in SECTIONS if n not in stored and n not in kept]
  if missing:
    lines += [f"Not measured yet: {', '.join(missing)}.", ""]
  for name in SECTIONS:
    if name in stored:
      lines += render_section(name, stored[name])
    elif name in kept:  # Measured before, its JSON not here: kept as it was.
      lines += kept[name]
  if notes.AGENTS.strip():  # Per-seed returns of the example agents.
    lines += [notes.AGENTS.strip(), ""]
  return "\n".join(lines).rstrip() + "\n"


def _previous_sections() -> dict[str, list[str]]:
  """The sections of the current RESULTS.md, by title, as lines."""
  if not os.path.exists(RESULTS):
    return {}
  sections, title = {}, None
  with open(RESULTS) as f:
    for line in f.read().splitlines():
      if line.startswith("## "):
        title = line[3:]
        sections[title] = []
      if title is not None:
        sections[title].append(line)
  return sections


def main(argv=None) -> None:
  args = parse_args(argv)
  if not args.render:
    for name in args.only:
      run_section(name, args.full, args.repeats, args.purejaxrl)
  write_results()


def write_results() -> None:
  """Renders RESULTS.md from every stored section."""
  text = render()  # Reads the current RESULTS.md first.
  with open(RESULTS, "w") as f:
    f.write(text)
  print(f"wrote {RESULTS}")


if __name__ == "__main__":
  main()
