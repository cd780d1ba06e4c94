using System.Runtime.ExceptionServices;
using PolicyLab.Algorithms.OnPolicy;
using PolicyLab.Algorithms.Policies;
using PolicyLab.Configuration;
using PolicyLab.Environments.Vector;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Optimizers;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.PolicyGradient;

/// <summary>A3C hyperparameters: A2C's (per-worker n-step settings as published for SB3's A2C, and its optimizer,
/// shared by the workers as Mnih et al. 2016 share RMSprop) plus the workers'.</summary>
public sealed class A3cSettings : A2cSettings
{
    /// <summary>Worker threads.</summary>
    [Hyperparameter("n_workers", "asynchronous worker threads; with more than 1 the run is NOT bit-reproducible (the order of their updates depends on thread timing)")]
    public int Workers { get; set; } = 2;

    /// <summary>Environment copies per worker.</summary>
    [Hyperparameter("envs_per_worker", "environment copies each worker steps together (the run's n_envs is not used)")]
    public int EnvironmentsPerWorker { get; set; } = 1;

    /// <summary>Environment steps the workers take together per iteration.</summary>
    [Hyperparameter("steps_per_iteration", "environment steps all workers together take per training-loop iteration (about)")]
    public int StepsPerIteration { get; set; } = 1000;

    /// <inheritdoc/>
    protected override void Validate(List<string> errors)
    {
        base.Validate(errors);
        Require(errors, Workers is > 0 and <= 64, $"n_workers must lie in [1, 64] (got {Workers})");
        Require(errors, EnvironmentsPerWorker > 0, $"envs_per_worker must be > 0 (got {EnvironmentsPerWorker})");
        Require(errors, StepsPerIteration > 0, $"steps_per_iteration must be > 0 (got {StepsPerIteration})");
    }
}

/// <summary>
/// Asynchronous advantage actor-critic (Mnih et al. 2016). n_workers threads each own an environment
/// (from <see cref="AlgorithmContext.CreateEnvironments"/>), a local copy of the networks and a random
/// stream. A worker repeatedly collects n_steps with its local copy, computes the A2C gradient of
/// L = −E[Â_t·log π(a_t|s_t)] + c_v·E[(V(s_t) − R_t)²] − c_e·H on it (n-step / GAE returns, clipped to
/// max_grad_norm), and, under a lock, applies it to the shared parameters with the shared optimizer
/// (RMSprop with shared statistics, or Adam) and copies the shared parameters back into its local copy.
/// One <see cref="Iterate"/> call runs the workers until together they have taken about
/// steps_per_iteration environment steps (or the run's budget is spent). Evaluation and <see cref="OnPolicyAlgorithm.Act(ReadOnlySpan{float}, int, bool, Rng, Span{float})"/>
/// use the shared parameters.
/// </summary>
/// <remarks>
/// <para><b>Reproducibility:</b> A3C is the one algorithm that is NOT bit-reproducible with more than one
/// worker: the order in which workers apply their updates, and so every later parameter, depends on
/// thread scheduling. With n_workers = 1 the run is deterministic for a given seed.</para>
/// <para>The workers' environments are raw copies (not normalized), so runs with normalize or
/// normalize_reward are rejected; the main training environments are not stepped. On resume the workers'
/// environments restart their episodes (their state is not saved).</para>
/// </remarks>
public sealed class A3c : OnPolicyAlgorithm
{
    private readonly A3cSettings _s;
    private readonly Optimizer _optimizer;
    private readonly Worker[] _workers;
    private readonly Lock _gate = new();
    private long _iterationSteps;
    private Exception? _failure;
    private double _policyLoss, _valueLoss, _entropy, _gradNorm;
    private int _updates;

    /// <summary>Builds the shared networks and optimizer and the workers with their environments.</summary>
    /// <exception cref="PolicyLabException">The run normalizes observations or rewards.</exception>
    public A3c(AlgorithmContext context, A3cSettings settings, Rng rng) : base(context, settings, rng, "A3C")
    {
        if (context.Environment is NormalizeVectorEnvironment)
            throw new PolicyLabException("A3C's worker environments are raw copies, so it cannot train with normalize or normalize_reward; set both to false.");
        _s = settings;
        _optimizer = AddOptimizer("optimizer", A2c.CreateOptimizer(Policy.Store, settings));
        _workers = new Worker[settings.Workers];
        for (int w = 0; w < _workers.Length; w++)
        {
            ulong seed = rng.NextUInt64();
            _workers[w] = new Worker(this, context.CreateEnvironments(settings.EnvironmentsPerWorker, Rng.DeriveSeed(seed, 0)), new Rng(Rng.DeriveSeed(seed, 1)));
        }
    }

