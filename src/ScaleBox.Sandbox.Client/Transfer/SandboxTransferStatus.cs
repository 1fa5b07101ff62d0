namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>How one item of a directory copy ended.</summary>
public enum SandboxTransferStatus
{
    /// <summary>The file was copied, or the directory was created (or already there).</summary>
    Copied = 0,

    /// <summary>Deliberately left out, e.g. an unsafe name or a symbolic link; see <see cref="SandboxTransferOutcome.Reason"/>.</summary>
    Skipped = 1,

    /// <summary>Tried and failed; see <see cref="SandboxTransferOutcome.Exception"/>.</summary>
    Failed = 2,
}
