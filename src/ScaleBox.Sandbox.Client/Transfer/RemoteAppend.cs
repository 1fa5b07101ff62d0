using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Processes;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// The sandbox side of an append. The agent's HTTP API can only write whole files, so the new
/// content is added to the file's end by the sandbox's own shell. Small text travels inside
/// the command itself, in one request (<see cref="TryInlineAsync"/>); anything else is uploaded
/// beside the target first and added in one <c>cat &gt;&gt;</c> (<see cref="RunAsync"/>), so
/// the target never sees a partial upload and nothing of it passes through this machine's memory.
/// </summary>
internal static class RemoteAppend
{
    // Paths are passed as arguments ($1, $2), never spliced into the script. The file is opened
    // for appending (made if missing) before the test, so the preamble ($3, a printf format of
    // octal escapes only) starts exactly the files that were new or empty.
    const string Script = "{ [ -s \"$2\" ] || printf \"$3\"; cat -- \"$1\"; } >> \"$2\"; status=$?; rm -f -- \"$1\"; exit $status";

    /// <summary>
    /// The content comes in an environment variable rather than an argument: a process's
    /// environment is readable by its own user only, where its arguments are listed to everyone.
    /// A missing folder ends the script with <see cref="NoFolderExitCode"/> before anything is
    /// written, and the caller goes the upload's way, which makes folders as a write does.
    /// </summary>
    const string InlineScript = "[ -d \"$1\" ] || exit 3; { [ -s \"$2\" ] || printf \"$3\"; printf '%s' \"$" + InlineVariable + "\"; } >> \"$2\"";
    const string InlineVariable = "SBX_APPENDED_TEXT";
    const int NoFolderExitCode = 3;

    /// <summary>
    /// The most bytes sent inside the command. Linux takes up to 128 KiB in one environment
    /// string; half of it leaves room for whatever the agent adds to a process's environment.
    /// </summary>
    public const int InlineMaxBytes = 64 * 1024;

    const int MaxErrorText = 2048;

    static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static SandboxProcessStartInfo Command(string staged, string target, byte[] preamble) =>
        new SandboxProcessStartInfo("/bin/sh", new[] { "-c", Script, "sh", staged, target, PrintfFormat(preamble) });

    /// <summary>Bytes as a printf format that prints exactly them: octal escapes, nothing a shell or printf reads otherwise.</summary>
    static string PrintfFormat(byte[] bytes)
    {
        var format = new StringBuilder(bytes.Length * 4);
        foreach (byte b in bytes)
        {
            format.Append('\\').Append(System.Convert.ToString(b, 8).PadLeft(3, '0'));
        }
        return format.ToString();
    }

    /// <summary>
    /// The bytes as text that an environment variable can carry unchanged: valid UTF-8 (the
    /// agent's API carries strings as UTF-8) with no NUL (which ends a C string). Null otherwise.
    /// </summary>
    public static string? AsInlineText(byte[] content, int count)
    {
        if (count > InlineMaxBytes || System.Array.IndexOf(content, (byte)0, 0, count) >= 0)
        {
            return null;
        }
        try
        {
            return StrictUtf8.GetString(content, 0, count);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>
    /// Appends text carried in the command, in one request. False, with nothing written, when the
    /// target's folder does not exist; throws with the shell's own words when the append fails.
    /// </summary>
    public static async Task<bool> TryInlineAsync(SandboxProcesses processes, string text, string target, byte[] preamble,
        ErrorTranslator errors, CancellationToken cancellationToken)
    {
        var command = new SandboxProcessStartInfo("/bin/sh", new[] { "-c", InlineScript, "sh", SandboxPath.GetParent(target), target, PrintfFormat(preamble) });
        command.Environment[InlineVariable] = text;
        SandboxProcessExit exit = await RunAndCheckAsync(processes, command, target, errors, NoFolderExitCode, cancellationToken).ConfigureAwait(false);
        return exit.Succeeded;
    }

    /// <summary>Appends a staged file and removes it; throws with the shell's own words when it fails.</summary>
    public static Task RunAsync(SandboxProcesses processes, string staged, string target, byte[] preamble, ErrorTranslator errors, CancellationToken cancellationToken) =>
        RunAndCheckAsync(processes, Command(staged, target, preamble), target, errors, null, cancellationToken);

    /// <summary>Runs an append command to its end; an exit other than success or <paramref name="allowedExitCode"/> throws.</summary>
    static async Task<SandboxProcessExit> RunAndCheckAsync(SandboxProcesses processes, SandboxProcessStartInfo command, string target,
        ErrorTranslator errors, int? allowedExitCode, CancellationToken cancellationToken)
    {
        var stderr = new StringBuilder();
        SandboxProcessExit? exit = null;
        await foreach (SandboxProcessEvent processEvent in processes.StartAsync(command, cancellationToken)
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
        if (exit is null || !(exit.Succeeded || (exit.Exited && exit.ExitCode == allowedExitCode)))
        {
            string reason = stderr.Length > 0 ? stderr.ToString().Trim() : exit?.Status ?? "the append command did not report its end";
            throw errors.FromStatus(CodeFor(reason), reason, "append to", target, null);
        }
        return exit;
    }

    /// <summary>The status a shell's complaint amounts to (coreutils' wording, which does not vary by locale in a sandbox's C locale).</summary>
    static SandboxErrorCode CodeFor(string reason) =>
        reason.Contains("Permission denied") ? SandboxErrorCode.PermissionDenied
        : reason.Contains("Is a directory") ? SandboxErrorCode.InvalidArgument
        : reason.Contains("No space left") ? SandboxErrorCode.ResourceExhausted
        : SandboxErrorCode.FailedPrecondition;
}
