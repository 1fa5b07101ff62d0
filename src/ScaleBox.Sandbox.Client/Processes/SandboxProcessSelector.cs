using System;
using System.Globalization;
using Proto = ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Processes;

/// <summary>
/// Names one process of the agent: by its pid, or by the tag it was started with. Tags need not
/// be unique; the agent picks the first started of the running processes with that tag.
/// </summary>
public sealed class SandboxProcessSelector : IEquatable<SandboxProcessSelector>
{
    SandboxProcessSelector(uint? pid, string? tag)
    {
        Pid = pid;
        Tag = tag;
    }

    /// <summary>The pid, when the selector is by pid; otherwise null.</summary>
    public uint? Pid { get; }

    /// <summary>The tag, when the selector is by tag; otherwise null.</summary>
    public string? Tag { get; }

    /// <summary>The process with this pid (running, or ended and still remembered by the agent).</summary>
    public static SandboxProcessSelector ByPid(uint pid) => new SandboxProcessSelector(pid, null);

    /// <summary>A process started with this tag.</summary>
    /// <exception cref="ArgumentException">The tag is null or empty.</exception>
    public static SandboxProcessSelector ByTag(string tag)
    {
        if (string.IsNullOrEmpty(tag))
        {
            throw new ArgumentException("A process tag cannot be empty.", nameof(tag));
        }
        return new SandboxProcessSelector(null, tag);
    }

    /// <summary><c>pid 123</c> or <c>tag 'web'</c>: the form used as the target of errors.</summary>
    public override string ToString() =>
        Pid is uint pid ? "pid " + pid.ToString(CultureInfo.InvariantCulture) : "tag '" + Tag + "'";

    public bool Equals(SandboxProcessSelector? other) =>
        other is not null && Pid == other.Pid && string.Equals(Tag, other.Tag, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as SandboxProcessSelector);

    public override int GetHashCode() =>
        Pid is uint pid ? pid.GetHashCode() : StringComparer.Ordinal.GetHashCode(Tag!) ^ 0x5bd1e995;

    internal Proto.ProcessSelector ToProto() =>
        Pid is uint pid ? new Proto.ProcessSelector { Pid = pid } : new Proto.ProcessSelector { Tag = Tag };
}
