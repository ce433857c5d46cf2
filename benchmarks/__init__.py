"""Performance benchmarks: ``python -m benchmarks`` (``make bench``).

Builds (once, cached under ``data/bench/``) a large reproducible data set with the demo
generator, then times the pages' queries, the phone-call screening, recording an incident
and full page renders, on SQLite and optionally on a throwaway PostgreSQL. Benchmarks print
figures and write ``benchmarks/results.json``; nothing here asserts on time.
"""
