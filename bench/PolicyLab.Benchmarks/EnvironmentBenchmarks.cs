using BenchmarkDotNet.Attributes;
using PolicyLab.Environments;
using PolicyLab.Environments.ClassicControl;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;

namespace PolicyLab.Benchmarks;

/// <summary>Single-environment stepping throughput (one operation = one environment step, resets included).</summary>
[MemoryDiagnoser]
[MedianColumn]
public class EnvironmentStepBenchmarks : IDisposable
{
    private const int Steps = 100_000;
    private CartPole _cartPole = null!;
    private IEnvironment _registered = null!;
    private float[] _actions = null!;
    private readonly float[] _observation = new float[4];

    [GlobalSetup]
    public void Setup()
    {
        _cartPole = new CartPole();
        _registered = EnvironmentRegistry.Make("CartPole-v1");
        var rng = new Rng(1UL);
        _actions = new float[4096];
        for (int i = 0; i < _actions.Length; i++)
            _actions[i] = rng.NextInt(2);
        _cartPole.Reset(_observation, seed: 0);
        _registered.Reset(_observation, seed: 0);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _cartPole.Dispose();
        _registered.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The raw CartPole through its concrete type.</summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public void CartPoleRaw()
    {
        CartPole env = _cartPole;
        float[] obs = _observation;
        float[] actions = _actions;
        for (int i = 0; i < Steps; i++)
        {
            if (env.Step(actions.AsSpan(i & 4095, 1), obs).Done)
                env.Reset(obs);
        }
    }

    /// <summary><c>Make("CartPole-v1")</c> (time limit included) through the interface.</summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public void CartPoleRegisteredInterface()
    {
        IEnvironment env = _registered;
        float[] obs = _observation;
        float[] actions = _actions;
        for (int i = 0; i < Steps; i++)
        {
            if (env.Step(actions.AsSpan(i & 4095, 1), obs).Done)
                env.Reset(obs);
        }
    }
}

/// <summary>Vector-environment throughput (one operation = one environment step of one copy, autoresets included).</summary>
[MemoryDiagnoser]
[MedianColumn]
public class EnvironmentVectorBenchmarks : IDisposable
{
    private const int Copies = 64;
    private const int Steps = 2_000;
    private SyncVectorEnvironment _sync = null!;
    private CartPoleVectorEnvironment _specialised = null!;
    private ThreadedVectorEnvironment _threaded1 = null!;
    private ThreadedVectorEnvironment _threaded2 = null!;
    private SyncVectorEnvironment _acrobotSync = null!;
    private ThreadedVectorEnvironment _acrobotThreaded1 = null!;
    private ThreadedVectorEnvironment _acrobotThreaded2 = null!;
    private SyncVectorEnvironment[] _acrobotHalves = null!;
    private CartPoleVectorEnvironment[] _specialisedHalves = null!;
    private float[] _binaryActions = null!;
    private float[] _ternaryActions = null!;

