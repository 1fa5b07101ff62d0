namespace ScaleBox.Sandbox.Agent.Connect;

/// <summary>The flags byte that starts each envelope of a Connect stream.</summary>
[Flags]
internal enum ConnectEnvelopeFlags : byte
{
    None = 0,

    /// <summary>The payload is compressed with the stream's Connect-Content-Encoding.</summary>
    Compressed = 0x01,

    /// <summary>The last envelope of a response stream: its payload is the end-of-stream JSON, not a message.</summary>
    EndStream = 0x02,
}
