namespace PolicyLab.TaskComplexity;

/// <summary>POIC at its best temperature.</summary>
/// <param name="Value">max over η of POIC(η), in nats.</param>
/// <param name="Eta">The maximizing temperature η.</param>
public readonly record struct PoicResult(double Value, double Eta);

/// <summary>PIC at its best bin count.</summary>
/// <param name="Value">The bias-corrected (Miller–Madow) histogram estimate of I(Θ; R) at <paramref name="Bins"/>, in nats.</param>
/// <param name="Bins">The maximizing number of equal-width bins.</param>
/// <param name="PlugIn">The uncorrected plug-in estimate at the same bin count.</param>
public readonly record struct PicResult(double Value, int Bins, double PlugIn);

/// <summary>
/// The policy information capacities of Furuta et al. (ICML 2021) from a return matrix R[i, j] (policy sample i,
/// episode j), in double precision and nats.
/// <list type="bullet">
/// <item><b>POIC</b> = I(Θ; O) with p(O = 1 | R) = exp((R − r_max)/η), r_max the largest return:
/// POIC(η) = H_b(p̄) − mean_i H_b(p_i), p_i = mean_j exp((R_ij − r_max)/η), p̄ = mean_i p_i, maximized over η by a
/// deterministic search (a log-spaced grid, then golden-section refinement around the best grid point).</item>
/// <item><b>PIC</b> = I(Θ; R) = H(R) − mean_i H(R | θ_i) with histogram entropies on common equal-width bins over
/// [min R, max R], each entropy Miller–Madow corrected (+ (occupied bins − 1)/(2·samples)), maximized over the bin
/// count b = 2 … max(2, ⌊M/5⌋) (at least five episodes per bin of a policy's histogram on average, so the correction
/// holds; the plug-in estimate alone grows like (b − 1)/(2M) even when the return ignores the policy).</item>
/// </list>
/// </summary>
public static class InformationCapacity
{
    /// <summary>The temperature range of the original search: η ∈ [10⁻⁴, 2·10⁴].</summary>
    public const double DefaultEtaMin = 1e-4, DefaultEtaMax = 2e4;

    /// <summary>Grid points of the η search (log-spaced over the range) before golden-section refinement.</summary>
    public const int EtaGridPoints = 161;

    /// <summary>POIC(η) for one temperature.</summary>
    public static double Poic(double[,] returns, double eta)
    {
        ArgumentNullException.ThrowIfNull(returns);
        if (!(eta > 0) || !double.IsFinite(eta)) throw new PolicyLabException($"The temperature η must be a positive finite number; got {eta}.");
        int n = returns.GetLength(0), m = returns.GetLength(1);
        double rmax = Max(returns);
        double pSum = 0, qSum = 0, conditional = 0;
        for (int i = 0; i < n; i++)
        {
            double p = 0, q = 0;
            for (int j = 0; j < m; j++)
            {
                double x = (returns[i, j] - rmax) / eta;
                double u = Math.Exp(x);
                p += u;
                q -= ExpM1(x, u); // 1 − e^x without cancellation when η is large
            }
            p /= m;
            q /= m;
            pSum += p;
            qSum += q;
            conditional += BinaryEntropy(p, q);
        }
        return BinaryEntropy(pSum / n, qSum / n) - conditional / n;
    }

    /// <summary>POIC maximized over η ∈ [<paramref name="etaMin"/>, <paramref name="etaMax"/>].</summary>
    /// <exception cref="PolicyLabException">The range is not 0 &lt; min &lt; max &lt; ∞, or the matrix is empty or not finite.</exception>
    public static PoicResult MaximizePoic(double[,] returns, double etaMin = DefaultEtaMin, double etaMax = DefaultEtaMax)
    {
        ValidateEtaRange(etaMin, etaMax);
        RequireFinite(returns);
        double lo = Math.Log(etaMin), hi = Math.Log(etaMax);
        double At(double logEta) => Poic(returns, Math.Exp(logEta));
        int best = 0;
        var values = new double[EtaGridPoints];
        for (int k = 0; k < EtaGridPoints; k++)
        {
            values[k] = At(lo + (hi - lo) * k / (EtaGridPoints - 1));
            if (values[k] > values[best]) best = k;
        }
        double a = lo + (hi - lo) * Math.Max(best - 1, 0) / (EtaGridPoints - 1);
        double b = lo + (hi - lo) * Math.Min(best + 1, EtaGridPoints - 1) / (EtaGridPoints - 1);
        (double bestLog, double bestValue) = (lo + (hi - lo) * best / (EtaGridPoints - 1), values[best]);
        double ratio = (Math.Sqrt(5) - 1) / 2;
        double c = b - ratio * (b - a), d = a + ratio * (b - a);
        double fc = At(c), fd = At(d);
        for (int iteration = 0; iteration < 60 && b - a > 1e-12; iteration++)
        {
            if (fc >= fd) { b = d; d = c; fd = fc; c = b - ratio * (b - a); fc = At(c); }
            else { a = c; c = d; fc = fd; d = a + ratio * (b - a); fd = At(d); }
        }
        if (fc > bestValue) (bestLog, bestValue) = (c, fc);
        if (fd > bestValue) (bestLog, bestValue) = (d, fd);
        return new PoicResult(bestValue, Math.Exp(bestLog));
    }

