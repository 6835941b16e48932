"""Performance benchmarks of reader: `python -m benchmarks` (or `make bench`).

Not part of `make test`: pytest only collects `tests/`. Every figure is the median of at
least five repetitions, set against a floor (the least any program could do for the same
job), and the run is kept in `benchmarks/last-run.json` so the next run shows the change.
"""
