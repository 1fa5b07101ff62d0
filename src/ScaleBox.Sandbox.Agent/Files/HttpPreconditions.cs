using System.Globalization;

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>What the conditional headers of a download decide, in RFC 7232's order as Go's <c>http.ServeContent</c> takes them.</summary>
public enum PreconditionOutcome
{
    /// <summary>Serve the file; honour a <c>Range</c> header.</summary>
    Serve,
    /// <summary>Serve the whole file: an <c>If-Range</c> no longer matches.</summary>
    ServeWhole,
    NotModified,
    PreconditionFailed,
}

/// <summary>
/// <c>If-Match</c>, <c>If-Unmodified-Since</c>, <c>If-None-Match</c>, <c>If-Modified-Since</c> and
/// <c>If-Range</c> against a file's entity tag and modification time, as Go evaluates them: dates
/// to the second, entity tags compared strongly except for <c>If-None-Match</c>; a date that cannot
/// be read counts as absent, a list of tags is read up to its first malformed item (so a malformed
/// <c>If-Match</c> fails, a malformed <c>If-None-Match</c> matches nothing), and a malformed
/// <c>If-Range</c> does not match.
/// </summary>
public static class HttpPreconditions
{
    enum Condition { None, True, False }

    public static PreconditionOutcome Evaluate(IHeaderDictionary headers, string entityTag, DateTimeOffset modified)
    {
        Condition match = IfMatch(headers.IfMatch.ToString(), entityTag);
        if (match == Condition.None)
        {
            match = IfUnmodifiedSince(headers.IfUnmodifiedSince.ToString(), modified);
        }
        if (match == Condition.False)
        {
            return PreconditionOutcome.PreconditionFailed;
        }

        switch (IfNoneMatch(headers.IfNoneMatch.ToString(), entityTag))
        {
            case Condition.False:
                return PreconditionOutcome.NotModified;
            case Condition.None when IfModifiedSince(headers.IfModifiedSince.ToString(), modified) == Condition.False:
                return PreconditionOutcome.NotModified;
        }

        string range = headers.Range.ToString();
        return range.Length > 0 && IfRange(headers.IfRange.ToString(), entityTag, modified) == Condition.False
            ? PreconditionOutcome.ServeWhole
            : PreconditionOutcome.Serve;
    }

    static Condition IfMatch(string header, string entityTag)
    {
        if (header.Length == 0)
        {
            return Condition.None;
        }
        foreach (string? tag in EntityTags(header))
        {
            if (tag is null)
            {
                return Condition.True; // "*"
            }
            if (StrongMatch(tag, entityTag))
            {
                return Condition.True;
            }
        }
        return Condition.False;
    }

    static Condition IfNoneMatch(string header, string entityTag)
    {
        if (header.Length == 0)
        {
            return Condition.None;
        }
        foreach (string? tag in EntityTags(header))
        {
            if (tag is null || WeakMatch(tag, entityTag))
            {
                return Condition.False;
            }
        }
        return Condition.True;
    }

    static Condition IfUnmodifiedSince(string header, DateTimeOffset modified) =>
        header.Length == 0 || !TryParseDate(header, out DateTimeOffset date) ? Condition.None
        : Seconds(modified) <= date.ToUnixTimeSeconds() ? Condition.True : Condition.False;

    static Condition IfModifiedSince(string header, DateTimeOffset modified) =>
        header.Length == 0 || !TryParseDate(header, out DateTimeOffset date) ? Condition.None
        : Seconds(modified) <= date.ToUnixTimeSeconds() ? Condition.False : Condition.True;

    static Condition IfRange(string header, string entityTag, DateTimeOffset modified)
    {
        if (header.Length == 0)
        {
            return Condition.None;
        }
        if (ScanEntityTag(header, out string tag, out _))
        {
            return StrongMatch(tag, entityTag) ? Condition.True : Condition.False;
        }
        return TryParseDate(header, out DateTimeOffset date) && date.ToUnixTimeSeconds() == Seconds(modified)
            ? Condition.True : Condition.False;
    }

    static long Seconds(DateTimeOffset time) => time.ToUnixTimeSeconds();

    /// <summary>The tags of a list header in order, null for "*"; stops at the first item that is not a tag.</summary>
    static IEnumerable<string?> EntityTags(string header)
    {
        string rest = header;
        while (true)
        {
            rest = rest.Trim(' ', '\t', '\r', '\n');
            if (rest.Length == 0)
            {
                yield break;
            }
            if (rest[0] == ',')
            {
                rest = rest[1..];
                continue;
            }
            if (rest[0] == '*')
            {
                yield return null;
                yield break;
            }
            if (!ScanEntityTag(rest, out string tag, out rest))
            {
                yield break;
            }
            yield return tag;
        }
    }

    /// <summary>A syntactically valid <c>"tag"</c> or <c>W/"tag"</c> at the start of <paramref name="text"/>.</summary>
    static bool ScanEntityTag(string text, out string tag, out string rest)
    {
        text = text.Trim(' ', '\t', '\r', '\n');
        int start = text.StartsWith("W/", StringComparison.Ordinal) ? 2 : 0;
        tag = rest = "";
        if (text.Length - start < 2 || text[start] != '"')
        {
            return false;
        }
        for (int i = start + 1; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '"')
            {
                tag = text[..(i + 1)];
                rest = text[(i + 1)..];
                return true;
            }
            if (!(c == 0x21 || c is >= (char)0x23 and <= (char)0x7E || c >= 0x80))
            {
                return false;
            }
        }
        return false;
    }

    static bool StrongMatch(string a, string b) => a == b && a.Length > 0 && a[0] == '"';

    static bool WeakMatch(string a, string b) => StripWeak(a) == StripWeak(b);

    static string StripWeak(string tag) => tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;

    // Go's http.ParseTime: RFC 1123 with GMT, RFC 850, ANSI C asctime.
    static readonly string[] DateFormats =
    [
        "ddd, dd MMM yyyy HH:mm:ss 'GMT'",
        "dddd, dd-MMM-yy HH:mm:ss 'GMT'",
        "ddd MMM d HH:mm:ss yyyy",
        "ddd MMM  d HH:mm:ss yyyy",
    ];

    static bool TryParseDate(string text, out DateTimeOffset date) =>
        DateTimeOffset.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out date);
}
