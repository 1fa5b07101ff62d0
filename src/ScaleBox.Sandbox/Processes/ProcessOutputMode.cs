using System.Management.Automation;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Processes;

/// <summary>How a streaming process cmdlet renders what the process writes.</summary>
public enum ProcessOutputMode
{
    /// <summary>Output records (Pid, Stream, Text, Bytes) as chunks arrive, then the exit record (-AsRecord).</summary>
    Records,

    /// <summary>
    /// The default, as a native command: standard output (or terminal) lines as strings, standard
    /// error lines in the error stream.
    /// </summary>
    Text,
}

/// <summary>The -AsText and -AsRecord switches of Start-SbxProcess and Receive-SbxProcess, as one choice.</summary>
internal static class ProcessOutputModes
{
    /// <returns>Null, with <paramref name="conflict"/> set, when both switches are given.</returns>
    public static ProcessOutputMode? From(bool asText, bool asRecord, out ErrorRecord? conflict)
    {
        conflict = asText && asRecord
            ? SandboxErrors.Create("AsTextAndAsRecord", ErrorCategory.InvalidArgument, null,
                "-AsText and -AsRecord exclude each other: lines of text are the default; -AsRecord gives the output records.")
            : null;
        return conflict is not null ? null : asRecord ? ProcessOutputMode.Records : ProcessOutputMode.Text;
    }
}
