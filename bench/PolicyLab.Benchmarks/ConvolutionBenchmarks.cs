using BenchmarkDotNet.Attributes;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Kernels;

namespace PolicyLab.Benchmarks;

/// <summary>
/// Convolution throughput against the GEMM's FLOP rate for the Nature-CNN layers at batch 32 (84×84×4 frames):
/// each convolution does the multiply-adds of one [pixels, patch]·[patch, out] product, so the pair
/// <c>Conv_*</c> / <c>Gemm_*</c> of a layer gives the fraction of the GEMM's rate the convolution keeps
/// (target ≥ 40%). Forward: im2col blocks + GEMM + bias + ReLU against one GEMM of the same shape. Training step:
/// the recorded Conv2d forward and backward on the tape against the three GEMMs (forward, dW, dx) of the same shapes.
/// </summary>
[MemoryDiagnoser]
public class ConvolutionBenchmarks
{
    private ConvolutionGeometry _g;
    private int _out;
    private float[] _x = [], _w = [], _b = [], _y = [], _scratch = [], _cols = [], _dy = [], _dw = [], _dcols = [], _wT = [];
    private readonly Tape _tape = new();

    /// <summary>The Nature-CNN layer: 1 (32 8×8/4 on 84×84×4), 2 (64 4×4/2 on 20×20×32), 3 (64 3×3/1 on 9×9×64).</summary>
    [Params(1, 2, 3)] public int Layer { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_g, _out) = Layer switch
        {
            1 => (new ConvolutionGeometry(32, 84, 84, 4, 8, 8, 4), 32),
            2 => (new ConvolutionGeometry(32, 20, 20, 32, 4, 4, 2), 64),
            _ => (new ConvolutionGeometry(32, 9, 9, 64, 3, 3, 1), 64),
        };
        var rng = new Rng(1);
        float[] Random(int n) { var a = new float[n]; rng.FillUniform(a, -1f, 1f); return a; }
        int m = _g.OutputPixels, k = _g.PatchSize;
        _x = Random(_g.InputSize);
        _w = Random(k * _out);
        _b = Random(_out);
        _y = new float[m * _out];
        _scratch = new float[Convolution.ScratchSize(_g, _out)];
        _cols = Random(m * k);
        _dy = Random(m * _out);
        _dw = new float[k * _out];
        _dcols = new float[m * k];
        _wT = Random(_out * k);
    }

    /// <summary>Multiply-adds ×2 of one pass (what both sides of a pair compute).</summary>
    public double Flops => 2.0 * _g.OutputPixels * _g.PatchSize * _out;

    /// <summary>Convolution forward (tape-free, as acting uses it).</summary>
    [Benchmark] public void Conv_Forward() => Convolution.Forward(_g, _x, _w, _b, _out, Activation.Relu, _y, _scratch);

    /// <summary>The GEMM of the same shape on a ready-made im2col matrix.</summary>
    [Benchmark] public void Gemm_Forward() => Gemm.Multiply(_g.OutputPixels, _out, _g.PatchSize, _cols, _g.PatchSize, 1, _w, _out, _y, _out, bias: _b);

    /// <summary>Conv2d forward and backward on the tape (input, weight and bias gradients).</summary>
    [Benchmark]
    public float Conv_TrainingStep()
    {
        _tape.Reset();
        Tensor x = _tape.Variable(_x, new Shape(_g.Batch, _g.Height, _g.Width, _g.Channels));
        Tensor w = _tape.Variable(_w, new Shape(_g.KernelHeight, _g.KernelWidth, _g.Channels, _out));
        Tensor b = _tape.Variable(_b, new Shape(_out));
        Tensor y = _tape.Conv2d(x, w, b, _g.Stride, Activation.Relu);
        _tape.Backward(y, _dy);
        return w.Grad[0];
    }

    /// <summary>The three GEMMs of a linear layer of the same shapes: y = cols·W, dW = colsᵀ·dy, dcols = dy·Wᵀ.</summary>
    [Benchmark]
    public void Gemm_TrainingStep()
    {
        int m = _g.OutputPixels, k = _g.PatchSize, n = _out;
        Gemm.Multiply(m, n, k, _cols, k, 1, _w, n, _y, n, bias: _b);
        Gemm.Multiply(k, n, m, _cols, 1, k, _dy, n, _dw, n, accumulate: true);
        Gemm.Multiply(m, k, n, _dy, n, 1, _wT, k, _dcols, k);
    }
}
