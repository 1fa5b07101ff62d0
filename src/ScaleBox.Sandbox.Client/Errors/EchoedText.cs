namespace ScaleBox.Sandbox.Client.Errors;

/// <summary>
/// Values quoted back in error messages (a path, a tag, a domain, the agent's own words) are
/// shortened when huge: a message that repeats 100 KB of input hides what went wrong.
/// </summary>
internal static class EchoedText
{
    /// <summary>For values the caller gave: enough to recognise them.</summary>
    public const int MaxValueLength = 300;

    /// <summary>For the agent's explanations.</summary>
    public const int MaxDetailLength = 1000;

    public static string Value(string text) => Shorten(text, MaxValueLength);

    public static string? Detail(string? text) => text is null ? null : Shorten(text, MaxDetailLength);

    static string Shorten(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }
        int keepEnd = max / 5;
        int keepStart = max - keepEnd;
        return text.Substring(0, keepStart) + $"…({text.Length - keepStart - keepEnd} characters left out)…" + text.Substring(text.Length - keepEnd);
    }
}
