using PolicyLab.Tuning;

namespace PolicyLab.Tests.Tuning;

public sealed class SearchSpaceTests
{
    [Fact]
    public void The_default_spaces_are_valid_for_their_algorithms()
    {
        foreach (string algorithm in DefaultSearchSpaces.Algorithms)
            SearchSpace.ForAlgorithm(algorithm).CheckAgainst(algorithm, algorithm); // every target exists and every value is accepted
        SearchSpace ppo = SearchSpace.ForAlgorithm("ppo");
        Assert.Contains(ppo.Parameters, p => p.Name == "n_steps");
        Assert.DoesNotContain(SearchSpace.ForAlgorithm("sac").Parameters, p => p.Name == "n_steps");
        IReadOnlyList<KeyValuePair<string, string>> settings = ppo.ToSettings(new Dictionary<string, double>
        {
            ["one_minus_gamma"] = 0.02, ["net_arch"] = 1, ["batch_size"] = 3,
        });
        Assert.Contains(new KeyValuePair<string, string>("gamma", "0.98"), settings);
        Assert.Contains(new KeyValuePair<string, string>("policy_layers", "[64, 64]"), settings);
        Assert.Contains(new KeyValuePair<string, string>("value_layers", "[64, 64]"), settings);
        Assert.Contains(new KeyValuePair<string, string>("batch_size", "32"), settings);
        PolicyLabException none = Assert.Throws<PolicyLabException>(() => SearchSpace.ForAlgorithm("cem"));
        Assert.Contains("--space", none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_yaml_file_overrides_removes_and_adds_parameters()
    {
        SearchSpace space = SearchSpace.ForAlgorithm("ppo").WithOverrides("""
            n_steps: {type: categorical, choices: [16, 32, 64]}
            ent_coef: off
            net_arch: off
            activation: off
            vf_coef: {type: float, low: 0.2, high: 1.0}
            target_kl: {type: float, low: 0.005, high: 0.05, log: true, when: {clip_range: [0.1, 0.2]}}
            """, "space.yaml");
        space.CheckAgainst("ppo", "space.yaml");
        Assert.Equal(["16", "32", "64"], space.Find("n_steps")!.Choices);
        Assert.Null(space.Find("ent_coef"));
        Assert.Equal("clip_range", space.Find("target_kl")!.WhenParameter);
        SearchSpace only = SearchSpace.ForAlgorithm("ppo").WithOverrides("defaults: false\nlearning_rate: {type: float, low: 1e-4, high: 1e-2, log: true}\n", "s.yaml");
        Assert.Single(only.Parameters);
        Assert.Equal(space.ToJson(), SearchSpace.FromJson(space.ToJson(), "db").ToJson());
    }

    [Theory]
    [InlineData("learning_rate: {type: float, low: 1e-5, high: [", "not valid YAML")]
    [InlineData("- just\n- a list\n", "must be a mapping")]
    [InlineData("learning_rat: {type: float, low: 1e-5, high: 0.01}", "Did you mean 'learning_rate'")]
    [InlineData("lr: {type: float, low: 1e-5, high: 0.01, sets: [learning_rte]}", "Did you mean 'learning_rate'")]
    [InlineData("learning_rate: {type: float, lowest: 1e-5, high: 0.01}", "unknown field 'lowest'. The fields are type, low, high")]
    [InlineData("learning_rate: {type: float, low: 0.1, high: 0.01}", "low < high")]
    [InlineData("learning_rate: {type: float, low: 0, high: 0.01, log: true}", "low must be > 0")]
    [InlineData("learning_rate: {type: real, low: 0, high: 0.01}", "the types are float, int and categorical")]
    [InlineData("n_epochs: {type: categorical, choices: [1, many]}", "n_epochs does not accept")]
    [InlineData("seed: {type: int, low: 0, high: 9}", "the study fixes")]
    [InlineData("target_kl: {type: float, low: 0.01, high: 0.1, when: {clip: 0.2}}", "not a parameter of the space")]
    [InlineData("target_kl: {type: float, low: 0.01, high: 0.1, when: {clip_range: 0.25}}", "not one of its choices")]
    public void A_bad_search_space_file_is_refused_with_the_reason(string yaml, string expected)
    {
        PolicyLabException e = Assert.Throws<PolicyLabException>(() =>
            SearchSpace.ForAlgorithm("ppo").WithOverrides(yaml, "space.yaml").CheckAgainst("ppo", "space.yaml"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("space.yaml", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_parameter_that_drives_the_objective_gets_the_importance()
    {
        var space = new SearchSpace([SearchParameter.Float("x", 1e-4, 1, log: true), SearchParameter.Categorical("noise", ["a", "b"])]);
        var storage = new InMemoryStudyStorage();
        new Study(storage, space, new RandomSampler(2), new NoPruner(), 60).Optimize((t, _) => new TrialOutcome(Math.Log10(t.Values["x"]), false, 0));
        IReadOnlyList<KeyValuePair<string, double>> importance = ParameterImportance.Compute(space, storage.Trials());
        Assert.Equal("x", importance[0].Key);
        Assert.True(importance[0].Value > 0.9, $"x has importance {importance[0].Value}");
        Assert.Equal(1.0, importance.Sum(kv => kv.Value), 12);
    }
}
