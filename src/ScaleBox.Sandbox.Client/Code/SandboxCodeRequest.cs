using System;
using System.Collections.Generic;

namespace ScaleBox.Sandbox.Client.Code;

/// <summary>What to execute, where, and for how long.</summary>
public sealed class SandboxCodeRequest
{
    public SandboxCodeRequest(string code) => Code = code ?? throw new ArgumentNullException(nameof(code));

    public string Code { get; }

    /// <summary>python (the default), javascript/js/node, bash, r, ... Ignored when a context is given: the context's language runs.</summary>
    public string? Language { get; set; }

    /// <summary>The context to run in; null for the agent's default context of the language.</summary>
    public string? ContextId { get; set; }

    /// <summary>Environment variables for this execution only.</summary>
    public IDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>How long the execution may take; when it passes the agent interrupts the kernel (its state stays). Null: no limit.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>50 seconds, as for process streams.</summary>
    public static readonly TimeSpan DefaultKeepaliveInterval = TimeSpan.FromSeconds(50);

    /// <summary>
    /// How often the agent is asked to send a keepalive while the kernel is silent (whole seconds,
    /// at least 1). When the agent confirms it sends them, nothing at all for two intervals and a
    /// second means the agent is frozen or the connection dead, and the execution fails then
    /// instead of waiting for ever; a kernel computing in silence is not affected.
    /// </summary>
    public TimeSpan KeepaliveInterval { get; set; } = DefaultKeepaliveInterval;
}
