using Microsoft.ML.OnnxRuntime;
using PolicyLab.Algorithms;
using PolicyLab.Configuration;
using PolicyLab.Environments;
using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Vector;
using PolicyLab.Environments.Wrappers;
using PolicyLab.Export;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;
using PolicyLab.Training;

namespace PolicyLab.Tests.Export;

/// <summary>
/// Exported ONNX policies run in ONNX Runtime give the actions <c>policylab eval</c> takes: for 1,000 raw observations,
/// the run's deterministic <see cref="IAlgorithm.Act"/> on observations normalized as evaluation normalizes them
/// equals the model's output (discrete: the same index; continuous: within 1e-5).
/// </summary>
public sealed class OnnxExportTests(Xunit.Abstractions.ITestOutputHelper log) : IDisposable
{
    private const int Observations = 1000;
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-onnx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, string, string[]> Runs => new()
    {
        // The issue's cases: discrete, continuous, normalized continuous, SAC and TD3.
        { "ppo", "CartPole-v1", ["n_timesteps=3072"] },
        { "ppo", "Pendulum-v1", ["n_timesteps=3072", "n_envs=4", "n_steps=256"] },
        { "ppo", "Pendulum-v1", ["n_timesteps=3072", "n_envs=4", "n_steps=256", "normalize=true"] },
        { "sac", "Pendulum-v1", ["n_timesteps=600", "learning_starts=300", "batch_size=64", "policy_layers=[64,64]", "critic_layers=[64,64]"] },
        { "td3", "Pendulum-v1", ["n_timesteps=600", "learning_starts=300", "batch_size=64", "policy_layers=[64,64]", "critic_layers=[64,64]"] },
        // The other families and action spaces.
        { "ppo", "CartPole-v1", ["n_timesteps=2048", "normalize=true"] },
        { "ppo", "Pendulum-v1", ["n_timesteps=2048", "n_envs=4", "n_steps=256", "state_dependent_std=true"] },
        { "ppo", "Pendulum-v1", ["n_timesteps=1024", "n_envs=4", "n_steps=256", "use_sde=true"] },
        { "sac", "Pendulum-v1", ["n_timesteps=400", "learning_starts=200", "batch_size=32", "policy_layers=[32,32]", "critic_layers=[32,32]", "use_sde=true", "log_std_init=-1"] },
        { "ppo", "MatchPattern-v0", ["n_timesteps=2048"] },
        { "ppo", "MatchBits-v0", ["n_timesteps=2048"] },
        { "a2c", "CartPole-v1", ["n_timesteps=2000"] },
        { "a3c", "Acrobot-v1", ["n_timesteps=2000"] },
        { "vpg", "Pendulum-v1", ["n_timesteps=2048", "n_envs=4", "n_steps=256", "train_v_iters=5", "normalize=true"] },
        { "trpo", "CartPole-v1", ["n_timesteps=2048"] },
        { "npg", "Pendulum-v1", ["n_timesteps=2048"] },
        { "reinforce", "CartPole-v1", ["n_timesteps=2000"] },
        { "ddpg", "MountainCarContinuous-v0", ["n_timesteps=600", "learning_starts=300", "batch_size=64", "policy_layers=[64,64]", "critic_layers=[64,64]"] },
        { "es", "CartPole-v1", ["n_timesteps=3000"] },
        { "cem", "Pendulum-v1", ["n_timesteps=3000"] },
        { "hill_climbing", "MountainCarContinuous-v0", ["n_timesteps=3000"] },
        { "annealing", "CartPole-v1", ["num_episode_batches=4"] },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void The_onnx_model_gives_the_actions_evaluation_takes(string algo, string env, string[] sets)
    {
        string folder = Train(algo, env, sets);
        string model = Path.Combine(_dir, "policy.onnx");
        OnnxExportResult result = OnnxExport.FromRun(RunFolder.Open(folder), null, model);

        using Trainer loaded = Trainer.Resume(RunFolder.Open(folder));
        Space observationSpace = loaded.Environments.Statistics.SingleObservationSpace, actionSpace = loaded.Environments.Statistics.SingleActionSpace;
        float[] raw = VisitedObservations(env, actionSpace, exaggerate: loaded.Settings.NormalizeObservations);
        int o = observationSpace.FlatSize;
        Assert.Equal(o, result.Signature.ObservationSize);
        Assert.Equal(loaded.Settings.NormalizeObservations, result.Signature.NormalizesObservations);

        // What evaluation does: normalize with the checkpoint's frozen statistics, then act deterministically.
        float[] input = (float[])raw.Clone();
        if (loaded.Settings.NormalizeObservations) loaded.Environments.Normalizer!.NormalizeObservation(input);
        int a = actionSpace.FlatSize;
        var expected = new float[Observations * a];
        loaded.Algorithm.Act(input, Observations, deterministic: true, new Rng(0), expected);

        (float[] actual, long[] shape) = RunOnnx(model, raw, o, result.Signature);
        Assert.Equal(Observations, shape[0]);
        Assert.Equal(expected.Length, actual.Length);
        bool discrete = result.Signature.ActionType == OnnxElementType.Int64;
        Assert.Equal(actionSpace is not Box, discrete);
        double worst = 0;
        int mismatches = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (discrete) mismatches += expected[i] == actual[i] ? 0 : 1;
            else worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        }
        log.WriteLine($"{algo} {env} [{string.Join(' ', sets)}]: {(discrete ? $"{mismatches} differing indices" : $"largest |difference| {worst:G3}")} over {Observations} observations");
        Assert.True(mismatches == 0, $"{mismatches} of {expected.Length} discrete actions differ");
        Assert.True(worst <= 1e-5, $"largest difference {worst:G3}");
        // The actions are not all alike (a constant policy would pass trivially).
        Assert.True(expected.Distinct().Count() > 1, "the policy's actions are all the same");
    }

