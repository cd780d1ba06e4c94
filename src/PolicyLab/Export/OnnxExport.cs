using System.Globalization;
using PolicyLab.Algorithms;
using PolicyLab.Algorithms.Annealing;
using PolicyLab.Algorithms.BlackBox;
using PolicyLab.Algorithms.OffPolicy;
using PolicyLab.Algorithms.OnPolicy;
using PolicyLab.Algorithms.Policies;
using PolicyLab.Algorithms.Policies.Distributions;
using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Wrappers;
using PolicyLab.IO;
using PolicyLab.Numerics.Kernels;
using PolicyLab.Numerics.Modules;
using PolicyLab.Training;

namespace PolicyLab.Export;

/// <summary>What an exported model takes and returns.</summary>
/// <param name="InputName">The graph input: float32 raw observations [batch, <paramref name="ObservationSize"/>].</param>
/// <param name="ObservationSize">Floats per (flattened) observation.</param>
/// <param name="OutputName">The graph output: environment actions.</param>
/// <param name="ActionType">Element type of the actions: int64 for Discrete/MultiDiscrete/MultiBinary, float32 for Box.</param>
/// <param name="ActionWidth">Actions per row ([batch, width]); null for a Discrete action ([batch]).</param>
/// <param name="NormalizesObservations">Whether frozen observation statistics are applied inside the graph.</param>
public sealed record OnnxPolicySignature(string InputName, int ObservationSize, string OutputName, OnnxElementType ActionType, int? ActionWidth,
    bool NormalizesObservations);

/// <summary>The outcome of exporting a run's checkpoint.</summary>
/// <param name="Path">The .onnx file written.</param>
/// <param name="Step">The checkpoint's training step.</param>
/// <param name="Algorithm">The run's algorithm.</param>
/// <param name="Environment">The run's environment id.</param>
/// <param name="Signature">Inputs and outputs of the model.</param>
/// <param name="Bytes">Size of the file.</param>
public sealed record OnnxExportResult(string Path, long Step, string Algorithm, string Environment, OnnxPolicySignature Signature, long Bytes);

/// <summary>
/// Exports the deterministic policy of a trained agent as an ONNX model (IR 8, opset 17, written with PolicyLab's own
/// protobuf framing: no native dependency) that maps raw observations to environment actions, reproducing
/// <c>IAlgorithm.Act(…, deterministic: true, …)</c> and the evaluation's observation normalization op for op:
/// <list type="bullet">
/// <item>normalization (when the run normalizes observations): clip((x − mean)/√(var + ε), ±clip) in float64, then float32;</item>
/// <item>the policy's own fixed input map (black-box rescaling or one-hot encoding, annealing's observation_scale);</item>
/// <item>the actor MLP (Gemm + activation per layer; only the head columns acting needs);</item>
/// <item>the action: arg-max index (+ the Discrete start) for categorical policies, per-block arg-max for MultiDiscrete,
/// logit &gt; 0 for MultiBinary, the Gaussian mean clipped to the Box bounds, tanh(mean) or the TD3/DDPG actor's
/// tanh output rescaled to the bounds for off-policy actors, low + (tanh(y) + 1)/2·(high − low) for black-box Box policies.</item>
/// </list>
/// </summary>
public static class OnnxExport
{
    /// <summary>The ONNX IR version written (ONNX 1.12; ONNX Runtime ≥ 1.12 loads it).</summary>
    public const long IrVersion = 8;

    /// <summary>The default-domain opset written.</summary>
    public const long Opset = 17;

    /// <summary>The graph input's name.</summary>
    public const string InputName = "observation";

    /// <summary>The graph output's name.</summary>
    public const string OutputName = "action";

    /// <summary>The formats <c>policylab export --format</c> knows.</summary>
    public static IReadOnlyList<string> Formats { get; } = ["onnx"];

