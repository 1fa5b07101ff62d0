using System;

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

    public const string Mask = "********";

    public override string ToString() => Mask;
}
