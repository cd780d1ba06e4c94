using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.Bandits;

/// <summary>How a bandit arm turns its mean into a reward.</summary>
public enum BanditRewardKind
{
    /// <summary>The reward is the arm's mean, exactly.</summary>
    Deterministic,

    /// <summary>The reward is drawn from a normal distribution around the arm's mean.</summary>
    Gaussian,

    /// <summary>The reward is 1 with probability equal to the arm's mean, else 0.</summary>
    Bernoulli,
}

/// <summary>
/// A k-armed bandit: each episode is a single pull (the step always terminates). The observation is a constant
/// one-element zero (Box(0, 0, (1,))); the action is the arm index. The info of each step holds
/// <see cref="InfoKeys.ArmMean"/> and <see cref="InfoKeys.Regret"/>.
/// </summary>
public sealed class MultiArmedBandit : EnvironmentBase
{
    private readonly double[] _means;
    private readonly double _best;

    /// <summary>Creates a bandit with the given arm means.</summary>
    /// <param name="means">Expected reward of each arm (probabilities in [0, 1] for Bernoulli arms).</param>
    /// <param name="kind">How rewards are drawn.</param>
    /// <param name="standardDeviation">Noise of Gaussian arms.</param>
    public MultiArmedBandit(double[] means, BanditRewardKind kind = BanditRewardKind.Gaussian, double standardDeviation = 1.0)
        : base(new Box(0f, 0f, 1), new Discrete(Math.Max(means?.Length ?? 0, 1)))
    {
        if (means is null || means.Length == 0)
            throw new PolicyLabException("A bandit needs at least one arm; pass the mean reward of each arm.");
        if (means.Any(m => !double.IsFinite(m)))
            throw new PolicyLabException($"Bandit arm means must be finite; got [{string.Join(", ", means)}].");
        if (kind == BanditRewardKind.Bernoulli && means.Any(m => m < 0 || m > 1))
            throw new PolicyLabException($"Bernoulli arm means are probabilities and must lie in [0, 1]; got [{string.Join(", ", means)}].");
        if (kind == BanditRewardKind.Gaussian && !(standardDeviation >= 0 && double.IsFinite(standardDeviation)))
            throw new PolicyLabException($"The Gaussian reward noise must be a finite non-negative standard deviation; got {standardDeviation}.");
        _means = (double[])means.Clone();
        _best = _means.Max();
        Kind = kind;
        StandardDeviation = standardDeviation;
    }

    /// <summary>Number of arms.</summary>
    public int ArmCount => _means.Length;

    /// <summary>Expected reward of each arm (a copy).</summary>
    public double[] Means => (double[])_means.Clone();

    /// <summary>How rewards are drawn.</summary>
    public BanditRewardKind Kind { get; }

    /// <summary>Noise of Gaussian arms.</summary>
    public double StandardDeviation { get; }

    /// <summary>Index of the arm with the highest mean (the first one on ties).</summary>
    public int BestArm => Array.IndexOf(_means, _best);

    /// <summary>The arm pulled in the latest step, or −1 since the reset.</summary>
    public int LastArm { get; private set; } = -1;

    /// <inheritdoc />
    public override bool CanSaveState => true; // the arms are fixed; the random stream is all that changes

    /// <inheritdoc />
    protected override void ResetState(ResetOptions? options) => LastArm = -1;

    /// <inheritdoc />
    protected override StepResult StepState(ReadOnlySpan<float> action)
    {
        float a = action[0];
        int arm = (int)a;
        if (arm != a || (uint)arm >= (uint)_means.Length)
            ThrowInvalidDiscreteAction(a, _means.Length);
        double mean = _means[arm];
        double reward = Kind switch
        {
            BanditRewardKind.Deterministic => mean,
            BanditRewardKind.Gaussian => mean + StandardDeviation * Random.Normal(),
            _ => Random.NextDouble() < mean ? 1.0 : 0.0,
        };
        LastArm = arm;
        Info.Set(InfoKeys.ArmMean, mean);
        Info.Set(InfoKeys.Regret, _best - mean);
        return new StepResult(reward, true, false);
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation) => observation[0] = 0f;

    /// <summary>Draws a 600×400 frame: one grey bar per arm (height ∝ mean), the last pulled arm in blue.</summary>
    public override RgbFrame Render()
    {
        const int width = 600, height = 400;
        var canvas = new Canvas(width, height);
        canvas.Clear(RgbColor.White);
        double low = Math.Min(0, _means.Min()), high = Math.Max(_means.Max(), low + 1e-9);
        double baseline = height - 20 - (0 - low) / (high - low) * (height - 40);
        double slot = (double)width / _means.Length;
        for (int i = 0; i < _means.Length; i++)
        {
            double top = height - 20 - (_means[i] - low) / (high - low) * (height - 40);
            var color = i == LastArm ? new RgbColor(50, 90, 200) : new RgbColor(160, 160, 160);
            canvas.FillRectangle(i * slot + slot * 0.15, Math.Min(top, baseline), (i + 1) * slot - slot * 0.15, Math.Max(top, baseline), color);
        }
        canvas.DrawLine(0, baseline, width, baseline, 1, RgbColor.Black);
        return canvas.Frame;
    }
}
