using System.Security.Cryptography;
using System.Runtime.InteropServices;

namespace PolicyLab.Benchmarks;

/// <summary>
/// `fingerprint` mode: a hash of the parameters after a few fixed-seed gradient steps of each off-policy workload, to
/// compare the numeric core's bits between two builds (same machine, same thread count).
/// </summary>
internal static class UpdateFingerprint
{
    public static void Run()
    {
        Console.WriteLine($"AVX-512 GEMM: {Numerics.Kernels.Gemm.Uses512}; GEMM threads {Numerics.Kernels.Gemm.Threads}");
        foreach ((string algorithm, int[] widths) in new[] { ("sac", new[] { 256, 256 }), ("sac", new[] { 400, 300 }),
                     ("td3", new[] { 400, 300 }), ("ddpg", new[] { 400, 300 }) })
        {
            using var workload = new OffPolicyUpdateWorkload(algorithm, "LunarLanderContinuous-v3", widths);
            for (int i = 0; i < 20; i++) workload.Update();
            byte[] hash = SHA256.HashData(MemoryMarshal.AsBytes(workload.Parameters));
            Console.WriteLine($"{algorithm} [{string.Join(", ", widths)}] after 20 updates: {Convert.ToHexString(hash)[..16]}");
        }
    }
}
