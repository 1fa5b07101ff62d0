using System;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Code;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Watch;

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>
/// Everything one sandbox agent serves, as service clients on one <see cref="SandboxConnection"/>:
/// files, transfers, processes, watchers and code. Thread-safe; dispose it to close the connection.
/// </summary>
public sealed class SandboxClient : IDisposable
{
    public SandboxClient(SandboxClientOptions options)
    {
        Connection = new SandboxConnection(options);
        Files = new SandboxFileSystem(Connection);
        Processes = new SandboxProcesses(Connection);
        Watchers = new SandboxWatchers(Connection, Files);
        Code = new SandboxCode(Connection);
        Transfer = new SandboxFileTransfer(this);
    }

    /// <summary>The transport, auth and deadlines every service client here uses.</summary>
    public SandboxConnection Connection { get; }

    public SandboxClientOptions Options => Connection.Options;

    public SandboxEndpoint Endpoint => Connection.Endpoint;

    /// <summary>Stat, list, create, move and remove paths in the sandbox.</summary>
    public SandboxFileSystem Files { get; }

    /// <summary>Start, attach to, list, signal and feed the sandbox's processes.</summary>
    public SandboxProcesses Processes { get; }

    /// <summary>File content in and out (streamed, resumable), signed URLs, and directory copies.</summary>
    public SandboxFileTransfer Transfer { get; }

    /// <summary>Watch directories for changes: streamed (optionally reconnecting) or polled.</summary>
    public SandboxWatchers Watchers { get; }

    /// <summary>Code execution in the sandbox's interpreters, and their contexts.</summary>
    public SandboxCode Code { get; }

    internal ErrorTranslator Errors => Connection.Errors;

    /// <summary>GET /health: true when the agent answers 200. Needs no valid token.</summary>
    public Task<bool> IsHealthyAsync(CancellationToken cancellationToken = default) => Connection.IsHealthyAsync(cancellationToken);

    /// <summary>GET /health (status and round trip), then one authenticated call to tell whether the token is accepted.</summary>
    public Task<SandboxCheck> CheckAsync(CancellationToken cancellationToken = default) => SandboxCheck.RunAsync(this, cancellationToken);

    public void Dispose() => Connection.Dispose();

    public override string ToString() => $"SandboxClient({Endpoint}, {Options.Protocol})";
}
