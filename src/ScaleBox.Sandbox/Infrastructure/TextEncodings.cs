using System;
using System.Collections.Generic;
using System.Text;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// The -Encoding names PowerShell 7's content cmdlets accept, plus any code page name or number,
/// so Get-SbxContent/Set-SbxContent read like Get-Content/Set-Content.
/// </summary>
public static class TextEncodings
{
    public static readonly string[] Names =
    {
        "utf8", "utf8NoBOM", "utf8BOM", "ascii", "ansi", "bigendianunicode", "bigendianutf32", "latin1", "oem", "unicode", "utf32", "utf7",
    };

    static readonly Dictionary<string, Func<Encoding>> ByName = new Dictionary<string, Func<Encoding>>(StringComparer.OrdinalIgnoreCase)
    {
        ["utf8"] = () => new UTF8Encoding(false),
        ["utf8NoBOM"] = () => new UTF8Encoding(false),
        ["utf8BOM"] = () => new UTF8Encoding(true),
        ["ascii"] = () => Encoding.ASCII,
        ["ansi"] = () => Encoding.Default,
        ["oem"] = () => Encoding.Default,
        ["bigendianunicode"] = () => Encoding.BigEndianUnicode,
        ["bigendianutf32"] = () => new UTF32Encoding(bigEndian: true, byteOrderMark: true),
        ["latin1"] = () => Encoding.GetEncoding(28591),
        ["unicode"] = () => Encoding.Unicode,
        ["utf32"] = () => Encoding.UTF32,
#pragma warning disable SYSLIB0001 // PowerShell still offers it; asked for by name only
        ["utf7"] = () => Encoding.UTF7,
#pragma warning restore SYSLIB0001
    };

    /// <exception cref="ArgumentException">Not a known name or code page.</exception>
    public static Encoding Resolve(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return new UTF8Encoding(false);
        }
        if (ByName.TryGetValue(name!, out Func<Encoding>? make))
        {
            return make();
        }
        try
        {
            return int.TryParse(name, out int codePage) ? Encoding.GetEncoding(codePage) : Encoding.GetEncoding(name!);
        }
        catch (Exception e) when (e is ArgumentException || e is NotSupportedException)
        {
            throw new ArgumentException($"'{name}' is not an encoding. Use one of {string.Join(", ", Names)}, or a code page name or number.", e);
        }
    }
}
