"""Benchmarks: kanri against a bare FastAPI app, measured in the same run (`python -m bench.run`).

Not part of the test suite and free of timing assertions: it prints requests/s, latency
percentiles and the ratio of kanri to the bare baseline, and writes them to
`bench/results/latest.json`.
"""
