using System;
using System.Collections.Generic;

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>
/// The sandbox's access token (envd_access_token). It is only ever read to build a request
/// header; it prints as asterisks so it cannot leak into logs, errors or transcripts.
/// </summary>
public sealed class AccessToken
{
    readonly string _value;

    /// <param name="value">
    /// The token. Whitespace around it is dropped: a token read from a file or a terminal often
    /// ends in a line break, which would otherwise end the request header it travels in.
    /// </param>
    /// <exception cref="ArgumentException">
    /// Empty, or holding whitespace or a control character inside (no token does, and a header
    /// cannot carry a line break); its ParamName is "AccessToken". The message never shows the token.
    /// </exception>
    public AccessToken(string value)
    {
        string trimmed = (value ?? string.Empty).Trim();
        if (trimmed.Length == 0)
        {
            throw new ArgumentException("The access token is empty.", nameof(AccessToken));
        }
        foreach (char c in trimmed)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                throw new ArgumentException(
                    "The access token holds a space, a line break or another control character inside it, which no access token has: "
                    + "check that it was copied whole and alone (a sandbox's envd_access_token).", nameof(AccessToken));
            }
        }
        _value = trimmed;
    }

    internal string Reveal() => _value;

    /// <summary>Removes the token from a text that might echo it, such as a server's error message.</summary>
    public string Redact(string? text) =>
        string.IsNullOrEmpty(text) ? text ?? string.Empty : text!.Replace(_value, Mask);

    /// <summary>Whether a text contains the token.</summary>
    public bool Occurs(string? text) => !string.IsNullOrEmpty(text) && text!.IndexOf(_value, StringComparison.Ordinal) >= 0;

    /// <summary>
    /// Whether an exception says the token: its message, or that of any exception under it. That
    /// is all of its <c>ToString()</c> but the type names and stack traces, which name code, never
    /// data; rendering those reads the debug symbols of the assemblies on the stack, 4 to 10 ms on a
    /// process's first error (such as Copy-SbxItem's check of a new destination).
    /// </summary>
    public bool OccursIn(Exception? error)
    {
        var pending = new Stack<Exception>();
        if (error is not null)
        {
            pending.Push(error);
        }
        for (int seen = 0; pending.Count > 0 && seen < 256; seen++)
        {
            Exception e = pending.Pop();
            if (Occurs(e.Message))
            {
                return true;
            }
            if (e is AggregateException aggregate)
            {
                foreach (Exception inner in aggregate.InnerExceptions)
                {
                    pending.Push(inner);
                }
            }
            else if (e.InnerException is not null)
            {
                pending.Push(e.InnerException);
            }
        }
        return false;
    }

    public const string Mask = "********";

    public override string ToString() => Mask;
}