    /// <inheritdoc/>
    public override void Iterate(double progress, UpdateDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        _iterationSteps = 0;
        _failure = null;
        (_policyLoss, _valueLoss, _entropy, _gradNorm, _updates) = (0, 0, 0, 0, 0);
        var threads = new Thread[_workers.Length];
        for (int w = 0; w < threads.Length; w++)
        {
            Worker worker = _workers[w];
            worker.Local.Store.CopyFrom(Policy.Store);
            threads[w] = new Thread(worker.Run) { IsBackground = true, Name = $"A3C worker {w}" };
        }
        foreach (Thread thread in threads) thread.Start();
        foreach (Thread thread in threads) thread.Join();
        if (_failure is not null) ExceptionDispatchInfo.Capture(_failure).Throw();

        int m = Math.Max(_updates, 1);
        diagnostics.Set("policy_loss", _policyLoss / m);
        diagnostics.Set("value_loss", _valueLoss / m);
        diagnostics.Set("entropy", _entropy / m);
        diagnostics.Set("grad_norm", _gradNorm / m);
        diagnostics.Set("updates", _updates);
        AddCommonDiagnostics(diagnostics, _optimizer.LearningRate);
    }

    private bool ShouldStop() =>
        Volatile.Read(ref _failure) is not null
        || Interlocked.Read(ref _iterationSteps) >= _s.StepsPerIteration
        || Context.StepsTaken >= Context.TotalSteps;

    /// <summary>Applies a worker's (already clipped) gradient to the shared parameters and refreshes its local copy.</summary>
    private void Apply(Worker worker, ActorCriticLoss.Result r, int steps)
    {
        lock (_gate)
        {
            double progress = Math.Clamp((double)Context.StepsTaken / Context.TotalSteps, 0, 1);
            _optimizer.LearningRate = _s.LearningRate.ValueAt(progress);
            worker.Local.Store.Gradients.CopyTo(Policy.Store.Gradients);
            _optimizer.Step();
            worker.Local.Store.CopyFrom(Policy.Store);
            (_policyLoss, _valueLoss, _entropy, _gradNorm) = (_policyLoss + r.PolicyLoss, _valueLoss + r.ValueLoss, _entropy + r.Entropy, _gradNorm + r.GradientNorm);
            _updates++;
        }
        Interlocked.Add(ref _iterationSteps, steps);
    }

    /// <summary>One asynchronous learner: its environment, local networks, rollout storage and random stream.</summary>
    private sealed class Worker
    {
        private readonly A3c _owner;
        private readonly RolloutBuffer _buffer;
        private readonly RolloutCollector _collector;
        private readonly ActorCriticLoss _loss;

        public Worker(A3c owner, IVectorEnvironment env, Rng rng)
        {
            _owner = owner;
            Environment = env;
            Rng = rng;
            A3cSettings s = owner._s;
            // The initial weights are overwritten from the shared store; a throwaway stream keeps the worker's own untouched.
            Local = new ActorCriticPolicy(env.SingleObservationSpace, env.SingleActionSpace, s.Networks, new Rng(0));
            Local.Store.CopyFrom(owner.Policy.Store);
            _buffer = new RolloutBuffer(s.Steps, env.Count, Local.ObservationSize, Local.ActionSize);
            _collector = new RolloutCollector(env, Local);
            _loss = new ActorCriticLoss(Local, _buffer.Count);
        }

        public IVectorEnvironment Environment { get; }

        public Rng Rng { get; }

        public ActorCriticPolicy Local { get; }

        public void Run()
        {
            A3cSettings s = _owner._s;
            try
            {
                while (!_owner.ShouldStop())
                {
                    _collector.Collect(_buffer, s.Gamma, Rng, s.RewardTemperature);
                    _buffer.ComputeAdvantages(s.Gamma, s.GaeLambda);
                    ActorCriticLoss.Result r = _loss.ComputeGradients(_buffer, s.NormalizeAdvantage, s.ValueCoefficient, s.EffectiveEntropyCoefficient, s.MaxGradNorm, "A3C");
                    _owner.Apply(this, r, _buffer.Count);
                }
            }
#pragma warning disable CA1031 // any failure is handed to the training thread, which rethrows it unchanged
            catch (Exception e)
#pragma warning restore CA1031
            {
                Interlocked.CompareExchange(ref _owner._failure, e, null);
            }
        }
    }

    /// <inheritdoc/>
    protected override void SaveExtraState(StateDictionary state)
    {
        for (int w = 0; w < _workers.Length; w++) state.SetRng($"worker{w}.rng", _workers[w].Rng);
    }

    /// <inheritdoc/>
    protected override void LoadExtraState(StateDictionary state)
    {
        for (int w = 0; w < _workers.Length; w++) state.ReadRng($"worker{w}.rng", _workers[w].Rng);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            foreach (Worker worker in _workers) worker.Environment.Dispose();
        base.Dispose(disposing);
    }
}
