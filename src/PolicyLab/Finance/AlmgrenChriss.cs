namespace PolicyLab.Finance;

/// <summary>A static (price-independent) sell schedule and its cost statistics under the Almgren–Chriss model.</summary>
/// <param name="RiskAversion">The λ it was solved for, or NaN for a schedule that was not optimized (TWAP, VWAP, …).</param>
/// <param name="Holdings">Shares held after each period, x₀ = X, …, x_N = 0 (N + 1 values).</param>
/// <param name="Trades">Shares sold in each period, n_k = x_{k−1} − x_k (N values).</param>
/// <param name="ExpectedCost">E[implementation shortfall] in $.</param>
/// <param name="Variance">Var[implementation shortfall] in $².</param>
public sealed record ExecutionSchedule(double RiskAversion, double[] Holdings, double[] Trades, double ExpectedCost, double Variance)
{
    /// <summary>Standard deviation of the implementation shortfall in $.</summary>
    public double StandardDeviation => Math.Sqrt(Variance);

    /// <summary>The mean–variance utility E + λ·Var for the given λ (lower is better).</summary>
    public double Utility(double riskAversion) => ExpectedCost + riskAversion * Variance;
}

/// <summary>One point of the efficient frontier: the optimal schedule's E and Var for a risk aversion λ.</summary>
/// <param name="RiskAversion">λ (1/$).</param>
/// <param name="ExpectedCost">E[cost] of the optimal schedule ($).</param>
/// <param name="Variance">Var[cost] of the optimal schedule ($²).</param>
public readonly record struct FrontierPoint(double RiskAversion, double ExpectedCost, double Variance)
{
    /// <summary>Standard deviation of the cost ($).</summary>
    public double StandardDeviation => Math.Sqrt(Variance);
}

