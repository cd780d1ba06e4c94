using PolicyLab.Algorithms.BlackBox;

namespace PolicyLab.Cluster;

/// <summary>A worker silo's settings: its evaluation slots and the name it reports.</summary>
/// <param name="Slots">Units run at once (one per core by default).</param>
/// <param name="Name">Shown in the driver's messages (host and process id by default).</param>
/// <param name="Version">The PolicyLab version this worker announces.</param>
/// <param name="JoinTimeout">How long the silo keeps trying to join the cluster before it gives up (null: <see cref="ClusterTimeouts.Join"/>).</param>
public sealed record WorkerOptions(int Slots, string Name, string Version, TimeSpan? JoinTimeout = null);

/// <summary>
/// One evaluation slot: keeps a <see cref="CandidateRunner"/> per job (an environment and a policy copy, reused from unit
/// to unit) and runs a unit's candidates on the thread pool. Any failure comes back inside the result, with the
/// worker's name, so the driver can name both.
/// </summary>
internal sealed partial class WorkerSlot(WorkerOptions options, Orleans.Runtime.ILocalSiloDetails silo) : Grain, IWorkerSlot
{
    private CandidateRunner? _runner;
    private string? _jobKey;

    public Task<WorkerInfo> Describe() => Task.FromResult(new WorkerInfo(options.Version, options.Slots, options.Name, silo.SiloAddress.ToParsableString()));

    public Task Leave()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task<UnitResult> Evaluate(EvaluationUnit unit) => Task.Run(() => Run(unit));

    private UnitResult Run(EvaluationUnit unit)
    {
        int episodes = unit.Job.EpisodesPerCandidate;
        var returns = new double[unit.Count * episodes];
        var lengths = new int[unit.Count * episodes];
        try
        {
            if (_jobKey != unit.Job.Key)
            {
                _runner?.Dispose();
                _runner = null;
                _runner = CandidateRunner.Create(unit.Job.ToJob());
                _jobKey = unit.Job.Key;
            }
            var population = new Population(unit.Job.Dimension);
            if (unit.Explicit is { } vectors) population.SetExplicit(vectors, unit.Count, unit.First);
            else population.SetAntithetic(unit.Center ?? throw new PolicyLabException("The unit carries neither candidates nor a centre."),
                unit.Sigma, unit.NoiseSeed, (unit.First + unit.Count + 1) / 2);
            CandidateRunner runner = _runner!;
            for (int c = unit.First; c < unit.First + unit.Count; c++)
                runner.Evaluate(population, unit.Iteration, c, returns, lengths, unit.First);
            return new UnitResult(returns, lengths, null, options.Name);
        }
#pragma warning disable CA1031 // the failure goes back to the driver, which names it and stops the run
        catch (Exception e)
#pragma warning restore CA1031
        {
            _jobKey = null;
            return new UnitResult([], [], $"{e.GetType().Name}: {e.Message}", options.Name);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _runner?.Dispose();
        _runner = null;
        DisposeRollouts();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }
}
