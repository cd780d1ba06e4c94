using PolicyLab.Configuration;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;

namespace PolicyLab.Algorithms;

/// <summary>The kinds of action space an algorithm can act in.</summary>
[Flags]
public enum ActionSpaceKinds
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary>Discrete(n).</summary>
    Discrete = 1,
    /// <summary>Box (continuous).</summary>
    Box = 2,
    /// <summary>MultiDiscrete([n₁ … n_k]).</summary>
    MultiDiscrete = 4,
    /// <summary>MultiBinary(n).</summary>
    MultiBinary = 8,
    /// <summary>Every kind a stochastic policy's action distribution covers.</summary>
    All = Discrete | Box | MultiDiscrete | MultiBinary,
}

/// <summary>What the registry knows about one algorithm.</summary>
/// <param name="Name">Lower-case name used on the command line (e.g. <c>ppo</c>).</param>
/// <param name="Description">One line for <c>policylab list algos</c>.</param>
/// <param name="CreateSettings">Fresh settings with the algorithm's defaults.</param>
/// <param name="Create">Builds the algorithm for its environments, resolved settings and its random stream.</param>
/// <param name="ActionSpaces">The kinds of action space it supports.</param>
public sealed record AlgorithmInfo(
    string Name,
    string Description,
    Func<Hyperparameters> CreateSettings,
    Func<AlgorithmContext, Hyperparameters, Rng, IAlgorithm> Create,
    ActionSpaceKinds ActionSpaces)
{
    /// <summary>The kind of <paramref name="actionSpace"/> (None for a space no algorithm acts in).</summary>
    public static ActionSpaceKinds KindOf(Environments.Spaces.Space actionSpace) => actionSpace switch
    {
        Environments.Spaces.Discrete => ActionSpaceKinds.Discrete,
        Environments.Spaces.Box => ActionSpaceKinds.Box,
        Environments.Spaces.MultiDiscrete => ActionSpaceKinds.MultiDiscrete,
        Environments.Spaces.MultiBinary => ActionSpaceKinds.MultiBinary,
        _ => ActionSpaceKinds.None,
    };

    /// <summary>Whether the algorithm can act in <paramref name="actionSpace"/>.</summary>
    public bool Supports(Environments.Spaces.Space actionSpace) => (ActionSpaces & KindOf(actionSpace)) != 0;

    /// <summary>The supported kinds in words, e.g. "Discrete, Box".</summary>
    public string DescribeActionSpaces() =>
        string.Join(", ", Enum.GetValues<ActionSpaceKinds>().Where(k => k is not (ActionSpaceKinds.None or ActionSpaceKinds.All) && ActionSpaces.HasFlag(k)));
}

/// <summary>The algorithms PolicyLab can train, by name.</summary>
public static class AlgorithmRegistry
{
    private static readonly Dictionary<string, AlgorithmInfo> Algorithms = new(StringComparer.OrdinalIgnoreCase);
    private static readonly Lock Gate = new();

