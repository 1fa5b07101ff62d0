using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
#if NET6_0_OR_GREATER
using System.Runtime.InteropServices;
#endif

namespace ScaleBox.Sandbox.Shell;

/// <summary>
/// Joins the local terminal (already in raw mode) to a remote process's terminal, as ssh does:
/// the process's terminal output goes to the local screen byte for byte, keystrokes go to the
/// process as they are typed, and the remote terminal follows the local window's size. Ends
/// when the process ends, when the detach key is pressed, when the local terminal goes away,
/// or when the connection fails; the remote process is never stopped here.
/// <para>
/// Four parts run at once: the output pump (the process's event stream), a keyboard thread
/// (poll and read on the terminal, so that it stops within a tenth of a second), the input
/// sender (one call at a time, each carrying everything typed meanwhile, so a paste is a few
/// calls, not one per byte) and the window watcher (SIGWINCH where .NET reports it, and a poll).
/// </para>
/// </summary>
internal sealed class InteractiveShell
{
    /// <summary>Ctrl+] (GS, 0x1D), telnet's escape character: ends the local session, not the remote process.</summary>
    public const byte DetachByte = 0x1D;

    /// <summary>How the detach key is named to users.</summary>
    public const string DetachKeyName = "Ctrl+]";

    const int ReadBufferSize = 16 * 1024;
    const int MaxInputBatch = 64 * 1024;
    const int KeyboardPollMilliseconds = 100;
    static readonly TimeSpan WindowPollInterval = TimeSpan.FromMilliseconds(250);
    static readonly TimeSpan ResizeRetryDelay = TimeSpan.FromSeconds(1);
    static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(3);
    static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(5);

    readonly SandboxProcesses _processes;
    readonly SandboxProcessSelector _process;
    readonly IAsyncEnumerator<SandboxProcessEvent> _events;
    readonly CancellationTokenSource _stop;
    readonly Stream _screen;
    readonly Func<byte[], int, int> _readKeys;
    readonly Func<SandboxTerminalSize> _windowSize;
    readonly SemaphoreSlim _windowChanged = new SemaphoreSlim(0, 1);
    readonly TaskCompletionSource<ShellOutcome> _ended = new TaskCompletionSource<ShellOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
    SandboxTerminalSize _remoteSize;

    /// <param name="processes">The sandbox's processes.</param>
    /// <param name="pid">The process with the terminal.</param>
    /// <param name="events">Its event stream, the start already read; created with <paramref name="stop"/>'s token.</param>
    /// <param name="stop">Cancelled when the session ends: it ends the event stream and every call in flight.</param>
    /// <param name="screen">Where the terminal's output goes: the local standard output, unbuffered.</param>
    /// <param name="readKeys">Waits up to the given milliseconds for keystrokes: bytes read, 0 for none, -1 when the terminal is gone.</param>
    /// <param name="windowSize">The local window's size now.</param>
    /// <param name="remoteSize">The remote terminal's size at the start.</param>
    public InteractiveShell(SandboxProcesses processes, uint pid, IAsyncEnumerator<SandboxProcessEvent> events, CancellationTokenSource stop,
        Stream screen, Func<byte[], int, int> readKeys, Func<SandboxTerminalSize> windowSize, SandboxTerminalSize remoteSize)
    {
        _processes = processes;
        _process = SandboxProcessSelector.ByPid(pid);
        _events = events;
        _stop = stop;
        _screen = screen;
        _readKeys = readKeys;
        _windowSize = windowSize;
        _remoteSize = remoteSize;
    }

    /// <summary>
    /// Runs the session until it ends, and returns why. Cancelling <paramref name="cancellationToken"/>
    /// (the cmdlet being stopped) ends it with an OperationCanceledException. Every part has stopped
    /// when this returns, so the terminal can be restored at once.
    /// </summary>
    public async Task<ShellOutcome> RunAsync(CancellationToken cancellationToken)
    {
        CancellationToken stop = _stop.Token;
        Channel<byte[]> typed = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(64)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        Task output = Task.Run(() => GuardAsync(PumpOutputAsync, stop));
        Task sender = Task.Run(() => GuardAsync(s => SendInputAsync(typed.Reader, s), stop));
        Task watcher = Task.Run(() => GuardAsync(FollowWindowAsync, stop));
        var keyboard = new Thread(() => ReadKeyboard(typed.Writer, sender, stop))
        {
            IsBackground = true,
            Name = "Enter-SbxShell keyboard",
        };
        keyboard.Start();
#if NET6_0_OR_GREATER
        using PosixSignalRegistration? winch = RegisterWindowChange();
#endif
        try
        {
            using (cancellationToken.Register(() => _ended.TrySetCanceled(cancellationToken)))
            {
                return await _ended.Task.ConfigureAwait(false);
            }
        }
        finally
        {
            _stop.Cancel();
            typed.Writer.TryComplete();
            Task all = Task.WhenAll(output, sender, watcher);
            await Task.WhenAny(all, Task.Delay(SettleLimit)).ConfigureAwait(false);
            keyboard.Join(TimeSpan.FromSeconds(2));
        }
    }

    /// <summary>Makes the window watcher look at the size now instead of at its next poll.</summary>
    public void NotifyWindowChanged()
    {
        try
        {
            _windowChanged.Release();
        }
        catch (SemaphoreFullException)
        {
            // A look is already due.
        }
    }

#if NET6_0_OR_GREATER
    PosixSignalRegistration? RegisterWindowChange()
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }
        try
        {
            return PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => NotifyWindowChanged());
        }
        catch (Exception e) when (e is PlatformNotSupportedException || e is IOException)
        {
            return null; // the poll still notices
        }
    }
