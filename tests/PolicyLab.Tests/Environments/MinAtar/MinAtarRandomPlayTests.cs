using PolicyLab.Environments;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Tests.Environments.MinAtar;

public class MinAtarRandomPlayTests
{
    [Theory]
    [InlineData("MinAtar/Asterix-v0")]
    [InlineData("MinAtar/SpaceInvaders-v0")]
    [InlineData("MinAtar/Seaquest-v0")]
    public void Long_random_play_keeps_a_binary_image_with_one_player_cell(string id)
    {
        using IEnvironment env = EnvironmentRegistry.Make(id);
        int channels = env.ObservationSpace.Shape[2], actions = ((Discrete)env.ActionSpace).Count;
        var obs = new float[env.ObservationSpace.FlatSize];
        var rng = new PolicyLab.Numerics.Rng(11);
        env.Reset(obs, 11);
        int episodes = 0;
        double score = 0;
        for (int t = 0; t < 20_000; t++)
        {
            StepResult r = env.Step([rng.NextInt(actions)], obs);
            score += r.Reward;
            Assert.All(obs, v => Assert.True(v is 0f or 1f));
            int players = 0;
            for (int i = 0; i < obs.Length; i += channels) players += (int)obs[i];
            Assert.Equal(1, players); // channel 0 is the player (front cell for Seaquest), exactly once
            if (r.Done) { env.Reset(obs); episodes++; }
        }
        Assert.True(episodes > 0, "random play should lose at least once in 20 000 frames");
        Assert.True(score > 0, "random play should score at least once in 20 000 frames");
    }
}