    [GlobalSetup]
    public void Setup()
    {
        _sync = new SyncVectorEnvironment("CartPole-v1", Copies);
        _specialised = new CartPoleVectorEnvironment(Copies);
        _threaded1 = new ThreadedVectorEnvironment("CartPole-v1", Copies, threadCount: 1);
        _threaded2 = new ThreadedVectorEnvironment("CartPole-v1", Copies, threadCount: 2);
        _acrobotSync = new SyncVectorEnvironment("Acrobot-v1", Copies);
        _acrobotThreaded1 = new ThreadedVectorEnvironment("Acrobot-v1", Copies, threadCount: 1);
        _acrobotThreaded2 = new ThreadedVectorEnvironment("Acrobot-v1", Copies, threadCount: 2);
        _acrobotHalves = [new SyncVectorEnvironment("Acrobot-v1", Copies / 2), new SyncVectorEnvironment("Acrobot-v1", Copies / 2)];
        _specialisedHalves = [new CartPoleVectorEnvironment(Copies / 2), new CartPoleVectorEnvironment(Copies / 2)];
        var rng = new Rng(2UL);
        _binaryActions = new float[Copies * 64];
        _ternaryActions = new float[Copies * 64];
        for (int i = 0; i < _binaryActions.Length; i++)
        {
            _binaryActions[i] = rng.NextInt(2);
            _ternaryActions[i] = rng.NextInt(3);
        }
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

    private IVectorEnvironment[] All() =>
        [_sync, _specialised, _threaded1, _threaded2, _acrobotSync, _acrobotThreaded1, _acrobotThreaded2, .. _acrobotHalves, .. _specialisedHalves];

    private static void Run(IVectorEnvironment vector, float[] actions)
    {
        for (int i = 0; i < Steps; i++)
            vector.Step(actions.AsSpan((i & 63) * Copies, vector.Count));
    }

    /// <summary>64 registered CartPoles, stepped one after the other.</summary>
    [Benchmark(OperationsPerInvoke = Steps * Copies)]
    public void CartPoleSync64() => Run(_sync, _binaryActions);

    /// <summary>The structure-of-arrays CartPole vector.</summary>
    [Benchmark(OperationsPerInvoke = Steps * Copies)]
    public void CartPoleSpecialised64() => Run(_specialised, _binaryActions);

    /// <summary>Threaded vector with one thread (the baseline for scaling).</summary>
    [Benchmark(OperationsPerInvoke = Steps * Copies)]
    public void CartPoleThreaded64x1() => Run(_threaded1, _binaryActions);

    /// <summary>Threaded vector with two threads.</summary>
    [Benchmark(OperationsPerInvoke = Steps * Copies)]
    public void CartPoleThreaded64x2() => Run(_threaded2, _binaryActions);

    /// <summary>64 Acrobots (heavier steps), synchronous.</summary>
    [Benchmark(OperationsPerInvoke = Steps * Copies)]
    public void AcrobotSync64() => Run(_acrobotSync, _ternaryActions);

    /// <summary>64 Acrobots, threaded vector with one thread (the baseline for scaling).</summary>
    [Benchmark(OperationsPerInvoke = Steps * Copies)]
    public void AcrobotThreaded64x1() => Run(_acrobotThreaded1, _ternaryActions);

    /// <summary>64 Acrobots on two threads.</summary>
    [Benchmark(OperationsPerInvoke = Steps * Copies)]
    public void AcrobotThreaded64x2() => Run(_acrobotThreaded2, _ternaryActions);

    /// <summary>The machine's ceiling for two threads: two independent vectors of 32 Acrobots, each stepped
    /// <c>Steps</c> times on its own thread with no hand-off per step.</summary>
    [Benchmark(OperationsPerInvoke = Steps * Copies)]
    public void AcrobotTwoIndependentThreads() =>
        Parallel.Invoke(() => Run(_acrobotHalves[0], _ternaryActions), () => Run(_acrobotHalves[1], _ternaryActions));

    /// <summary>The same ceiling for the specialised CartPole vector (two independent vectors of 32).</summary>
    [Benchmark(OperationsPerInvoke = Steps * Copies)]
    public void CartPoleSpecialisedTwoIndependentThreads() =>
        Parallel.Invoke(() => Run(_specialisedHalves[0], _binaryActions), () => Run(_specialisedHalves[1], _binaryActions));
}

/// <summary>LunarLander stepping throughput with uniformly random actions through <c>Make</c> (the 1000-step time limit
/// included; one operation = one step, resets included; nothing renders, so no flame particles are simulated).</summary>
[MemoryDiagnoser]
[MedianColumn]
public class LunarLanderBenchmarks : IDisposable
{
    private const int Steps = 20_000;
    private IEnvironment _discrete = null!;
    private IEnvironment _continuous = null!;
    private float[] _discreteActions = null!;
    private float[] _continuousActions = null!;
    private readonly float[] _observation = new float[8];

    [GlobalSetup]
    public void Setup()
    {
        _discrete = EnvironmentRegistry.Make("LunarLander-v3");
        _continuous = EnvironmentRegistry.Make("LunarLanderContinuous-v3");
        var rng = new Rng(3UL);
        _discreteActions = new float[4096];
        _continuousActions = new float[2 * 4096];
        for (int i = 0; i < _discreteActions.Length; i++)
            _discreteActions[i] = rng.NextInt(4);
        rng.FillUniform(_continuousActions, -1f, 1f);
        _discrete.Reset(_observation, seed: 0);
        _continuous.Reset(_observation, seed: 0);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _discrete.Dispose();
        _continuous.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>LunarLander-v3, random discrete actions.</summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public void LunarLanderRandom()
    {
        IEnvironment env = _discrete;
        float[] obs = _observation;
        for (int i = 0; i < Steps; i++)
        {
            if (env.Step(_discreteActions.AsSpan(i & 4095, 1), obs).Done)
                env.Reset(obs);
        }
    }

    /// <summary>LunarLanderContinuous-v3, random throttles.</summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public void LunarLanderContinuousRandom()
    {
        IEnvironment env = _continuous;
        float[] obs = _observation;
        for (int i = 0; i < Steps; i++)
        {
            if (env.Step(_continuousActions.AsSpan(2 * (i & 4095), 2), obs).Done)
                env.Reset(obs);
        }
    }
}
