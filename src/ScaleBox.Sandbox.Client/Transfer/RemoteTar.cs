using System;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// The sandbox side of a packed tree copy: the sandbox's own <c>tar</c>, run through
/// <c>/bin/sh</c> with the paths passed as arguments (<c>$1</c>, <c>$2</c>), never spliced into
/// the script. Each run ends in <c>exec tar</c>, so the process the agent reports is tar itself
/// and a cancelled copy can kill it before its staging directory is removed.
/// </summary>
internal static class RemoteTar
{
    /// <summary>The exit code of a shell that could not find the command.</summary>
    public const int NotFoundExitCode = 127;

    // -m: files get the time they are written, as an upload file by file gives them.
    // --no-same-owner: never the owners named in the archive. GNU tar and BusyBox refuse members
    // with '..' and strip a leading '/' by default (only -P turns that off).
    const string ExtractScript = "command -v tar >/dev/null 2>&1 || exit 127; mkdir -- \"$2\" || exit $?; exec tar -x -m --no-same-owner -f \"$1\" -C \"$2\"";
    const string PackScript = "command -v tar >/dev/null 2>&1 || exit 127; exec tar -c -f \"$1\" -C \"$2\" .";
    const string ProbeScript = "command -v tar";
    const int MaxErrorText = 2048;
    static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(5);

    // Sandboxes that were found to have tar: a process start is the dearest request a packed copy
    // makes, so it is asked once per client. A "no" is asked again (tar may be installed meanwhile).
    static readonly ConditionalWeakTable<SandboxProcesses, object> HasTar = new ConditionalWeakTable<SandboxProcesses, object>();

    /// <summary>True when the sandbox's shell finds <c>tar</c>.</summary>
    public static async Task<bool> IsAvailableAsync(SandboxProcesses processes, CancellationToken cancellationToken)
    {
        if (HasTar.TryGetValue(processes, out _))
        {
            return true;
        }
        SandboxProcessExit? exit = null;
        await foreach (SandboxProcessEvent processEvent in processes.StartAsync(Shell(ProbeScript), cancellationToken)
            .WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (processEvent is SandboxProcessExit end)
            {
                exit = end;
            }
        }
        if (exit is { Succeeded: true })
        {
            HasTar.GetValue(processes, key => key);
            return true;
        }
        return false;
    }

    /// <summary>Makes <paramref name="directory"/> (its parent must exist) and unpacks <paramref name="archive"/> into it.</summary>
    public static Task ExtractAsync(SandboxProcesses processes, string archive, string directory, string reportedTarget, ErrorTranslator errors,
        CancellationToken cancellationToken) =>
        RunAsync(processes, ExtractScript, archive, directory, "unpack into", reportedTarget, errors, cancellationToken);

    /// <summary>Packs everything below <paramref name="directory"/> into <paramref name="archive"/>, with names relative to it.</summary>
    public static Task PackAsync(SandboxProcesses processes, string directory, string archive, ErrorTranslator errors, CancellationToken cancellationToken) =>
        RunAsync(processes, PackScript, archive, directory, "pack", directory, errors, cancellationToken);

    static SandboxProcessStartInfo Shell(string script, params string[] arguments)
    {
        var all = new string[arguments.Length + 3];
        all[0] = "-c";
        all[1] = script;
        all[2] = "sh";
        Array.Copy(arguments, 0, all, 3, arguments.Length);
        return new SandboxProcessStartInfo("/bin/sh", all);
    }

    static async Task RunAsync(SandboxProcesses processes, string script, string archive, string directory, string operation, string reportedTarget,
        ErrorTranslator errors, CancellationToken cancellationToken)
    {
        var stderr = new StringBuilder();
        SandboxProcessExit? exit = null;
        uint? pid = null;
        try
        {
            await foreach (SandboxProcessEvent processEvent in processes.StartAsync(Shell(script, archive, directory), cancellationToken)
                .WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                pid ??= processEvent.Pid;
                switch (processEvent)
                {
                    case SandboxProcessOutput output when output.Stream == SandboxProcessStream.Stderr && stderr.Length < MaxErrorText:
                        stderr.Append(output.Text);
                        break;
                    case SandboxProcessExit end:
                        exit = end;
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && pid is uint running)
        {
            // The agent keeps a process whose stream was dropped: stop tar before its output is removed.
            await StopAsync(processes, running).ConfigureAwait(false);
            throw;
        }
        if (exit is { Succeeded: true })
        {
            return;
        }
        if (exit is { Exited: true, ExitCode: NotFoundExitCode })
        {
            throw errors.FromStatus(SandboxErrorCode.FailedPrecondition, "the sandbox has no 'tar' command", operation, reportedTarget, null);
        }
        string reason = stderr.Length > 0 ? stderr.ToString().Trim() : exit?.Status ?? "tar did not report its end";
        throw errors.FromStatus(CodeFor(reason), "tar failed: " + reason, operation, reportedTarget, null);
    }

    static async Task StopAsync(SandboxProcesses processes, uint pid)
    {
        using var limit = new CancellationTokenSource(CleanupTimeout);
        try
        {
            await processes.SendSignalAsync(SandboxProcessSelector.ByPid(pid), SandboxSignal.Kill, limit.Token).ConfigureAwait(false);
            await processes.WaitAsync(SandboxProcessSelector.ByPid(pid), limit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SandboxException || e is OperationCanceledException || e is ObjectDisposedException)
        {
            // Best effort: the staging directory is removed next either way.
        }
    }

    /// <summary>
    /// Best effort: a staging file or directory of a packed copy is removed (a directory with
    /// everything in it). Bounded to a few seconds, so a dead network does not hold back the error.
    /// </summary>
    public static async Task TryRemoveAsync(SandboxClient client, string path)
    {
        using var limit = new CancellationTokenSource(CleanupTimeout);
        try
        {
            await client.Files.RemoveAsync(path, limit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SandboxException || e is ObjectDisposedException || e is OperationCanceledException)
        {
        }
    }

    static SandboxErrorCode CodeFor(string reason) =>
        reason.Contains("Permission denied") ? SandboxErrorCode.PermissionDenied
        : reason.Contains("No space left") ? SandboxErrorCode.ResourceExhausted
        : reason.Contains("File exists") ? SandboxErrorCode.AlreadyExists
        : SandboxErrorCode.FailedPrecondition;
}
