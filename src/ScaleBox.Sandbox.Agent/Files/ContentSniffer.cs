using System.Buffers.Binary;
using System.Text;

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>
/// The type of a file whose name says nothing, decided from its first 512 bytes by the WHATWG
/// MIME sniffing table as Go's <c>http.DetectContentType</c> applies it: the real agent's
/// download falls back to it, so a script without an extension is <c>text/plain; charset=utf-8</c>
/// and an unknown binary <c>application/octet-stream</c>.
/// </summary>
public static class ContentSniffer
{
    /// <summary>How much of a file the decision reads.</summary>
    public const int SniffLength = 512;

    const string Fallback = "application/octet-stream";

    // In the order they are tried: the first match wins, plain text last.
    static readonly Signature[] Signatures =
    [
        .. new[]
        {
            "<!DOCTYPE HTML", "<HTML", "<HEAD", "<SCRIPT", "<IFRAME", "<H1", "<DIV", "<FONT", "<TABLE", "<A",
            "<STYLE", "<TITLE", "<B", "<BODY", "<BR", "<P", "<!--",
        }.Select(tag => new Signature(Html(tag))),
        Masked("\u00FF\u00FF\u00FF\u00FF\u00FF", "<?xml", "text/xml; charset=utf-8", skipWhitespace: true),
        Exact("%PDF-", "application/pdf"),
        Exact("%!PS-Adobe-", "application/postscript"),

        // Byte order marks.
        Masked("\u00FF\u00FF\u0000\u0000", "\u00FE\u00FF\u0000\u0000", "text/plain; charset=utf-16be"),
        Masked("\u00FF\u00FF\u0000\u0000", "\u00FF\u00FE\u0000\u0000", "text/plain; charset=utf-16le"),
        Masked("\u00FF\u00FF\u00FF\u0000", "\u00EF\u00BB\u00BF\u0000", "text/plain; charset=utf-8"),

        // Images.
        Exact("\u0000\u0000\u0001\u0000", "image/x-icon"),
        Exact("\u0000\u0000\u0002\u0000", "image/x-icon"),
        Exact("BM", "image/bmp"),
        Exact("GIF87a", "image/gif"),
        Exact("GIF89a", "image/gif"),
        Masked("\u00FF\u00FF\u00FF\u00FF\u0000\u0000\u0000\u0000\u00FF\u00FF\u00FF\u00FF\u00FF\u00FF", "RIFF\u0000\u0000\u0000\u0000WEBPVP", "image/webp"),
        Exact("\u0089PNG\u000D\u000A\u001A\u000A", "image/png"),
        Exact("\u00FF\u00D8\u00FF", "image/jpeg"),

        // Audio and video.
        Masked("\u00FF\u00FF\u00FF\u00FF\u0000\u0000\u0000\u0000\u00FF\u00FF\u00FF\u00FF", "FORM\u0000\u0000\u0000\u0000AIFF", "audio/aiff"),
        Masked("\u00FF\u00FF\u00FF", "ID3", "audio/mpeg"),
        Masked("\u00FF\u00FF\u00FF\u00FF\u00FF", "OggS\u0000", "application/ogg"),
        Masked("\u00FF\u00FF\u00FF\u00FF\u00FF\u00FF\u00FF\u00FF", "MThd\u0000\u0000\u0000\u0006", "audio/midi"),
        Masked("\u00FF\u00FF\u00FF\u00FF\u0000\u0000\u0000\u0000\u00FF\u00FF\u00FF\u00FF", "RIFF\u0000\u0000\u0000\u0000AVI ", "video/avi"),
        Masked("\u00FF\u00FF\u00FF\u00FF\u0000\u0000\u0000\u0000\u00FF\u00FF\u00FF\u00FF", "RIFF\u0000\u0000\u0000\u0000WAVE", "audio/wave"),
        new Signature(Mp4),
        Exact("\u001A\u0045\u00DF\u00A3", "video/webm"),

        // Fonts.
        Masked(new string('\u0000', 34) + "\u00FF\u00FF", new string('\u0000', 34) + "LP", "application/vnd.ms-fontobject"),
        Exact("\u0000\u0001\u0000\u0000", "font/ttf"),
        Exact("OTTO", "font/otf"),
        Exact("ttcf", "font/collection"),
        Exact("wOFF", "font/woff"),
        Exact("wOF2", "font/woff2"),

        // Archives.
        Exact("\u001F\u008B\u0008", "application/x-gzip"),
        Exact("PK\u0003\u0004", "application/zip"),
        Exact("Rar!\u001A\u0007\u0000", "application/x-rar-compressed"),
        Exact("Rar!\u001A\u0007\u0001\u0000", "application/x-rar-compressed"),
        Exact("\u0000asm", "application/wasm"),

        new Signature(PlainText),
    ];

