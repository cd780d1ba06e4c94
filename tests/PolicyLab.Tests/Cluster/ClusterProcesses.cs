using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PolicyLab.Tests.Cluster;

/// <summary>Real `policylab` processes on loopback for the cluster tests: workers that stay up, and driver runs.</summary>
internal static class ClusterProcesses
{
    /// <summary>The xunit collection of every test class that starts worker processes: one class at a time, so the
    /// workers of several fixtures do not start together on a 2-core machine (at load 50+ they then missed every timeout).</summary>
    public const string Collection = "Cluster processes";

    private static string Cli => Path.Combine(AppContext.BaseDirectory, "PolicyLab.Cli.dll");

    /// <summary>A free port P with P + 1 free too (a localhost cluster's silo and gateway ports), from a random start.</summary>
    public static int FreePortPair()
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int port = Random.Shared.Next(20_000, 45_000);
            if (IsFree(port) && IsFree(port + 1)
                && !File.Exists(Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"policylab-cluster-{port}.lock"))))
                return port;
        }
        throw new InvalidOperationException("no free port pair on loopback");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Starts <c>policylab <paramref name="args"/></c> with its output collected, in the temporary folder: outside
    /// any git checkout, so experiment.json carries no git_info. That is provenance, not a result, and it changes when the
    /// checkout does (a commit, an edit, a rebuilt test folder) between the runs a test compares.</summary>
    public static RunningProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Cli);
        foreach (string a in args) start.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        return new RunningProcess(Process.Start(start)!);
    }

    /// <summary>Runs <c>policylab <paramref name="args"/></c> to its end (at most 10 minutes).</summary>
    public static (int Code, string Out, string Error) Run(params string[] args)
    {
        using RunningProcess p = Start(args);
        Assert.True(p.Process.WaitForExit(600_000), $"policylab {string.Join(' ', args)} did not end within 10 minutes");
        p.Process.WaitForExit();
        return (p.Process.ExitCode, p.Output, p.Error);
    }

    /// <summary>Starts a worker of the localhost cluster at <paramref name="port"/> with one slot.</summary>
    public static RunningProcess Worker(int port, string name, string? clusterId = null, IReadOnlyDictionary<string, string>? environment = null, params string[] extra) =>
        Worker(string.Create(CultureInfo.InvariantCulture, $"localhost:{port}"), name, clusterId, environment, extra);

    /// <summary>Starts a worker of the cluster <paramref name="spec"/> with one slot.</summary>
    public static RunningProcess Worker(string spec, string name, string? clusterId, IReadOnlyDictionary<string, string>? environment, params string[] extra) =>
        Start(["worker", "--cluster", spec, "--threads", "1", "--name", name,
            .. clusterId is null ? Array.Empty<string>() : ["--cluster-id", clusterId], .. extra], environment);

    /// <summary>The bytes of a run's experiment.json and every checkpoint's weights, for bit-identity checks.</summary>
    public static List<(string File, byte[] Bytes)> Results(string run)
    {
        var files = new List<(string, byte[])> { ("experiment.json", File.ReadAllBytes(Path.Combine(run, "experiment.json"))) };
        foreach (string model in Directory.GetFiles(Path.Combine(run, "checkpoints"), "model.safetensors", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            files.Add((Path.GetRelativePath(run, model), File.ReadAllBytes(model)));
        return files;
    }

    /// <summary>Asserts two runs wrote the same experiment.json and weights, byte for byte.</summary>
    public static void AssertIdentical(string expected, string actual)
    {
        var a = Results(expected);
        var b = Results(actual);
        Assert.Equal(a.Select(f => f.File), b.Select(f => f.File));
        for (int i = 0; i < a.Count; i++)
            Assert.True(a[i].Bytes.AsSpan().SequenceEqual(b[i].Bytes), $"{a[i].File} differs between {expected} and {actual}{FirstDifference(a[i].File, a[i].Bytes, b[i].Bytes)}");
    }

    /// <summary>For a JSON file, the first line that differs (so a failure says what differs); "" otherwise.</summary>
    private static string FirstDifference(string file, byte[] expected, byte[] actual)
    {
        if (!file.EndsWith(".json", StringComparison.Ordinal)) return "";
        string[] x = Encoding.UTF8.GetString(expected).Split('\n'), y = Encoding.UTF8.GetString(actual).Split('\n');
        for (int line = 0; line < Math.Max(x.Length, y.Length); line++)
        {
            string left = line < x.Length ? x[line] : "(end)", right = line < y.Length ? y[line] : "(end)";
            if (left != right) return string.Create(CultureInfo.InvariantCulture, $": line {line + 1} is {left.Trim()} there and {right.Trim()} here");
        }
        return "";
    }
}

/// <summary>A started process whose standard output and error are collected as they come.</summary>
public sealed class RunningProcess : IDisposable
{
    private readonly StringBuilder _out = new(), _error = new();

    public RunningProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_out) _out.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_error) _error.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public string Output { get { lock (_out) return _out.ToString(); } }

    public string Error { get { lock (_error) return _error.ToString(); } }

    /// <summary>Waits (up to 3 minutes: a loaded machine starts .NET slowly) until the output contains <paramref name="text"/>.</summary>
    public void WaitFor(string text)
    {
        var clock = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.False(Process.HasExited, $"the process ended (exit {(Process.HasExited ? Process.ExitCode : 0)}) before printing '{text}': {Output} {Error}");
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"no '{text}' within 3 minutes: {Output} {Error}");
            Thread.Sleep(100);
        }
    }

    /// <summary>SIGKILL.</summary>
    public void Kill()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        Process.WaitForExit(30_000);
    }

    public void Dispose()
    {
        Kill();
        Process.Dispose();
    }
}

/// <summary>A redis-server on a free loopback port, without persistence, for the Redis-membership tests.</summary>
public sealed class RedisServer : IDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, int port) => (_process, Port) = (process, port);

    public int Port { get; }

    public string Spec => string.Create(CultureInfo.InvariantCulture, $"redis://127.0.0.1:{Port}");

    /// <summary>Where redis-server is, or null.</summary>
    public static string? Binary => new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);

    /// <summary>Starts redis-server and waits until it accepts connections; null when redis-server is not installed.</summary>
    public static RedisServer? TryStart()
    {
        if (Binary is not string binary) return null;
        int port = ClusterProcesses.FreePortPair();
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no" })
            start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return new RedisServer(process, port);
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }
        process.Kill();
        throw new InvalidOperationException($"redis-server did not listen on port {port} within 60 s");
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.WaitForExit(10_000);
        _process.Dispose();
    }
}
