using PolicyLab.Configuration;

namespace PolicyLab.Training;

/// <summary>How the copies of a vector environment are stepped.</summary>
public enum VectorMode
{
    /// <summary>One after another on the training thread.</summary>
    Sync,
    /// <summary>Spread over worker threads (same results as sync).</summary>
    Threaded,
}

/// <summary>What a training run renders besides its logs.</summary>
public enum RenderMode
{
    /// <summary>Nothing (TensorBoard events, metrics.csv and report.html are always written).</summary>
    None,
    /// <summary>Value-function plots (first_observation_value.html) for actor-critic runs.</summary>
    Plots,
    /// <summary>The plots and training.mp4 (or .gif): every parallel environment tiled, every render_every-th update.</summary>
    Full,
}

/// <summary>Settings of a training run that every algorithm shares (environment, budget, evaluation, checkpoints).</summary>
public sealed class RunSettings : Hyperparameters
{
    /// <summary>Algorithm name.</summary>
    [Hyperparameter("algo", "algorithm (see `policylab list algos`)")]
    public string Algorithm { get; set; } = "ppo";

    /// <summary>Environment id.</summary>
    [Hyperparameter("env", "environment id (see `policylab list envs`)")]
    public string Environment { get; set; } = "CartPole-v1";

    /// <summary>Environment constructor arguments, a YAML flow mapping such as <c>{g: 9.81}</c> (empty: the defaults).</summary>
    [Hyperparameter("env_kwargs", "environment arguments, e.g. {g: 9.81} (see `policylab list envs`)")]
    public string EnvironmentArguments { get; set; } = "";

    /// <summary>Path of a user assembly that registers environments (<see cref="Environments.IEnvironmentRegistration"/>), or empty.</summary>
    [Hyperparameter("env_assembly", "path of a .dll that registers your own environments (IEnvironmentRegistration)")]
    public string EnvironmentAssembly { get; set; } = "";

    /// <summary>Seed of every random stream of the run.</summary>
    [Hyperparameter("seed", "random seed (same seed, same machine, same threads → same results)")]
    public long Seed { get; set; }

    /// <summary>Environment steps to train for (summed over copies).</summary>
    [Hyperparameter("n_timesteps", "environment steps to train for, summed over all copies")]
    public long TotalSteps { get; set; } = 100_000;

    /// <summary>Parallel environment copies.</summary>
    [Hyperparameter("n_envs", "environment copies stepped together")]
    public int EnvironmentCount { get; set; } = 1;

    /// <summary>
    /// The most memory the run may need by <see cref="MemoryEstimate"/> before it is refused (<c>--max-memory</c>); null:
    /// the machine's. Not a setting of the run (not written to config.yaml): it limits this process only.
    /// </summary>
    public long? MaxMemoryBytes { get; set; }

    /// <summary>How copies are stepped.</summary>
    [Hyperparameter("vec_env", "sync or threaded stepping of the copies")]
    public VectorMode VectorMode { get; set; } = VectorMode.Sync;

    /// <summary>Repeat each action this many environment steps, summing the rewards (1: no skipping).</summary>
    [Hyperparameter("frame_skip", "repeat each action this many environment steps and sum their rewards (1: none; RL Zoo's FrameSkip)")]
    public int FrameSkip { get; set; } = 1;

    /// <summary>Resize image observations to [height, width] by area averaging (empty: keep the size).</summary>
    [Hyperparameter("resize", "image observations: resize to [height, width] by area averaging ([]: keep the size)")]
    public int[] Resize { get; set; } = [];

    /// <summary>Turn RGB image observations into one luminance channel.</summary>
    [Hyperparameter("grayscale", "image observations: RGB to one luminance channel")]
    public bool Grayscale { get; set; }

    /// <summary>Stack the last k image observations along the channel axis (1: no stacking).</summary>
    [Hyperparameter("frame_stack", "image observations: stack the last k frames along the channel axis (1: none)")]
    public int FrameStack { get; set; } = 1;

    /// <summary>Whether any of frame_skip, resize, grayscale or frame_stack changes the environment.</summary>
    public bool HasPreprocessing => FrameSkip != 1 || Resize.Length > 0 || Grayscale || FrameStack != 1;

    /// <summary>Normalize observations with running statistics.</summary>
    [Hyperparameter("normalize", "normalize observations with running mean/std (saved with the model)")]
    public bool NormalizeObservations { get; set; }

    /// <summary>Scale rewards by the running std of the discounted return.</summary>
    [Hyperparameter("normalize_reward", "scale rewards by the running std of the discounted return")]
    public bool NormalizeReward { get; set; }

    /// <summary>Evaluate every this many environment steps (0: only at the end).</summary>
    [Hyperparameter("eval_freq", "deterministic evaluation every this many env steps (0: only at the end)")]
    public long EvaluationFrequency { get; set; } = 10_000;

    /// <summary>Episodes per evaluation.</summary>
    [Hyperparameter("eval_episodes", "episodes per evaluation")]
    public int EvaluationEpisodes { get; set; } = 10;

    /// <summary>Checkpoint every this many environment steps (0: only at the end). A run that is stopped (Ctrl-C,
    /// SIGTERM, a callback, a cancelled token) always writes a checkpoint as it ends.</summary>
    [Hyperparameter("checkpoint_freq", "save a checkpoint every this many env steps (0: only at the end; a stopped run always saves one)")]
    public long CheckpointFrequency { get; set; } = 100_000;

