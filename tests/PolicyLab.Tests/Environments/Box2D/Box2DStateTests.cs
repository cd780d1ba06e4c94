using PolicyLab.Environments;
using PolicyLab.Environments.Box2D;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Tests.Environments.Box2D;

public class Box2DStateTests
{
    private static IEnvironment Make(string id) => EnvironmentRegistry.Make(id);

    private static void RandomAction(IEnvironment env, Rng rng, float[] action)
    {
        if (env.ActionSpace is PolicyLab.Environments.Spaces.Discrete)
            action[0] = rng.NextInt(4);
        else
            rng.FillUniform(action, -1f, 1f);
    }

    [Theory]
    [InlineData("LunarLander-v3", 70)]
    [InlineData("LunarLanderContinuous-v3", 55)]
    [InlineData("BipedalWalker-v3", 60)]
    [InlineData("BipedalWalkerHardcore-v3", 45)]
    [InlineData("CarRacing-v3", 40)]
    public void A_state_saved_mid_episode_and_loaded_into_a_fresh_environment_continues_bit_identically(string id, int before)
    {
        using IEnvironment original = Make(id);
        var stateful = (IStatefulEnvironment)original;
        Assert.True(stateful.CanSaveState);
        int obsSize = original.ObservationSpace.FlatSize, actSize = original.ActionSpace.FlatSize;
        var obs = new float[obsSize];
        var action = new float[actSize];
        var rng = new Rng(4UL);
        original.Reset(obs, seed: 12);
        for (int t = 0; t < before; t++)
        {
            RandomAction(original, rng, action);
            if (original.Step(action, obs).Done)
                original.Reset(obs);
        }
        var state = new StateDictionary();
        stateful.SaveState(state, "env");
        string path = Path.Combine(Path.GetTempPath(), $"policylab-box2d-state-{id}-{Environment.ProcessId}.safetensors");
        state.Save(path);
        StateDictionary loaded = StateDictionary.Load(path);
        File.Delete(path);

        using IEnvironment restored = Make(id);
        ((IStatefulEnvironment)restored).LoadState(loaded, "env");
        var obsA = new float[obsSize];
        var obsB = new float[obsSize];
        var actions = new Rng(77UL);
        int episodesEnded = 0;
        for (int t = 0; t < 200; t++)
        {
            RandomAction(original, actions, action);
            StepResult a = original.Step(action, obsA);
            StepResult b = restored.Step(action, obsB);
            Assert.Equal(obsA, obsB);
            Assert.Equal(a, b);
            if (a.Done)
            {
                // The next episode comes from the same restored random stream.
                original.Reset(obsA);
                restored.Reset(obsB);
                Assert.Equal(obsA, obsB);
                episodesEnded++;
            }
        }
        if (id.StartsWith("Lunar", StringComparison.Ordinal))
            Assert.True(episodesEnded > 0, "random landers should end an episode within 200 steps (resets must also match)");
    }

    [Fact]
    public void A_lander_with_a_scripted_random_source_cannot_save_and_a_foreign_state_is_refused()
    {
        using var scripted = new LunarLander { RandomSource = new ScriptedRandomSource(Enumerable.Repeat(0.1, 100)) };
        Assert.False(scripted.CanSaveState);

        using var walker = new BipedalWalker();
        walker.Reset(new float[24], seed: 1);
        walker.Step([0.1f, 0.2f, 0.3f, 0.4f], new float[24]);
        var state = new StateDictionary();
        walker.SaveState(state, "env");
        using var lander = new LunarLander(continuous: true);
        var error = Assert.Throws<PolicyLabException>(() => lander.LoadState(state, "env"));
        Assert.Contains("LunarLander", error.Message);
    }
}
