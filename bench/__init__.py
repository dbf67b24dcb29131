"""The benchmarks (see README.md here) and the load they run on (`bench.loadgen`). Not part of
the portal: bench may import the apps, no app imports bench."""
