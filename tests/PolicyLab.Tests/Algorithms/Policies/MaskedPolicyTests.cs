using PolicyLab.Algorithms.Policies;
using PolicyLab.Algorithms.Policies.Distributions;
using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;
using static PolicyLab.Tests.Numerics.Distributions.Reference;
using static PolicyLab.Tests.Numerics.GradientCheck;

namespace PolicyLab.Tests.Algorithms.Policies;

/// <summary>Action masks in the actor-critic policy: acting never takes a forbidden action, and log-probabilities and
/// entropies are those of the distribution renormalized over the allowed actions, on the tape and when acting.</summary>
public class MaskedPolicyTests
{
    private const int Batch = 3;
    private static readonly Box Observations = new(-1f, 1f, 4);

    // Discrete(4): row 0 allows {0, 2}, row 1 allows {3}, row 2 allows all.
    private static readonly bool[] DiscreteMasks = [true, false, true, false, false, false, false, true, true, true, true, true];

    // MultiDiscrete([3 2]): row 0 allows {1, 2} × {0, 1}, row 1 {0} × {1}, row 2 everything.
    private static readonly bool[] MultiMasks = [false, true, true, true, true, true, false, false, false, true, true, true, true, true, true];

    private static ActorCriticPolicy Policy(Space actions, ulong seed)
    {
        var policy = new ActorCriticPolicy(Observations, actions, new PolicyNetworkSettings([8], [8]), new Rng(seed));
        // Larger head weights than the 0.01 initialization, so the logits differ clearly between actions.
        Span<float> w = policy.Actor.Head.Weight.Value;
        var rng = new Rng(seed + 100);
        for (int i = 0; i < w.Length; i++) w[i] = (float)rng.Uniform(-2, 2);
        return policy;
    }

    private static float[] Inputs(ulong seed) => Values(Batch * 4, seed, -1, 1);

    private static float[] Floats(bool[] masks) => [.. masks.Select(m => m ? 1f : 0f)];

    [Fact]
    public void Discrete_masked_log_prob_and_entropy_match_the_renormalized_closed_form()
    {
        ActorCriticPolicy policy = Policy(new Discrete(4), 1);
        float[] obs = Inputs(2);
        var heads = new float[Batch * 4];
        var actions = new float[Batch];
        var logProbs = new float[Batch];
        policy.Act(obs, Batch, deterministic: false, new Rng(3), actions, logProbs, heads, DiscreteMasks);

        var tape = new Tape();
        Tensor? masks = policy.Masks(tape, Floats(DiscreteMasks), Batch);
        Assert.NotNull(masks);
        (_, Tensor logp, Tensor entropy) = policy.Evaluate(tape, tape.Constant(obs, new Shape(Batch, 4)), policy.Actions(tape, actions, Batch), masks);
        for (int r = 0; r < Batch; r++)
        {
            bool[] allowed = DiscreteMasks[(r * 4)..(r * 4 + 4)];
            Assert.True(allowed[(int)actions[r]], $"row {r} took forbidden action {actions[r]}");
            double[] reference = LogSoftmax(heads.AsSpan(r * 4, 4), allowed);
            Close(reference[(int)actions[r]], logProbs[r], "acting log-prob");
            Close(reference[(int)actions[r]], logp[r], "tape log-prob");
            Close(CategoricalEntropy([.. reference.Where((_, k) => allowed[k])]), entropy[r], "entropy over the allowed set");
        }
        // Row 1 allows one action: it is certain, so log-prob and entropy are 0.
        Assert.Equal(3f, actions[1]);
        Close(0, logp[1], "certain action");
        Close(0, entropy[1], "certain entropy");
    }

    [Fact]
    public void Multi_discrete_masks_apply_per_component()
    {
        ActorCriticPolicy policy = Policy(new MultiDiscrete(3, 2), 4);
        float[] obs = Inputs(5);
        var heads = new float[Batch * 5];
        var actions = new float[Batch * 2];
        var logProbs = new float[Batch];
        var tape = new Tape();
        for (int trial = 0; trial < 50; trial++)
        {
            policy.Act(obs, Batch, deterministic: false, new Rng((ulong)trial), actions, logProbs, heads, MultiMasks);
            tape.Reset();
            (_, Tensor logp, Tensor entropy) = policy.Evaluate(tape, tape.Constant(obs, new Shape(Batch, 4)), policy.Actions(tape, actions, Batch),
                policy.Masks(tape, Floats(MultiMasks), Batch));
            for (int r = 0; r < Batch; r++)
            {
                bool[] first = MultiMasks[(r * 5)..(r * 5 + 3)], second = MultiMasks[(r * 5 + 3)..(r * 5 + 5)];
                Assert.True(first[(int)actions[r * 2]] && second[(int)actions[r * 2 + 1]], $"row {r} took a forbidden value");
                double[] l0 = LogSoftmax(heads.AsSpan(r * 5, 3), first), l1 = LogSoftmax(heads.AsSpan(r * 5 + 3, 2), second);
                double expected = l0[(int)actions[r * 2]] + l1[(int)actions[r * 2 + 1]];
                Close(expected, logProbs[r], "acting log-prob");
                Close(expected, logp[r], "tape log-prob");
                Close(CategoricalEntropy([.. l0.Where((_, k) => first[k])]) + CategoricalEntropy([.. l1.Where((_, k) => second[k])]), entropy[r], "entropy");
            }
        }
        // Deterministic acting picks the best allowed value of each component.
        policy.Act(obs, Batch, deterministic: true, new Rng(0), actions, logProbs, heads, MultiMasks);
        Assert.Equal(0f, actions[2]);
        Assert.Equal(1f, actions[3]);
    }