    static AlgorithmRegistry()
    {
        Register(new AlgorithmInfo("ppo", "Proximal Policy Optimization (clipped surrogate or adaptive KL penalty)",
            () => new PolicyGradient.PpoSettings(),
            (ctx, s, rng) => new PolicyGradient.Ppo(ctx, (PolicyGradient.PpoSettings)s, rng), ActionSpaceKinds.All));
        Register(new AlgorithmInfo("npg", "Natural Policy Gradient (conjugate-gradient natural step of fixed KL, no line search)",
            () => new PolicyGradient.NpgSettings(),
            (ctx, s, rng) => new PolicyGradient.Npg(ctx, (PolicyGradient.NpgSettings)s, rng), ActionSpaceKinds.All));
        Register(new AlgorithmInfo("trpo", "Trust Region Policy Optimization (natural step with a KL-constrained line search)",
            () => new PolicyGradient.TrpoSettings(),
            (ctx, s, rng) => new PolicyGradient.Trpo(ctx, (PolicyGradient.TrpoSettings)s, rng), ActionSpaceKinds.All));
        Register(new AlgorithmInfo("reinforce", "REINFORCE: Monte-Carlo policy gradient over whole episodes (total or reward-to-go weighting, optional baseline)",
            () => new PolicyGradient.ReinforceSettings(),
            (ctx, s, rng) => new PolicyGradient.Reinforce(ctx, (PolicyGradient.ReinforceSettings)s, rng), ActionSpaceKinds.All));
        Register(new AlgorithmInfo("vpg", "Vanilla policy gradient with a learned value baseline and GAE (separate value training)",
            () => new PolicyGradient.VpgSettings(),
            (ctx, s, rng) => new PolicyGradient.Vpg(ctx, (PolicyGradient.VpgSettings)s, rng), ActionSpaceKinds.All));
        Register(new AlgorithmInfo("a2c", "Advantage actor-critic (synchronous, n-step returns, RMSprop)",
            () => new PolicyGradient.A2cSettings(),
            (ctx, s, rng) => new PolicyGradient.A2c(ctx, (PolicyGradient.A2cSettings)s, rng), ActionSpaceKinds.All));
        Register(new AlgorithmInfo("a3c", "Asynchronous advantage actor-critic (worker threads; not bit-reproducible with > 1 worker)",
            () => new PolicyGradient.A3cSettings(),
            (ctx, s, rng) => new PolicyGradient.A3c(ctx, (PolicyGradient.A3cSettings)s, rng), ActionSpaceKinds.All));
        Register(new AlgorithmInfo("annealing", "Policy annealing: trajectory probabilities ∝ exp(return / T) (grouped or value-function loss)",
            () => new Annealing.PolicyAnnealingSettings(),
            (ctx, s, rng) => new Annealing.PolicyAnnealing(ctx, (Annealing.PolicyAnnealingSettings)s, rng), ActionSpaceKinds.Discrete));
        Register(new AlgorithmInfo("hill_climbing", "Hill climbing in parameter space (plain, steepest ascent, simulated annealing or adaptive noise)",
            () => new BlackBox.HillClimbingSettings(),
            (ctx, s, rng) => new BlackBox.HillClimbing(ctx, (BlackBox.HillClimbingSettings)s, rng), ActionSpaceKinds.Discrete | ActionSpaceKinds.Box));
        Register(new AlgorithmInfo("cem", "Cross-entropy method: Gaussian over policy parameters refitted to the elite candidates",
            () => new BlackBox.CrossEntropyMethodSettings(),
            (ctx, s, rng) => new BlackBox.CrossEntropyMethod(ctx, (BlackBox.CrossEntropyMethodSettings)s, rng), ActionSpaceKinds.Discrete | ActionSpaceKinds.Box));
        Register(new AlgorithmInfo("es", "OpenAI evolution strategies: antithetic sampling, centred ranks, Adam (threads, reproducible)",
            () => new BlackBox.EvolutionStrategiesSettings(),
            (ctx, s, rng) => new BlackBox.EvolutionStrategies(ctx, (BlackBox.EvolutionStrategiesSettings)s, rng), ActionSpaceKinds.Discrete | ActionSpaceKinds.Box));
        Register(new AlgorithmInfo("ddpg", "Deep Deterministic Policy Gradient (replay buffer, target networks, Gaussian or Ornstein-Uhlenbeck noise)",
            () => new OffPolicy.DdpgSettings(),
            (ctx, s, rng) => new OffPolicy.Ddpg(ctx, (OffPolicy.DdpgSettings)s, rng), ActionSpaceKinds.Box));
        Register(new AlgorithmInfo("td3", "Twin Delayed DDPG (twin critics, target policy smoothing, delayed actor updates)",
            () => new OffPolicy.Td3Settings(),
            (ctx, s, rng) => new OffPolicy.Td3(ctx, (OffPolicy.Td3Settings)s, rng), ActionSpaceKinds.Box));
        Register(new AlgorithmInfo("sac", "Soft Actor-Critic (squashed Gaussian actor, twin critics, automatic entropy tuning)",
            () => new OffPolicy.SacSettings(),
            (ctx, s, rng) => new OffPolicy.Sac(ctx, (OffPolicy.SacSettings)s, rng), ActionSpaceKinds.Box));
        Register(new AlgorithmInfo("dqn", "Double DQN (replay buffer, target network, ε-greedy or UCB; Box actions on a uniform grid, branching heads or action zooming)",
            () => new OffPolicy.DqnSettings(),
            (ctx, s, rng) => new OffPolicy.Dqn(ctx, (OffPolicy.DqnSettings)s, rng), ActionSpaceKinds.Discrete | ActionSpaceKinds.Box));
        Register(new AlgorithmInfo("zooming_q", "Zooming adaptive Q-learning (Sinclair, Banerjee, Yu): per-step dyadic partitions of state × action, optimistic tabular updates",
            () => new Discretization.ZoomingQSettings(),
            (ctx, s, rng) => new Discretization.ZoomingQ(ctx, (Discretization.ZoomingQSettings)s, rng), ActionSpaceKinds.Box));
        Register(new AlgorithmInfo("cube_pg", "Policy gradient over adaptively split cubes (softmax over relevant cubes, critic advantages, advantage-variance splits)",
            () => new Discretization.CubePolicyGradientSettings(),
            (ctx, s, rng) => new Discretization.CubePolicyGradient(ctx, (Discretization.CubePolicyGradientSettings)s, rng), ActionSpaceKinds.Box));
    }

    /// <summary>Registered names, sorted.</summary>
    public static IReadOnlyList<string> Names
    {
        get
        {
            lock (Gate) return Algorithms.Keys.Order(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Adds (or replaces) an algorithm.</summary>
    public static void Register(AlgorithmInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        lock (Gate) Algorithms[info.Name] = info;
    }

    /// <summary>The algorithm called <paramref name="name"/>.</summary>
    /// <exception cref="PolicyLabException">No such algorithm (the message lists the choices).</exception>
    public static AlgorithmInfo Get(string name)
    {
        lock (Gate)
        {
            if (Algorithms.TryGetValue(name, out AlgorithmInfo? info)) return info;
        }
        throw new PolicyLabException($"Unknown algorithm '{name}'.{NameSuggestions.DidYouMean(name, Names)} Available: {string.Join(", ", Names)}.");
    }
}
