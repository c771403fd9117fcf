"""Explanations rendered under each section of RESULTS.md, keyed by section.

Fill in why a target was missed (or anything a reader needs to read the
figures), then re-render without re-measuring: `python -m benchmarks.run
--render`.
"""

NOTES = {
    "overhead": "",
    "sac": "",
    "ppo": "",
    "solve": "",
    "scaling": "",
}
