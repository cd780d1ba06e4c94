namespace PolicyLab.Numerics.Curvature;

/// <summary>A symmetric positive semi-definite linear operator: writes A·<paramref name="vector"/> into <paramref name="result"/>.</summary>
/// <param name="vector">The vector to multiply (do not modify).</param>
/// <param name="result">Receives A·v; same length as <paramref name="vector"/>.</param>
public delegate void LinearOperator(ReadOnlySpan<float> vector, Span<float> result);

/// <summary>What a conjugate-gradient solve did.</summary>
/// <param name="Iterations">Operator products used (one per iteration).</param>
/// <param name="ResidualNorm">‖b − (A + δI)x‖ at the end, as tracked by the recurrence.</param>
public readonly record struct ConjugateGradientResult(int Iterations, double ResidualNorm);

/// <summary>
/// Conjugate gradient (Hestenes and Stiefel 1952) for (A + δI)·x = b with A symmetric positive
/// semi-definite and given only through products A·v (e.g. a Fisher-vector product). Starting from
/// x₀ = 0, r₀ = p₀ = b, each iteration does
///   α = rᵀr / pᵀ(A + δI)p,  x ← x + α·p,  r ← r − α·(A + δI)p,  β = r′ᵀr′ / rᵀr,  p ← r + β·p,
/// and stops after <c>iterations</c> products or once ‖r‖² falls below the tolerance. Dot products
/// are accumulated in double precision.
/// </summary>
public sealed class ConjugateGradient
{
    private float[] _r = [], _p = [], _ap = [];

    /// <summary>
    /// Solves (A + <paramref name="damping"/>·I)·x = <paramref name="b"/> approximately, writing x into
    /// <paramref name="x"/> (which is overwritten; its initial value is ignored).
    /// </summary>
    /// <param name="product">Computes A·v.</param>
    /// <param name="b">Right-hand side.</param>
    /// <param name="x">Receives the solution; same length as <paramref name="b"/>.</param>
    /// <param name="iterations">Maximum number of iterations (operator products), ≥ 1.</param>
    /// <param name="damping">δ ≥ 0 added to the diagonal (Tikhonov damping).</param>
    /// <param name="residualTolerance">Stop once ‖r‖² is at most this.</param>
    public ConjugateGradientResult Solve(LinearOperator product, ReadOnlySpan<float> b, Span<float> x,
        int iterations, float damping = 0f, double residualTolerance = 1e-10)
    {
        ArgumentNullException.ThrowIfNull(product);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(iterations);
        if (!(damping >= 0)) throw new ArgumentOutOfRangeException(nameof(damping), $"Damping must be ≥ 0; got {damping}.");
        if (x.Length != b.Length) throw new ArgumentException($"x has {x.Length} entries; b has {b.Length}.", nameof(x));
        int n = b.Length;
        if (_r.Length != n) (_r, _p, _ap) = (new float[n], new float[n], new float[n]);
        Span<float> r = _r, p = _p, ap = _ap;

        x.Clear();
        b.CopyTo(r);
        b.CopyTo(p);
        double rr = Dot(r, r);
        int done = 0;
        while (done < iterations && rr > residualTolerance)
        {
            product(p, ap);
            done++;
            if (damping > 0)
                for (int i = 0; i < n; i++) ap[i] += damping * p[i];
            double pAp = Dot(p, ap);
            if (!(pAp > 0)) break; // A is not positive definite along p (or p is zero): stop with what we have
            float alpha = (float)(rr / pAp);
            for (int i = 0; i < n; i++)
            {
                x[i] += alpha * p[i];
                r[i] -= alpha * ap[i];
            }
            double rrNext = Dot(r, r);
            float beta = (float)(rrNext / rr);
            for (int i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
            rr = rrNext;
        }
        return new ConjugateGradientResult(done, Math.Sqrt(rr));
    }

    /// <summary>Σ aᵢbᵢ in double precision.</summary>
    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Lengths differ ({a.Length} vs {b.Length}).", nameof(b));
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (double)a[i] * b[i];
        return sum;
    }
}