    [Fact]
    public void The_model_declares_its_signature_and_provenance()
    {
        string folder = Train("ppo", "Pendulum-v1", ["n_timesteps=1024", "n_envs=4", "n_steps=256", "normalize=true"]);
        string model = Path.Combine(_dir, "p.onnx");
        OnnxExportResult result = OnnxExport.FromRun(RunFolder.Open(folder), null, model);
        using var session = new InferenceSession(model);
        NodeMetadata input = session.InputMetadata[OnnxExport.InputName];
        Assert.Equal([-1, 3], input.Dimensions);
        Assert.Equal("batch", input.SymbolicDimensions[0]);
        NodeMetadata output = session.OutputMetadata[OnnxExport.OutputName];
        Assert.Equal([-1, 1], output.Dimensions);
        Assert.Equal(typeof(float), output.ElementType);
        Dictionary<string, string> meta = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("ppo", meta["policylab.algorithm"]);
        Assert.Equal("Pendulum-v1", meta["policylab.environment"]);
        Assert.Equal(result.Step.ToString(System.Globalization.CultureInfo.InvariantCulture), meta["policylab.step"]);
        Assert.Equal("true", meta["policylab.normalized_observations"]);
        Assert.Equal("PolicyLab", session.ModelMetadata.ProducerName);
        Assert.Contains("observation normalization", session.ModelMetadata.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void A_black_box_policy_over_discrete_observations_one_hot_encodes_them_inside_the_graph()
    {
        // Observations Discrete(5, start=2): the black-box policy one-hot encodes them; so does the graph.
        EnvironmentRegistry.Register("OnnxDiscreteWalk-v0", () => new DiscreteWalk(), maxEpisodeSteps: 10, replace: true);
        string folder = Train("hill_climbing", "OnnxDiscreteWalk-v0", ["n_timesteps=400", "init_std=1"]);
        string model = Path.Combine(_dir, "walk.onnx");
        OnnxExportResult result = OnnxExport.FromRun(RunFolder.Open(folder), null, model);
        using Trainer loaded = Trainer.Resume(RunFolder.Open(folder));
        float[] raw = [2, 3, 4, 5, 6, 6, 5, 4, 3, 2];
        var expected = new float[raw.Length];
        loaded.Algorithm.Act(raw, raw.Length, deterministic: true, new Rng(0), expected);
        (float[] actual, _) = RunOnnx(model, raw, 1, result.Signature);
        Assert.Equal(expected, actual);
        Assert.True(expected.Distinct().Count() > 1, "the policy's actions are all the same");
    }

    [Fact]
    public void A_custom_algorithm_cannot_be_exported_and_says_why()
    {
        using var algorithm = new CustomAlgorithm();
        var e = Assert.Throws<PolicyLabException>(() => OnnxExport.Build(algorithm, new Box(-1f, 1f, 3), new Discrete(2)));
        Assert.Contains("CustomAlgorithm cannot be exported", e.Message, StringComparison.Ordinal);
        Assert.Contains("model.safetensors", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Exports_that_cannot_be_made_are_clear_errors_and_write_nothing()
    {
        string empty = Path.Combine(_dir, "empty");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "config.yaml"), "algo: ppo\nenv: CartPole-v1\n");
        string model = Path.Combine(_dir, "refused.onnx");
        var e = Assert.Throws<PolicyLabException>(() => OnnxExport.FromRun(RunFolder.Open(empty), null, model));
        Assert.Contains("no checkpoint yet", e.Message, StringComparison.Ordinal);

        string folder = Train("ppo", "CartPole-v1", ["n_timesteps=256", "n_envs=2", "n_steps=128"]);
        e = Assert.Throws<PolicyLabException>(() => OnnxExport.FromRun(RunFolder.Open(folder), 7, model));
        Assert.Contains("no checkpoint at step 7", e.Message, StringComparison.Ordinal);

        using Trainer loaded = Trainer.Resume(RunFolder.Open(folder));
        Space observations = loaded.Environments.Statistics.SingleObservationSpace, actions = loaded.Environments.Statistics.SingleActionSpace;
        e = Assert.Throws<PolicyLabException>(() => OnnxExport.Build(loaded.Algorithm, observations, actions, new ObservationNormalization([0, 0], [1, 1])));
        Assert.Contains("2 means", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<PolicyLabException>(() => OnnxExport.Build(loaded.Algorithm, new Box(-1f, 1f, 3), actions));
        Assert.Contains("reads 4 observation components", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<PolicyLabException>(() => OnnxExport.Build(loaded.Algorithm, observations, new Box(-1f, 1f, 2)));
        Assert.Contains("action space passed", e.Message, StringComparison.Ordinal);

        // A diverged policy: NaN weights have no actions to export.
        loaded.Algorithm.Parameters.Values[3] = float.NaN;
        e = Assert.Throws<PolicyLabException>(() => OnnxExport.Write(model, loaded));
        Assert.Contains("NaN or infinite", e.Message, StringComparison.Ordinal);
        Assert.Contains("--checkpoint", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(model));
    }

    // ------------------------------------------------------------------ helpers

    private string Train(string algo, string env, string[] sets)
    {
        string folder = Path.Combine(_dir, $"{algo}-{env}-{Guid.NewGuid():N}");
        (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest(algo, env, null,
            [.. sets, "eval_freq=0", "eval_episodes=1", "tensorboard=false"], 1, null));
        using Trainer t = Trainer.Start(run, settings, RunFolder.CreateAt(folder));
        t.Run();
        return folder;
    }

    /// <summary>1,000 raw observations visited under uniformly random actions (8 copies, fixed seed); with
    /// <paramref name="exaggerate"/> every tenth is scaled ×30 so normalization's clip is exercised too.</summary>
    private static float[] VisitedObservations(string env, Space actionSpace, bool exaggerate)
    {
        using var vector = new SyncVectorEnvironment(env, 8);
        vector.Reset(11);
        var rng = new Rng(12);
        int o = vector.ObservationSize, a = vector.ActionSize;
        var observations = new float[Observations * o];
        var actions = new float[8 * a];
        for (int row = 0; row < Observations; row += 8)
        {
            vector.Observations.AsSpan(0, 8 * o).CopyTo(observations.AsSpan(row * o));
            for (int i = 0; i < 8; i++) actionSpace.Sample(rng, actions.AsSpan(i * a, a));
            vector.Step(actions);
        }
        if (exaggerate)
            for (int row = 0; row < Observations; row += 10)
                for (int j = 0; j < o; j++) observations[row * o + j] *= 30f;
        return observations;
    }

    /// <summary>Runs the model in ONNX Runtime; returns the actions as floats and the output's shape.</summary>
    internal static (float[] Actions, long[] Shape) RunOnnx(string model, float[] observations, int observationSize, OnnxPolicySignature signature)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        long rows = observations.Length / observationSize;
        using OrtValue input = OrtValue.CreateTensorValueFromMemory(observations, [rows, observationSize]);
        using var runOptions = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(runOptions,
            new Dictionary<string, OrtValue> { [signature.InputName] = input }, [signature.OutputName]);
        OrtValue output = outputs[0];
        long[] shape = output.GetTensorTypeAndShape().Shape;
        float[] actions = signature.ActionType == OnnxElementType.Int64
            ? output.GetTensorDataAsSpan<long>().ToArray().Select(v => (float)v).ToArray()
            : output.GetTensorDataAsSpan<float>().ToArray();
        return (actions, shape);
    }

    /// <summary>A walk on the integers 2…6 (Discrete(5, start=2) observations); actions 0, 1, 2 step −1, 0, +1; the reward is the position.</summary>
    private sealed class DiscreteWalk() : EnvironmentBase(new Discrete(5, start: 2), new Discrete(3))
    {
        private int _position;

        public override RgbFrame Render() => new(8, 8);

        protected override void ResetState(ResetOptions? options) => _position = 2 + Random.NextInt(5);

        protected override StepResult StepState(ReadOnlySpan<float> action)
        {
            _position = Math.Clamp(_position + (int)action[0] - 1, 2, 6);
            return new StepResult(_position, false, false);
        }

        protected override void WriteObservation(Span<float> observation) => observation[0] = _position;
    }

    /// <summary>An algorithm PolicyLab does not know: its policy is not exportable.</summary>
    private sealed class CustomAlgorithm : IAlgorithm
    {
        public Hyperparameters Settings => throw new NotSupportedException();

        public ParameterStore Parameters { get; } = new();

        public void Iterate(double progress, UpdateDiagnostics diagnostics) { }

        public void Act(ReadOnlySpan<float> observations, int batch, bool deterministic, Rng rng, Span<float> environmentActions) =>
            environmentActions.Clear();

        public void SaveState(StateDictionary state) { }

        public void LoadState(StateDictionary state) { }

        public void Dispose() { }
    }
}
