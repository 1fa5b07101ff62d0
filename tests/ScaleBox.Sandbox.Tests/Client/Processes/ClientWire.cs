using System.Text;
using Google.Protobuf;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Tests.Client.Processes;

/// <summary>
/// Wire events for the client's process stream, written as proto3 JSON so that each reads as the
/// agent would send it, and parsed into the schema's generated type.
/// </summary>
static class ClientWire
{
    /// <summary>One wire event.</summary>
    public sealed record Event(string Json)
    {
        public ProcessEvent ToClient() => JsonParser.Default.Parse<ProcessEvent>(Json);
    }

    public static Event Start(uint pid) => new("{\"start\":{\"pid\":" + pid + "}}");

    public static Event Keepalive() => new("""{"keepalive":{}}""");

    public static Event Stdout(params byte[] bytes) => Data("stdout", bytes);

    public static Event Stdout(string text) => Data("stdout", Encoding.UTF8.GetBytes(text));

    public static Event Stderr(string text) => Data("stderr", Encoding.UTF8.GetBytes(text));

    public static Event Pty(string text) => Data("pty", Encoding.UTF8.GetBytes(text));

    static Event Data(string stream, byte[] bytes) => new("{\"data\":{\"" + stream + "\":\"" + Convert.ToBase64String(bytes) + "\"}}");

    public static Event End(int exitCode, bool exited, string status, string? error = null)
    {
        var end = new Dictionary<string, object> { ["exitCode"] = exitCode, ["exited"] = exited, ["status"] = status };
        if (error is not null) end["error"] = error;
        return new(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object> { ["end"] = end }));
    }

    public static void Translate(ProcessEventTranslator translator, Event wire, List<SandboxProcessEvent> into) =>
        translator.Translate(wire.ToClient(), into);

    /// <summary>
    /// Runs <see cref="ProcessEventStream.ReadAsync"/> over a scripted stream: each step is an event
    /// (delivered), or an exception (thrown by MoveNext); after the last step the stream ends cleanly.
    /// </summary>
    public static async Task<List<SandboxProcessEvent>> ReadAllAsync(ProcessEventStream stream, IEnumerable<object> script,
        ScriptedReaderProbe? probe = null, CancellationToken cancellationToken = default)
    {
        var steps = script.Select(step => step is Event e ? e.ToClient() : step).ToList();
        var reader = new ScriptedReader<ProcessEvent>(steps, probe ?? new ScriptedReaderProbe());
        var result = new List<SandboxProcessEvent>();
        await foreach (SandboxProcessEvent e in stream.ReadAsync(reader, wire => wire, cancellationToken))
        {
            result.Add(e);
        }
        return result;
    }
}

/// <summary>A script step: the stream goes silent (MoveNext waits until it is cancelled), as from a frozen agent.</summary>
sealed class Silence
{
    public static readonly Silence Forever = new();
}

/// <summary>A script step: a wait before the next step, as from an agent with nothing to say for a while.</summary>
sealed record Pause(TimeSpan Duration);

/// <summary>What a scripted stream saw of its reader.</summary>
sealed class ScriptedReaderProbe
{
    public int MoveNextCalls;
    public bool ReachedEnd;
}

sealed class ScriptedReader<T>(List<object> steps, ScriptedReaderProbe probe) : IAsyncStreamReader<T>
{
    int _next;

    public T Current { get; private set; } = default!;

    public Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        probe.MoveNextCalls++;
        cancellationToken.ThrowIfCancellationRequested();
        if (_next >= steps.Count)
        {
            probe.ReachedEnd = true;
            return Task.FromResult(false);
        }
        object step = steps[_next++];
        if (step is Pause pause)
        {
            return Task.Delay(pause.Duration, cancellationToken).ContinueWith(_ => MoveNext(cancellationToken), TaskScheduler.Default).Unwrap();
        }
        if (step is Silence)
        {
            return Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith<bool>(
                _ => throw new OperationCanceledException(cancellationToken), TaskScheduler.Default);
        }
        if (step is Exception error)
        {
            return Task.FromException<bool>(error);
        }
        Current = (T)step;
        return Task.FromResult(true);
    }
}
