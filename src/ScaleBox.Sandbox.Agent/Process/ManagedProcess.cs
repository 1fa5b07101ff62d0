using System.Runtime.InteropServices;
using Grpc.Core;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>
/// One child started by the agent: its output fanned out to listeners, its input, signals, terminal
/// size, optional deadline, and its end.
/// <para>
/// The agent reaps the child itself (posix_spawn children are unknown to .NET's Process class, which
/// reaps only its own), so the end event carries the real wait status: a signal death is told apart
/// from <c>exit 137</c>. A reaper thread waits with <c>waitid(WNOWAIT)</c>, which leaves the child a
/// zombie, marks it exited under the same lock that guards sending signals, and only then reaps it:
/// a signal can never reach a recycled pid. Then the output readers drain and stop, and the end
/// event goes out after the last output.
/// </para>
/// </summary>
sealed class ManagedProcess
{
    static long s_sequence;

    readonly object _gate = new();
    readonly OutputFanOut _output = new();
    readonly ExitLatch _exited;
    readonly PseudoTerminal? _terminal;
    readonly Descriptor? _stdin;
    readonly InputWriter _input;
    readonly ProcessEvent _startEvent;
    bool _reaped;
    Timer? _deadline;
    long _endedTicks;

    ManagedProcess(LaunchPlan plan, int pid, ExitLatch exited, PseudoTerminal? terminal, Descriptor? stdin)
    {
        Config = plan.Config;
        Tag = plan.Tag;
        Pid = (uint)pid;
        _exited = exited;
        _terminal = terminal;
        _stdin = stdin;
        _input = new InputWriter(terminal?.Master ?? stdin!, exited);
        _startEvent = new ProcessEvent { Start = new ProcessEvent.Types.StartEvent { Pid = Pid } };
        Sequence = Interlocked.Increment(ref s_sequence);
    }

    public uint Pid { get; }

    public string? Tag { get; }

    /// <summary>The configuration as requested (what List reports).</summary>
    public ProcessConfig Config { get; }

    public bool HasTerminal => _terminal is not null;

    /// <summary>Start order, for "the first process with this tag".</summary>
    public long Sequence { get; }

    /// <summary>When the child was found ended and its output drained (the end event goes out next); null while running.</summary>
    public DateTime? EndedAt => Volatile.Read(ref _endedTicks) is var ticks and not 0 ? new DateTime(ticks, DateTimeKind.Utc) : null;

    public bool HasEnded => Volatile.Read(ref _endedTicks) != 0;

