using BenchmarkDotNet.Running;
using PolicyLab.Benchmarks;

if (args.Length > 0 && args[0] == "quick")
{
    QuickTiming.Run();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(CoreBenchmarks).Assembly).Run(args);
