namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// Why an item of a directory copy was skipped or failed, as a stable value a caller can build
/// an error id from; <see cref="SandboxTransferOutcome.Reason"/> has the words for a person.
/// </summary>
public enum SandboxTransferReason
{
    /// <summary>Nothing to explain: the item was copied.</summary>
    None = 0,

    /// <summary>The destination file exists and overwriting was not asked for.</summary>
    AlreadyExists = 1,

    /// <summary>
    /// The name the sandbox listed is unsafe to write locally: empty, absolute, with <c>..</c>,
    /// NUL, a backslash or a drive prefix, outside the requested directory, or it would land
    /// outside the local destination.
    /// </summary>
    UnsafePath = 2,

    /// <summary>A symbolic link (or junction) that is not followed because it leads out of the tree.</summary>
    SymbolicLink = 3,

    /// <summary>The item lies below a directory that was itself skipped.</summary>
    InsideSkippedDirectory = 4,

    /// <summary>The transfer or the file system call failed; see <see cref="SandboxTransferOutcome.Exception"/>.</summary>
    Error = 5,

    /// <summary>Neither a file nor a directory (e.g. a dangling link, a device or a socket).</summary>
    UnsupportedType = 6,
}
