using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;
using PolicyLab.Numerics.Modules;

namespace PolicyLab.Algorithms.Annealing;

/// <summary>
/// One batch of complete episodes, B = groups × group size, run side by side until every episode has
/// ended. Episodes of a group start from the same state (the same reset seed). Steps are stored padded
/// to [B, L] with L = the longest episode + 1 (one trailing invalid column, so every episode has a
/// first step "after its end").
/// </summary>
public sealed class EpisodeBatch
{
    private readonly IVectorEnvironment[] _envs;
    private readonly Action<Span<float>>? _observationTransform;
    private readonly int _obs;
    private float[][] _obsSteps, _actionSteps, _rewardSteps;

    /// <summary>Uses <paramref name="environments"/>: one single-copy vector environment per episode slot.</summary>
    public EpisodeBatch(IVectorEnvironment[] environments, Action<Span<float>>? observationTransform)
    {
        _envs = environments;
        _observationTransform = observationTransform;
        _obs = environments[0].ObservationSize;
        int b = environments.Length;
        _obsSteps = new float[b][];
        _actionSteps = new float[b][];
        _rewardSteps = new float[b][];
        for (int i = 0; i < b; i++) { _obsSteps[i] = new float[64 * _obs]; _actionSteps[i] = new float[64]; _rewardSteps[i] = new float[64]; }
        Lengths = new int[b];
        Terminated = new bool[b];
        Truncated = new bool[b];
        FinalObservations = new float[b * _obs];
        Returns = new double[b];
    }

    /// <summary>Episodes in the batch (B).</summary>
    public int Count => _envs.Length;

    /// <summary>Floats per observation.</summary>
    public int ObservationSize => _obs;

    /// <summary>Padded length L (longest episode + 1).</summary>
    public int Width { get; private set; }

    /// <summary>Valid steps of each episode.</summary>
    public int[] Lengths { get; }

    /// <summary>Whether each episode terminated (task end).</summary>
    public bool[] Terminated { get; }

    /// <summary>Whether each episode was truncated (time limit) without terminating.</summary>
    public bool[] Truncated { get; }

    /// <summary>The observation after each episode's last step, [B, obs] (for bootstrapping truncated episodes).</summary>
    public float[] FinalObservations { get; }

    /// <summary>Undiscounted return of each episode.</summary>
    public double[] Returns { get; }

    /// <summary>Total valid steps.</summary>
    public int TotalSteps => Lengths.Sum();

    /// <summary>Observations padded to [B·L, obs] (zeros after each episode's end).</summary>
    public float[] PaddedObservations { get; private set; } = [];

    /// <summary>Actions padded to [B·L] (0 after the end).</summary>
    public float[] PaddedActions { get; private set; } = [];

    /// <summary>Rewards padded to [B·L] (0 after the end).</summary>
    public float[] PaddedRewards { get; private set; } = [];

    /// <summary>1 for valid steps, 0 after the end, [B·L].</summary>
    public float[] Valid { get; private set; } = [];

    /// <summary>Runs B episodes with <paramref name="policy"/>, resetting slot i with <paramref name="seeds"/>[i].</summary>
    public void Collect(Mlp policy, ReadOnlySpan<ulong> seeds, bool deterministic, Rng rng)
    {
        int b = Count, actions = policy.Outputs;
        var active = new bool[b];
        var logits = new float[actions];
        var observation = new float[_obs];
        for (int i = 0; i < b; i++)
        {
            _envs[i].Reset(seeds[i]);
            active[i] = true;
            Lengths[i] = 0;
            Returns[i] = 0;
            Terminated[i] = Truncated[i] = false;
        }
        int remaining = b;
        var envAction = new float[1];
        while (remaining > 0)
        {
            for (int i = 0; i < b; i++)
            {
                if (!active[i]) continue;
                IVectorEnvironment env = _envs[i];
                int t = Lengths[i];
                EnsureCapacity(i, t + 1);
                env.Observations.AsSpan(0, _obs).CopyTo(observation);
                _observationTransform?.Invoke(observation);
                observation.CopyTo(_obsSteps[i].AsSpan(t * _obs, _obs));
                policy.Forward(observation, 1, logits);
                int a = deterministic ? Categorical.Mode(logits) : Categorical.Sample(logits, rng);
                envAction[0] = a;
                env.Step(envAction);
                _actionSteps[i][t] = a;
                _rewardSteps[i][t] = (float)env.Rewards[0];
                Returns[i] += env.Rewards[0];
                Lengths[i] = t + 1;
                if (env.Terminated[0] || env.Truncated[0])
                {
                    Terminated[i] = env.Terminated[0];
                    Truncated[i] = env.Truncated[0] && !env.Terminated[0];
                    Span<float> final = FinalObservations.AsSpan(i * _obs, _obs);
                    env.FinalObservations.AsSpan(0, _obs).CopyTo(final);
                    _observationTransform?.Invoke(final);
                    active[i] = false;
                    remaining--;
                }
            }
        }
        Pack();
    }

    private void EnsureCapacity(int i, int steps)
    {
        if (_actionSteps[i].Length >= steps) return;
        int capacity = Math.Max(steps, _actionSteps[i].Length * 2);
        Array.Resize(ref _obsSteps[i], capacity * _obs);
        Array.Resize(ref _actionSteps[i], capacity);
        Array.Resize(ref _rewardSteps[i], capacity);
    }

    private void Pack()
    {
        int b = Count;
        Width = Lengths.Max() + 1;
        int cells = b * Width;
        PaddedObservations = new float[cells * _obs];
        PaddedActions = new float[cells];
        PaddedRewards = new float[cells];
        Valid = new float[cells];
        for (int i = 0; i < b; i++)
        {
            int n = Lengths[i], row = i * Width;
            _obsSteps[i].AsSpan(0, n * _obs).CopyTo(PaddedObservations.AsSpan(row * _obs));
            _actionSteps[i].AsSpan(0, n).CopyTo(PaddedActions.AsSpan(row));
            _rewardSteps[i].AsSpan(0, n).CopyTo(PaddedRewards.AsSpan(row));
            Valid.AsSpan(row, n).Fill(1f);
        }
    }
}
