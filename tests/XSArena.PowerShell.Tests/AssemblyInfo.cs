// The tests share one process environment (some set XSARENA_* variables) and the process-wide job registry.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
