using ScaleBox.Sandbox.Client.Files;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>What one upload wrote.</summary>
public sealed class SandboxUploadResult
{
    /// <summary>The sandbox path the content now lives at.</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary>The last segment of <see cref="Path"/>.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>What the agent says it wrote; <see cref="SandboxItemType.File"/> unless it said otherwise.</summary>
    public SandboxItemType Type { get; init; } = SandboxItemType.File;

    /// <summary>Bytes of content sent (the multipart framing not counted).</summary>
    public long Length { get; init; }

    /// <summary>SHA-256 of the bytes sent, lowercase hex; null unless asked for (<see cref="SandboxUploadOptions"/>).</summary>
    public string? Sha256 { get; init; }

    /// <summary>The agent's response body as text (JSON or e.g. <c>uploaded: /path</c>), shortened; for diagnostics.</summary>
    public string? ServerResponse { get; init; }

    /// <summary>
    /// The file as the agent reported it once in place (its answer to the rename), when it
    /// reported it whole; null otherwise: ask with <see cref="Files.SandboxFileSystem.GetItemAsync"/>.
    /// </summary>
    public Files.SandboxItem? Item { get; init; }

    /// <summary>The local file the content came from, when the upload was of a file.</summary>
    public string? LocalPath { get; init; }

    public override string ToString() => Path;
}
