using PolicyLab.Algorithms.Policies;
using PolicyLab.Algorithms.Policies.Distributions;
using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;

namespace PolicyLab.Tests.Algorithms.Policies;

/// <summary>The on-policy gSDE family inside <see cref="ActorCriticPolicy"/>: noise as a function of the state, one
/// exploration matrix per environment copy, redrawn reproducibly, log-probabilities that agree between acting and
/// training, and the feature gradient kept out unless asked for.</summary>
public sealed class StateDependentExplorationTests
{
    private static readonly Box Observations = new(-1f, 1f, 3), Actions = new(-2f, 2f, 2);

    private static ActorCriticPolicy Policy(bool learnFeatures = false, bool fullStd = true, ulong seed = 1) =>
        new(Observations, Actions, new PolicyNetworkSettings([8, 5], [8], LogStdInit: -0.5f,
            Sde: new StateDependentExploration(FullStd: fullStd, LearnFeatures: learnFeatures)), new Rng(seed));

    [Fact]
    public void Use_sde_with_a_discrete_action_space_is_a_clear_error()
    {
        var e = Assert.Throws<PolicyLabException>(() => new ActorCriticPolicy(Observations, new Discrete(3),
            new PolicyNetworkSettings([8], [8], Sde: new StateDependentExploration()), new Rng(0UL)));
        Assert.Contains("use_sde needs a Box", e.Message, StringComparison.Ordinal);
        Assert.Contains("Discrete(3)", e.Message, StringComparison.Ordinal);
        Assert.Contains("use_sde=false", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_family_reads_the_last_hidden_layer_and_learns_a_matrix_of_log_std(bool fullStd)
    {
        ActorCriticPolicy policy = Policy(fullStd: fullStd);
        var gsde = Assert.IsType<StateDependentNoiseActions>(policy.Distribution);
        Assert.Equal(5, gsde.FeatureSize);
        Assert.Equal(2 + 5, policy.HeadSize);
        Assert.Equal(2, policy.Actor.Outputs);
        Assert.Equal(fullStd ? 5 * 2 : 5, policy.LogStd!.Length);
        Assert.All(policy.LogStd.Value.ToArray(), v => Assert.Equal(-0.5f, v));
    }

    [Fact]
    public void Within_one_matrix_the_noise_is_a_function_of_the_state_and_each_copy_has_its_own()
    {
        ActorCriticPolicy policy = Policy();
        var rng = new Rng(2UL);
        float[] obs = [0.3f, -0.2f, 0.7f, 0.3f, -0.2f, 0.7f]; // the same observation for two copies
        float[] first = new float[4], again = new float[4], logp = new float[2];
        policy.ResetNoise(2, rng);
        policy.Act(obs, 2, deterministic: false, rng, first, logp);
        policy.Act(obs, 2, deterministic: false, rng, again, default);
        Assert.Equal(first, again);                                   // same state, same matrix → same action
        Assert.NotEqual(first.AsSpan(0, 2).ToArray(), first.AsSpan(2, 2).ToArray()); // two copies, two matrices
        policy.ResetNoise(2, rng);
        policy.Act(obs, 2, deterministic: false, rng, again, default);
        Assert.NotEqual(first, again);                                // a new matrix → new noise

        // Acting's log-probability is the one the loss computes on the tape.
        policy.ResetNoise(2, rng);
        policy.Act(obs, 2, deterministic: false, rng, first, logp);
        var tape = new Tape();
        (_, Tensor logProb, _) = policy.Evaluate(tape, tape.Constant(obs, new Shape(2, 3)), policy.Actions(tape, first, 2));
        for (int i = 0; i < 2; i++) Assert.Equal(logp[i], logProb.Data[i], 1e-5f);
    }

    [Fact]
    public void Matrices_are_redrawn_reproducibly_from_the_stream()
    {
        ActorCriticPolicy a = Policy(), b = Policy();
        var ra = new Rng(3UL);
        var rb = new Rng(3UL);
        for (int k = 0; k < 3; k++)
        {
            a.ResetNoise(4, ra);
            b.ResetNoise(4, rb);
        }
        var ga = (StateDependentNoiseActions)a.Distribution;
        var gb = (StateDependentNoiseActions)b.Distribution;
        Assert.Equal(4 * 5 * 2, ga.Matrices.Length);
        Assert.True(ga.Matrices.SequenceEqual(gb.Matrices));
        Assert.Equal(ra.NextUInt64(), rb.NextUInt64());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_features_get_the_noise_gradient_only_when_learned(bool learnFeatures)
    {
        // H(π) depends on the state only through σ̂(z): its gradient reaches the hidden layers only through z.
        ActorCriticPolicy policy = Policy(learnFeatures);
        var tape = new Tape();
        policy.Store.ZeroGradients();
        tape.Backward(policy.DistributionAt(tape, tape.Constant([0.3f, -0.2f, 0.7f, -0.5f, 0.1f, 0.9f], new Shape(2, 3))).Entropy().Sum());
        float hidden = 0;
        foreach (float g in policy.Actor.Layers[0].Weight.Gradient) hidden += Math.Abs(g);
        float logStd = 0;
        foreach (float g in policy.LogStd!.Gradient) logStd += Math.Abs(g);
        Assert.True(logStd > 0, "log σ gets the entropy's gradient");
        if (learnFeatures) Assert.True(hidden > 0, "learned features get the noise's gradient");
        else Assert.Equal(0f, hidden);
    }

    [Fact]
    public void Natural_gradient_methods_refuse_gsde()
    {
        ActorCriticPolicy policy = Policy();
        var e = Assert.Throws<PolicyLabException>(() => policy.FisherVectorProduct(new float[3], 1, new float[policy.Store.Count],
            new float[policy.Store.Count], new Tape()));
        Assert.Contains("use_sde", e.Message, StringComparison.Ordinal);
    }
}