    public static string Detect(ReadOnlySpan<byte> data)
    {
        if (data.Length > SniffLength)
        {
            data = data[..SniffLength];
        }
        int firstNonWhitespace = 0;
        while (firstNonWhitespace < data.Length && IsWhitespace(data[firstNonWhitespace]))
        {
            firstNonWhitespace++;
        }
        foreach (Signature signature in Signatures)
        {
            if (signature.Match(data, firstNonWhitespace) is { } type)
            {
                return type;
            }
        }
        return Fallback;
    }

    delegate string? Matcher(ReadOnlySpan<byte> data, int firstNonWhitespace);

    sealed class Signature(Matcher match)
    {
        public string? Match(ReadOnlySpan<byte> data, int firstNonWhitespace) => match(data, firstNonWhitespace);
    }

    static bool IsWhitespace(byte b) => b is (byte)'\t' or (byte)'\n' or 0x0C or (byte)'\r' or (byte)' ';

    // The tables are written as Latin-1 strings, each char one byte (\u escapes, as C#'s \x takes up to four digits).
    static byte[] Bytes(string latin1) => Encoding.Latin1.GetBytes(latin1);

    static Signature Exact(string prefix, string type)
    {
        byte[] bytes = Bytes(prefix);
        return new Signature((data, _) => data.StartsWith(bytes) ? type : null);
    }

    static Signature Masked(string mask, string pattern, string type, bool skipWhitespace = false)
    {
        byte[] maskBytes = Bytes(mask);
        byte[] patternBytes = Bytes(pattern);
        return new Signature((data, firstNonWhitespace) =>
        {
            if (skipWhitespace)
            {
                data = data[firstNonWhitespace..];
            }
            if (data.Length < maskBytes.Length)
            {
                return null;
            }
            for (int i = 0; i < maskBytes.Length; i++)
            {
                if ((data[i] & maskBytes[i]) != patternBytes[i])
                {
                    return null;
                }
            }
            return type;
        });
    }

    /// <summary>An HTML tag, any case, after leading whitespace, followed by a space or '&gt;'.</summary>
    static Matcher Html(string tag)
    {
        byte[] tagBytes = Bytes(tag);
        return (data, firstNonWhitespace) =>
        {
            data = data[firstNonWhitespace..];
            if (data.Length < tagBytes.Length + 1)
            {
                return null;
            }
            for (int i = 0; i < tagBytes.Length; i++)
            {
                byte expected = tagBytes[i];
                byte actual = expected is >= (byte)'A' and <= (byte)'Z' ? (byte)(data[i] & 0xDF) : data[i];
                if (actual != expected)
                {
                    return null;
                }
            }
            return data[tagBytes.Length] is (byte)' ' or (byte)'>' ? "text/html; charset=utf-8" : null;
        };
    }

    /// <summary>An ISO media file whose <c>ftyp</c> box names an mp4 brand.</summary>
    static string? Mp4(ReadOnlySpan<byte> data, int firstNonWhitespace)
    {
        if (data.Length < 12)
        {
            return null;
        }
        int boxSize = (int)BinaryPrimitives.ReadUInt32BigEndian(data);
        if (boxSize % 4 != 0 || data.Length < boxSize || !data[4..8].SequenceEqual("ftyp"u8))
        {
            return null;
        }
        for (int at = 8; at < boxSize; at += 4)
        {
            if (at != 12 && data[at..(at + 3)].SequenceEqual("mp4"u8))
            {
                // Offset 12 is the minor version, not a brand.
                return "video/mp4";
            }
        }
        return null;
    }

    /// <summary>Text unless a byte that no text has (a C0 control but tab, LF, FF, CR and ESC) follows the leading whitespace.</summary>
    static string? PlainText(ReadOnlySpan<byte> data, int firstNonWhitespace)
    {
        foreach (byte b in data[firstNonWhitespace..])
        {
            if (b <= 0x08 || b == 0x0B || b is >= 0x0E and <= 0x1A || b is >= 0x1C and <= 0x1F)
            {
                return null;
            }
        }
        return "text/plain; charset=utf-8";
    }
}
