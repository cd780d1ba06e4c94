using System.Runtime.InteropServices;

namespace PolicyLab.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM as a cancellation token, for commands that stop cleanly after the current update. It is
/// installed before any work starts, so a signal that arrives while a run is still being set up is not lost: the run
/// then stops at its first chance. <see cref="ExitCode"/> is 128 + the first signal's number (130, 143), 0 without one.
/// A process that starts with SIGINT ignored (a background job of a non-interactive shell) keeps ignoring it, as POSIX
/// programs do; SIGTERM stops it.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly ConsoleCancelEventHandler _onInterrupt;
    private readonly PosixSignalRegistration _onTerminate;
    private int _exitCode;

    /// <summary>Starts listening for SIGINT and SIGTERM (the default handlers, which end the process, no longer run).</summary>
    public StopSignals()
    {
        _onInterrupt = (_, e) => { e.Cancel = true; Stop(130); };
        Console.CancelKeyPress += _onInterrupt;
        _onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; Stop(143); });
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>130 after SIGINT, 143 after SIGTERM, 0 when no signal came.</summary>
    public int ExitCode => Volatile.Read(ref _exitCode);

    private void Stop(int code)
    {
        Interlocked.CompareExchange(ref _exitCode, code, 0);
        _cancel.Cancel();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Console.CancelKeyPress -= _onInterrupt;
        _onTerminate.Dispose();
        _cancel.Dispose();
    }
}
