using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace ScaleBox.Sandbox.Tests.Infrastructure;

/// <summary>
/// The requests an agent hosted in this process serves on one port, with the HTTP version each came
/// in on, as Kestrel itself reports them (its "Microsoft-AspNetCore-Server-Kestrel" events: a
/// connection's local port when it starts, then each request's protocol, method and path).
/// Listening lasts until disposed.
/// </summary>
public sealed class ServedRequestLog(int port) : EventListener
{
    // Field initializers run before the base constructor, which already enables the sources that exist.
    readonly string _localEndPoint = $"127.0.0.1:{port}";
    readonly ConcurrentDictionary<string, bool> _connections = new();
    readonly ConcurrentQueue<(string Protocol, string Method, string Path)> _requests = new();

    /// <summary>What was served so far, in the order the requests started.</summary>
    public IReadOnlyList<(string Protocol, string Method, string Path)> Requests => _requests.ToArray();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-AspNetCore-Server-Kestrel")
        {
            EnableEvents(source, EventLevel.Informational);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.PayloadNames is null || e.Payload is null)
        {
            return;
        }
        string? Value(string name) => e.PayloadNames.IndexOf(name) is int at and >= 0 ? e.Payload[at]?.ToString() : null;
        switch (e.EventName)
        {
            case "ConnectionStart" when Value("localEndPoint") == _localEndPoint:
                _connections[Value("connectionId")!] = true;
                break;
            case "RequestStart" when _connections.ContainsKey(Value("connectionId") ?? ""):
                _requests.Enqueue((Value("httpVersion")!, Value("method")!, Value("path")!));
                break;
        }
    }
}
