using BenchmarkDotNet.Attributes;
using PolicyLab.Environments;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;

namespace PolicyLab.Benchmarks;

/// <summary>
/// 16 LunarLander-v3 copies with random actions (one operation = one copy's step; autoreset included): stepped one after
/// the other, threaded on one and on two threads, and the two-core ceiling of two independent synchronous vectors of 8
/// on their own threads. The target is Threaded16x2 ≥ 1.7 × Sync16 on two free cores; measure it when the
/// machine is quiet (<c>--filter '*LunarLanderVector*'</c>).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class LunarLanderVectorBenchmarks : IDisposable
{
    private const int Copies = 16;
    private const int Steps = 1_000;
    private SyncVectorEnvironment _sync = null!;
    private ThreadedVectorEnvironment _threaded1 = null!;
    private ThreadedVectorEnvironment _threaded2 = null!;
    private SyncVectorEnvironment[] _halves = null!;
    private float[] _actions = null!;

    [GlobalSetup]
    public void Setup()
    {
        _sync = new SyncVectorEnvironment("LunarLander-v3", Copies);
        _threaded1 = new ThreadedVectorEnvironment("LunarLander-v3", Copies, threadCount: 1);
        _threaded2 = new ThreadedVectorEnvironment("LunarLander-v3", Copies, threadCount: 2);
        _halves = [new SyncVectorEnvironment("LunarLander-v3", Copies / 2), new SyncVectorEnvironment("LunarLander-v3", Copies / 2)];
        var rng = new Rng(5UL);
        _actions = new float[Copies * 64];
        for (int i = 0; i < _actions.Length; i++)
            _actions[i] = rng.NextInt(4);
        foreach (IVectorEnvironment v in All())
            v.Reset(seed: 0);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        foreach (IVectorEnvironment v in All())
            v.Dispose();
        GC.SuppressFinalize(this);
    }

    private IVectorEnvironment[] All() => [_sync, _threaded1, _threaded2, .. _halves];

    private void Run(IVectorEnvironment vector)
    {
        for (int i = 0; i < Steps; i++)
            vector.Step(_actions.AsSpan((i & 63) * Copies, vector.Count));
    }

    /// <summary>16 landers stepped one after the other on the calling thread.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Steps * Copies)]
    public void LunarLanderSync16() => Run(_sync);

    /// <summary>16 landers on the threaded vector with one worker (its overhead).</summary>
    [Benchmark(OperationsPerInvoke = Steps * Copies)]
    public void LunarLanderThreaded16x1() => Run(_threaded1);

    /// <summary>16 landers on the threaded vector with two workers (the ≥ 1.7× target).</summary>
    [Benchmark(OperationsPerInvoke = Steps * Copies)]
    public void LunarLanderThreaded16x2() => Run(_threaded2);

    /// <summary>The ceiling: two independent vectors of 8 on two threads, no synchronisation between them.</summary>
    [Benchmark(OperationsPerInvoke = Steps * Copies)]
    public void LunarLanderTwoIndependentThreads() => Parallel.Invoke(() => Run(_halves[0]), () => Run(_halves[1]));
}

/// <summary>BipedalWalker stepping throughput with uniformly random actions through <c>Make</c> (time limit included;
/// one operation = one step, resets included).</summary>
[MemoryDiagnoser]
[MedianColumn]
public class BipedalWalkerBenchmarks : IDisposable
{
    private const int Steps = 5_000;
    private IEnvironment _normal = null!;
    private IEnvironment _hardcore = null!;
    private float[] _actions = null!;
    private readonly float[] _observation = new float[24];

    [GlobalSetup]
    public void Setup()
    {
        _normal = EnvironmentRegistry.Make("BipedalWalker-v3");
        _hardcore = EnvironmentRegistry.Make("BipedalWalkerHardcore-v3");
        _actions = new float[4 * 4096];
        new Rng(6UL).FillUniform(_actions, -1f, 1f);
        _normal.Reset(_observation, seed: 0);
        _hardcore.Reset(_observation, seed: 0);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _normal.Dispose();
        _hardcore.Dispose();
        GC.SuppressFinalize(this);
    }

    private void Run(IEnvironment env)
    {
        for (int i = 0; i < Steps; i++)
        {
            if (env.Step(_actions.AsSpan(4 * (i & 4095), 4), _observation).Done)
                env.Reset(_observation);
        }
    }

    /// <summary>BipedalWalker-v3, random actions.</summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public void BipedalWalkerRandom() => Run(_normal);

    /// <summary>BipedalWalkerHardcore-v3, random actions.</summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public void BipedalWalkerHardcoreRandom() => Run(_hardcore);
}
