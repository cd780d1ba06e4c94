using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;

namespace PolicyLab.Tests.Environments.Vector;

/// <summary>
/// Steps a synchronous vector, a threaded one that hands every step to its threads, and a threaded one that chooses
/// by timing (switching between its threads and the caller alone), with the same actions, and asserts after every
/// step that all three agree bit for bit: observations, rewards, flags, and the final observations of finished
/// episodes (same-step autoreset).
/// </summary>
internal static class ThreadedEquivalence
{
    /// <summary>Returns the number of episode ends (terminations, truncations) seen, so a caller can assert that the
    /// autoreset path was exercised.</summary>
    public static (int Terminations, int Truncations) AssertBitIdentical(string id, int copies, int threads, int steps, ulong seed, Action<Rng, float[]> fillActions)
    {
        using var sync = new SyncVectorEnvironment(id, copies);
        using var forced = new ThreadedVectorEnvironment(id, copies, threadCount: threads) { ForcedThreads = true };
        using var adaptive = new ThreadedVectorEnvironment(id, copies, threadCount: threads);
        var vectors = new IVectorEnvironment[] { forced, adaptive };
        sync.Reset(seed);
        foreach (IVectorEnvironment v in vectors)
        {
            v.Reset(seed);
            Assert.Equal(sync.Observations, v.Observations);
        }
        var rng = new Rng(seed + 1000);
        var actions = new float[copies * sync.ActionSize];
        int od = sync.ObservationSize, terminations = 0, truncations = 0;
        for (int step = 0; step < steps; step++)
        {
            fillActions(rng, actions);
            sync.Step(actions);
            foreach (IVectorEnvironment v in vectors)
            {
                v.Step(actions);
                Assert.Equal(sync.Observations, v.Observations);
                Assert.Equal(sync.Rewards, v.Rewards);
                Assert.Equal(sync.Terminated, v.Terminated);
                Assert.Equal(sync.Truncated, v.Truncated);
                for (int i = 0; i < copies; i++)
                {
                    if (sync.Terminated[i] || sync.Truncated[i])
                        Assert.True(sync.FinalObservations.AsSpan(i * od, od).SequenceEqual(v.FinalObservations.AsSpan(i * od, od)), $"final observation of copy {i} at step {step}");
                }
            }
            terminations += sync.Terminated.Count(t => t);
            truncations += sync.Truncated.Count(t => t);
        }
        // Unseeded resets continue every copy's own stream, in all three alike.
        sync.Reset();
        foreach (IVectorEnvironment v in vectors)
        {
            v.Reset();
            Assert.Equal(sync.Observations, v.Observations);
        }
        return (terminations, truncations);
    }
}