    /// <summary>
    /// Writes the deterministic policy of <paramref name="algorithm"/> to <paramref name="path"/> (atomically).
    /// </summary>
    /// <param name="path">The .onnx file to write.</param>
    /// <param name="algorithm">A trained (or loaded) algorithm.</param>
    /// <param name="observationSpace">The environment's raw (single-copy) observation space.</param>
    /// <param name="actionSpace">The environment's (single-copy) action space.</param>
    /// <param name="normalization">The frozen observation statistics when the policy was trained on normalized observations, else null.</param>
    /// <param name="metadata">Extra key/value pairs for the model's metadata_props (e.g. the run, step, environment).</param>
    /// <returns>The model's inputs and outputs.</returns>
    /// <exception cref="PolicyLabException">The policy cannot be exported (see <see cref="Build"/>).</exception>
    public static OnnxPolicySignature Write(string path, IAlgorithm algorithm, Space observationSpace, Space actionSpace,
        ObservationNormalization? normalization = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        (byte[] model, OnnxPolicySignature signature) = Build(algorithm, observationSpace, actionSpace, normalization, metadata);
        CheckDestination(path);
        AtomicFile.WriteAllBytes(path, model);
        return signature;
    }

    /// <summary>Exports the policy of a trainer (a run being trained or one reopened with <see cref="Trainer.Resume"/>),
    /// with the run's observation statistics when it normalizes observations.</summary>
    public static OnnxExportResult Write(string path, Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        TrainingEnvironments environments = trainer.Environments;
        RefuseActionMasks(environments.Top.ActionMasks is not null, trainer.Settings.Environment);
        ObservationNormalization? normalization = trainer.Settings.NormalizeObservations && environments.Normalizer is { } normalizer
            ? ObservationNormalization.From(normalizer) : null;
        var metadata = new Dictionary<string, string>
        {
            ["policylab.algorithm"] = trainer.Settings.Algorithm,
            ["policylab.environment"] = trainer.Settings.Environment,
            ["policylab.step"] = trainer.Steps.ToString(CultureInfo.InvariantCulture),
            ["policylab.run"] = Path.GetFileName(trainer.Folder.Path),
        };
        OnnxPolicySignature signature = Write(path, trainer.Algorithm, environments.Statistics.SingleObservationSpace,
            environments.Statistics.SingleActionSpace, normalization, metadata);
        return new OnnxExportResult(Path.GetFullPath(path), trainer.Steps, trainer.Settings.Algorithm, trainer.Settings.Environment, signature,
            new FileInfo(path).Length);
    }

    /// <summary>Refuses a policy trained within action masks: the graph has no mask input, so its argmax would range over
    /// every action, forbidden ones included.</summary>
    /// <exception cref="PolicyLabException">The environment provides action masks.</exception>
    public static void RefuseActionMasks(bool environmentHasMasks, string environment)
    {
        if (environmentHasMasks)
            throw new PolicyLabException($"{environment} provides action masks, and the ONNX graph has no mask input yet, so the exported policy could choose forbidden actions. " +
                "Act through PolicyLab instead (Agent.Predict with masks, policylab eval), which applies the masks.");
    }

