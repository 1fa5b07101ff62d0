using System;

namespace ScaleBox.Sandbox.Client.Code;

/// <summary>
/// A running interpreter in the sandbox (a Jupyter kernel, a bash or a node process): variables,
/// imports and the working directory persist across the executions sent to it.
/// </summary>
public sealed class SandboxCodeContext
{
    public string Id { get; init; } = string.Empty;

    public string Language { get; init; } = string.Empty;

    /// <summary>The working directory it started in.</summary>
    public string? Cwd { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>The sandbox domain it runs in.</summary>
    public string? Domain { get; init; }

    public override string ToString() => Id;
}