    /// <summary>
    /// Starts the child and subscribes <paramref name="first"/> before any output can exist, so the
    /// caller of Start sees <c>start</c> and then every byte. Throws invalid_argument when the child
    /// cannot be started.
    /// </summary>
    public static ManagedProcess Launch(LaunchPlan plan, out ProcessSubscription first)
    {
        var exited = new ExitLatch();
        PseudoTerminal? terminal = null;
        Descriptor? stdinRead = null, stdinWrite = null, stdoutRead = null, stdoutWrite = null, stderrRead = null, stderrWrite = null;
        int pid;
        try
        {
            ChildSpawner.Stdio stdio;
            if (plan.TerminalSize is { } size)
            {
                terminal = PseudoTerminal.Open((ushort)size.Cols, (ushort)size.Rows);
                stdio = new ChildSpawner.TerminalStdio(terminal.SlavePath);
            }
            else
            {
                (stdinRead, stdinWrite) = Descriptor.Pipe();
                (stdoutRead, stdoutWrite) = Descriptor.Pipe();
                (stderrRead, stderrWrite) = Descriptor.Pipe();
                stdinWrite.MakeNonBlocking();
                // The output pump takes what a pipe holds right now after each wakeup, and must
                // never block for more: its ends are the agent's alone (the child has the other).
                stdoutRead.MakeNonBlocking();
                stderrRead.MakeNonBlocking();
                stdio = new ChildSpawner.PipeStdio(
                    (int)stdinRead.DangerousGetHandle(), (int)stdoutWrite.DangerousGetHandle(), (int)stderrWrite.DangerousGetHandle());
            }
            pid = ChildSpawner.Spawn(plan.Executable, plan.Argv, plan.Environment, plan.WorkingDirectory, stdio);
        }
        catch (Exception e)
        {
            exited.Dispose();
            terminal?.Dispose();
            stdinWrite?.Dispose();
            stdoutRead?.Dispose();
            stderrRead?.Dispose();
            if (e is not SpawnException spawn)
            {
                throw;
            }
            // Go's wording for a failed fork/exec, under the real agent's prefix.
            throw new RpcException(new Status(StatusCode.InvalidArgument, plan.StartFailure($"fork/exec {plan.Executable}: {spawn.Message}")));
        }
        finally
        {
            // The child's ends now live in the child only.
            stdinRead?.Dispose();
            stdoutWrite?.Dispose();
            stderrWrite?.Dispose();
        }

        var process = new ManagedProcess(plan, pid, exited, terminal, stdinWrite);
        first = process._output.Subscribe(process._startEvent);

        var readers = new List<Thread>(2);
        if (terminal is not null)
        {
            readers.Add(OutputPump.Start(pid, OutputPump.Kind.Pty, terminal.Master, exited, process._output));
        }
        else
        {
            readers.Add(OutputPump.Start(pid, OutputPump.Kind.Stdout, stdoutRead!, exited, process._output));
            readers.Add(OutputPump.Start(pid, OutputPump.Kind.Stderr, stderrRead!, exited, process._output));
        }
        var reaper = new Thread(() => process.WaitForExit(readers, [stdoutRead, stderrRead]), maxStackSize: 256 * 1024)
        {
            IsBackground = true,
            Name = $"sbx wait {pid}",
        };
        reaper.Start();
        return process;
    }

    /// <summary>Live output from now on, after a <c>start</c>; for an ended process, <c>start</c> and the end.</summary>
    public ProcessSubscription Subscribe() => _output.Subscribe(_startEvent);