    /// <summary>Stop once an evaluation reaches the reward threshold.</summary>
    [Hyperparameter("stop_at_threshold", "stop when an evaluation's mean return reaches the reward threshold")]
    public bool StopAtThreshold { get; set; }

    /// <summary>Reward threshold (the environment's registered one when null).</summary>
    [Hyperparameter("reward_threshold", "reward threshold for stop_at_threshold (null: the environment's)")]
    public double? RewardThreshold { get; set; }

    /// <summary>What to render while training.</summary>
    [Hyperparameter("render", "none, plots (value-function page) or full (plots and a tiled training video)")]
    public RenderMode Render { get; set; } = RenderMode.None;

    /// <summary>Start a filmed batch every this many updates (0: automatically, about 8 batches per run).</summary>
    [Hyperparameter("render_every", "with render=full, start filming every this many updates (0: about 8 times per run)")]
    public int RenderEvery { get; set; }

    /// <summary>Write TensorBoard event files.</summary>
    [Hyperparameter("tensorboard", "write TensorBoard event files to tb/ in the run folder")]
    public bool TensorBoard { get; set; } = true;

    /// <summary>Size L of the latent action space (null: act in the environment's own action space).</summary>
    [Hyperparameter("latent_dim", "act in Box[-1,1]^L, mapped to the real Box action by a frozen random projector (1 ≤ L ≤ action size; null: no projector)")]
    public int? LatentDim { get; set; }

    /// <summary>Seed of the projector's weights (null: derived from the run's seed).</summary>
    [Hyperparameter("projector_seed", "seed of the latent projector's weights (null: derived from seed)")]
    public long? ProjectorSeed { get; set; }

    /// <summary>A saved projector (safetensors) to act through instead of a fresh random one.</summary>
    [Hyperparameter("projector", "safetensors file of a saved projector to act through (its latent size sets latent_dim)")]
    public string? Projector { get; set; }

    /// <summary>The parsed <see cref="EnvironmentArguments"/>, or null when there are none.</summary>
    /// <exception cref="PolicyLabException">The text is not a mapping.</exception>
    public IReadOnlyDictionary<string, object>? EnvironmentArgumentValues() =>
        Environments.EnvironmentArguments.Parse(EnvironmentArguments, "env_kwargs") is { Count: > 0 } arguments ? arguments : null;

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        Require(errors, LatentDim is null || LatentDim >= 1, $"latent_dim must be ≥ 1 (got {LatentDim}); leave it unset (null) to act in the environment's own action space");
        Require(errors, ProjectorSeed is null || ProjectorSeed >= 0, $"projector_seed must be ≥ 0 (got {ProjectorSeed})");
        Require(errors, TotalSteps > 0, $"n_timesteps must be > 0 (got {TotalSteps})");
        Require(errors, EnvironmentCount > 0, $"n_envs must be > 0 (got {EnvironmentCount})");
        Require(errors, EvaluationFrequency >= 0, $"eval_freq must be ≥ 0 (got {EvaluationFrequency})");
        Require(errors, EvaluationEpisodes > 0, $"eval_episodes must be > 0 (got {EvaluationEpisodes})");
        Require(errors, CheckpointFrequency >= 0, $"checkpoint_freq must be ≥ 0 (got {CheckpointFrequency})");
        Require(errors, RenderEvery >= 0, $"render_every must be ≥ 0 (got {RenderEvery})");
        Require(errors, Seed >= 0, $"seed must be ≥ 0 (got {Seed})");
        Require(errors, FrameSkip >= 1, $"frame_skip must be ≥ 1 (got {FrameSkip}); 1 repeats nothing");
        Require(errors, FrameStack >= 1, $"frame_stack must be ≥ 1 (got {FrameStack}); 1 stacks nothing");
        Require(errors, Resize.Length == 0 || (Resize.Length == 2 && Resize[0] > 0 && Resize[1] > 0),
            $"resize must be [] or [height, width] with positive sizes (got [{string.Join(", ", Resize)}])");
    }

    /// <summary>
    /// Wraps one copy of the environment in the run's preprocessing, innermost first: frame skip, resize, grayscale,
    /// frame stack (RL Zoo's order for CarRacing: its env wrappers, then the frame stack).
    /// </summary>
    /// <exception cref="PolicyLabException">resize, grayscale or frame_stack is set for an environment without image observations.</exception>
    public Environments.IEnvironment Preprocess(Environments.IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if ((Resize.Length > 0 || Grayscale || FrameStack != 1) && environment.ObservationSpace is not Environments.Spaces.Box { Shape.Length: 3 })
        {
            string space = environment.ObservationSpace.ToString() ?? "";
            environment.Dispose();
            throw new PolicyLabException($"resize, grayscale and frame_stack work on image observations (height, width, channels), but {Environment} observes {space}. Remove them from the settings.");
        }
        if (FrameSkip != 1)
            environment = new Environments.Wrappers.FrameSkip(environment, FrameSkip);
        if (Resize.Length == 2)
            environment = new Environments.Wrappers.ResizeObservation(environment, Resize[0], Resize[1]);
        if (Grayscale)
            environment = new Environments.Wrappers.GrayscaleObservation(environment);
        if (FrameStack != 1)
            environment = new Environments.Wrappers.FrameStack(environment, FrameStack);
        return environment;
    }
}
