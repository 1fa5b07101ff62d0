using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Google.Protobuf;
using ScaleBox.Sandbox.Client.Errors;
using Proto = ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Processes;

/// <summary>
/// Turns the wire events of one process stream into model events: remembers the pid from the
/// start event, decodes each output stream with its own stateful decoder, drops keepalives, and on
/// the end event first flushes whatever a decoder still holds, then reports the exit.
/// </summary>
internal sealed class ProcessEventTranslator
{
    static readonly byte[] NoBytes = Array.Empty<byte>();

    readonly bool _decode;
    readonly Utf8StreamDecoder?[] _decoders = new Utf8StreamDecoder?[3];

    /// <param name="decode">False when nobody reads the output (waiting for the exit): text is left empty.</param>
    public ProcessEventTranslator(bool decode = true)
    {
        _decode = decode;
    }

    /// <summary>The pid from the start event; null until it came.</summary>
    public uint? Pid { get; private set; }

    public bool HasStarted => Pid is not null;

    /// <summary>The exit, once the end event came.</summary>
    public SandboxProcessExit? Exit { get; private set; }

    /// <summary>Appends to <paramref name="into"/> the model events for one wire event (none for a keepalive).</summary>
    /// <exception cref="SandboxException">Internal: the agent broke the event order (output or an end before the start, anything after the end).</exception>
    public void Translate(Proto.ProcessEvent? wire, List<SandboxProcessEvent> into)
    {
        if (wire is null)
        {
            return;
        }
        if (Exit is not null && wire.EventCase != Proto.ProcessEvent.EventOneofCase.Keepalive)
        {
            throw OutOfOrder($"sent a {Describe(wire)} event after the end of pid {Exit.Pid}");
        }
        switch (wire.EventCase)
        {
            case Proto.ProcessEvent.EventOneofCase.Start:
                if (Pid is uint known)
                {
                    if (known != wire.Start.Pid)
                    {
                        throw OutOfOrder($"sent a second start event (pid {wire.Start.Pid}) in the stream of pid {known}");
                    }
                    return; // a repeated start of the same process carries nothing new
                }
                Pid = wire.Start.Pid;
                into.Add(new SandboxProcessStarted(wire.Start.Pid));
                return;

            case Proto.ProcessEvent.EventOneofCase.Data:
                uint pid = Pid ?? throw OutOfOrder("sent output before the start event");
                Proto.ProcessEvent.Types.DataEvent data = wire.Data;
                switch (data.OutputCase)
                {
                    case Proto.ProcessEvent.Types.DataEvent.OutputOneofCase.Stdout:
                        into.Add(Output(pid, SandboxProcessStream.Stdout, BytesOf(data.Stdout)));
                        break;
                    case Proto.ProcessEvent.Types.DataEvent.OutputOneofCase.Stderr:
                        into.Add(Output(pid, SandboxProcessStream.Stderr, BytesOf(data.Stderr)));
                        break;
                    case Proto.ProcessEvent.Types.DataEvent.OutputOneofCase.Pty:
                        into.Add(Output(pid, SandboxProcessStream.Pty, BytesOf(data.Pty)));
                        break;
                    // An output kind this client does not know: newer agent, nothing to show.
                }
                return;

            case Proto.ProcessEvent.EventOneofCase.End:
                uint ended = Pid ?? throw OutOfOrder("sent the end event before the start event");
                for (int i = 0; i < _decoders.Length; i++)
                {
                    string rest = _decoders[i]?.FlushCarry() ?? string.Empty;
                    if (rest.Length > 0)
                    {
                        into.Add(new SandboxProcessOutput(ended, (SandboxProcessStream)i, NoBytes, rest));
                    }
                }
                Proto.ProcessEvent.Types.EndEvent end = wire.End;
                Exit = new SandboxProcessExit(ended, end.ExitCode, end.Exited, end.Status, end.HasError ? end.Error : null);
                into.Add(Exit);
                return;

            default:
                // Keepalive (only there to keep the stream open), or an event kind this client does not know.
                return;
        }
    }

    /// <summary>
    /// The chunk's bytes without a copy: a parsed ByteString owns an array of exactly its length,
    /// which nothing else holds once the wire event is translated. A copy would double the garbage
    /// of every chunk a busy stream brings.
    /// </summary>
    static byte[] BytesOf(ByteString bytes) =>
        MemoryMarshal.TryGetArray(bytes.Memory, out ArraySegment<byte> segment)
            && segment.Array is { } array && segment.Offset == 0 && segment.Count == array.Length
            ? array
            : bytes.ToByteArray();

    SandboxProcessOutput Output(uint pid, SandboxProcessStream stream, byte[] bytes)
    {
        if (!_decode)
        {
            return new SandboxProcessOutput(pid, stream, bytes, string.Empty);
        }
        Utf8StreamDecoder decoder = _decoders[(int)stream] ??= new Utf8StreamDecoder();
        // Decoded when read: a record whose Text nobody reads (bytes counted, piped to a file,
        // waiting in a job) holds its bytes only, a third of what bytes and text together take.
        (byte[] carryIn, int heldBack) = decoder.Next(bytes);
        return new SandboxProcessOutput(pid, stream, bytes, carryIn, heldBack);
    }

    static string Describe(Proto.ProcessEvent wire) => wire.EventCase.ToString().ToLowerInvariant();

    static SandboxException OutOfOrder(string what) => new SandboxException(SandboxErrorCode.Internal,
        $"The sandbox agent {what}; this client cannot follow such a process stream.");
}