    /// <summary>SIGKILLs the child when <paramref name="deadlineUtc"/> passes (the Start call's deadline bounds its life).</summary>
    public void KillAt(DateTime deadlineUtc)
    {
        TimeSpan due = deadlineUtc - DateTime.UtcNow;
        if (due > TimeSpan.FromDays(40))
        {
            return; // beyond what a timer can hold; for a process no one will wait on that long
        }
        lock (_gate)
        {
            if (_reaped) return;
            _deadline = new Timer(_ => KillAtDeadline(), null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>True once the deadline of <see cref="KillAt"/> passed before the child was reaped; set before its end is known.</summary>
    public bool KilledAtDeadline { get; private set; }

    void KillAtDeadline()
    {
        lock (_gate)
        {
            // Under the gate, as reaping is: the flag is set before the end event can be sent.
            KilledAtDeadline = TrySignal(LibC.SIGKILL);
        }
    }

    /// <summary>Sends a signal to the child (not its group, as the real agent). Fails with failed_precondition once it has ended.</summary>
    public void Signal(int signal)
    {
        if (!TrySignal(signal))
        {
            throw Ended();
        }
    }

    bool TrySignal(int signal)
    {
        lock (_gate)
        {
            if (_reaped) return false;
            // A zombie accepts signals harmlessly; the pid cannot be reused before _reaped is set.
            LibC.kill((int)Pid, signal);
            return true;
        }
    }

    /// <summary>
    /// At agent shutdown: the child's process group (it leads a session of its own, so the group is
    /// what it started and did not move elsewhere), even after the child itself has ended, so that
    /// no orphan outlives the agent; then the child.
    /// <para>
    /// A group id stays allocated while the group has members, so a live group cannot be confused
    /// with another; an empty group's number could only have been reused after a pid wrap-around
    /// within the retention time.
    /// </para>
    /// </summary>
    public void KillForShutdown()
    {
        lock (_gate)
        {
            LibC.kill(-(int)Pid, LibC.SIGKILL);
            if (!_reaped)
            {
                LibC.kill((int)Pid, LibC.SIGKILL);
            }
        }
    }

    public Task WriteStdinAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (_terminal is not null)
        {
            throw FailedPrecondition("error writing to stdin: tty assigned to process — input should be written to the pty, not the stdin");
        }
        return WriteAsync("stdin", bytes, cancellationToken);
    }

    public Task WritePtyAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (_terminal is null)
        {
            throw FailedPrecondition("error writing to tty: tty not assigned to process — input should be written to the stdin, not the tty");
        }
        return WriteAsync("tty", bytes, cancellationToken);
    }

    async Task WriteAsync(string target, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (_exited.IsSet)
        {
            throw Ended();
        }
        try
        {
            await _input.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (InputClosedException e)
        {
            throw FailedPrecondition($"error writing to {target} of process '{Pid}': {e.Message}");
        }
    }

    /// <summary>Sets the terminal size; the child's foreground group gets SIGWINCH.</summary>
    public void Resize(uint cols, uint rows)
    {
        if (_terminal is null)
        {
            throw FailedPrecondition("error resizing tty: tty not assigned to process");
        }
        if (_exited.IsSet)
        {
            throw Ended();
        }
        try
        {
            // Go's uint16 conversion, as the real agent makes it: the low 16 bits.
            _terminal.Resize((ushort)cols, (ushort)rows);
        }
        catch (ObjectDisposedException)
        {
            throw Ended();
        }
    }

    void WaitForExit(List<Thread> readers, Descriptor?[] outputs)
    {
        int status = WaitForStatus();
        _exited.Set();
        foreach (Thread reader in readers)
        {
            reader.Join();
        }

        ProcessEvent.Types.EndEvent end;
        if (status >= 0)
        {
            end = new ExitStatus(status).ToEndEvent();
        }
        else
        {
            // Someone else reaped the child (only possible if the agent was started with SIGCHLD ignored).
            end = new ProcessEvent.Types.EndEvent { ExitCode = -1, Status = "unknown", Error = "the exit status was lost" };
        }

        // Closing waits for any writer still inside a write; the latch has already told it to stop.
        foreach (Descriptor? output in outputs) output?.Dispose();
        _terminal?.Dispose();
        _stdin?.Dispose();

        // Ended from now on (List no longer shows it), even while a slow listener holds up the end event.
        Volatile.Write(ref _endedTicks, DateTime.UtcNow.Ticks);
        _output.Complete(new ProcessEvent { End = end });
        _exited.Dispose();
    }

    /// <summary>The raw wait status, or -1 if it cannot be had.</summary>
    int WaitForStatus()
    {
        var info = new byte[128]; // siginfo_t
        while (LibC.waitid(LibC.P_PID, (int)Pid, info, LibC.WEXITED | LibC.WNOWAIT) != 0)
        {
            if (Marshal.GetLastPInvokeError() != LibC.EINTR)
            {
                lock (_gate)
                {
                    _reaped = true;
                    _deadline?.Dispose();
                }
                return -1;
            }
        }
        lock (_gate)
        {
            int reaped, status;
            do
            {
                reaped = LibC.waitpid((int)Pid, out status, LibC.WNOHANG);
            }
            while (reaped < 0 && Marshal.GetLastPInvokeError() == LibC.EINTR);
            _reaped = true;
            _deadline?.Dispose();
            return reaped == (int)Pid ? status : -1;
        }
    }

    RpcException Ended() => new(new Status(StatusCode.FailedPrecondition, $"process with pid {Pid} has already ended"));

    static RpcException FailedPrecondition(string message) => new(new Status(StatusCode.FailedPrecondition, message));
}
