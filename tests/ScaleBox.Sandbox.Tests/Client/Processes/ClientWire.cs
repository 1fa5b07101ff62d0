using System.Linq.Expressions;
using System.Reflection;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Processes;

namespace ScaleBox.Sandbox.Tests.Client.Processes;

/// <summary>
/// The client library's generated types are internal, and their names are taken in this assembly
/// by the agent's public copies. So wire events are written as proto3 JSON, parsed into the
/// client's own <c>ProcessEvent</c> type found by reflection, and handed to the client's internals
/// by reflection. This depends on nothing but the published schema.
/// </summary>
static class ClientWire
{
    static readonly Type ClientEventType = typeof(SandboxProcesses).Assembly.GetType("ScaleBox.Sandbox.Protocol.ProcessEvent", throwOnError: true)!;
    static readonly MessageDescriptor ClientEventDescriptor = (MessageDescriptor)ClientEventType.GetProperty("Descriptor")!.GetValue(null)!;

    /// <summary>One wire event, as the client's generated type.</summary>
    public sealed record Event(string Json)
    {
        public object ToClient() => JsonParser.Default.Parse(Json, ClientEventDescriptor);
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

    public static void Translate(ProcessEventTranslator translator, Event wire, List<SandboxProcessEvent> into)
    {
        try
        {
            typeof(ProcessEventTranslator).GetMethod(nameof(ProcessEventTranslator.Translate))!.Invoke(translator, [wire.ToClient(), into]);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
    }

    /// <summary>
    /// Runs <see cref="ProcessEventStream.ReadAsync"/> over a scripted stream: each step is an event
    /// (delivered), or an exception (thrown by MoveNext); after the last step the stream ends cleanly.
    /// </summary>
    public static async Task<List<SandboxProcessEvent>> ReadAllAsync(ProcessEventStream stream, IEnumerable<object> script,
        ScriptedReaderProbe? probe = null, CancellationToken cancellationToken = default)
    {
        Type readerType = typeof(ScriptedReader<>).MakeGenericType(ClientEventType);
        var steps = script.Select(step => step is Event e ? e.ToClient() : step).ToList();
        object reader = Activator.CreateInstance(readerType, steps, probe ?? new ScriptedReaderProbe())!;
        ParameterExpression parameter = Expression.Parameter(ClientEventType);
        Delegate identity = Expression.Lambda(typeof(Func<,>).MakeGenericType(ClientEventType, ClientEventType), parameter, parameter).Compile();
        MethodInfo read = typeof(ProcessEventStream).GetMethod(nameof(ProcessEventStream.ReadAsync))!.MakeGenericMethod(ClientEventType);
        var events = (IAsyncEnumerable<SandboxProcessEvent>)read.Invoke(stream, [reader, identity, cancellationToken])!;

        var result = new List<SandboxProcessEvent>();
        await foreach (SandboxProcessEvent e in events)
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
