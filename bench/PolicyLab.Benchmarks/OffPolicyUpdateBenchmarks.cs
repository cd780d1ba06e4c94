using BenchmarkDotNet.Attributes;

namespace PolicyLab.Benchmarks;

/// <summary>
/// One SAC gradient update (batch 256, LunarLanderContinuous-v3: observation 8, action 2) at the SB3 default networks
/// [256, 256] and RL Zoo's tuned [400, 300], and TD3's at [400, 300]: the cost should follow the multiply-adds
/// (400×300 has about 1.8× those of 256×256). Single-threaded GEMM (the default).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class OffPolicyUpdateBenchmarks : IDisposable
{
    private OffPolicyUpdateWorkload _sac256 = null!, _sac400 = null!, _td3400 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _sac256 = new OffPolicyUpdateWorkload("sac", "LunarLanderContinuous-v3", [256, 256]);
        _sac400 = new OffPolicyUpdateWorkload("sac", "LunarLanderContinuous-v3", [400, 300]);
        _td3400 = new OffPolicyUpdateWorkload("td3", "LunarLanderContinuous-v3", [400, 300]);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _sac256.Dispose();
        _sac400.Dispose();
        _td3400.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>SAC, actor and critics [256, 256].</summary>
    [Benchmark(Baseline = true)] public void SacUpdate_256x256() => _sac256.Update();

    /// <summary>SAC, actor and critics [400, 300].</summary>
    [Benchmark] public void SacUpdate_400x300() => _sac400.Update();

    /// <summary>TD3, actor and critics [400, 300] (the actor is updated every second step, as TD3's policy delay has it).</summary>
    [Benchmark] public void Td3Update_400x300() => _td3400.Update();
}
