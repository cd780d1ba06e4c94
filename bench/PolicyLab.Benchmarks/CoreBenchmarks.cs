using BenchmarkDotNet.Attributes;

namespace PolicyLab.Benchmarks;

/// <summary>The numeric core's speed targets: PPO minibatch update, acting, and a large linear layer.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class CoreBenchmarks
{
    private PpoUpdateWorkload _ppo64 = null!, _ppo256 = null!;
    private ActingWorkload _acting = null!;
    private LinearWorkload _linear = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ppo64 = new PpoUpdateWorkload(64);
        _ppo256 = new PpoUpdateWorkload(256);
        _acting = new ActingWorkload();
        _linear = new LinearWorkload();
    }

    /// <summary>Target ≤ 80 µs.</summary>
    [Benchmark] public float PpoUpdate_Batch64() => _ppo64.Update();

    /// <summary>Target ≤ 250 µs.</summary>
    [Benchmark] public float PpoUpdate_Batch256() => _ppo256.Update();

    /// <summary>Target ≤ 1 µs.</summary>
    [Benchmark] public int Act_OneObservation() => _acting.Act();

    /// <summary>Target ≥ 60% of one core's FMA peak: 100.7 MFLOP in ≤ 1.33 ms at 126 GFLOP/s peak.</summary>
    [Benchmark] public void Linear256_ForwardBackward() => _linear.ForwardBackward();
}
