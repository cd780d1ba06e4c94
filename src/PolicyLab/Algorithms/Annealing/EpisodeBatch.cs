using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Distributions;
using PolicyLab.Numerics.Modules;

namespace PolicyLab.Algorithms.Annealing;

/// <summary>
/// One batch of complete episodes, B = groups × group size, one per copy of a vector environment, run
/// side by side until every episode has ended (copies that finished early keep stepping, their data
/// ignored). Episodes of a group start from the same state (the same reset seed). Steps are stored padded
/// to [B, L] with L = the longest episode + 1 (one trailing invalid column, so every episode has a first
/// step "after its end").
/// </summary>
public sealed class EpisodeBatch
{
    private readonly IVectorEnvironment _env;
    private readonly ISeededCopies _seeded;
    private readonly Action<Span<float>>? _observationTransform;
    private readonly int _obs;
    private readonly float[][] _obsSteps, _actionSteps, _rewardSteps;
    private readonly float[] _observations, _logits, _actions;

    /// <summary>Uses <paramref name="environment"/>, whose copies can be reset with individual seeds.</summary>
    /// <exception cref="PolicyLabException">The environment cannot reset copies individually.</exception>
    public EpisodeBatch(IVectorEnvironment environment, int actionCount, Action<Span<float>>? observationTransform)
    {
        _env = environment;
        _seeded = environment as ISeededCopies ?? throw new PolicyLabException(
            "Policy annealing needs environments whose copies can be reset with individual seeds; turn off observation/reward normalization for it.");
        _observationTransform = observationTransform;
        _obs = environment.ObservationSize;
        int b = environment.Count;
        _obsSteps = new float[b][];
        _actionSteps = new float[b][];
        _rewardSteps = new float[b][];
        for (int i = 0; i < b; i++) { _obsSteps[i] = new float[64 * _obs]; _actionSteps[i] = new float[64]; _rewardSteps[i] = new float[64]; }
        Lengths = new int[b];
        Terminated = new bool[b];
        Truncated = new bool[b];
        FinalObservations = new float[b * _obs];
        Returns = new double[b];
        _observations = new float[b * _obs];
        _logits = new float[b * actionCount];
        _actions = new float[b];
    }

    /// <summary>Episodes in the batch (B).</summary>
    public int Count => _env.Count;
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

    /// <summary>Runs B episodes with <paramref name="policy"/>, resetting copy i with <paramref name="seeds"/>[i].</summary>
    public void Collect(Mlp policy, ReadOnlySpan<ulong> seeds, bool deterministic, Rng rng)
    {
        int b = Count, k = policy.Outputs;
        var active = new bool[b];
        _seeded.ResetCopies(seeds);
        for (int i = 0; i < b; i++)
        {
            active[i] = true;
            Lengths[i] = 0;
            Returns[i] = 0;
            Terminated[i] = Truncated[i] = false;
        }
        int remaining = b;
        while (remaining > 0)
        {
            _env.Observations.AsSpan(0, b * _obs).CopyTo(_observations);
            _observationTransform?.Invoke(_observations);
            policy.Forward(_observations, b, _logits);
            for (int i = 0; i < b; i++)
            {
                ReadOnlySpan<float> row = _logits.AsSpan(i * k, k);
                _actions[i] = deterministic ? Categorical.Mode(row) : Categorical.Sample(row, rng);
            }
            _env.Step(_actions);
            for (int i = 0; i < b; i++)
            {
                if (!active[i]) continue;
                int t = Lengths[i];
                EnsureCapacity(i, t + 1);
                _observations.AsSpan(i * _obs, _obs).CopyTo(_obsSteps[i].AsSpan(t * _obs, _obs));
                _actionSteps[i][t] = _actions[i];
                _rewardSteps[i][t] = (float)_env.Rewards[i];
                Returns[i] += _env.Rewards[i];
                Lengths[i] = t + 1;
                if (_env.Terminated[i] || _env.Truncated[i])
                {
                    Terminated[i] = _env.Terminated[i];
                    Truncated[i] = _env.Truncated[i] && !_env.Terminated[i];
                    Span<float> final = FinalObservations.AsSpan(i * _obs, _obs);
                    _env.FinalObservations.AsSpan(i * _obs, _obs).CopyTo(final);
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