/// <summary>
/// The closed-form solution of the discrete Almgren–Chriss problem: for risk aversion λ the optimal holdings are
/// x_j = X·sinh(κ(T − t_j))/sinh(κT) with κ = arccosh(1 + κ̃²τ²/2)/τ and κ̃² = λσ²/η̃; λ = 0 gives the straight line
/// (TWAP). Costs of any static schedule follow from E = ½γX² + εΣ|n_k| + (η̃/τ)Σn_k² − ατΣx_k and Var = σ²τΣx_k².
/// </summary>
public static class AlmgrenChriss
{
    /// <summary>κ (per unit time) of the optimal trajectory for risk aversion <paramref name="riskAversion"/> (0 for λ = 0).</summary>
    public static double Kappa(AlmgrenChrissParameters parameters, double riskAversion)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();
        CheckRiskAversion(riskAversion);
        if (riskAversion == 0) return 0.0;
        double tau = parameters.Tau;
        double kappaTilde2 = riskAversion * parameters.Volatility * parameters.Volatility / parameters.AdjustedTemporaryImpact;
        // arccosh(1 + z) = log1p(z + sqrt(z(z + 2))) keeps full precision for small z.
        double z = 0.5 * kappaTilde2 * tau * tau;
        return Math.Log(1 + (z + Math.Sqrt(z * (z + 2)))) / tau;
    }

    /// <summary>The optimal holdings x₀ … x_N for risk aversion λ (x₀ = X and x_N = 0 exactly).</summary>
    public static double[] OptimalHoldings(AlmgrenChrissParameters parameters, double riskAversion)
    {
        double kappa = Kappa(parameters, riskAversion);
        int n = parameters.Periods;
        double x = parameters.Shares, tau = parameters.Tau, horizon = parameters.Horizon;
        var holdings = new double[n + 1];
        holdings[0] = x;
        for (int j = 1; j < n; j++)
        {
            double remaining = horizon - j * tau;
            holdings[j] = kappa * horizon < 1e-8
                ? x * (n - j) / n // κ → 0: the sinh ratio tends to the straight line
                : x * SinhRatio(kappa * remaining, kappa * horizon);
        }
        holdings[n] = 0.0;
        return holdings;
    }

    /// <summary>The optimal schedule for λ with its expected cost and variance (direct sums).</summary>
    public static ExecutionSchedule Optimal(AlmgrenChrissParameters parameters, double riskAversion)
    {
        double[] holdings = OptimalHoldings(parameters, riskAversion);
        ExecutionSchedule s = Evaluate(parameters, holdings);
        return s with { RiskAversion = riskAversion };
    }

    /// <summary>Time-weighted average price: equal trades X/N (the λ = 0 optimum).</summary>
    public static ExecutionSchedule Twap(AlmgrenChrissParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();
        int n = parameters.Periods;
        var holdings = new double[n + 1];
        for (int j = 0; j <= n; j++) holdings[j] = parameters.Shares * (n - j) / n;
        return Evaluate(parameters, holdings);
    }

    /// <summary>
    /// Volume-weighted schedule: trades proportional to a forecast volume profile, n_k = X·v_k/Σv
    /// (one positive weight per period).
    /// </summary>
    /// <exception cref="PolicyLabException">The profile has the wrong length or a weight that is not positive.</exception>
    public static ExecutionSchedule Vwap(AlmgrenChrissParameters parameters, IReadOnlyList<double> volumeProfile)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(volumeProfile);
        parameters.Validate();
        int n = parameters.Periods;
        if (volumeProfile.Count != n)
            throw new PolicyLabException($"VWAP: the volume profile has {volumeProfile.Count} weights but there are {n} periods; give one weight per period.");
        double total = 0;
        foreach (double v in volumeProfile)
        {
            if (!(v > 0) || !double.IsFinite(v))
                throw new PolicyLabException($"VWAP: every volume weight must be a positive finite number; got {v}.");
            total += v;
        }
        var holdings = new double[n + 1];
        holdings[0] = parameters.Shares;
        double cumulative = 0;
        for (int j = 1; j < n; j++)
        {
            cumulative += volumeProfile[j - 1];
            holdings[j] = parameters.Shares * (1 - cumulative / total);
        }
        return Evaluate(parameters, holdings);
    }

    /// <summary>The classic intraday U-shaped volume profile over <paramref name="periods"/> periods: weight 1 + 2·(2u − 1)² at the period midpoint u.</summary>
    public static double[] UShapedVolumeProfile(int periods)
    {
        if (periods <= 0)
            throw new PolicyLabException($"VWAP: periods must be positive; got {periods}.");
        var profile = new double[periods];
        for (int k = 0; k < periods; k++)
        {
            double u = (k + 0.5) / periods;
            profile[k] = 1 + 2 * (2 * u - 1) * (2 * u - 1);
        }
        return profile;
    }

    /// <summary>
    /// Expected cost and variance of any static schedule given by its holdings (x₀ = X, x_N = 0, N + 1 values):
    /// E = ½γX² + εΣ|n_k| + (η̃/τ)Σn_k² − ατΣ_{k≥1}x_k and Var = σ²τΣ_{k≥1}x_k².
    /// </summary>
    /// <exception cref="PolicyLabException">The holdings do not start at X, end at 0, or have the wrong length.</exception>
    public static ExecutionSchedule Evaluate(AlmgrenChrissParameters parameters, IReadOnlyList<double> holdings)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(holdings);
        parameters.Validate();
        int n = parameters.Periods;
        if (holdings.Count != n + 1 || holdings[0] != parameters.Shares || holdings[n] != 0)
            throw new PolicyLabException($"Almgren–Chriss: a schedule needs {n + 1} holdings from x₀ = X = {parameters.Shares} down to x_N = 0; got {holdings.Count} values from {(holdings.Count > 0 ? holdings[0] : double.NaN)} to {(holdings.Count > 0 ? holdings[^1] : double.NaN)}.");
        double tau = parameters.Tau, x = parameters.Shares;
        var trades = new double[n];
        double absolute = 0, squares = 0, exposure = 0, exposureSquares = 0;
        for (int k = 1; k <= n; k++)
        {
            double trade = holdings[k - 1] - holdings[k];
            trades[k - 1] = trade;
            absolute += Math.Abs(trade);
            squares += trade * trade;
            exposure += holdings[k];
            exposureSquares += holdings[k] * holdings[k];
        }
        double expected = 0.5 * parameters.PermanentImpact * x * x + parameters.FixedCost * absolute
            + parameters.AdjustedTemporaryImpact / tau * squares - parameters.Drift * tau * exposure;
        double variance = parameters.Volatility * parameters.Volatility * tau * exposureSquares;
        return new ExecutionSchedule(double.NaN, [.. holdings], trades, expected, variance);
    }

    /// <summary>
    /// Expected cost of a static schedule when a fraction ρ = <paramref name="impactDecay"/> of the temporary impact
    /// lingers into each next period: the Almgren–Chriss cost plus (η/τ)·Σ_k n_k·Σ_{j&lt;k} ρ^{k−j}·n_j.
    /// </summary>
    public static double ExpectedCostWithTransientImpact(AlmgrenChrissParameters parameters, IReadOnlyList<double> holdings, double impactDecay)
    {
        CheckDecay(impactDecay);
        ExecutionSchedule s = Evaluate(parameters, holdings);
        double residual = 0, extra = 0, rate = parameters.TemporaryImpact / parameters.Tau;
        foreach (double n in s.Trades)
        {
            extra += n * residual;
            residual = impactDecay * (residual + rate * n);
        }
        return s.ExpectedCost + extra;
    }

    /// <summary>
    /// The static schedule minimizing E + λ·Var when the temporary impact decays by ρ = <paramref name="impactDecay"/>
    /// per period (ρ = 0 gives Almgren–Chriss). The utility is quadratic in the holdings x₁ … x_{N−1} (ε·Σ|n_k| is
    /// taken as ε·X, i.e. trades are assumed to be sales), so its minimum solves one linear system. The returned
    /// schedule's <see cref="ExecutionSchedule.ExpectedCost"/> includes the transient part.
    /// </summary>
    public static ExecutionSchedule OptimalWithTransientImpact(AlmgrenChrissParameters parameters, double riskAversion, double impactDecay)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();
        CheckRiskAversion(riskAversion);
        CheckDecay(impactDecay);
        int free = parameters.Periods - 1;
        double unit = parameters.Shares / parameters.Periods;
        double[] Holdings(ReadOnlySpan<double> y)
        {
            var h = new double[parameters.Periods + 1];
            h[0] = parameters.Shares;
            for (int i = 0; i < free; i++) h[i + 1] = unit * y[i];
            return h;
        }
        double Utility(ReadOnlySpan<double> y)
        {
            double[] h = Holdings(y);
            double variance = parameters.Volatility * parameters.Volatility * parameters.Tau * h.Skip(1).Sum(v => v * v);
            // ε·X instead of ε·Σ|n|, so that the function is exactly quadratic.
            ExecutionSchedule s = Evaluate(parameters, h);
            double absolute = s.Trades.Sum(Math.Abs);
            return ExpectedCostWithTransientImpact(parameters, h, impactDecay) - parameters.FixedCost * (absolute - parameters.Shares) + riskAversion * variance;
        }
        // U(y) = c + b·y + ½·yᵀHy, read off exactly from values at 0, e_i and e_i + e_j.
        var zero = new double[free];
        double c = Utility(zero);
        var single = new double[free];
        var hessian = new double[free, free];
        var gradient = new double[free];
        var point = new double[free];
        for (int i = 0; i < free; i++)
        {
            Array.Clear(point);
            point[i] = 1;
            single[i] = Utility(point);
        }
        for (int i = 0; i < free; i++)
        {
            for (int j = 0; j < free; j++)
            {
                Array.Clear(point);
                point[i] += 1;
                point[j] += 1;
                hessian[i, j] = Utility(point) - single[i] - single[j] + c; // for i = j: U(2e_i) − 2U(e_i) + U(0)
            }
            gradient[i] = single[i] - c - 0.5 * hessian[i, i];
        }
        double[] y = SolveSymmetric(hessian, gradient);
        return Evaluate(parameters, Holdings(y)) with
        {
            RiskAversion = riskAversion,
            ExpectedCost = ExpectedCostWithTransientImpact(parameters, Holdings(y), impactDecay),
        };
    }

    /// <summary>Solves H·y = −g by Gaussian elimination with partial pivoting.</summary>
    private static double[] SolveSymmetric(double[,] h, double[] g)
    {
        int n = g.Length;
        var a = (double[,])h.Clone();
        double[] rhs = [.. g.Select(v => -v)];
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++)
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col])) pivot = r;
            if (a[pivot, col] == 0)
                throw new PolicyLabException("Almgren–Chriss: the transient-impact utility is not strictly convex for these parameters.");
            if (pivot != col)
            {
                for (int k = 0; k < n; k++) (a[col, k], a[pivot, k]) = (a[pivot, k], a[col, k]);
                (rhs[col], rhs[pivot]) = (rhs[pivot], rhs[col]);
            }
            for (int r = col + 1; r < n; r++)
            {
                double factor = a[r, col] / a[col, col];
                for (int k = col; k < n; k++) a[r, k] -= factor * a[col, k];
                rhs[r] -= factor * rhs[col];
            }
        }
        var y = new double[n];
        for (int r = n - 1; r >= 0; r--)
        {
            double sum = rhs[r];
            for (int k = r + 1; k < n; k++) sum -= a[r, k] * y[k];
            y[r] = sum / a[r, r];
        }
        return y;
    }

    private static void CheckDecay(double impactDecay)
    {
        if (!(impactDecay >= 0 && impactDecay < 1))
            throw new PolicyLabException($"Almgren–Chriss: impact_decay must be in [0, 1); got {impactDecay}.");
    }

    /// <summary>The paper's closed form (its Eq. 20) of the optimal schedule's expected cost, for λ &gt; 0.</summary>
    public static double ClosedFormExpectedCost(AlmgrenChrissParameters parameters, double riskAversion)
    {
        double kappa = PositiveKappa(parameters, riskAversion);
        double x = parameters.Shares, tau = parameters.Tau, horizon = parameters.Horizon;
        double sinhT = Math.Sinh(kappa * horizon);
        return 0.5 * parameters.PermanentImpact * x * x + parameters.FixedCost * x
            + parameters.AdjustedTemporaryImpact * x * x * Math.Tanh(0.5 * kappa * tau)
              * (tau * Math.Sinh(2 * kappa * horizon) + 2 * horizon * Math.Sinh(kappa * tau)) / (2 * tau * tau * sinhT * sinhT);
    }

    /// <summary>The paper's closed form (its Eq. 20) of the optimal schedule's variance, for λ &gt; 0.</summary>
    public static double ClosedFormVariance(AlmgrenChrissParameters parameters, double riskAversion)
    {
        double kappa = PositiveKappa(parameters, riskAversion);
        double x = parameters.Shares, tau = parameters.Tau, horizon = parameters.Horizon, sigma = parameters.Volatility;
        double sinhT = Math.Sinh(kappa * horizon);
        return 0.5 * sigma * sigma * x * x
            * (tau * sinhT * Math.Cosh(kappa * (horizon - tau)) - horizon * Math.Sinh(kappa * tau))
            / (sinhT * sinhT * Math.Sinh(kappa * tau));
    }

    /// <summary>
    /// U* = E + λ·Var of the optimal schedule for <paramref name="shares"/> shares over the last
    /// <paramref name="periods"/> periods (same τ), without allocating: 0 for no shares, the immediate-sale cost for one
    /// period, the straight line for λ = 0, the paper's Eq. (20) otherwise (direct sums once κT is too large for it).
    /// </summary>
    public static double OptimalUtility(AlmgrenChrissParameters parameters, double shares, int periods, double riskAversion)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(shares >= 0) || periods <= 0)
            throw new PolicyLabException($"Almgren–Chriss: the remaining position needs shares ≥ 0 and periods > 0; got {shares} shares over {periods} periods.");
        if (shares == 0) return 0.0;
        double tau = parameters.Tau, x = shares, horizon = periods * tau, etaTilde = parameters.AdjustedTemporaryImpact;
        double fixedPart = 0.5 * parameters.PermanentImpact * x * x + parameters.FixedCost * x;
        if (periods == 1) return fixedPart + etaTilde * x * x / tau;
        double kappa = Kappa(parameters, riskAversion);
        double sigma2 = parameters.Volatility * parameters.Volatility;
        if (kappa == 0)
        {
            double m = periods;
            return fixedPart + etaTilde * x * x / horizon + riskAversion * sigma2 * tau * x * x * (m - 1) * (2 * m - 1) / (6 * m);
        }
        if (kappa * horizon > 300)
        {
            ExecutionSchedule s = Optimal(parameters with { Shares = x, Periods = periods, Horizon = horizon }, riskAversion);
            return s.Utility(riskAversion);
        }
        double sinhT = Math.Sinh(kappa * horizon), sinhTau = Math.Sinh(kappa * tau);
        double expected = fixedPart + etaTilde * x * x * Math.Tanh(0.5 * kappa * tau)
            * (tau * Math.Sinh(2 * kappa * horizon) + 2 * horizon * sinhTau) / (2 * tau * tau * sinhT * sinhT);
        double variance = 0.5 * sigma2 * x * x * (tau * sinhT * Math.Cosh(kappa * (horizon - tau)) - horizon * sinhTau) / (sinhT * sinhT * sinhTau);
        return expected + riskAversion * variance;
    }

    /// <summary>The efficient frontier: the optimal schedule's (E, Var) for each λ (any order, each ≥ 0).</summary>
    public static FrontierPoint[] Frontier(AlmgrenChrissParameters parameters, IEnumerable<double> riskAversions)
    {
        ArgumentNullException.ThrowIfNull(riskAversions);
        return [.. riskAversions.Select(l =>
        {
            ExecutionSchedule s = Optimal(parameters, l);
            return new FrontierPoint(l, s.ExpectedCost, s.Variance);
        })];
    }

    /// <summary>
    /// λ = 0 followed by <paramref name="count"/> − 1 values spaced evenly in log λ from λ/1000 to λ·1000 of the
    /// parameters' λ (10⁻⁹ … 10⁻³ for the paper's example), which spans TWAP to nearly immediate sale.
    /// </summary>
    public static double[] FrontierRiskAversions(AlmgrenChrissParameters parameters, int count = 61)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (count < 2)
            throw new PolicyLabException($"Almgren–Chriss: a frontier needs at least 2 points; got {count}.");
        double centre = parameters.RiskAversion > 0 ? parameters.RiskAversion : 1e-6;
        var values = new double[count];
        for (int i = 1; i < count; i++)
            values[i] = centre * Math.Pow(10, -3 + 6.0 * (i - 1) / (count - 2));
        return values;
    }

    /// <summary>sinh(a)/sinh(b) for 0 ≤ a ≤ b without overflow for large b.</summary>
    private static double SinhRatio(double a, double b)
    {
        if (b < 20) return Math.Sinh(a) / Math.Sinh(b);
        return Math.Exp(a - b) * (1 - Math.Exp(-2 * a)) / (1 - Math.Exp(-2 * b));
    }

    private static double PositiveKappa(AlmgrenChrissParameters parameters, double riskAversion)
    {
        double kappa = Kappa(parameters, riskAversion);
        if (kappa == 0)
            throw new PolicyLabException("Almgren–Chriss: the closed-form cost (Eq. 20) needs λ > 0; for λ = 0 use Optimal (the straight-line schedule).");
        return kappa;
    }

    private static void CheckRiskAversion(double riskAversion)
    {
        if (!(riskAversion >= 0) || !double.IsFinite(riskAversion))
            throw new PolicyLabException($"Almgren–Chriss: risk_aversion (λ) must be a finite number ≥ 0; got {riskAversion}.");
    }
}
