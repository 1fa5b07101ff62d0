using System.Collections.Frozen;

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>
/// The type of a file by its extension, as Go's <c>mime.TypeByExtension</c> finds it on Linux (the
/// real agent's download asks it first): Go's own short table, then the system's shared MIME
/// database (<c>globs2</c>, the first of its two places that exists; the table's entries win), or
/// where there is none, the <c>mime.types</c> files (which override the table). Text types get
/// <c>; charset=utf-8</c>. The answer therefore depends on the machine, as the real agent's does.
/// </summary>
public sealed class ExtensionMimeTypes
{
    static readonly Dictionary<string, string> GoTable = new(StringComparer.Ordinal)
    {
        [".avif"] = "image/avif",
        [".css"] = "text/css; charset=utf-8",
        [".gif"] = "image/gif",
        [".htm"] = "text/html; charset=utf-8",
        [".html"] = "text/html; charset=utf-8",
        [".jpeg"] = "image/jpeg",
        [".jpg"] = "image/jpeg",
        [".js"] = "text/javascript; charset=utf-8",
        [".json"] = "application/json",
        [".mjs"] = "text/javascript; charset=utf-8",
        [".pdf"] = "application/pdf",
        [".png"] = "image/png",
        [".svg"] = "image/svg+xml",
        [".wasm"] = "application/wasm",
        [".webp"] = "image/webp",
        [".xml"] = "text/xml; charset=utf-8",
    };

    static readonly string[] SharedMimeDatabases = ["/usr/local/share/mime/globs2", "/usr/share/mime/globs2"];
    static readonly string[] MimeTypesFiles = ["/etc/mime.types", "/etc/apache2/mime.types", "/etc/apache/mime.types", "/etc/httpd/conf/mime.types"];

    static readonly Lazy<ExtensionMimeTypes> LazySystem = new(() => Load(SharedMimeDatabases, MimeTypesFiles));

    /// <summary>This machine's table, read once.</summary>
    public static ExtensionMimeTypes System => LazySystem.Value;

    readonly FrozenDictionary<string, string> _exact;
    readonly FrozenDictionary<string, string> _lowered;

    ExtensionMimeTypes(Dictionary<string, string> exact, Dictionary<string, string> lowered)
    {
        _exact = exact.ToFrozenDictionary(StringComparer.Ordinal);
        _lowered = lowered.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Go's table with the system's files given (the first readable database wins, else every mime.types file).</summary>
    public static ExtensionMimeTypes Load(IEnumerable<string> sharedMimeDatabases, IEnumerable<string> mimeTypesFiles)
    {
        var exact = new Dictionary<string, string>(GoTable, StringComparer.Ordinal);
        var lowered = new Dictionary<string, string>(GoTable, StringComparer.Ordinal);
        void Set(string extension, string type)
        {
            if (WithCharset(type) is { } stored)
            {
                exact[extension] = stored;
                lowered[extension.ToLowerInvariant()] = stored;
            }
        }

        foreach (string database in sharedMimeDatabases)
        {
            if (ReadLines(database) is { } lines)
            {
                foreach (string line in lines)
                {
                    // weight:type:glob[:flags], heaviest first; only plain "*.ext" globs count.
                    string[] fields = line.Split(':');
                    if (fields.Length < 3 || fields[0].Length < 1 || fields[2].Length < 3
                        || fields[0][0] == '#' || !fields[2].StartsWith("*.", StringComparison.Ordinal))
                    {
                        continue;
                    }
                    string extension = fields[2][1..];
                    if (extension.AsSpan().IndexOfAny("?*[") < 0 && !exact.ContainsKey(extension))
                    {
                        Set(extension, fields[1]);
                    }
                }
                return new ExtensionMimeTypes(exact, lowered);
            }
        }

        foreach (string file in mimeTypesFiles)
        {
            foreach (string line in ReadLines(file) ?? [])
            {
                // type ext ext ... [# comment]
                string[] fields = line.Split([' ', '\t', '\r', '\n', '\v', '\f'], StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length <= 1 || fields[0][0] == '#')
                {
                    continue;
                }
                foreach (string extension in fields.Skip(1))
                {
                    if (extension[0] == '#')
                    {
                        break;
                    }
                    Set("." + extension, fields[0]);
                }
            }
        }
        return new ExtensionMimeTypes(exact, lowered);
    }

    /// <summary>The type of <paramref name="extension"/> (with its dot), matched exactly first and then ignoring case; null if unknown.</summary>
    public string? Find(string extension) =>
        _exact.TryGetValue(extension, out string? type) || _lowered.TryGetValue(extension.ToLowerInvariant(), out type) ? type : null;

    /// <summary>Go's filepath.Ext: from the last dot of the last segment, dot included; empty without one.</summary>
    public static string ExtensionOf(string path)
    {
        for (int i = path.Length - 1; i >= 0 && path[i] != '/'; i--)
        {
            if (path[i] == '.')
            {
                return path[i..];
            }
        }
        return "";
    }

    /// <summary>A media type as stored: text types without a charset get utf-8; one that is not type/subtype is dropped.</summary>
    static string? WithCharset(string type)
    {
        string essence = type.Split(';')[0].Trim();
        int slash = essence.IndexOf('/');
        if (slash <= 0 || slash == essence.Length - 1)
        {
            return null;
        }
        bool hasCharset = type.Split(';').Skip(1).Any(p => p.Trim().StartsWith("charset=", StringComparison.OrdinalIgnoreCase));
        return essence.StartsWith("text/", StringComparison.OrdinalIgnoreCase) && !hasCharset ? type.Trim() + "; charset=utf-8" : type.Trim();
    }

    static IEnumerable<string>? ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