    /// <summary>Exports the policy saved in a run's checkpoint (the latest when <paramref name="checkpointStep"/> is null),
    /// as <c>policylab export --run RUN --format onnx -o PATH</c> does.</summary>
    /// <exception cref="PolicyLabException">The run has no such checkpoint, or its policy cannot be exported.</exception>
    public static OnnxExportResult FromRun(RunFolder folder, long? checkpointStep, string path)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(path);
        CheckDestination(path);
        IReadOnlyList<long> steps = folder.CheckpointSteps();
        if (steps.Count == 0)
            throw new PolicyLabException($"The run '{folder.Path}' has no checkpoint yet, so there is no trained policy to export; let training write one (checkpoint_freq, or the end of the run) and export again.");
        if (checkpointStep is long s && !steps.Contains(s))
            throw new PolicyLabException($"The run has no checkpoint at step {s}; it has {string.Join(", ", steps)}. Pass one of those to --checkpoint, or omit it for the latest.");
        using Trainer trainer = Trainer.Resume(folder, checkpointStep);
        return Write(path, trainer);
    }

    /// <summary>
    /// Exports the checkpoint a <c>--checkpoint</c> choice names (a step, latest, latest-intact or best; null: the latest)
    /// to <paramref name="path"/>.
    /// </summary>
    /// <exception cref="PolicyLabException">No such checkpoint, a damaged one, or an unexportable policy.</exception>
    public static OnnxExportResult FromCheckpoint(RunFolder folder, string? checkpoint, string path)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(path);
        CheckDestination(path);
        if (folder.CheckpointSteps().Count == 0 && !folder.HasBest)
            throw new PolicyLabException($"The run '{folder.Path}' has no checkpoint yet, so there is no trained policy to export; let training write one (checkpoint_freq, or the end of the run) and export again.");
        using Trainer trainer = Trainer.OpenCheckpoint(folder, folder.ResolveCheckpointFolder(checkpoint));
        return Write(path, trainer);
    }

    /// <summary>
    /// The ONNX model bytes of the deterministic policy and its signature (see <see cref="Write(string, IAlgorithm, Space, Space, ObservationNormalization?, IReadOnlyDictionary{string, string}?)"/>).
    /// </summary>
    /// <exception cref="PolicyLabException">The algorithm is not one whose policy PolicyLab knows how to export (a custom
    /// <see cref="IAlgorithm"/>), the spaces do not match the policy, or the weights are not finite.</exception>
    public static (byte[] Model, OnnxPolicySignature Signature) Build(IAlgorithm algorithm, Space observationSpace, Space actionSpace,
        ObservationNormalization? normalization = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentNullException.ThrowIfNull(observationSpace);
        ArgumentNullException.ThrowIfNull(actionSpace);
        var graph = new OnnxGraph();
        int observationSize = observationSpace.FlatSize;
        string x = graph.Input(InputName, OnnxElementType.Float, observationSize);
        if (normalization is not null)
        {
            normalization.Validate(observationSize);
            x = Normalize(graph, x, normalization);
        }
        var steps = new List<string>();
        if (normalization is not null) steps.Add("observation normalization");
        (string action, OnnxElementType type, int? width) = algorithm switch
        {
            OnPolicyAlgorithm onPolicy => ActorCritic(graph, x, onPolicy.Policy, observationSpace, actionSpace, steps),
            Sac sac => OffPolicyActor(graph, x, sac.Actor, squashMean: true, observationSpace, actionSpace, steps, sac.MeanClip),
            DeterministicActorCritic deterministic => OffPolicyActor(graph, x, deterministic.Actor, squashMean: false, observationSpace, actionSpace, steps),
            BlackBoxAlgorithm blackBox => BlackBox(graph, x, blackBox.Policy, observationSpace, actionSpace, steps),
            PolicyAnnealing annealing => Annealing(graph, x, annealing, observationSpace, actionSpace, steps),
            _ => throw new PolicyLabException(
                $"The policy of {algorithm.GetType().Name} cannot be exported to ONNX: the exporter knows the MLP policies of PolicyLab's own algorithms " +
                "(ppo, a2c, a3c, vpg, trpo, npg, reinforce, sac, td3, ddpg, es, cem, hill_climbing, annealing), and this algorithm's networks and action " +
                "rule are not one of them. Export its weights with model.safetensors instead, or build the graph yourself."),
        };
        graph.Node("Identity", [action], OutputName);
        graph.Output(OutputName, type, width);

        string version = typeof(OnnxExport).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown";
        string doc = $"PolicyLab deterministic policy: raw observation [batch, {observationSize}] → {string.Join(" → ", steps)} → environment action.";
        var props = new List<KeyValuePair<string, string>>
        {
            new("policylab.observation_space", observationSpace.ToString() ?? ""),
            new("policylab.action_space", actionSpace.ToString() ?? ""),
            new("policylab.normalized_observations", normalization is null ? "false" : "true"),
            new("policylab.version", version),
        };
        if (metadata is not null) props.AddRange(metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
        byte[] model = graph.ToModel("policylab_policy", doc, IrVersion, Opset, version, props);
        return (model, new OnnxPolicySignature(InputName, observationSize, OutputName, type, width, normalization is not null));
    }

    // ------------------------------------------------------------------ stages

    /// <summary>clip((x − mean)/√(var + ε), ±clip) in float64 (as Normalization.Observation computes it), then float32.</summary>
    private static string Normalize(OnnxGraph g, string x, ObservationNormalization n)
    {
        int size = n.Mean.Length;
        var std = new double[size];
        for (int i = 0; i < size; i++) std[i] = Math.Sqrt(n.Variance[i] + n.Epsilon);
        string wide = g.Node("Cast", [x], "observation_f64", OnnxAttribute.Int("to", (long)OnnxElementType.Double));
        string centred = g.Node("Sub", [wide, g.Constant("obs_mean", n.Mean, size)], "observation_centred");
        string scaled = g.Node("Div", [centred, g.Constant("obs_std", std, size)], "observation_scaled");
        string clipped = g.Node("Clip", [scaled, g.Constant("obs_clip_min", [-n.Clip]), g.Constant("obs_clip_max", [n.Clip])], "observation_clipped");
        return g.Node("Cast", [clipped], "observation_normalized", OnnxAttribute.Int("to", (long)OnnxElementType.Float));
    }

    /// <summary>The on-policy actor-critic policy: actor MLP → the distribution's mode → environment action.</summary>
    private static (string, OnnxElementType, int?) ActorCritic(OnnxGraph g, string x, ActorCriticPolicy policy, Space observationSpace, Space actionSpace,
        List<string> steps)
    {
        if (policy.Features is not null)
            throw new PolicyLabException("ONNX export of CNN policies (image observations) is not supported yet: the exporter writes MLP graphs only. " +
                "Use the policy file (policylab eval, Agent.Load) or export its weights with model.safetensors.");
        RequireInputs(policy.Actor.Inputs, observationSpace);
        switch (policy.Distribution, actionSpace)
        {
            case (CategoricalActions, Discrete discrete):
            {
                string logits = Network(g, x, policy.Actor, "pi", policy.HeadSize, steps);
                steps.Add("arg-max");
                return (ArgMaxPlusStart(g, logits, discrete.Start), OnnxElementType.Int64, null);
            }
            case (GaussianActions or StateDependentNoiseActions, Box box):
            {
                // The mode is the mean: the head's first D outputs (a state-dependent log σ follows them and is not needed).
                string mean = Network(g, x, policy.Actor, "pi", box.FlatSize, steps);
                steps.Add("clip to the Box bounds");
                string low = g.Node("Max", [mean, g.Constant("action_low", box.Low, box.FlatSize)], "action_above_low");
                return (g.Node("Min", [low, g.Constant("action_high", box.High, box.FlatSize)], "action_clipped"), OnnxElementType.Float, box.FlatSize);
            }
            case (MultiCategoricalActions, MultiDiscrete multi):
            {
                string logits = Network(g, x, policy.Actor, "pi", policy.HeadSize, steps);
                steps.Add("arg-max per component");
                int n = multi.Sizes.Length;
                string[] blocks = g.Node("Split", [logits, g.Constant("split_sizes", multi.Sizes.Select(k => (long)k).ToArray(), n)],
                    Enumerable.Range(0, n).Select(i => $"logits_{i}").ToArray(), OnnxAttribute.Int("axis", 1));
                string[] indices = blocks.Select((b, i) => g.Node("ArgMax", [b], $"index_{i}", OnnxAttribute.Int("axis", 1), OnnxAttribute.Int("keepdims", 1))).ToArray();
                return (n == 1 ? indices[0] : g.Node("Concat", indices, "indices", OnnxAttribute.Int("axis", 1)), OnnxElementType.Int64, n);
            }
            case (BernoulliActions, MultiBinary bits):
            {
                string logits = Network(g, x, policy.Actor, "pi", policy.HeadSize, steps);
                steps.Add("logit > 0");
                string on = g.Node("Greater", [logits, g.Constant("zero", [0f])], "bits_on");
                return (g.Node("Cast", [on], "bits", OnnxAttribute.Int("to", (long)OnnxElementType.Int64)), OnnxElementType.Int64, bits.FlatSize);
            }
            default:
                throw new PolicyLabException($"The policy acts with a {policy.Distribution.GetType().Name} distribution but the action space passed is {actionSpace}; pass the action space the policy was trained in.");
        }
    }

    /// <summary>SAC's tanh(mean) or the TD3/DDPG actor's tanh output, then the scaler's clip to [−1, 1] and low + (a + 1)·(high − low)/2.</summary>
    private static (string, OnnxElementType, int?) OffPolicyActor(OnnxGraph g, string x, Mlp actor, bool squashMean, Space observationSpace, Space actionSpace,
        List<string> steps, float? meanClip = null)
    {
        RequireInputs(actor.Inputs, observationSpace);
        if (actionSpace is not Box { IsBounded: true } box)
            throw new PolicyLabException($"Off-policy actors act in a bounded Box; the action space passed is {actionSpace}. Pass the action space the policy was trained in.");
        int d = box.FlatSize;
        string a = Network(g, x, actor, "actor", d, steps);
        if (meanClip is float c)
        {
            // SAC with gSDE holds its mean in [−c, c] before squashing.
            steps.Add($"clip the mean to ±{c.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            a = g.Node("Clip", [a, g.Constant("mean_min", [-c]), g.Constant("mean_max", [c])], "mean_clipped");
        }
        if (squashMean)
        {
            steps.Add("tanh");
            a = g.Node("Tanh", [a], "action_squashed");
        }
        steps.Add("rescale [-1, 1] to the Box bounds");
        var half = new float[d];
        for (int i = 0; i < d; i++) half[i] = 0.5f * (box.High[i] - box.Low[i]);
        string clipped = g.Node("Clip", [a, g.Constant("unit_min", [-1f]), g.Constant("unit_max", [1f])], "action_unit");
        string shifted = g.Node("Add", [clipped, g.Constant("one", [1f])], "action_plus_one");
        string spread = g.Node("Mul", [shifted, g.Constant("action_half_range", half, d)], "action_spread");
        return (g.Node("Add", [spread, g.Constant("action_low", box.Low, d)], "action_scaled"), OnnxElementType.Float, d);
    }

    /// <summary>The black-box policy: its fixed input map, the MLP, arg-max (+ start) or the tanh rescaling of bounded Box dimensions.</summary>
    private static (string, OnnxElementType, int?) BlackBox(OnnxGraph g, string x, BlackBoxPolicy policy, Space observationSpace, Space actionSpace,
        List<string> steps)
    {
        if (policy.EncodesObservations)
        {
            x = OneHot(g, x, observationSpace);
            steps.Add("one-hot observation");
        }
        else if (policy.ObservationScaling is { } scaling)
        {
            (float[] scale, float[] shift) = scaling;
            RequireInputs(scale.Length, observationSpace);
            string scaled = g.Node("Mul", [x, g.Constant("obs_scale", scale, scale.Length)], "observation_rescaled");
            x = g.Node("Add", [scaled, g.Constant("obs_shift", shift, shift.Length)], "observation_shifted");
            steps.Add("rescale bounded observations to [-1, 1]");
        }
        RequireInputs(policy.Network.Inputs, observationSpace, encoded: policy.EncodesObservations);
        switch (actionSpace)
        {
            case Discrete discrete when policy.IsDiscrete:
            {
                string scores = Network(g, x, policy.Network, "pi", discrete.Count, steps);
                steps.Add("arg-max");
                return (ArgMaxPlusStart(g, scores, discrete.Start), OnnxElementType.Int64, null);
            }
            case Box box when !policy.IsDiscrete:
            {
                int d = box.FlatSize;
                string y = Network(g, x, policy.Network, "pi", d, steps);
                bool[] bounded = Enumerable.Range(0, d).Select(j => float.IsFinite(box.Low[j]) && float.IsFinite(box.High[j])).ToArray();
                if (!bounded.Any(b => b)) return (y, OnnxElementType.Float, d);
                steps.Add("low + (tanh(y) + 1)/2·(high − low)");
                var range = new float[d];
                for (int j = 0; j < d; j++) range[j] = bounded[j] ? box.High[j] - box.Low[j] : 0f;
                float[] low = box.Low.Select((l, j) => bounded[j] ? l : 0f).ToArray();
                string t = g.Node("Tanh", [y], "scores_tanh");
                string plus = g.Node("Add", [t, g.Constant("one", [1f])], "scores_plus_one");
                string halfed = g.Node("Mul", [g.Constant("half", [0.5f]), plus], "scores_half");
                string spread = g.Node("Mul", [halfed, g.Constant("action_range", range, d)], "action_spread");
                string scaled = g.Node("Add", [g.Constant("action_low", low, d), spread], "action_scaled");
                if (bounded.All(b => b)) return (scaled, OnnxElementType.Float, d);
                return (g.Node("Where", [g.Constant("action_bounded", bounded, d), scaled, y], "action_mixed"), OnnxElementType.Float, d);
            }
            default:
                throw new PolicyLabException($"The black-box policy's output does not match the action space passed ({actionSpace}); pass the action space it was trained in.");
        }
    }

    /// <summary>Policy annealing: observation_scale divisors, the ReLU MLP, arg-max (the index itself, as its evaluation acts).</summary>
    private static (string, OnnxElementType, int?) Annealing(OnnxGraph g, string x, PolicyAnnealing annealing, Space observationSpace, Space actionSpace,
        List<string> steps)
    {
        RequireInputs(annealing.Policy.Inputs, observationSpace);
        if (actionSpace is not Discrete discrete || discrete.Count != annealing.Policy.Outputs)
            throw new PolicyLabException($"Policy annealing acts in the Discrete space it was trained in; the action space passed is {actionSpace}.");
        float[] scale = ((PolicyAnnealingSettings)annealing.Settings).ObservationScale;
        if (scale.Length > 0)
        {
            x = g.Node("Div", [x, g.Constant("obs_divisor", scale, scale.Length)], "observation_divided");
            steps.Add("divide by observation_scale");
        }
        string logits = Network(g, x, annealing.Policy, "pi", discrete.Count, steps);
        steps.Add("arg-max");
        return (ArgMaxPlusStart(g, logits, 0), OnnxElementType.Int64, null);
    }

    // ------------------------------------------------------------------ building blocks

    /// <summary>The MLP's layers as Gemm (W kept [in, out], as PolicyLab stores it) + activation; the last layer keeps its
    /// first <paramref name="outputs"/> columns.</summary>
    private static string Network(OnnxGraph g, string x, Mlp network, string name, int outputs, List<string> steps)
    {
        IReadOnlyList<LinearLayer> layers = network.Layers;
        if (outputs > network.Outputs)
            throw new PolicyLabException($"The {name} network has {network.Outputs} outputs but acting needs {outputs}; the action space passed does not match the policy.");
        for (int i = 0; i < layers.Count; i++)
        {
            LinearLayer layer = layers[i];
            int columns = i == layers.Count - 1 ? outputs : layer.Outputs;
            ReadOnlySpan<float> w = layer.Weight.Value, b = layer.Bias.Value;
            var weight = new float[layer.Inputs * columns];
            for (int r = 0; r < layer.Inputs; r++) w.Slice(r * layer.Outputs, columns).CopyTo(weight.AsSpan(r * columns, columns));
            float[] bias = b[..columns].ToArray();
            RequireFinite(weight, layer.Weight.Name);
            RequireFinite(bias, layer.Bias.Name);
            string layerName = $"{name}.{i}";
            x = g.Node("Gemm", [x, g.Constant($"{layerName}.weight", weight, layer.Inputs, columns), g.Constant($"{layerName}.bias", bias, columns)],
                $"{layerName}.linear");
            string? op = layer.Activation switch
            {
                Activation.Identity => null,
                Activation.Tanh => "Tanh",
                Activation.Relu => "Relu",
                Activation.Sigmoid => "Sigmoid",
                _ => throw new PolicyLabException($"The activation {layer.Activation} of {layerName} has no ONNX counterpart in the exporter."),
            };
            if (op is not null) x = g.Node(op, [x], $"{layerName}.{op.ToLowerInvariant()}");
        }
        steps.Add($"MLP {network.Inputs}→{string.Join("→", layers.Take(layers.Count - 1).Select(l => l.Outputs.ToString(CultureInfo.InvariantCulture)))}{(layers.Count > 1 ? "→" : "")}{outputs} ({string.Join("/", layers.Select(l => l.Activation).Distinct())})");
        return x;
    }

    /// <summary>Arg-max over axis 1 (the first index on ties, as Categorical.Mode), plus the Discrete space's start.</summary>
    private static string ArgMaxPlusStart(OnnxGraph g, string scores, int start)
    {
        string index = g.Node("ArgMax", [scores], "action_index", OnnxAttribute.Int("axis", 1), OnnxAttribute.Int("keepdims", 0),
            OnnxAttribute.Int("select_last_index", 0));
        return start == 0 ? index : g.Node("Add", [index, g.Constant("action_start", [(long)start])], "action_offset");
    }

    /// <summary>Space.Encode of a Discrete or MultiDiscrete observation: column j of the encoding is 1 when component
    /// c(j) equals value v(j) (Gather the component, Equal, Cast to float).</summary>
    private static string OneHot(OnnxGraph g, string x, Space space)
    {
        var components = new List<long>();
        var values = new List<float>();
        switch (space)
        {
            case Discrete discrete:
                for (int k = 0; k < discrete.Count; k++) { components.Add(0); values.Add(discrete.Start + k); }
                break;
            case MultiDiscrete multi:
                for (int c = 0; c < multi.Sizes.Length; c++)
                    for (int k = 0; k < multi.Sizes[c]; k++) { components.Add(c); values.Add(k); }
                break;
            default:
                throw new PolicyLabException($"The black-box policy encodes its {space} observations in a way the exporter does not reproduce (only Discrete and MultiDiscrete one-hot encodings are); this policy cannot be exported to ONNX.");
        }
        int e = components.Count;
        string gathered = g.Node("Gather", [x, g.Constant("onehot_component", components.ToArray(), e)], "observation_components", OnnxAttribute.Int("axis", 1));
        string equal = g.Node("Equal", [gathered, g.Constant("onehot_value", values.ToArray(), e)], "observation_onehot_bool");
        return g.Node("Cast", [equal], "observation_onehot", OnnxAttribute.Int("to", (long)OnnxElementType.Float));
    }

    private static void CheckDestination(string path)
    {
        if (Directory.Exists(path))
            throw new PolicyLabException($"Cannot write the model to '{path}': it is a folder; give a file name such as {Path.Combine(path, "policy.onnx")}.");
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
            throw new PolicyLabException($"Cannot write '{path}': the folder '{directory}' does not exist; create it or choose another -o path.");
    }

    private static void RequireInputs(int networkInputs, Space observationSpace, bool encoded = false)
    {
        int size = encoded ? observationSpace.EncodedSize : observationSpace.FlatSize;
        if (networkInputs != size)
            throw new PolicyLabException($"The policy reads {networkInputs} observation components but the observation space passed ({observationSpace}) has {size}; pass the space the policy was trained on.");
    }

    private static void RequireFinite(ReadOnlySpan<float> values, string parameter)
    {
        foreach (float v in values)
            if (!float.IsFinite(v))
                throw new PolicyLabException($"The policy's parameter '{parameter}' holds NaN or infinite values (the run diverged), so its actions are undefined and it cannot be exported; export an earlier checkpoint with --checkpoint STEP.");
    }
}
