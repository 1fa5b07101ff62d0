using System;
using System.Collections;
using System.Management.Automation;
using ScaleBox.Sandbox.Sessions;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// The session a completer asks: the -Session being typed, else the default one, else the
/// environment's. Null when there is none; never prompts, never throws.
/// </summary>
internal static class CompletionSession
{
    /// <summary>How long a completer may wait on the sandbox: a slow one completes nothing rather than hang the prompt.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    public static SbxSession? For(IDictionary fakeBoundParameters)
    {
        SbxSession? session = FromBound(fakeBoundParameters) ?? Default();
        return session is null || session.IsClosed ? null : session;
    }

    static SbxSession? Default()
    {
        try
        {
            return SessionStore.Current.Default ?? SessionStore.Current.FromEnvironment(ScaleBox.Sandbox.Client.Transport.SandboxClientOptions.DefaultTimeout);
        }
        catch (ArgumentException)
        {
            return null; // a malformed $env:SANDBOX_DOMAIN: nothing to complete from
        }
    }

    // -Session as typed: the session itself, or its name or Id (-Session build), as the parameter takes it.
    static SbxSession? FromBound(IDictionary bound) =>
        bound != null && bound.Contains("Session") ? SessionArgumentAttribute.TryResolve(bound["Session"]) : null;

    /// <summary>Quotes a completion when the word would not survive the parser unquoted.</summary>
    public static string Quote(string text) =>
        text.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', '(', ')', '{', '}', ';', ',', '&', '#', '@', '|', '<', '>' }) >= 0
            ? "'" + text.Replace("'", "''") + "'"
            : text;
}
