namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>The last lines of a file, as bytes, and the offset just after them (where following it starts).</summary>
public sealed class SandboxFileTail
{
    public SandboxFileTail(byte[] bytes, long endOffset)
    {
        Bytes = bytes;
        EndOffset = endOffset;
    }

    public byte[] Bytes { get; }

    public long EndOffset { get; }
}
