using PolicyLab.Tuning;

namespace PolicyLab.Tests.Tuning;

public sealed class PrunerTests
{
    private static TrialRecord Trial(int number, TrialState state, params double[] values) =>
        new(number, state, state == TrialState.Running ? null : values[^1], new Dictionary<string, double>(),
            [.. values.Select((v, i) => new IntermediateValue(i + 1, v, (i + 1) * 100))], values.Length * 100, null);

    [Fact]
    public void The_median_rule_prunes_below_the_median_of_complete_trials_after_warm_up_and_startup()
    {
        TrialRecord[] complete = [Trial(0, TrialState.Complete, 10, 20, 30), Trial(1, TrialState.Complete, 20, 40, 60), Trial(2, TrialState.Complete, 30, 60, 90)];
        var pruner = new MedianPruner(startupTrials: 3, warmupSteps: 2);
        TrialRecord low = Trial(3, TrialState.Running, 5);
        Assert.False(pruner.ShouldPrune(low, [.. complete, low])); // step 1 < warm-up
        low = Trial(3, TrialState.Running, 5, 39);
        Assert.True(pruner.ShouldPrune(low, [.. complete, low])); // best 39 < median 40 at step 2
        TrialRecord fine = Trial(3, TrialState.Running, 5, 41);
        Assert.False(pruner.ShouldPrune(fine, [.. complete, fine]));
        TrialRecord earlyBest = Trial(3, TrialState.Running, 45, 0); // the best value so far counts, not the last
        Assert.False(pruner.ShouldPrune(earlyBest, [.. complete, earlyBest]));
        Assert.False(new MedianPruner(startupTrials: 4, warmupSteps: 2).ShouldPrune(low, [.. complete, low])); // too few complete trials
        TrialRecord nan = Trial(3, TrialState.Running, double.NaN, double.NaN);
        Assert.True(pruner.ShouldPrune(nan, [.. complete, nan]));
        Assert.Equal(2.5, MedianPruner.Median([4, 1, 2, 3]));
    }

    [Fact]
    public void Successive_halving_keeps_the_top_quarter_at_each_rung()
    {
        var pruner = new SuccessiveHalvingPruner(minResource: 1, reductionFactor: 4);
        Assert.Equal([1L, 4, 16], [pruner.RungStep(0), pruner.RungStep(1), pruner.RungStep(2)]);
        // Eight trials reached rung 0 (step 1) with values 1…8; a newcomer is the ninth: ⌊9/4⌋ = 2, so it must be ≥ the 2nd best (7).
        TrialRecord[] others = [.. Enumerable.Range(0, 8).Select(i => Trial(i, TrialState.Pruned, i + 1.0))];
        TrialRecord good = Trial(8, TrialState.Running, 7.5), bad = Trial(8, TrialState.Running, 6.5);
        Assert.False(pruner.ShouldPrune(good, [.. others, good]));
        Assert.True(pruner.ShouldPrune(bad, [.. others, bad]));
        // Between rungs nothing is decided (step 2 and 3 reach no new rung).
        TrialRecord between = Trial(8, TrialState.Running, 7.5, 0.0);
        Assert.False(pruner.ShouldPrune(between, [.. others, between]));
        // The first trial at a rung (⌊1/4⌋ = 0) continues when it is the best so far, which it is.
        TrialRecord first = Trial(0, TrialState.Running, 1.0);
        Assert.False(pruner.ShouldPrune(first, [first]));
        Assert.True(pruner.ShouldPrune(Trial(9, TrialState.Running, double.NaN), others));
    }
}
