using PolicyLab.Environments;
using PolicyLab.Environments.Latent;
using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Tests.Environments.Latent;

public sealed class ActionProjectorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-projector-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(4, 8, 5, 6)]   // Ant 4 of 8: 4 → 5 → 6 → 8
    [InlineData(3, 6, 3, 5)]   // HalfCheetah 3 of 6
    [InlineData(9, 17, 11, 14)] // Humanoid 9 of 17
    [InlineData(2, 2, 2, 2)]   // L = A
    public void Hidden_widths_taper_from_the_latent_to_the_action_size(int latent, int action, int h1, int h2)
    {
        Assert.Equal((h1, h2), ActionProjector.HiddenSizes(latent, action));
        ActionProjector p = ActionProjector.Random(latent, new Box(-1f, 1f, action), 7);
        Assert.Equal((h1, h2), (p.Hidden1, p.Hidden2));
    }

    [Fact]
    public void Weights_are_orthogonal_with_gain_root_two_and_biases_are_zero()
    {
        ActionProjector p = ActionProjector.Random(3, new Box(-1f, 1f, 8), 11);
        int[] sizes = [3, p.Hidden1, p.Hidden2, 8];
        for (int layer = 0; layer < 3; layer++)
        {
            float[] w = p.Weights(layer);
            int rows = sizes[layer + 1], cols = sizes[layer];
            // The smaller side is orthonormal ×√2: Wᵀ W = 2 I when rows ≥ cols, W Wᵀ = 2 I otherwise.
            int k = Math.Min(rows, cols);
            for (int a = 0; a < k; a++)
                for (int b = 0; b < k; b++)
                {
                    double dot = 0;
                    if (rows >= cols) for (int r = 0; r < rows; r++) dot += (double)w[r * cols + a] * w[r * cols + b];
                    else for (int c = 0; c < cols; c++) dot += (double)w[a * cols + c] * w[b * cols + c];
                    Assert.Equal(a == b ? 2.0 : 0.0, dot, 5);
                }
        }
        SafeTensorsFile file = SafeTensors.Read(p.Serialize(), "projector");
        foreach (string name in new[] { "0.bias", "2.bias", "4.bias" })
        {
            var bias = new float[file[name].Shape[0]];
            file.LoadInto(name, bias, [bias.Length]);
            Assert.All(bias, b => Assert.Equal(0f, b));
        }
    }

    [Fact]
    public void Projection_matches_the_reference_forward_scaled_to_asymmetric_bounds_and_clips_the_latent_action()
    {
        var box = new Box([-1f, 0f, -3f, 2f], [1f, 4f, -1f, 2.5f]);
        ActionProjector p = ActionProjector.Random(2, box, 3);
        var scratch = new double[p.ScratchSize];
        var action = new float[4];
        float[] latent = [0.3f, -0.7f];
        p.Project(latent, action, scratch);
        double[] reference = ReferenceForward(p, [0.3, -0.7]);
        for (int k = 0; k < 4; k++)
        {
            double expected = (box.High[k] + box.Low[k]) / 2.0 + (box.High[k] - box.Low[k]) / 2.0 * Math.Tanh(reference[k]);
            Assert.Equal(expected, action[k], 5);
            Assert.InRange(action[k], box.Low[k], box.High[k]);
        }
        var clipped = new float[4];
        var outside = new float[4];
        p.Project([1f, -1f], clipped, scratch);
        p.Project([7f, -30f], outside, scratch); // latent actions outside [−1, 1] act as the nearest bound
        Assert.Equal(clipped, outside);
    }

    [Fact]
    public void Out_of_range_latent_sizes_and_unusable_action_spaces_are_clear_errors()
    {
        var box = new Box(-1f, 1f, 3);
        foreach (int bad in new[] { 0, -1, 4 })
        {
            var e = Assert.Throws<PolicyLabException>(() => ActionProjector.Random(bad, box, 0));
            Assert.Contains("between 1 and the action size 3", e.Message, StringComparison.Ordinal);
        }
        Assert.Contains("Box", Assert.Throws<PolicyLabException>(() => ActionProjector.Random(1, new Discrete(3), 0)).Message, StringComparison.Ordinal);
        Assert.Contains("finite bounds", Assert.Throws<PolicyLabException>(() =>
            ActionProjector.Random(1, new Box(float.NegativeInfinity, float.PositiveInfinity, 2), 0)).Message, StringComparison.Ordinal);
        Assert.Equal(3, ActionProjector.Random(3, box, 0).LatentSize); // L = A is allowed
    }

    [Fact]
    public void A_saved_projector_loads_bit_identically_and_a_wrong_shape_is_rejected()
    {
        var box = new Box(-2f, 2f, 6);
        ActionProjector p = ActionProjector.Random(3, box, 5);
        string path = Path.Combine(_dir, "p.safetensors");
        p.Save(path);
        ActionProjector loaded = ActionProjector.Load(path, box);
        Assert.Equal(3, loaded.LatentSize);
        var scratch = new double[p.ScratchSize];
        var a = new float[6];
        var b = new float[6];
        p.Project([0.1f, 0.9f, -0.4f], a, scratch);
        loaded.Project([0.1f, 0.9f, -0.4f], b, scratch);
        Assert.Equal(a, b);
        Assert.Equal(p.Serialize(), loaded.Serialize());

        var other = Assert.Throws<PolicyLabException>(() => ActionProjector.Load(path, new Box(-2f, 2f, 8)));
        Assert.Contains("must be", other.Message, StringComparison.Ordinal);
        var mismatch = Assert.Throws<PolicyLabException>(() => ActionProjector.Load(path, box, latentSize: 2));
        Assert.Contains("latent_dim", mismatch.Message, StringComparison.Ordinal);
        // The original's older architecture (HalfCheetah 3 → 1 → 4 → 6) has the wrong hidden widths.
        string old = Path.Combine(_dir, "old.safetensors");
        SafeTensors.Write(old, [
            NamedTensor.F32("0.weight", [1, 3], new float[3]), NamedTensor.F32("0.bias", [1], new float[1]),
            NamedTensor.F32("2.weight", [4, 1], new float[4]), NamedTensor.F32("2.bias", [4], new float[4]),
            NamedTensor.F32("4.weight", [6, 4], new float[24]), NamedTensor.F32("4.bias", [6], new float[6])]);
        Assert.Contains("3→3→5→6", Assert.Throws<PolicyLabException>(() => ActionProjector.Load(old, box)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_vector_wrapper_shares_one_projector_across_copies_and_passes_the_rest_through()
    {
        ActionProjector p = ActionProjector.Random(1, new Box(-1f, 1f, 2), 9);
        using var env = new LatentActionVectorEnvironment(new SyncVectorEnvironment(() => new RecordingEnvironment(), 3), p);
        Assert.Equal(1, env.ActionSize);
        Assert.Equal([1], ((Box)env.SingleActionSpace).Shape.ToArray());
        Assert.Equal(-1f, ((Box)env.SingleActionSpace).Low[0]);
        env.Reset(seed: 1);
        env.Step([0.5f, 0.5f, 5f]);
        ReadOnlySpan<float> projected = env.ProjectedActions;
        Assert.Equal(projected[..2].ToArray(), projected.Slice(2, 2).ToArray()); // one projector: same latent action, same real action
        var atBound = new float[2];
        p.Project([1f], atBound, new double[p.ScratchSize]);
        Assert.Equal(atBound, projected.Slice(4, 2).ToArray()); // 5 is clipped to the latent bound 1
        var single = new float[2];
        p.Project([0.5f], single, new double[p.ScratchSize]);
        Assert.Equal(single, projected[..2].ToArray());
        var inner = (SyncVectorEnvironment)env.Inner;
        Assert.Equal(single, ((RecordingEnvironment)inner.Environments[0]).LastAction);
        Assert.Throws<ArgumentException>(() => env.Step(new float[6])); // rows of the real action size are not latent actions
        Assert.Throws<PolicyLabException>(() => new LatentActionVectorEnvironment(new SyncVectorEnvironment("CartPole-v1", 1), p));
    }

    private static double[] ReferenceForward(ActionProjector p, double[] z)
    {
        int[] sizes = [p.LatentSize, p.Hidden1, p.Hidden2, p.ActionSize];
        double[] x = z;
        for (int layer = 0; layer < 3; layer++)
        {
            float[] w = p.Weights(layer);
            var y = new double[sizes[layer + 1]];
            for (int o = 0; o < y.Length; o++)
            {
                for (int i = 0; i < x.Length; i++) y[o] += w[o * x.Length + i] * x[i];
                if (layer < 2) y[o] = Math.Max(0, y[o]);
            }
            x = y;
        }
        return x;
    }

    /// <summary>Remembers the action it was stepped with; Box[−1, 1]² actions.</summary>
    private sealed class RecordingEnvironment : EnvironmentBase
    {
        public RecordingEnvironment() : base(new Box(-1f, 1f, 1), new Box(-1f, 1f, 2)) { }

        public float[] LastAction { get; } = new float[2];

        protected override void ResetState(ResetOptions? options) { }

        protected override StepResult StepState(ReadOnlySpan<float> action)
        {
            action.CopyTo(LastAction);
            return new StepResult(0, false, false);
        }

        protected override void WriteObservation(Span<float> observation) => observation[0] = 0;

        public override RgbFrame Render() => new Canvas(1, 1).Frame;
    }
}
