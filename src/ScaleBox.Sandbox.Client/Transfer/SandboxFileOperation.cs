namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>What a signed URL allows: reading (download) or writing (upload) one path.</summary>
public enum SandboxFileOperation
{
    /// <summary>GET /download/&lt;path&gt;; signed as <c>read</c>.</summary>
    Read = 0,

    /// <summary>POST /upload?path=&lt;path&gt;; signed as <c>write</c>.</summary>
    Write = 1,
}
