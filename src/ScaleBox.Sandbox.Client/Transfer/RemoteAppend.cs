using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// The sandbox side of an append. The agent's HTTP API can only write whole files, so the new
/// content is uploaded beside the target first and then added to its end by the sandbox's own
/// shell, in one <c>cat &gt;&gt;</c>: the target never sees a partial upload, and nothing of it
/// passes through this machine's memory.
/// </summary>
internal static class RemoteAppend
{
    // Paths are passed as arguments ($1, $2), never spliced into the script.
    const string Script = "cat -- \"$1\" >> \"$2\"; status=$?; rm -f -- \"$1\"; exit $status";
    const int MaxErrorText = 2048;

    public static SandboxProcessStartInfo Command(string staged, string target) =>
        new SandboxProcessStartInfo("/bin/sh", new[] { "-c", Script, "sh", staged, target });

    /// <summary>Runs the append and throws with the shell's own words when it fails.</summary>
    public static async Task RunAsync(SandboxProcesses processes, string staged, string target, ErrorTranslator errors, CancellationToken cancellationToken)
    {
        var stderr = new StringBuilder();
        SandboxProcessExit? exit = null;
        await foreach (SandboxProcessEvent processEvent in processes.StartAsync(Command(staged, target), cancellationToken)
            .WithCancellation(cancellationToken).ConfigureAwait(false))
        {
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
        if (exit is null || !exit.Succeeded)
        {
            string reason = stderr.Length > 0 ? stderr.ToString().Trim() : exit?.Status ?? "the append command did not report its end";
            throw errors.FromStatus(CodeFor(reason), reason, "append to", target, null);
        }
    }

    /// <summary>The status a shell's complaint amounts to (coreutils' wording, which does not vary by locale in a sandbox's C locale).</summary>
    static SandboxErrorCode CodeFor(string reason) =>
        reason.Contains("Permission denied") ? SandboxErrorCode.PermissionDenied
        : reason.Contains("Is a directory") ? SandboxErrorCode.InvalidArgument
        : reason.Contains("No space left") ? SandboxErrorCode.ResourceExhausted
        : SandboxErrorCode.FailedPrecondition;
}
