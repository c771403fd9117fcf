"""Speed measurements of haiku_policies and its example agents against peers.

Never run as tests. Entry point: `python -m benchmarks.run --help`.
"""