    [Fact]
    public void Masked_log_prob_and_entropy_gradients_match_finite_differences()
    {
        var categorical = ActionDistribution.For(new Discrete(4));
        var multi = ActionDistribution.For(new MultiDiscrete(3, 2));
        float[] discreteActions = [2, 3, 1], multiActions = [1, 0, 0, 1, 2, 1];
        Check((t, x) => categorical.OnTape(x[0], null, t.Constant(Floats(DiscreteMasks), new Shape(Batch, 4))).LogProb(t.Constant(discreteActions)),
            (Values(Batch * 4, 11), new Shape(Batch, 4)));
        Check((t, x) => categorical.OnTape(x[0], null, t.Constant(Floats(DiscreteMasks), new Shape(Batch, 4))).Entropy(),
            (Values(Batch * 4, 12), new Shape(Batch, 4)));
        Check((t, x) => multi.OnTape(x[0], null, t.Constant(Floats(MultiMasks), new Shape(Batch, 5))).LogProb(t.Constant(multiActions, new Shape(Batch, 2))),
            (Values(Batch * 5, 13), new Shape(Batch, 5)));
        Check((t, x) => multi.OnTape(x[0], null, t.Constant(Floats(MultiMasks), new Shape(Batch, 5))).Entropy(),
            (Values(Batch * 5, 14), new Shape(Batch, 5)));
    }

    [Fact]
    public void Sampling_never_takes_a_forbidden_action_and_follows_the_renormalized_probabilities()
    {
        ActorCriticPolicy policy = Policy(new Discrete(4), 7);
        float[] obs = Inputs(8)[..4];
        bool[] mask = DiscreteMasks[..4];
        var heads = new float[4];
        var action = new float[1];
        var logProb = new float[1];
        var counts = new int[4];
        var rng = new Rng(9);
        const int n = 20_000;
        for (int i = 0; i < n; i++)
        {
            policy.Act(obs, 1, deterministic: false, rng, action, logProb, heads, mask);
            counts[(int)action[0]]++;
        }
        Assert.Equal(0, counts[1]);
        Assert.Equal(0, counts[3]);
        double p0 = Math.Exp(LogSoftmax(heads, mask)[0]);
        Assert.InRange(counts[0] / (double)n, p0 - 0.015, p0 + 0.015);
    }

    [Fact]
    public void Masks_of_the_wrong_length_or_without_an_allowed_action_are_refused()
    {
        ActorCriticPolicy policy = Policy(new Discrete(4), 1);
        float[] obs = Inputs(2);
        var actions = new float[Batch];
        var e = Assert.Throws<PolicyLabException>(() => policy.Act(obs, Batch, false, new Rng(0), actions, default, default, DiscreteMasks.AsSpan(0, 9)));
        Assert.Contains("9 flags", e.Message);
        Assert.Contains("3 × 4 = 12", e.Message);
        bool[] none = (bool[])DiscreteMasks.Clone();
        none[0] = none[2] = false;
        e = Assert.Throws<PolicyLabException>(() => policy.Act(obs, Batch, false, new Rng(0), actions, default, default, none));
        Assert.Contains("allows no action", e.Message);
        Assert.Contains("row 0", e.Message);

        ActorCriticPolicy multi = Policy(new MultiDiscrete(3, 2), 1);
        bool[] noSecond = (bool[])MultiMasks.Clone();
        noSecond[3] = noSecond[4] = false;
        e = Assert.Throws<PolicyLabException>(() => multi.Act(obs, Batch, false, new Rng(0), new float[Batch * 2], default, default, noSecond));
        Assert.Contains("component 1", e.Message);

        ActorCriticPolicy gaussian = Policy(new Box(-1f, 1f, 2), 1);
        e = Assert.Throws<PolicyLabException>(() => gaussian.Act(obs, Batch, false, new Rng(0), new float[Batch * 2], default, default, DiscreteMasks));
        Assert.Contains("Discrete and MultiDiscrete", e.Message);
    }
}
