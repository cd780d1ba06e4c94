using System.Globalization;
using System.Text.RegularExpressions;
using PolicyLab.Configuration;
using PolicyLab.Environments;

namespace PolicyLab.Training;

/// <summary>
/// A lower bound on the memory a run's configuration needs, computed from its settings before anything is allocated:
/// the networks (each <c>*_layers</c> setting is an MLP from the observation; its values, gradients and two Adam
/// moments), one forward pass's activations for every environment copy and for a minibatch, the rollout buffer
/// (<c>n_steps</c> × <c>n_envs</c> rows), the replay buffer (<c>buffer_size</c> rows, or the step budget when smaller)
/// and the environment copies themselves (training and evaluation; one copy's size is measured by building it).
/// It counts only the big arrays that must exist, so a configuration it refuses cannot fit; one it accepts may still
/// need more (framework overhead, temporaries).
/// </summary>
/// <param name="NetworkBytes">Network values, gradients and optimizer moments.</param>
/// <param name="ActivationBytes">Forward-pass activations for the copies and one minibatch.</param>
/// <param name="BufferBytes">Rollout and replay buffers.</param>
/// <param name="EnvironmentBytes">The environment copies and their vector buffers.</param>
public sealed record MemoryEstimate(double NetworkBytes, double ActivationBytes, double BufferBytes, double EnvironmentBytes)
{
    /// <summary>Bytes per trained parameter: value, gradient and Adam's two moments, as float32.</summary>
    private const double BytesPerParameter = 16;

    /// <summary>Everything counted.</summary>
    public double TotalBytes => NetworkBytes + ActivationBytes + BufferBytes + EnvironmentBytes;

    /// <summary>
    /// The estimate for <paramref name="run"/> with <paramref name="settings"/> on an environment whose single copy has
    /// <paramref name="observationSize"/> and <paramref name="actionSize"/> floats and takes
    /// <paramref name="bytesPerEnvironment"/> bytes.
    /// </summary>
    public static MemoryEstimate For(RunSettings run, Hyperparameters settings, int observationSize, int actionSize, double bytesPerEnvironment)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(settings);
        var values = settings.ToList().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        double copies = run.EnvironmentCount, obs = Math.Max(observationSize, 1), act = Math.Max(actionSize, 1);
        double parameters = 0, widths = 0;
        foreach ((string key, string value) in values)
        {
            if (!key.EndsWith("_layers", StringComparison.Ordinal)) continue;
            double input = key is "critic_layers" ? obs + act : obs, previous = input;
            foreach (Match m in Regex.Matches(value, "[0-9]+"))
            {
                double width = double.Parse(m.Value, CultureInfo.InvariantCulture);
                parameters += (previous + 1) * width;
                widths += width;
                previous = width;
            }
            parameters += (previous + 1) * (key is "policy_layers" or "hidden_layers" ? act : 1);
        }
        double batch = Number(values, "batch_size");
        double activations = 4.0 * 2 * widths * (copies + batch); // forward values and their gradients
        double rollout = Number(values, "n_steps") * copies * (obs + act + 6) * 4; // + reward, done, value, log-prob, advantage, return
        double replayRows = Math.Min(Number(values, "buffer_size"), run.TotalSteps);
        double replay = replayRows * (2 * obs + act + 3) * 4; // s, s′, a, reward, terminated, truncated
        double environments = (copies + Math.Min(run.EvaluationEpisodes, 8)) * (bytesPerEnvironment + (2 * obs + act + 4) * 4);
        return new MemoryEstimate(parameters * BytesPerParameter, activations, rollout + replay, environments);
    }

    /// <summary>
    /// Estimates <paramref name="run"/>'s memory (building one environment copy to learn its spaces and size) and
    /// refuses it when the estimate exceeds <paramref name="limitBytes"/> (null: the memory the machine or container
    /// gives this process).
    /// </summary>
    /// <exception cref="PolicyLabException">The estimate exceeds the limit; the message gives it, part by part.</exception>
    public static MemoryEstimate ThrowIfTooLarge(RunSettings run, Hyperparameters settings, long? limitBytes)
    {
        ArgumentNullException.ThrowIfNull(run);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int observationSize, actionSize;
        using (IEnvironment probe = TrainingEnvironments.MakeOne(run))
        {
            (observationSize, actionSize) = (probe.ObservationSpace.FlatSize, probe.ActionSpace.FlatSize);
        }
        double perEnvironment = Math.Max(GC.GetAllocatedBytesForCurrentThread() - before, 0);
        MemoryEstimate estimate = For(run, settings, observationSize, actionSize, perEnvironment);
        long limit = limitBytes ?? AvailableBytes;
        if (estimate.TotalBytes > limit)
            throw new PolicyLabException(
                $"This configuration needs at least {Format(estimate.TotalBytes)} of memory (networks and optimizer state {Format(estimate.NetworkBytes)}, " +
                $"activations {Format(estimate.ActivationBytes)}, rollout/replay buffers {Format(estimate.BufferBytes)}, {run.EnvironmentCount:N0} environment " +
                $"copies {Format(estimate.EnvironmentBytes)}), more than the {Format(limit)} {(limitBytes is null ? "this machine has" : "--max-memory allows")}. " +
                "Lower n_envs, n_steps, buffer_size or the *_layers widths" + (limitBytes is null ? "." : ", or raise --max-memory."));
        return estimate;
    }

    /// <summary>The memory this process may use: the machine's physical memory, or the container's limit when lower.</summary>
    public static long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Bytes as "1.5 GB" (powers of 1024).</summary>
    public static string Format(double bytes)
    {
        string[] units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"];
        int unit = 0;
        while (bytes >= 1024 && unit < units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }
        return unit == 0 ? bytes.ToString("F0", CultureInfo.InvariantCulture) + " bytes" : bytes.ToString("0.#", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    /// <summary>
    /// Parses a memory size: a whole number of bytes, or one with a unit K, M, G or T (powers of 1024; an optional
    /// trailing B or iB), e.g. <c>4G</c>, <c>512MB</c>, <c>1.5GiB</c>.
    /// </summary>
    /// <exception cref="PolicyLabException">Not a positive size.</exception>
    public static long ParseSize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Match m = Regex.Match(text.Trim(), "^([0-9]+(?:\\.[0-9]+)?)\\s*([KMGT]?)(?:i?B)?$", RegexOptions.IgnoreCase);
        if (!m.Success || !double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double n))
            throw new PolicyLabException($"--max-memory takes a size such as 4G, 512M or 2000000000 (bytes); got '{text}'.");
        int power = "KMGT".IndexOf(char.ToUpperInvariant(m.Groups[2].Value is { Length: 1 } u ? u[0] : ' '), StringComparison.Ordinal) + 1;
        double bytes = n * Math.Pow(1024, power);
        if (!(bytes >= 1) || bytes > long.MaxValue)
            throw new PolicyLabException($"--max-memory must be at least 1 byte and at most 8 EB; got '{text}'.");
        return (long)bytes;
    }

    private static double Number(Dictionary<string, string> values, string key) =>
        values.TryGetValue(key, out string? v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d > 0 ? d : 0;
}
