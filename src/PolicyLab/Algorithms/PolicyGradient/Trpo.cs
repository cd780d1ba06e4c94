using PolicyLab.Configuration;
using PolicyLab.Algorithms.OnPolicy;
using PolicyLab.Numerics;

namespace PolicyLab.Algorithms.PolicyGradient;

/// <summary>TRPO hyperparameters: NPG's plus the backtracking line search (coefficient 0.8, up to 10 steps).</summary>
public sealed class TrpoSettings : NpgSettings
{
    /// <summary>Factor by which each backtracking step shrinks the step.</summary>
    [Hyperparameter("line_search_coef", "backtracking factor of the line search, in (0, 1)")]
    public float LineSearchCoefficient { get; set; } = 0.8f;

    /// <summary>Step lengths tried before the update is rejected.</summary>
    [Hyperparameter("line_search_steps", "step lengths tried (1, c, c², …) before keeping θ_old")]
    public int LineSearchSteps { get; set; } = 10;

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        base.Validate(errors);
        Require(errors, LineSearchCoefficient is > 0 and < 1, $"line_search_coef must lie in (0, 1) (got {LineSearchCoefficient})");
        Require(errors, LineSearchSteps > 0, $"line_search_steps must be > 0 (got {LineSearchSteps})");
    }
}

/// <summary>What a backtracking line search decided.</summary>
/// <param name="Accepted">Whether a step length was accepted.</param>
/// <param name="Fraction">The accepted fraction of the full step (0 when rejected).</param>
/// <param name="Steps">Step lengths evaluated.</param>
/// <param name="Improvement">Surrogate improvement of the accepted step (0 when rejected).</param>
/// <param name="Kl">KL of the accepted step (0 when rejected).</param>
public readonly record struct LineSearchResult(bool Accepted, double Fraction, int Steps, double Improvement, double Kl);

/// <summary>
/// Trust Region Policy Optimization (Schulman et al. 2015): the natural step s = √(2δ / xᵀFx)·x of
/// <see cref="NaturalGradientAlgorithm"/>, then a backtracking line search over θ_old + cʲ·s,
/// j = 0, 1, …, that accepts the first step with mean KL(π_old ‖ π_new) ≤ δ and L(θ_new) − L(θ_old) &gt; 0
/// (paper §6, Appendix C); when none qualifies the actor stays at θ_old. Extra diagnostics:
/// line_search_steps (step lengths evaluated) and step_accepted (1 or 0).
/// </summary>
public sealed class Trpo : NaturalGradientAlgorithm
{
    private readonly TrpoSettings _trpo;

    /// <summary>Builds the policy and the critic's optimizer for the context's environments (already reset).</summary>
    public Trpo(AlgorithmContext context, TrpoSettings settings, Rng rng) : base(context, settings, rng, "TRPO") => _trpo = settings;

    /// <inheritdoc/>
    protected override StepOutcome TakeStep(double surrogateOld, UpdateDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        LineSearchResult search = LineSearch(fraction =>
        {
            SetActor(fraction);                                                                   // θ ← θ_old + cʲ·s
            (double surrogate, double kl) = EvaluateActor();
            return (surrogate - surrogateOld, kl);
        }, MaxKl, _trpo.LineSearchCoefficient, _trpo.LineSearchSteps);
        SetActor(search.Fraction);                                                                // the accepted step, or θ_old
        diagnostics.Set("line_search_steps", search.Steps);
        diagnostics.Set("step_accepted", search.Accepted ? 1 : 0);
        return new StepOutcome(search.Improvement, search.Kl);
    }

    /// <summary>
    /// Backtracking line search: tries fractions 1, c, c², … (at most <paramref name="maxSteps"/>) of the
    /// full step and accepts the first whose KL is at most <paramref name="maxKl"/> and whose surrogate
    /// improvement is positive. <paramref name="tryStep"/> moves the parameters to the given fraction of
    /// the full step and returns (improvement, KL) there; the caller applies the result's fraction
    /// afterwards (0, i.e. the old parameters, when nothing was accepted).
    /// </summary>
    public static LineSearchResult LineSearch(Func<double, (double Improvement, double Kl)> tryStep, double maxKl,
        double coefficient, int maxSteps)
    {
        ArgumentNullException.ThrowIfNull(tryStep);
        double fraction = 1;
        for (int j = 0; j < maxSteps; j++, fraction *= coefficient)
        {
            (double improvement, double kl) = tryStep(fraction);
            if (double.IsFinite(kl) && kl <= maxKl && improvement > 0)
                return new LineSearchResult(true, fraction, j + 1, improvement, kl);
        }
        return new LineSearchResult(false, 0, maxSteps, 0, 0);
    }
}
