using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Modules;

namespace PolicyLab.Algorithms.Policies.Distributions;

/// <summary>
/// The family of action distributions a stochastic policy uses for one action space, chosen once by
/// <see cref="For"/>: categorical for Discrete, diagonal Gaussian for Box (state-independent or
/// state-dependent log σ), independent categoricals for MultiDiscrete and Bernoulli variables for
/// MultiBinary. It knows how wide the actor's output (the head) is, how an action is stored, how to
/// build the differentiable distribution from a head on the tape, how to act from a head with no tape,
/// how to turn a stored action into what the environment takes, and the Fisher information of its
/// parameters for natural-gradient methods. Algorithms never branch on the action type.
/// </summary>
public abstract class ActionDistribution
{
    /// <summary>The family for <paramref name="actionSpace"/>.</summary>
    /// <param name="actionSpace">The environment's (single-copy) action space.</param>
    /// <param name="stateDependentStd">For Box spaces: the actor outputs log σ next to the mean (head width 2·D)
    /// instead of one learned log σ per dimension shared by every state.</param>
    /// <exception cref="PolicyLabException">The space has no policy distribution.</exception>
    public static ActionDistribution For(Space actionSpace, bool stateDependentStd = false)
    {
        ArgumentNullException.ThrowIfNull(actionSpace);
        return actionSpace switch
        {
            Discrete d => new CategoricalActions(d),
            Box b => new GaussianActions(b, stateDependentStd),
            MultiDiscrete m => new MultiCategoricalActions(m),
            MultiBinary m => new BernoulliActions(m),
            _ => throw new PolicyLabException($"The action space {actionSpace} has no policy distribution (Discrete, Box, MultiDiscrete and MultiBinary do)."),
        };
    }

    /// <summary>Floats the actor outputs per observation (logits, or mean and maybe log σ).</summary>
    public abstract int HeadSize { get; }

    /// <summary>Floats stored per action (1 for Discrete: the index).</summary>
    public abstract int ActionSize { get; }

    /// <summary>Length of the state-independent log σ parameter the policy must own (0 when there is none).</summary>
    public virtual int LogStdSize => 0;

    /// <summary>True for continuous (density) actions, whose exp(log-prob) is not a probability.</summary>
    public virtual bool IsContinuous => false;

    /// <summary>Flags in an action mask of this family (<see cref="Environments.ActionMasking.SizeFor"/>): the logit
    /// count for categorical families, 0 where masks do not apply.</summary>
    public virtual int MaskSize => 0;

    // ------------------------------------------------------------------ on the tape

    /// <summary>The differentiable distribution for actor outputs <paramref name="head"/> [B, head] (and the
    /// state-independent log σ, when the family has one).</summary>
    public abstract PolicyDistribution OnTape(Tensor head, Tensor? logStd);

    /// <summary>The distribution restricted to the actions <paramref name="mask"/> allows ([B, <see cref="MaskSize"/>],
    /// 1 allowed, 0 forbidden; null for no mask): forbidden actions get probability 0, and log-probabilities and
    /// entropies are those of the distribution renormalized over the allowed set.</summary>
    /// <exception cref="PolicyLabException">A mask was given to a family without masks.</exception>
    public virtual PolicyDistribution OnTape(Tensor head, Tensor? logStd, Tensor? mask) =>
        mask is null ? OnTape(head, logStd) : throw NoMasks();

    /// <summary>Stored actions of <paramref name="batch"/> rows as the tape distribution expects them:
    /// [B, act] (indices [B] for Discrete).</summary>
    public virtual Tensor Actions(Tape tape, ReadOnlySpan<float> actions, int batch)
    {
        ArgumentNullException.ThrowIfNull(tape);
        return tape.Constant(actions[..(batch * ActionSize)], new Shape(batch, ActionSize));
    }

    // ------------------------------------------------------------------ acting (no tape, no allocation)

    /// <summary>Samples one action from one row's head into <paramref name="action"/> (length <see cref="ActionSize"/>)
    /// and returns its log-probability.</summary>
    public abstract float Sample(ReadOnlySpan<float> head, ReadOnlySpan<float> logStd, Rng rng, Span<float> action);

    /// <summary>Writes the most probable action of one row into <paramref name="action"/> and returns its log-probability.</summary>
    public abstract float Mode(ReadOnlySpan<float> head, ReadOnlySpan<float> logStd, Span<float> action);

    /// <summary>Samples one allowed action (<paramref name="mask"/>: <see cref="MaskSize"/> flags, empty for none) and returns
    /// its log-probability under the distribution renormalized over the allowed actions.</summary>
    public virtual float Sample(ReadOnlySpan<float> head, ReadOnlySpan<float> logStd, ReadOnlySpan<bool> mask, Rng rng, Span<float> action) =>
        mask.IsEmpty ? Sample(head, logStd, rng, action) : throw NoMasks();

    /// <summary>The most probable allowed action of one row and its (renormalized) log-probability.</summary>
    public virtual float Mode(ReadOnlySpan<float> head, ReadOnlySpan<float> logStd, ReadOnlySpan<bool> mask, Span<float> action) =>
        mask.IsEmpty ? Mode(head, logStd, action) : throw NoMasks();

    private PolicyLabException NoMasks() =>
        new($"Action masks apply to Discrete and MultiDiscrete actions; this policy's actions ({GetType().Name}) have none.");

    /// <summary>Converts one stored action to the environment's action (a Discrete space's start offset,
    /// a Gaussian sample clipped to the Box bounds; the stored action stays as sampled).</summary>
    public abstract void ToEnvironment(ReadOnlySpan<float> action, Span<float> environmentAction);

    // ------------------------------------------------------------------ curvature

    /// <summary>
    /// F·v in the Gauss–Newton form E_s[Jᵀ M J] (J: the head's Jacobian in θ, M: the closed-form Fisher of
    /// this family in its head; see <see cref="Numerics.Curvature.FisherVectorProduct"/>). The result is
    /// laid out like <paramref name="store"/>'s flat buffer; the store's gradients are overwritten.
    /// </summary>
    public abstract void FisherVectorProduct(Mlp actor, Parameter? logStd, ParameterStore store, ReadOnlySpan<float> observations, int batch,
        ReadOnlySpan<float> vector, Span<float> result, Tape tape);
}
