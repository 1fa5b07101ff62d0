using System;

namespace ScaleBox.Sandbox.Client.Processes;

/// <summary>
/// A chunk of output, exactly as the process wrote it (<see cref="Bytes"/>), and as text
/// (<see cref="Text"/>).
/// </summary>
public sealed class SandboxProcessOutput : SandboxProcessEvent
{
    public SandboxProcessOutput(uint pid, SandboxProcessStream stream, byte[] bytes, string text)
        : base(pid)
    {
        Stream = stream;
        Bytes = bytes ?? throw new ArgumentNullException(nameof(bytes));
        _text = text ?? throw new ArgumentNullException(nameof(text));
        _carryIn = Array.Empty<byte>();
    }

    /// <summary>A chunk whose text is decoded when first read: until then it holds its bytes only.</summary>
    internal SandboxProcessOutput(uint pid, SandboxProcessStream stream, byte[] bytes, byte[] carryIn, int heldBack)
        : base(pid)
    {
        Stream = stream;
        Bytes = bytes;
        _carryIn = carryIn;
        _heldBack = heldBack;
    }

    readonly byte[] _carryIn;
    readonly int _heldBack;
    string? _text;

    /// <summary>Stdout, Stderr, or Pty for a process in a terminal.</summary>
    public SandboxProcessStream Stream { get; }

    /// <summary>The bytes of this chunk, unchanged: their concatenation per stream is the output, byte for byte.</summary>
    public byte[] Bytes { get; }

    /// <summary>
    /// The chunk as UTF-8 text, decoded statefully per stream: a character split across chunks is
    /// never garbled. The bytes of a character that is still incomplete at the end of a chunk are
    /// held back and appear in the next chunk's text (so text and bytes may differ by up to three
    /// bytes' worth at a boundary). Invalid bytes become U+FFFD. Bytes still held when the process
    /// ends arrive as U+FFFD in a last chunk of the stream, one with no <see cref="Bytes"/>.
    /// </summary>
    public string Text => _text ??= Utf8StreamDecoder.TextOf(_carryIn, Bytes, _heldBack);

    /// <summary>The text, so the event prints as the output itself.</summary>
    public override string ToString() => Text;
}
