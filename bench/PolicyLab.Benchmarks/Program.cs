using BenchmarkDotNet.Running;
using PolicyLab.Benchmarks;

if (args.Length > 0 && args[0] == "quick")
{
    QuickTiming.Run();
    return;
}
if (args.Length > 0 && args[0] == "gemm")
{
    GemmShapeTiming.Run();
    return;
}
if (args.Length > 0 && args[0] == "fingerprint")
{
    UpdateFingerprint.Run();
    return;
}
if (args.Length > 0 && args[0] == "highway")
{
    HighwayReport.Run(args);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(CoreBenchmarks).Assembly).Run(args);
