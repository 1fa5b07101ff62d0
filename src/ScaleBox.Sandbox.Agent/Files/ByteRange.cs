using System.Globalization;

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>One range of a <c>Range</c> header, resolved against the file's size.</summary>
public readonly record struct ByteRange(long Start, long Length)
{
    /// <summary>The <c>Content-Range</c> value of this range of a file of <paramref name="size"/> bytes.</summary>
    public string ContentRange(long size) =>
        string.Create(CultureInfo.InvariantCulture, $"bytes {Start}-{Start + Length - 1}/{size}");
}

/// <summary>
/// A <c>Range</c> header read as Go's <c>http.ServeContent</c> reads it (the real agent's download
/// is served by it): anything but <c>bytes=</c> with well-formed ranges is "invalid range"; ranges
/// that all start past the end are "invalid range: failed to overlap"; a range reaching past the
/// end is cut at the end; a suffix larger than the file is the whole file; empty items are skipped.
/// </summary>
public static class ByteRanges
{
    public const string Invalid = "invalid range";
    public const string NoOverlap = "invalid range: failed to overlap";

    /// <summary>
    /// The ranges asked for (none when there is no header, or only empty items), or the text of the
    /// 416 answer in <paramref name="error"/>.
    /// </summary>
    public static IReadOnlyList<ByteRange> Parse(string? header, long size, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(header))
        {
            return [];
        }
        const string unit = "bytes=";
        if (!header.StartsWith(unit, StringComparison.Ordinal))
        {
            error = Invalid;
            return [];
        }

        var ranges = new List<ByteRange>();
        bool noOverlap = false;
        foreach (string item in header[unit.Length..].Split(','))
        {
            string spec = TrimHttpSpace(item);
            if (spec.Length == 0)
            {
                continue;
            }
            int dash = spec.IndexOf('-');
            if (dash < 0)
            {
                error = Invalid;
                return [];
            }
            string first = TrimHttpSpace(spec[..dash]);
            string last = TrimHttpSpace(spec[(dash + 1)..]);
            if (first.Length == 0)
            {
                // "-N": the last N bytes.
                if (last.Length == 0 || last[0] == '-' || !TryParseCount(last, out long suffix))
                {
                    error = Invalid;
                    return [];
                }
                long start = size - Math.Min(suffix, size);
                ranges.Add(new ByteRange(start, size - start));
                continue;
            }
            if (!TryParseCount(first, out long from))
            {
                error = Invalid;
                return [];
            }
            if (from >= size)
            {
                noOverlap = true;
                continue;
            }
            if (last.Length == 0)
            {
                ranges.Add(new ByteRange(from, size - from));
                continue;
            }
            if (!TryParseCount(last, out long to) || from > to)
            {
                error = Invalid;
                return [];
            }
            ranges.Add(new ByteRange(from, Math.Min(to, size - 1) - from + 1));
        }
        if (noOverlap && ranges.Count == 0)
        {
            error = NoOverlap;
        }
        return ranges;
    }

    /// <summary>Go's strconv.ParseInt base 10 into a non-negative count: an optional sign, digits only.</summary>
    static bool TryParseCount(string text, out long value) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value >= 0;

    /// <summary>Go's textproto.TrimString: ASCII space, tab, CR and LF.</summary>
    static string TrimHttpSpace(string text) => text.Trim(' ', '\t', '\r', '\n');
}
