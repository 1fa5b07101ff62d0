using System;

namespace ScaleBox.Sandbox.Client.Errors;

/// <summary>
/// Any failure of a call to a sandbox agent: the status code, the server's own words, and what
/// the call was about (a path, a pid). The message never contains the access token.
/// </summary>
public sealed class SandboxException : Exception
{
    public SandboxException(SandboxErrorCode code, string message, string? serverMessage = null,
        string? target = null, string? domain = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        ServerMessage = serverMessage;
        Target = target;
        Domain = domain;
    }

    public SandboxErrorCode Code { get; }

    /// <summary>The text the agent sent with the status, if any.</summary>
    public string? ServerMessage { get; }

    /// <summary>What the failed call was about: a sandbox path, a pid, a tag.</summary>
    public string? Target { get; }

    /// <summary>The sandbox domain the call went to.</summary>
    public string? Domain { get; }

    /// <summary>The code as the Connect protocol spells it, e.g. <c>not_found</c>.</summary>
    public string WireCode => ToWireName(Code);

    public static string ToWireName(SandboxErrorCode code)
    {
        if (code == SandboxErrorCode.Cancelled)
        {
            return "canceled"; // Connect spells it the American way, unlike gRPC's CANCELLED.
        }
        string name = code.ToString();
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }
            builder.Append(char.ToLowerInvariant(name[i]));
        }
        return builder.ToString();
    }
}
