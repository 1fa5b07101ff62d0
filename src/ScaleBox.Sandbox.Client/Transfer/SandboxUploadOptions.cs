namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>How an upload verifies what it sends.</summary>
public sealed class SandboxUploadOptions
{
    /// <summary>
    /// Compute the SHA-256 of the bytes as they go out (reported in the result). Off by default:
    /// hashing costs CPU that a fast link would notice.
    /// </summary>
    public bool ComputeSha256 { get; set; }

    /// <summary>
    /// The SHA-256 the content must have, as 64 hex digits. When set, the hash is computed and,
    /// on a mismatch, the upload fails with DataLoss before the content is renamed into place:
    /// the destination keeps whatever it held.
    /// </summary>
    public string? ExpectedSha256 { get; set; }

    /// <summary>
    /// Replace a file already at the destination (the default). When false, an item found there is
    /// left as it is and the upload fails, before the rename, with AlreadyExists (a file) or
    /// InvalidArgument (a directory). The destination is looked at while the content goes out, so
    /// the refusal costs no round trip of its own, but the content is sent even when it is refused:
    /// meant for small content, where a round trip costs more than the bytes.
    /// </summary>
    public bool Overwrite { get; set; } = true;
}
