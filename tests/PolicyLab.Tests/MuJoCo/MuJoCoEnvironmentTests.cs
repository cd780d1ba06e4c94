using PolicyLab.Environments;
using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Vector;
using PolicyLab.MuJoCo;
using Xunit.Abstractions;

namespace PolicyLab.Tests.MuJoCo;

public sealed class MuJoCoEnvironmentTests(ITestOutputHelper output)
{
    // id, observation size, action size, action bound, max episode steps (facts §1.2 and §1.4).
    public static TheoryData<string, int, int, float, int> Shapes => new()
    {
        { "Hopper-v4", 11, 3, 1f, 1000 }, { "Hopper-v5", 11, 3, 1f, 1000 },
        { "Walker2d-v4", 17, 6, 1f, 1000 }, { "Walker2d-v5", 17, 6, 1f, 1000 },
        { "HalfCheetah-v4", 17, 6, 1f, 1000 }, { "HalfCheetah-v5", 17, 6, 1f, 1000 },
        { "Ant-v4", 27, 8, 1f, 1000 }, { "Ant-v5", 105, 8, 1f, 1000 },
        { "Humanoid-v4", 376, 17, 0.4f, 1000 }, { "Humanoid-v5", 348, 17, 0.4f, 1000 },
        { "Swimmer-v4", 8, 2, 1f, 1000 }, { "Swimmer-v5", 8, 2, 1f, 1000 },
        { "InvertedPendulum-v4", 4, 1, 3f, 1000 }, { "InvertedPendulum-v5", 4, 1, 3f, 1000 },
        { "InvertedDoublePendulum-v4", 11, 1, 1f, 1000 }, { "InvertedDoublePendulum-v5", 9, 1, 1f, 1000 },
        { "Reacher-v4", 11, 2, 1f, 50 }, { "Reacher-v5", 10, 2, 1f, 50 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_id_makes_resets_steps_and_renders_with_Gymnasiums_spaces(string id, int observationSize, int actionSize, float bound, int limit)
    {
        if (!MuJoCoTestGuard.Available(output))
            return;
        using IEnvironment env = EnvironmentRegistry.Make(id);
        Assert.Equal(observationSize, env.ObservationSpace.FlatSize);
        var box = Assert.IsType<Box>(env.ActionSpace);
        Assert.Equal(actionSize, box.FlatSize);
        Assert.All(box.High.ToArray(), h => Assert.Equal(bound, h));
        Assert.All(box.Low.ToArray(), l => Assert.Equal(-bound, l));
        Assert.Equal(limit, env.Spec!.MaxEpisodeSteps);
        var obs = new float[observationSize];
        env.Reset(obs, seed: 3);
        Assert.All(obs, v => Assert.True(float.IsFinite(v)));
        var rng = new PolicyLab.Numerics.Rng(5);
        var action = new float[actionSize];
        for (int t = 0; t < 20; t++)
        {
            for (int i = 0; i < actionSize; i++) action[i] = (float)rng.Uniform(-bound, bound);
            StepResult r = env.Step(action, obs);
            Assert.True(double.IsFinite(r.Reward));
            if (r.Done) env.Reset(obs);
        }
        var frame = env.Render();
        Assert.Equal(480, frame.Width);
        // The picture has the robot in it: some pixels differ from both the sky and the floor colours.
        Assert.True(frame.Pixels.Distinct().Count() > 20, "the frame is nearly uniform");
    }

    [Theory]
    [InlineData("Hopper-v4")]
    [InlineData("Ant-v5")]
    [InlineData("Reacher-v5")]
    public void The_environment_checker_finds_no_violated_contract(string id)
    {
        if (!MuJoCoTestGuard.Available(output))
            return;
        using IEnvironment env = EnvironmentRegistry.Make(id);
        Assert.Empty(EnvironmentChecker.Check(env, seed: 0, maxSteps: 200, checkRender: false));
    }

    [Theory]
    [InlineData("Hopper-v5", new[] { "x_position", "x_velocity", "z_distance_from_origin", "reward_forward", "reward_ctrl", "reward_survive" })]
    [InlineData("HalfCheetah-v4", new[] { "x_position", "x_velocity", "reward_run", "reward_ctrl" })]
    [InlineData("Ant-v5", new[] { "reward_forward", "reward_ctrl", "reward_contact", "reward_survive", "x_position", "y_position", "distance_from_origin", "x_velocity", "y_velocity" })]
    [InlineData("Humanoid-v4", new[] { "reward_linvel", "reward_quadctrl", "reward_alive", "x_position", "y_position", "distance_from_origin", "x_velocity", "y_velocity", "forward_reward" })]
    [InlineData("Humanoid-v5", new[] { "reward_survive", "reward_forward", "reward_ctrl", "reward_contact", "tendon_length.left_hipknee", "tendon_velocity.right_hipknee" })]
    [InlineData("Reacher-v5", new[] { "reward_dist", "reward_ctrl" })]
    [InlineData("InvertedDoublePendulum-v5", new[] { "reward_survive", "distance_penalty", "velocity_penalty" })]
    public void Info_holds_the_reward_components(string id, string[] keys)
    {
        if (!MuJoCoTestGuard.Available(output))
            return;
        using IEnvironment env = EnvironmentRegistry.Make(id);
        var obs = new float[env.ObservationSpace.FlatSize];
        env.Reset(obs, seed: 1);
        var action = new float[env.ActionSpace.FlatSize];
        Array.Fill(action, 0.1f);
        StepResult r = env.Step(action, obs);
        foreach (string key in keys)
            Assert.True(env.Info.Contains(key), $"{id} info lacks {key}");
        // The components add up to the reward where Gymnasium defines them as its terms.
        if (id == "Hopper-v5")
            Assert.Equal(r.Reward, env.Info["reward_forward"] + env.Info["reward_ctrl"] + env.Info["reward_survive"], 12);
        if (id == "Ant-v5")
            Assert.Equal(r.Reward, env.Info["reward_forward"] + env.Info["reward_ctrl"] + env.Info["reward_contact"] + env.Info["reward_survive"], 12);
        if (id == "Reacher-v5")
            Assert.Equal(r.Reward, env.Info["reward_dist"] + env.Info["reward_ctrl"], 12);
    }

    [Fact]
    public void Same_seed_gives_bit_identical_episodes_and_reset_noise_follows_the_seed()
    {
        if (!MuJoCoTestGuard.Available(output))
            return;
        static (float[] Observations, double Return) Run(ulong seed)
        {
            using IEnvironment env = EnvironmentRegistry.Make("Ant-v5");
            var obs = new float[env.ObservationSpace.FlatSize];
            env.Reset(obs, seed: seed);
            var first = (float[])obs.Clone();
            var rng = new PolicyLab.Numerics.Rng(seed);
            var action = new float[8];
            double total = 0;
            for (int t = 0; t < 100; t++)
            {
                for (int i = 0; i < 8; i++) action[i] = (float)rng.Uniform(-1, 1);
                StepResult r = env.Step(action, obs);
                total += r.Reward;
                if (r.Done) break;
            }
            return ([.. first, .. obs], total);
        }
        var a = Run(7);
        var b = Run(7);
        var c = Run(8);
        Assert.Equal(a.Observations, b.Observations);
        Assert.Equal(a.Return, b.Return);
        Assert.NotEqual(a.Observations[..27], c.Observations[..27]);
    }

    [Fact]
    public void Reset_noise_has_Gymnasiums_scale()
    {
        if (!MuJoCoTestGuard.Available(output))
            return;
        using IEnvironment env = EnvironmentRegistry.Make("Hopper-v5");
        var raw = (MuJoCoEnvironment)env.Unwrapped();
        var obs = new float[11];
        double maxQpos = 0, maxQvel = 0;
        for (int k = 0; k < 200; k++)
        {
            env.Reset(obs, seed: (ulong)k);
            double[] qpos = raw.Qpos, qvel = raw.Qvel;
            maxQpos = Math.Max(maxQpos, Math.Abs(qpos[1] - 1.25));
            maxQvel = Math.Max(maxQvel, qvel.Max(Math.Abs));
        }
        // U(−0.005, 0.005): the extremes come close to 0.005 and never pass it.
        Assert.InRange(maxQpos, 0.0045, 0.005);
        Assert.InRange(maxQvel, 0.0045, 0.005);
    }

    [Fact]
    public void A_replay_from_a_recorded_state_reproduces_the_recording()
    {
        if (!MuJoCoTestGuard.Available(output))
            return;
        using IEnvironment env = EnvironmentRegistry.Make("HalfCheetah-v5", maxEpisodeSteps: 0);
        var raw = (MuJoCoEnvironment)env.Unwrapped();
        var obs = new float[17];
        env.Reset(obs, seed: 2);
        var rng = new PolicyLab.Numerics.Rng(2);
        var actions = new float[300][];
        double[] qpos = [], qvel = [];
        var recorded = new List<float[]>();
        for (int t = 0; t < 300; t++)
        {
            actions[t] = [.. Enumerable.Range(0, 6).Select(_ => (float)rng.Uniform(-1, 1))];
            if (t == 100) { qpos = raw.Qpos; qvel = raw.Qvel; }
            env.Step(actions[t], obs);
            if (t >= 100) recorded.Add((float[])obs.Clone());
        }
        // Replaying on another copy that has run a different episode (so its solver warm start differs).
        using IEnvironment other = EnvironmentRegistry.Make("HalfCheetah-v5", maxEpisodeSteps: 0);
        var otherRaw = (MuJoCoEnvironment)other.Unwrapped();
        other.Reset(obs, seed: 9);
        for (int t = 0; t < 50; t++) other.Step(actions[t], obs);
        otherRaw.SetState(qpos, qvel);
        for (int t = 100; t < 300; t++)
        {
            other.Step(actions[t], obs);
            Assert.Equal(recorded[t - 100], obs);
        }
    }

    [Fact]
    public void Copies_share_one_model_and_the_threaded_vector_is_bit_identical_to_the_synchronous_one()
    {
        if (!MuJoCoTestGuard.Available(output))
            return;
        static (float[] Obs, double[] Rewards) Run(Func<IVectorEnvironment> make)
        {
            using IVectorEnvironment vec = make();
            vec.Reset(11);
            var rng = new PolicyLab.Numerics.Rng(4);
            var actions = new float[vec.Count * vec.ActionSize];
            var rewards = new List<double>();
            for (int t = 0; t < 60; t++)
            {
                for (int i = 0; i < actions.Length; i++) actions[i] = (float)rng.Uniform(-1, 1);
                vec.Step(actions);
                rewards.AddRange(vec.Rewards);
            }
            return ((float[])vec.Observations.Clone(), [.. rewards]);
        }
        var sync = Run(() => new SyncVectorEnvironment("Walker2d-v4", 4));
        var one = Run(() => new ThreadedVectorEnvironment("Walker2d-v4", 4, threadCount: 1));
        var two = Run(() => new ThreadedVectorEnvironment("Walker2d-v4", 4, threadCount: 2));
        Assert.Equal(sync.Obs, one.Obs);
        Assert.Equal(sync.Obs, two.Obs);
        Assert.Equal(sync.Rewards, two.Rewards);
        using var copies = new SyncVectorEnvironment("Walker2d-v4", 3);
        var models = copies.Environments.Select(e => ((MuJoCoEnvironment)e.Unwrapped()).Model).Distinct().ToList();
        Assert.Single(models);
        Assert.Equal(3, copies.Environments.Select(e => ((MuJoCoEnvironment)e.Unwrapped()).Simulation).Distinct().Count());
    }

    [Theory]
    [InlineData("Hopper-v4", 5, 300)] // falls: terminations
    [InlineData("HalfCheetah-v4", 3, 1010)] // never falls: truncation at 1000 steps
    public void Threaded_vectors_match_the_synchronous_one_through_autoresets(string id, int copies, int steps)
    {
        if (!MuJoCoTestGuard.Available(output))
            return;
        (int terminations, int truncations) = PolicyLab.Tests.Environments.Vector.ThreadedEquivalence.AssertBitIdentical(
            id, copies, threads: 2, steps, seed: 5, (rng, actions) =>
            {
                for (int i = 0; i < actions.Length; i++) actions[i] = (float)rng.Uniform(-1, 1);
            });
        Assert.True(terminations + truncations >= copies, $"{id}: every copy was expected to end an episode at least once; {terminations} terminations, {truncations} truncations");
    }

    [Fact]
    public void Stepping_allocates_nothing()
    {
        if (!MuJoCoTestGuard.Available(output))
            return;
        using IEnvironment env = EnvironmentRegistry.Make("Humanoid-v5");
        var obs = new float[env.ObservationSpace.FlatSize];
        var action = new float[17];
        env.Reset(obs, seed: 0);
        for (int t = 0; t < 5; t++) if (env.Step(action, obs).Done) env.Reset(obs);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int t = 0; t < 200; t++)
            if (env.Step(action, obs).Done) env.Reset(obs);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
