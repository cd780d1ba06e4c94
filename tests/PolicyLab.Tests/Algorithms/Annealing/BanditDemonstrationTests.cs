using PolicyLab.Algorithms.Annealing;

namespace PolicyLab.Tests.Algorithms.Annealing;

public class BanditDemonstrationTests
{
    [Fact]
    public void Boltzmann_target_is_softmax_of_rewards_over_temperature()
    {
        double[] p = BanditDemonstration.Boltzmann();
        Assert.Equal(0.10651, p[0], 4);
        Assert.Equal(0.10651, p[1], 4);
        Assert.Equal(0.78699, p[2], 4);
    }

    [Fact]
    public void Annealing_converges_to_Boltzmann_and_stops_while_the_entropy_bonus_keeps_moving()
    {
        double[] target = BanditDemonstration.Boltzmann();
        int fluctuating = 0;
        for (ulong seed = 0; seed < 10; seed++)
        {
            BanditTrace annealing = BanditDemonstration.Run(BanditMethod.AnnealingRegularizer, seed);
            Assert.True(annealing.MaxDeviation(target) < 1e-4, $"seed {seed}: deviation {annealing.MaxDeviation(target)}");
            Assert.True(annealing.MaxStepChange(200, 300) < 1e-5, $"seed {seed}: step change {annealing.MaxStepChange(200, 300)}");

            BanditTrace entropy = BanditDemonstration.Run(BanditMethod.EntropyBonus, seed);
            if (entropy.StdOfBest(200, 300) > 0.01) fluctuating++;
        }
        Assert.True(fluctuating >= 7, $"the entropy bonus fluctuated (std p(C) > 0.01) in only {fluctuating}/10 seeds");
    }

    [Fact]
    public void Plain_policy_gradient_collapses_onto_the_best_arm()
    {
        BanditTrace pg = BanditDemonstration.Run(BanditMethod.PolicyGradient, 0);
        Assert.True(pg.Final[2] > 0.95, $"p(C) = {pg.Final[2]}");
    }

    [Fact]
    public void Same_seed_same_trace()
    {
        Assert.Equal(BanditDemonstration.Run(BanditMethod.EntropyBonus, 3).Final, BanditDemonstration.Run(BanditMethod.EntropyBonus, 3).Final);
    }
}