    /// <summary>Throws when [<paramref name="etaMin"/>, <paramref name="etaMax"/>] is not a valid temperature range.</summary>
    public static void ValidateEtaRange(double etaMin, double etaMax)
    {
        if (!(etaMin > 0) || !(etaMax > etaMin) || !double.IsFinite(etaMax))
            throw new PolicyLabException($"The temperature range must satisfy 0 < η_min < η_max < ∞; got [{etaMin}, {etaMax}]. The default is [{DefaultEtaMin}, {DefaultEtaMax}].");
    }

    /// <summary>The largest bin count the PIC search uses for M episodes per policy.</summary>
    public static int MaxBins(int episodes) => Math.Max(2, episodes / 5);

    /// <summary>The Miller–Madow-corrected histogram PIC with <paramref name="bins"/> equal-width bins, and the plug-in value.</summary>
    public static (double Corrected, double PlugIn) Pic(double[,] returns, int bins)
    {
        ArgumentNullException.ThrowIfNull(returns);
        if (bins < 1) throw new PolicyLabException($"The histogram needs at least one bin; got {bins}.");
        int n = returns.GetLength(0), m = returns.GetLength(1);
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double r in returns) { min = Math.Min(min, r); max = Math.Max(max, r); }
        if (!(max > min)) return (0, 0); // one value: no entropy at all
        var total = new long[bins];
        var row = new long[bins];
        double conditionalPlugIn = 0, conditionalCorrected = 0;
        for (int i = 0; i < n; i++)
        {
            Array.Clear(row);
            for (int j = 0; j < m; j++)
            {
                int bin = Bin(returns[i, j], min, max, bins);
                row[bin]++;
                total[bin]++;
            }
            (double plug, double corrected) = Entropy(row, m);
            conditionalPlugIn += plug;
            conditionalCorrected += corrected;
        }
        (double hPlug, double hCorrected) = Entropy(total, (long)n * m);
        return (hCorrected - conditionalCorrected / n, hPlug - conditionalPlugIn / n);
    }

    /// <summary>PIC maximized over the bin count 2 … <see cref="MaxBins"/>(M).</summary>
    public static PicResult MaximizePic(double[,] returns)
    {
        RequireFinite(returns);
        int limit = MaxBins(returns.GetLength(1));
        var best = new PicResult(double.NegativeInfinity, 0, 0);
        for (int b = 2; b <= limit; b++)
        {
            (double corrected, double plug) = Pic(returns, b);
            if (corrected > best.Value) best = new PicResult(corrected, b, plug);
        }
        return best;
    }

    /// <summary>Binary entropy −p ln p − q ln q in nats (0 ln 0 = 0), with q = 1 − p computed by the caller.</summary>
    public static double BinaryEntropy(double p, double q) => (p > 0 ? -p * Math.Log(p) : 0) + (q > 0 ? -q * Math.Log(q) : 0);

    /// <summary>e^x − 1 accurate for small |x| (Kahan's formula), given u = e^x.</summary>
    private static double ExpM1(double x, double u)
    {
        if (u == 1.0) return x;
        double um1 = u - 1.0;
        return um1 == -1.0 ? -1.0 : um1 * x / Math.Log(u);
    }

    private static int Bin(double value, double min, double max, int bins) =>
        Math.Min((int)((value - min) / (max - min) * bins), bins - 1);

    private static (double PlugIn, double Corrected) Entropy(long[] counts, long total)
    {
        double h = 0;
        int occupied = 0;
        foreach (long c in counts)
        {
            if (c == 0) continue;
            occupied++;
            double p = (double)c / total;
            h -= p * Math.Log(p);
        }
        return (h, h + (occupied - 1) / (2.0 * total));
    }

    private static double Max(double[,] returns)
    {
        double max = double.NegativeInfinity;
        foreach (double r in returns) max = Math.Max(max, r);
        return max;
    }

    private static void RequireFinite(double[,] returns)
    {
        ArgumentNullException.ThrowIfNull(returns);
        if (returns.Length == 0) throw new PolicyLabException("PIC/POIC need at least one return.");
        foreach (double r in returns)
            if (!double.IsFinite(r)) throw new PolicyLabException($"PIC/POIC need finite returns; got {r}. Check the environment's rewards.");
    }
}
