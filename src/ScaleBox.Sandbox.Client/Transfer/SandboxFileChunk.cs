namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>Bytes added to a followed file; <see cref="Restarted"/> when the file had shrunk and is read again from its start.</summary>
public sealed class SandboxFileChunk
{
    public SandboxFileChunk(byte[] bytes, bool restarted)
    {
        Bytes = bytes;
        Restarted = restarted;
    }

    public byte[] Bytes { get; }

    public bool Restarted { get; }
}