#endif

    /// <summary>
    /// Runs one part of the session. Its failure ends the session (an unexpected one too, so that
    /// nothing hangs with the terminal in raw mode); once the session is ending, failures are moot.
    /// </summary>
    async Task GuardAsync(Func<CancellationToken, Task> part, CancellationToken stop)
    {
        try
        {
            await part(stop).ConfigureAwait(false);
        }
        catch (Exception e) when (stop.IsCancellationRequested && (e is OperationCanceledException || e is SandboxException))
        {
            // The session is over for another reason.
        }
        catch (Exception e)
        {
            // A SandboxException from the connection, an IOException from a local screen that is gone...
            _ended.TrySetResult(ShellOutcome.Failed(e));
        }
    }

    /// <summary>The process's terminal output to the screen, until its exit arrives.</summary>
    async Task PumpOutputAsync(CancellationToken stop)
    {
        while (await _events.MoveNextAsync().ConfigureAwait(false))
        {
            switch (_events.Current)
            {
                case SandboxProcessOutput output when output.Bytes.Length > 0:
                    // Bytes, never text: escape sequences and characters split across chunks pass through untouched.
                    _screen.Write(output.Bytes, 0, output.Bytes.Length);
                    _screen.Flush();
                    break;
                case SandboxProcessExit exit:
                    _ended.TrySetResult(ShellOutcome.Exited(exit));
                    return;
            }
        }
        throw new InvalidOperationException($"The output stream of {_process} ended without saying how the process ended.");
    }

    /// <summary>
    /// Reads keystrokes on its own thread (a terminal read cannot be cancelled, so it polls). Ends
    /// at the detach key, after sending what was typed before it, or when the terminal goes away.
    /// </summary>
    void ReadKeyboard(ChannelWriter<byte[]> typed, Task sender, CancellationToken stop)
    {
        try
        {
            ShellOutcome outcome = ReadUntilDetach(typed, stop);
            if (stop.IsCancellationRequested)
            {
                return;
            }
            typed.TryComplete();
            // What was typed before the detach key still reaches the process, within reason.
            Task.WhenAny(sender, Task.Delay(DrainLimit, stop)).GetAwaiter().GetResult();
            _ended.TrySetResult(outcome);
        }
        catch (Exception e) when (stop.IsCancellationRequested && (e is OperationCanceledException || e is ChannelClosedException))
        {
        }
        catch (Exception e)
        {
            // Never let a failure escape a thread: it would end the process with the terminal in raw mode.
            _ended.TrySetResult(ShellOutcome.Failed(e));
        }
    }

    ShellOutcome ReadUntilDetach(ChannelWriter<byte[]> typed, CancellationToken stop)
    {
        var buffer = new byte[ReadBufferSize];
        while (!stop.IsCancellationRequested)
        {
            int count = _readKeys(buffer, KeyboardPollMilliseconds);
            if (count == 0)
            {
                continue;
            }
            if (count < 0)
            {
                return ShellOutcome.TerminalClosed;
            }
            int detach = Array.IndexOf(buffer, DetachByte, 0, count);
            int keep = detach >= 0 ? detach : count;
            if (keep > 0)
            {
                var chunk = new byte[keep];
                Buffer.BlockCopy(buffer, 0, chunk, 0, keep);
                typed.WriteAsync(chunk, stop).AsTask().GetAwaiter().GetResult();
            }
            if (detach >= 0)
            {
                return ShellOutcome.Detached;
            }
        }
        return ShellOutcome.Detached; // moot: the session is already ending
    }

    /// <summary>Sends keystrokes one call at a time; each call takes everything typed since the last one.</summary>
    async Task SendInputAsync(ChannelReader<byte[]> typed, CancellationToken stop)
    {
        bool processGone = false;
        var batch = new MemoryStream();
        while (await typed.WaitToReadAsync(stop).ConfigureAwait(false))
        {
            batch.SetLength(0);
            while (batch.Length < MaxInputBatch && typed.TryRead(out byte[]? chunk))
            {
                batch.Write(chunk, 0, chunk.Length);
            }
            if (processGone || batch.Length == 0)
            {
                continue; // keep draining, so the keyboard thread never blocks
            }
            try
            {
                await _processes.SendInputAsync(_process, batch.ToArray(), SandboxInputTarget.Pty, stop).ConfigureAwait(false);
            }
            catch (SandboxException e) when (e.Code == SandboxErrorCode.FailedPrecondition || e.Code == SandboxErrorCode.NotFound)
            {
                // The process has ended: its exit is on its way through the output stream.
                processGone = true;
            }
        }
    }

    /// <summary>Resizes the remote terminal whenever the local window changes size.</summary>
    async Task FollowWindowAsync(CancellationToken stop)
    {
        while (true)
        {
            await _windowChanged.WaitAsync(WindowPollInterval, stop).ConfigureAwait(false);
            SandboxTerminalSize now = _windowSize();
            if (now.Equals(_remoteSize))
            {
                continue;
            }
            try
            {
                await _processes.ResizeAsync(_process, now, stop).ConfigureAwait(false);
                _remoteSize = now;
            }
            catch (SandboxException e) when (!stop.IsCancellationRequested)
            {
                if (e.Code == SandboxErrorCode.FailedPrecondition || e.Code == SandboxErrorCode.NotFound)
                {
                    return; // ended: the output stream reports it
                }
                // A connection problem: the output stream reports it if it lasts. Try again soon.
                await Task.Delay(ResizeRetryDelay, stop).ConfigureAwait(false);
            }
        }
    }
}
