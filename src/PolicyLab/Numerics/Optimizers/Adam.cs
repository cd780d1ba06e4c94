using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace PolicyLab.Numerics.Optimizers;

/// <summary>
/// Adam (Kingma and Ba 2015) with bias correction:
/// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε).
/// Weight decay is either an L2 term added to g (Adam) or decoupled, θ ← θ(1 − lr·λ) (AdamW).
/// One vectorized pass over the flat parameters.
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly float[] _m, _v;

    /// <summary>Creates Adam for <paramref name="store"/> (or the <paramref name="range"/> of it).</summary>
    public Adam(ParameterStore store, float learningRate = 3e-4f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0f, bool decoupledWeightDecay = false, Range? range = null) : base(store, learningRate, range)
    {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1))
            throw new ArgumentOutOfRangeException(nameof(beta1), $"Adam's betas must lie in [0, 1); got ({beta1}, {beta2}).");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"Adam's epsilon must be > 0; got {epsilon}.");
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"Weight decay must be ≥ 0; got {weightDecay}.");
        (Beta1, Beta2, Epsilon, WeightDecay, DecoupledWeightDecay) = (beta1, beta2, epsilon, weightDecay, decoupledWeightDecay);
        _m = new float[Length];
        _v = new float[Length];
    }

    /// <summary>First-moment decay.</summary>
    public float Beta1 { get; }

    /// <summary>Second-moment decay.</summary>
    public float Beta2 { get; }

    /// <summary>Denominator term.</summary>
    public float Epsilon { get; }

    /// <summary>Weight decay coefficient λ.</summary>
    public float WeightDecay { get; }

    /// <summary>True for AdamW's decoupled decay, false for an L2 term in the gradient.</summary>
    public bool DecoupledWeightDecay { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, float[] Values)> StateBuffers() => [("exp_avg", _m), ("exp_avg_sq", _v)];

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Step()
    {
        StepCount++;
        float lr = LearningRate;
        float stepSize = (float)(lr / (1 - Math.Pow(Beta1, StepCount)));
        float invSqrtBc2 = (float)(1 / Math.Sqrt(1 - Math.Pow(Beta2, StepCount)));
        float b1 = Beta1, b2 = Beta2, c1 = 1 - Beta1, c2 = 1 - Beta2, eps = Epsilon;
        float l2 = DecoupledWeightDecay ? 0f : WeightDecay;
        float decay = DecoupledWeightDecay ? 1f - lr * WeightDecay : 1f;

        Span<float> p = Values;
        ReadOnlySpan<float> g = Gradients;
        int n = p.Length, i = 0;
        ref float rp = ref MemoryMarshal.GetReference(p);
        ref float rg = ref MemoryMarshal.GetReference(g);
        ref float rm = ref MemoryMarshal.GetArrayDataReference(_m);
        ref float rv = ref MemoryMarshal.GetArrayDataReference(_v);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= n; i += 16)
            {
                var pv = Vector512.LoadUnsafe(ref rp, (nuint)i) * decay;
                var gv = Vector512.FusedMultiplyAdd(pv, Vector512.Create(l2), Vector512.LoadUnsafe(ref rg, (nuint)i));
                var mv = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rm, (nuint)i), Vector512.Create(b1), gv * c1);
                var vv = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rv, (nuint)i), Vector512.Create(b2), gv * gv * c2);
                var denom = Vector512.FusedMultiplyAdd(Vector512.Sqrt(vv), Vector512.Create(invSqrtBc2), Vector512.Create(eps));
                mv.StoreUnsafe(ref rm, (nuint)i);
                vv.StoreUnsafe(ref rv, (nuint)i);
                (pv - stepSize * mv / denom).StoreUnsafe(ref rp, (nuint)i);
            }
        }
        for (; i + 8 <= n; i += 8)
        {
            var pv = Vector256.LoadUnsafe(ref rp, (nuint)i) * decay;
            var gv = Vector256.FusedMultiplyAdd(pv, Vector256.Create(l2), Vector256.LoadUnsafe(ref rg, (nuint)i));
            var mv = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rm, (nuint)i), Vector256.Create(b1), gv * c1);
            var vv = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rv, (nuint)i), Vector256.Create(b2), gv * gv * c2);
            var denom = Vector256.FusedMultiplyAdd(Vector256.Sqrt(vv), Vector256.Create(invSqrtBc2), Vector256.Create(eps));
            mv.StoreUnsafe(ref rm, (nuint)i);
            vv.StoreUnsafe(ref rv, (nuint)i);
            (pv - stepSize * mv / denom).StoreUnsafe(ref rp, (nuint)i);
        }
        for (; i < n; i++)
        {
            float pv = p[i] * decay;
            float gv = MathF.FusedMultiplyAdd(pv, l2, g[i]);
            float mv = MathF.FusedMultiplyAdd(_m[i], b1, gv * c1);
            float vv = MathF.FusedMultiplyAdd(_v[i], b2, gv * gv * c2);
            float denom = MathF.FusedMultiplyAdd(MathF.Sqrt(vv), invSqrtBc2, eps);
            _m[i] = mv;
            _v[i] = vv;
            p[i] = pv - stepSize * mv / denom;
        }
    }
}
