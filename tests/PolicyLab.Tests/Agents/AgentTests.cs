using PolicyLab.Agents;
using PolicyLab.Algorithms.OffPolicy;
using PolicyLab.Algorithms.PolicyGradient;
using PolicyLab.Environments;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;
using PolicyLab.Training;

namespace PolicyLab.Tests.Agents;

public sealed class AgentTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "policylab-agent-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private string Dir(string name) => Path.Combine(_root, name);

    /// <summary>1,000 raw observations from random-action episodes of <paramref name="id"/>.</summary>
    private static float[] RawObservations(string id, int count)
    {
        using IEnvironment env = EnvironmentRegistry.Make(id);
        int size = env.ObservationSpace.FlatSize;
        var rows = new float[count * size];
        var rng = new Rng(11);
        var action = new float[env.ActionSpace.FlatSize];
        env.Reset(rows.AsSpan(0, size), seed: 3);
        for (int i = 1; i < count; i++)
        {
            env.ActionSpace.Sample(rng, action);
            StepResult r = env.Step(action, rows.AsSpan(i * size, size));
            if (r.Terminated || r.Truncated) env.Reset(rows.AsSpan(i * size, size));
        }
        return rows;
    }

    /// <summary>The actions `policylab eval` takes for <paramref name="raw"/> rows: the run's checkpoint, its
    /// observation statistics imported into an evaluation normalizer, then Act (as Evaluator does).</summary>
    private static float[] EvalActions(string runFolder, string id, float[] raw)
    {
        using Trainer trainer = Trainer.Resume(RunFolder.Open(runFolder));
        int size = trainer.Environments.Statistics.ObservationSize;
        int batch = raw.Length / size;
        float[] input = (float[])raw.Clone();
        if (trainer.Settings.NormalizeObservations)
        {
            using var normalizer = new NormalizeVectorEnvironment(new SyncVectorEnvironment(id, 1), normalizeObservations: true, normalizeRewards: false) { IsTraining = false };
            normalizer.Import(trainer.Environments.Normalizer!.Export());
            normalizer.NormalizeObservation(input);
        }
        var actions = new float[batch * trainer.Environments.Statistics.ActionSize];
        trainer.Algorithm.Act(input, batch, deterministic: true, new Rng(0), actions);
        return actions;
    }

    private static RunSettings SmallRun(bool normalize = false) => new()
    {
        EvaluationFrequency = 0,
        EvaluationEpisodes = 2,
        TensorBoard = false,
        NormalizeObservations = normalize,
    };

    [Fact]
    public void Discrete_policy_file_acts_as_eval_does_to_the_bit()
    {
        string run = Dir("cartpole");
        using (Agent agent = Agent.Create("ppo", "CartPole-v1", seed: 0, new PpoSettings { Steps = 256, BatchSize = 64, Epochs = 2 }, SmallRun(), run))
        {
            TrainingResult result = agent.Learn(1024);
            Assert.Equal(1024, result.Steps);
            agent.Save(Dir("cartpole.policylab"));
        }
        float[] raw = RawObservations("CartPole-v1", 1000);
        using Agent loaded = Agent.Load(Dir("cartpole.policylab"));
        Assert.False(loaded.CanLearn);
        Assert.Equal("ppo", loaded.AlgorithmName);
        float[] predicted = loaded.Predict(raw);
        Assert.Equal(EvalActions(run, "CartPole-v1", raw), predicted);
        Assert.Contains(0f, predicted);
        Assert.Contains(1f, predicted);
        PolicyLab.Export.OnnxPolicySignature signature = loaded.ExportOnnx(Dir("cartpole.onnx"));
        Assert.Equal(predicted, Export.OnnxExportTests.RunOnnx(Dir("cartpole.onnx"), raw, 4, signature).Actions);

        // Agent.Evaluate on the loaded file gives exactly the returns `policylab eval --seed 5` gives on the run.
        EvaluationResult cli = RunEvaluation.Evaluate(RunFolder.Open(run), null, 5, deterministic: true, seed: 5);
        Assert.Equal(cli.Returns, Agent.Evaluate(loaded, episodes: 5, seed: 5).Returns);
    }

    [Fact]
    public void Normalized_continuous_policy_file_applies_the_frozen_statistics()
    {
        string run = Dir("pendulum");
        using (Agent agent = Agent.Create("ppo", "Pendulum-v1", seed: 1, new PpoSettings { Steps = 512, BatchSize = 64, Epochs = 2 }, SmallRun(normalize: true), run))
        {
            agent.Learn(1024);
            agent.Save(Dir("pendulum.policylab"));
        }
        float[] raw = RawObservations("Pendulum-v1", 1000);
        float[] eval = EvalActions(run, "Pendulum-v1", raw);
        using Agent loaded = Agent.Load(Dir("pendulum.policylab"));
        Assert.NotNull(loaded.Describe().Normalization);
        float[] predicted = loaded.Predict(raw);
        Assert.Equal(eval, predicted);
        // ONNX export of the loaded policy: normalization and scaling inside the graph, within 1e-5 of Predict.
        PolicyLab.Export.OnnxPolicySignature signature = loaded.ExportOnnx(Dir("pendulum.onnx"));
        float[] onnx = Export.OnnxExportTests.RunOnnx(Dir("pendulum.onnx"), raw, 3, signature).Actions;
        Assert.Equal(predicted.Length, onnx.Length);
        Assert.All(predicted.Zip(onnx), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5, $"{p.First} vs {p.Second}"));
        // Acting on the raw observations without the statistics (the mistake the policy file prevents) differs.
        var unnormalized = new float[1000];
        loaded.Algorithm.Act(raw, 1000, true, new Rng(0), unnormalized);
        Assert.NotEqual(eval, unnormalized);
        Assert.All(eval, a => Assert.InRange(a, -2f, 2f));
        EvaluationResult cli = RunEvaluation.Evaluate(RunFolder.Open(run), null, 3, deterministic: true, seed: 7);
        Assert.Equal(cli.Returns, Agent.Evaluate(loaded, episodes: 3, seed: 7).Returns);
    }

    [Fact]
    public void Off_policy_policy_file_round_trips()
    {
        string run = Dir("sac");
        using (Agent agent = Agent.Create("sac", "Pendulum-v1", seed: 2, new SacSettings { LearningStarts = 100, BatchSize = 32, BufferSize = 2000 }, SmallRun(), run))
        {
            agent.Learn(300);
            agent.Save(Dir("sac.policylab"));
        }
        float[] raw = RawObservations("Pendulum-v1", 1000);
        using Agent loaded = Agent.Load(Dir("sac.policylab"));
        Assert.Equal(EvalActions(run, "Pendulum-v1", raw), loaded.Predict(raw));
    }

    [Fact]
    public void Predict_span_overload_allocates_nothing_after_warm_up_and_batches_match_rows()
    {
        using Agent agent = Agent.Create("ppo", "CartPole-v1", seed: 0, new PpoSettings { Steps = 64, BatchSize = 32, Epochs = 1 }, SmallRun(), Dir("alloc"));
        float[] raw = RawObservations("CartPole-v1", 16);
        var actions = new float[16];
        agent.Predict(raw, actions);
        agent.Predict(raw, actions);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) agent.Predict(raw, actions);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        // Concurrent callers are serialized: the same answers from several threads.
        float[][] answers = new float[4][];
        Parallel.For(0, 4, t => answers[t] = agent.Predict(raw));
        Assert.All(answers, a => Assert.Equal(actions, a));
    }

    [Fact]
    public void A_callback_stop_ends_learn_normally_with_a_loadable_checkpoint()
    {
        string run = Dir("callback");
        using (Agent agent = Agent.Create("ppo", "CartPole-v1", seed: 0, new PpoSettings { Steps = 128, BatchSize = 64, Epochs = 1 }, SmallRun(), run))
        {
            TrainingResult result = agent.Learn(100_000, [TrainingCallback.Every(status => status.Steps < 512)]);
            Assert.Equal(512, result.Steps);
            Assert.StartsWith("stopped by", result.EndReason);
            Assert.NotNull(result.FinalEvaluation);
        }
        Assert.Equal([512L], RunFolder.Open(run).CheckpointSteps());
        using Agent resumed = Agent.Load(run);
        Assert.True(resumed.CanLearn);
        Assert.Equal(512, resumed.Steps);
        TrainingResult more = resumed.Learn(256);
        Assert.Equal(768, more.Steps);
    }

    [Fact]
    public void A_cancelled_token_ends_learn_normally_with_a_checkpoint()
    {
        string run = Dir("token");
        using var cancel = new CancellationTokenSource();
        using (Agent agent = Agent.Create("a2c", "CartPole-v1", seed: 0, run: SmallRun(), runFolder: run))
        {
            TrainingResult result = agent.Learn(1_000_000, [TrainingCallback.Every(status =>
            {
                if (status.Steps >= 400) cancel.Cancel();
                return true;
            })], cancel.Token);
            Assert.StartsWith("cancelled at step", result.EndReason);
            Assert.InRange(result.Steps, 400, 1000);
            Assert.Equal([result.Steps], RunFolder.Open(run).CheckpointSteps());
        }
        using Agent loaded = Agent.Load(Path.Combine(run, "checkpoints", RunFolder.Open(run).CheckpointSteps()[0].ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(2, loaded.Predict(new float[8]).Length);
    }

    [Fact]
    public void StopOnRewardThreshold_stops_at_the_first_evaluation_reaching_it()
    {
        RunSettings run = SmallRun();
        run.EvaluationFrequency = 256;
        using Agent agent = Agent.Create("ppo", "CartPole-v1", seed: 0, new PpoSettings { Steps = 128, BatchSize = 64, Epochs = 1 }, run, Dir("threshold"));
        TrainingResult result = agent.Learn(10_000, [new StopOnRewardThreshold(double.NegativeInfinity)]);
        Assert.Equal(256, result.Steps);
    }

    [Fact]
    public void Bad_input_gives_clear_errors()
    {
        using (Agent agent = Agent.Create("ppo", "CartPole-v1", seed: 0, new PpoSettings { Steps = 64, BatchSize = 32, Epochs = 1 }, SmallRun(), Dir("bad")))
        {
            agent.Learn(64);
            agent.Save(Dir("p.policylab"));
            Assert.Contains("whole observations of 4 floats", Assert.Throws<PolicyLabException>(() => agent.Predict(new float[5])).Message);
            Assert.Contains("NaN", Assert.Throws<PolicyLabException>(() => agent.Predict([0f, float.NaN, 0f, 0f])).Message);
            Assert.Contains("action span", Assert.Throws<PolicyLabException>(() => agent.Predict(new float[8], new float[3])).Message);
            Assert.Contains("takes PpoSettings", Assert.Throws<PolicyLabException>(() => Agent.Create("ppo", "CartPole-v1", settings: new SacSettings(), runFolder: Dir("x"))).Message);
        }
        using (Agent loaded = Agent.Load(Dir("p.policylab")))
            Assert.Contains("Agent.Load(runFolder)", Assert.Throws<PolicyLabException>(() => loaded.Learn(100)).Message);

        File.WriteAllText(Dir("garbage.policylab"), "not a policy");
        Assert.Contains("not a PolicyLab policy file", Assert.Throws<PolicyLabException>(() => Agent.Load(Dir("garbage.policylab"))).Message);
        string model = Path.Combine(Dir("bad"), "checkpoints", "64", "model.safetensors");
        Assert.Contains("holds only weights", Assert.Throws<PolicyLabException>(() => Agent.Load(model)).Message);
        Assert.Contains("does not exist", Assert.Throws<PolicyLabException>(() => Agent.Load(Dir("missing.policylab"))).Message);

        // A file from a newer format, and one whose weights were damaged.
        SafeTensorsFile file = SafeTensors.Read(Dir("p.policylab"));
        var newer = file.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        newer["format_version"] = "2";
        SafeTensors.Write(Dir("newer.policylab"), file.Tensors.Select(t => NamedTensor.F32(t.Name, [.. t.Shape], t.ToFloat32())), newer);
        Assert.Contains("Upgrade PolicyLab", Assert.Throws<PolicyLabException>(() => Agent.Load(Dir("newer.policylab"))).Message);
        SafeTensors.Write(Dir("nan.policylab"), file.Tensors.Select(t => NamedTensor.F32(t.Name, [.. t.Shape], t.ToFloat32().Select(_ => float.NaN).ToArray())), file.Metadata);
        Assert.Contains("NaN", Assert.Throws<PolicyLabException>(() => Agent.Load(Dir("nan.policylab"))).Message);
        SafeTensors.Write(Dir("short.policylab"), file.Tensors.Skip(1).Select(t => NamedTensor.F32(t.Name, [.. t.Shape], t.ToFloat32())), file.Metadata);
        Assert.Contains("is damaged", Assert.Throws<PolicyLabException>(() => Agent.Load(Dir("short.policylab"))).Message);
    }
}
