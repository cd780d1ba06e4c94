using PolicyLab.Environments;
using PolicyLab.Environments.Diagnostics;
using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Vector;
using PolicyLab.Environments.Wrappers;
using PolicyLab.Numerics;

namespace PolicyLab.Tests.Environments;

/// <summary>Action masks from environments: through wrappers, per copy in vector environments (also across
/// autoresets), and clear errors for malformed masks.</summary>
public class ActionMaskingTests
{
    [Fact]
    public void The_registry_task_exposes_its_mask_through_the_time_limit_and_the_masks_false_variant_does_not()
    {
        using IEnvironment env = EnvironmentRegistry.Make("MaskedChoice-v0");
        env.Reset(new float[env.ObservationSpace.FlatSize], seed: 3);
        bool[] mask = ActionMasking.Current(env);
        Assert.Equal(8, mask.Length);
        Assert.Equal(2, mask.Count(m => m));
        using IEnvironment plain = EnvironmentRegistry.Make("MaskedChoice-v0", new Dictionary<string, object> { ["masks"] = false });
        Assert.Null(ActionMasking.Find(plain));
    }

    [Fact]
    public void Vector_masks_follow_every_copy_and_its_autoreset()
    {
        using var env = new SyncVectorEnvironment(() => EnvironmentRegistry.Make("MaskedChoice-v0", maxEpisodeSteps: 3), 3);
        env.Reset(seed: 5);
        Assert.NotNull(env.ActionMasks);
        var rng = new Rng(1);
        var actions = new float[3];
        for (int step = 0; step < 10; step++)
        {
            for (int i = 0; i < 3; i++)
            {
                bool[] row = env.ActionMasks!.AsSpan(i * 8, 8).ToArray();
                // The vector's row is the copy's current mask, and the observation's first 8 floats are the same flags.
                Assert.Equal(ActionMasking.Current(env.Environments[i]), row);
                for (int k = 0; k < 8; k++) Assert.Equal(row[k] ? 1f : 0f, env.Observations[i * 8 + k]);
                int allowed = Enumerable.Range(0, 8).Where(k => row[k]).ElementAt(rng.NextInt(2));
                actions[i] = allowed;
            }
            env.Step(actions);
            for (int i = 0; i < 3; i++)
                if (env.Truncated[i])
                    for (int k = 0; k < 8; k++)   // the final mask belongs to the final observation
                        Assert.Equal(env.FinalActionMasks![i * 8 + k] ? 1f : 0f, env.FinalObservations[i * 8 + k]);
        }
    }

    [Fact]
    public void Multi_discrete_masks_have_one_block_per_component()
    {
        using IEnvironment env = EnvironmentRegistry.Make("MaskedChoice-v0", new Dictionary<string, object> { ["components"] = 3.0, ["values"] = 4.0 });
        env.Reset(new float[env.ObservationSpace.FlatSize], seed: 0);
        Assert.Equal(new MultiDiscrete(4, 4, 4).ToString(), env.ActionSpace.ToString());
        bool[] mask = ActionMasking.Current(env);
        Assert.Equal(12, mask.Length);
        for (int c = 0; c < 3; c++) Assert.Equal(2, mask.Skip(4 * c).Take(4).Count(m => m));
    }

    [Fact]
    public void A_mask_of_the_wrong_length_is_an_error_naming_both_lengths()
    {
        using var env = new SyncVectorEnvironment(() => new FixedMask(new bool[5]), 2);
        var e = Assert.Throws<PolicyLabException>(() => env.Reset());
        Assert.Contains("5 flags", e.Message);
        Assert.Contains("needs 4", e.Message);
    }

    [Fact]
    public void A_mask_that_allows_no_action_is_an_error()
    {
        using var env = new SyncVectorEnvironment(() => new FixedMask(new bool[4]), 2);
        var e = Assert.Throws<PolicyLabException>(() => env.Reset());
        Assert.Contains("allows no action", e.Message);
        Assert.Contains("copy 0", e.Message);
    }

    [Fact]
    public void Copies_must_all_provide_masks_or_none()
    {
        int made = 0;
        var e = Assert.Throws<PolicyLabException>(() => new SyncVectorEnvironment(
            () => made++ == 0 ? new FixedMask([true, true, false, false]) : new MaskedChoice(values: 4), 2));
        Assert.Contains("Copy 1", e.Message);
    }

    [Fact]
    public void A_wrapper_that_changes_the_action_space_hides_the_mask()
    {
        var inner = new FixedMask([true, false, true, true]);
        Assert.NotNull(ActionMasking.Find(new TimeLimit(inner, 10)));
        Assert.Null(ActionMasking.Find(new OtherActions(new FixedMask([true, false, true, true]))));
    }

    [Fact]
    public void Strict_task_refuses_a_forbidden_action()
    {
        using IEnvironment env = EnvironmentRegistry.Make("MaskedChoice-v0", new Dictionary<string, object> { ["strict"] = true });
        var obs = new float[env.ObservationSpace.FlatSize];
        env.Reset(obs, seed: 1);
        int forbidden = Array.IndexOf(ActionMasking.Current(env), false);
        var e = Assert.Throws<PolicyLabException>(() => env.Step([forbidden], obs));
        Assert.Contains("forbids", e.Message);
    }

    private sealed class FixedMask(bool[] mask) : MaskedChoice(values: 4), IActionMaskProvider
    {
        public ReadOnlySpan<bool> ActionMask => mask;
    }

    private sealed class OtherActions(IEnvironment inner) : EnvironmentWrapper(inner)
    {
        public override Space ActionSpace { get; } = new Discrete(2);
    }
}
