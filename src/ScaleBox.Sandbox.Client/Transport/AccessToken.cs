using System;

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>
/// The sandbox's access token (envd_access_token). It is only ever read to build a request
/// header; it prints as asterisks so it cannot leak into logs, errors or transcripts.
/// </summary>
public sealed class AccessToken
{
    readonly string _value;

    public AccessToken(string value)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException("The access token is empty.", nameof(value));
        }
        _value = value;
    }

    internal string Reveal() => _value;

    /// <summary>Removes the token from a text that might echo it, such as a server's error message.</summary>
    public string Redact(string? text) =>
        string.IsNullOrEmpty(text) ? text ?? string.Empty : text!.Replace(_value, Mask);

    /// <summary>Whether a text contains the token.</summary>
    public bool Occurs(string? text) => !string.IsNullOrEmpty(text) && text!.IndexOf(_value, StringComparison.Ordinal) >= 0;

    public const string Mask = "********";

    public override string ToString() => Mask;
}
