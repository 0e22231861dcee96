"""Benchmarks: ``make bench`` (``python -m benchmarks.run [names...]``) runs the ``main()`` of every
``benchmarks/bench_*.py`` against the benchmark database (``BENCH_DATABASE_URL``), filled with
generated data at the size asked for (``BENCH_RECORDS``). See benchmarks/run.py."""
