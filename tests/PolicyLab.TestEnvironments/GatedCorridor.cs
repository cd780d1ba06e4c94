using System.Globalization;
using PolicyLab.Environments;

namespace PolicyLab.TestEnvironments;

/// <summary>
/// The <see cref="Corridor"/>, with a gate a test opens and closes from outside, to hold a cluster worker inside a unit
/// for as long as the test needs (a worker joins, or is killed, while it certainly holds work). When the environment
/// variable <c>POLICYLAB_TEST_GATE_DIR</c> names a folder, every reset of this process first appends a line to
/// <c>resets.PID</c> there; then, while <c>gate.PID</c> exists, it waits, with <c>waiting.PID</c> present meanwhile.
/// Without the variable (e.g. in the driver, or in an in-process reference run) it is the plain corridor. The gate only
/// delays: the episodes are those of the corridor, so results do not depend on it.
/// </summary>
public sealed class GatedCorridor(int length) : Corridor(length)
{
    /// <summary>The environment variable naming the gate folder.</summary>
    public const string GateVariable = "POLICYLAB_TEST_GATE_DIR";

    private static readonly string? Folder = Environment.GetEnvironmentVariable(GateVariable) is { Length: > 0 } folder ? folder : null;

    /// <summary>This process's file in the gate folder with the given prefix ("gate", "waiting" or "resets").</summary>
    public static string FileOf(string folder, string prefix, int processId) =>
        Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{prefix}.{processId}"));

    /// <inheritdoc />
    protected override void ResetState(ResetOptions? options)
    {
        if (Folder is string folder) Pass(folder);
        base.ResetState(options);
    }

    private static void Pass(string folder)
    {
        int pid = Environment.ProcessId;
        File.AppendAllText(FileOf(folder, "resets", pid), "reset\n");
        string gate = FileOf(folder, "gate", pid);
        if (!File.Exists(gate)) return;
        string waiting = FileOf(folder, "waiting", pid);
        File.WriteAllText(waiting, "");
        while (File.Exists(gate)) Thread.Sleep(20);
        File.Delete(waiting);
    }
}

/// <summary>Registers <c>GatedCorridor-v0</c> (argument <c>length</c>, default 8; 100 steps per episode).</summary>
public sealed class GatedCorridorRegistration : IEnvironmentRegistration
{
    /// <inheritdoc />
    public void Register() =>
        EnvironmentRegistry.Register(new EnvironmentSpec("GatedCorridor-v0", 100, 0.9, new Dictionary<string, object> { ["length"] = 8.0 }),
            arguments => new GatedCorridor((int)Convert.ToDouble(arguments["length"], CultureInfo.InvariantCulture)));
}
