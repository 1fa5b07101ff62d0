using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Processes;

/// <summary>
/// Writes a process's events to a sink the way the user asked: records, or plain lines (stdout
/// to the pipeline, stderr to the host like a native command's, via the information stream with
/// the PSHOST tag, so 6>$null or -InformationVariable can take it). Optionally turns a failed
/// exit into an error, so -ErrorAction Stop stops a script, and sets $LASTEXITCODE as a native
/// command would.
/// </summary>
public sealed class ProcessEventRenderer
{
    readonly OutputSink _sink;
    readonly ProcessOutputMode _mode;
    readonly bool _checkExitCode;
    readonly bool _setLastExitCode;
    bool _started;

    /// <summary>The exit code the agent reports for a process ended by a signal.</summary>
    const int KilledExitCode = -1;
    readonly StringBuilder _stdout = new StringBuilder();
    readonly StringBuilder _stderr = new StringBuilder();

    /// <param name="setLastExitCode">Whether the exit sets $LASTEXITCODE, as a foreground native command does.</param>
    public ProcessEventRenderer(OutputSink sink, ProcessOutputMode mode, bool checkExitCode, bool setLastExitCode)
    {
        _sink = sink;
        _mode = mode;
        _checkExitCode = checkExitCode;
        _setLastExitCode = setLastExitCode;
    }

    public async Task RenderAsync(SandboxProcessEvent processEvent, CancellationToken cancel)
    {
        switch (processEvent)
        {
            case SandboxProcessOutput output when _mode == ProcessOutputMode.Records:
                await _sink.WriteObjectAsync(output, cancel).ConfigureAwait(false);
                break;
            case SandboxProcessOutput output:
                bool isError = output.Stream == SandboxProcessStream.Stderr;
                await WriteLinesAsync(isError ? _stderr : _stdout, output.Text, isError, final: false, cancel).ConfigureAwait(false);
                break;
            case SandboxProcessExit exit:
                if (_setLastExitCode)
                {
                    // As after a native command; set before any error below can stop the script.
                    await _sink.InvokeOnPipelineAsync(
                        cmdlet => cmdlet.SessionState.PSVariable.Set("global:LASTEXITCODE", exit.ExitCode), cancel).ConfigureAwait(false);
                }
                if (_mode == ProcessOutputMode.Text)
                {
                    await FlushAsync(cancel).ConfigureAwait(false);
                }
                else
                {
                    await _sink.WriteObjectAsync(exit, cancel).ConfigureAwait(false);
                }
                if (_checkExitCode && !exit.Succeeded)
                {
                    await _sink.WriteErrorAsync(FailedExit(exit), cancel).ConfigureAwait(false);
                }
                break;
        }
    }

    /// <summary>
    /// Writes a last line that had no line ending yet. Called at the exit, and when the stream
    /// ends in an error (a timeout, a cut connection), so nothing the process wrote is lost.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancel)
    {
        await WriteLinesAsync(_stdout, string.Empty, isError: false, final: true, cancel).ConfigureAwait(false);
        await WriteLinesAsync(_stderr, string.Empty, isError: true, final: true, cancel).ConfigureAwait(false);
    }

    /// <summary>
    /// Renders every event of a stream; when it ends in a SandboxException, first writes what
    /// was still waiting for a line ending.
    /// </summary>
    /// <param name="onEnded">Called when the exit event arrives: the process is gone.</param>
    public async Task RenderAllAsync(IAsyncEnumerable<SandboxProcessEvent> events, Func<SandboxProcessStarted, Task> onStarted, CancellationToken cancel, Action? onEnded = null)
    {
        try
        {
            await foreach (SandboxProcessEvent processEvent in events.WithCancellation(cancel).ConfigureAwait(false))
            {
                if (processEvent is SandboxProcessStarted started)
                {
                    _started = true;
                    await onStarted(started).ConfigureAwait(false);
                    continue;
                }
                if (processEvent is SandboxProcessExit)
                {
                    onEnded?.Invoke();
                }
                await RenderAsync(processEvent, cancel).ConfigureAwait(false);
            }
        }
        catch (ScaleBox.Sandbox.Client.Errors.SandboxException e) when (!cancel.IsCancellationRequested)
        {
            await FlushAsync(cancel).ConfigureAwait(false);
            if (_setLastExitCode && _started && e.Code == ScaleBox.Sandbox.Client.Errors.SandboxErrorCode.DeadlineExceeded)
            {
                // The agent killed the process at its timeout: -1, as for any process ended by a
                // signal, so a script that checks $LASTEXITCODE does not read an older value.
                await _sink.InvokeOnPipelineAsync(
                    cmdlet => cmdlet.SessionState.PSVariable.Set("global:LASTEXITCODE", KilledExitCode), cancel).ConfigureAwait(false);
            }
            throw;
        }
    }

    /// <summary>Splits text into whole lines; a partial last line waits for the next chunk, or the end.</summary>
    async Task WriteLinesAsync(StringBuilder pending, string text, bool isError, bool final, CancellationToken cancel)
    {
        pending.Append(text);
        int start = 0;
        var lines = new List<object>();
        for (int i = 0; i < pending.Length; i++)
        {
            if (pending[i] != '\n')
            {
                continue;
            }
            int end = i > start && pending[i - 1] == '\r' ? i - 1 : i;
            lines.Add(pending.ToString(start, end - start));
            start = i + 1;
        }
        pending.Remove(0, start);
        if (final && pending.Length > 0)
        {
            lines.Add(pending.ToString());
            pending.Clear();
        }
        await WriteLinesAsync(lines, isError, cancel).ConfigureAwait(false);
    }

    /// <summary>The whole lines of one chunk: standard output as one hand-off, standard error a line at a time.</summary>
    async Task WriteLinesAsync(List<object> lines, bool isError, CancellationToken cancel)
    {
        if (lines.Count == 0)
        {
            return;
        }
        if (!isError)
        {
            await _sink.WriteObjectsAsync(lines, cancel).ConfigureAwait(false);
            return;
        }
        foreach (object line in lines)
        {
            await _sink.WriteStandardErrorAsync(StandardErrorWriter.Record((string)line), cancel).ConfigureAwait(false);
        }
    }

    public static ErrorRecord FailedExit(SandboxProcessExit exit)
    {
        string how = exit.Exited
            ? $"exited with code {exit.ExitCode.ToString(CultureInfo.InvariantCulture)}"
            : $"was ended by a signal ({exit.Status})";
        var error = new InvalidOperationException($"The sandbox process {exit.Pid} {how}.");
        return new ErrorRecord(error, exit.Exited ? "ProcessExitCode" : "ProcessSignaled", ErrorCategory.InvalidResult, exit)
        {
            ErrorDetails = new ErrorDetails(error.Message),
        };
    }
}
