using System;
using System.Collections.Generic;
using System.Text;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>Sandbox paths as the plain HTTP endpoints need them: cleaned, and percent-encoded per segment.</summary>
internal static class RemotePaths
{
    /// <summary>
    /// Lexical cleaning like Go's <c>path.Clean</c>: no empty or <c>.</c> segments, <c>..</c>
    /// taken back where it can be (at the root it stays at the root), no trailing slash.
    /// A relative path keeps its leading <c>..</c> segments; an empty one becomes ".".
    /// </summary>
    public static string Clean(string path)
    {
        bool absolute = path.Length > 0 && path[0] == SandboxPath.Separator;
        var segments = new List<string>();
        foreach (string segment in path.Split(SandboxPath.Separator))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }
            if (segment == "..")
            {
                if (segments.Count > 0 && segments[segments.Count - 1] != "..")
                {
                    segments.RemoveAt(segments.Count - 1);
                }
                else if (!absolute)
                {
                    segments.Add(segment);
                }
                continue;
            }
            segments.Add(segment);
        }
        string joined = string.Join("/", segments);
        return absolute ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

    /// <summary>
    /// The path part of a download URL, relative to the agent's base address:
    /// <c>download/</c> + the cleaned path without its leading slash, each segment
    /// percent-encoded so that <c>#</c>, <c>%</c>, <c>?</c>, spaces and non-ASCII survive.
    /// </summary>
    /// <exception cref="ArgumentException">A relative path that climbs above where it starts.</exception>
    public static string DownloadUriPath(string path)
    {
        string clean = Clean(path);
        string withoutRoot = clean.TrimStart(SandboxPath.Separator);
        if (withoutRoot == ".")
        {
            withoutRoot = string.Empty;
        }
        var builder = new StringBuilder(AgentHttpRoutes.Download + "/", 9 + withoutRoot.Length * 3);
        string[] segments = withoutRoot.Length == 0 ? new string[0] : withoutRoot.Split(SandboxPath.Separator);
        for (int i = 0; i < segments.Length; i++)
        {
            if (segments[i] == "..")
            {
                throw new ArgumentException(
                    $"The sandbox path '{path}' climbs above the directory it is relative to; give an absolute path.", nameof(path));
            }
            if (i > 0)
            {
                builder.Append('/');
            }
            builder.Append(Uri.EscapeDataString(segments[i]));
        }
        return builder.ToString();
    }

    /// <summary>
    /// A hidden name beside <paramref name="leaf"/> for content still in flight:
    /// <c>.&lt;leaf&gt;.sbxpart-&lt;8 hex&gt;</c>, with a long leaf shortened so the name stays
    /// well under the 255-byte limit of common file systems.
    /// </summary>
    public static string StagingName(string leaf)
    {
        const int MaxLeafBytes = 180;
        string head = leaf;
        if (Encoding.UTF8.GetByteCount(head) > MaxLeafBytes)
        {
            int length = Math.Min(head.Length, MaxLeafBytes);
            while (length > 0 && Encoding.UTF8.GetByteCount(head.ToCharArray(0, length)) > MaxLeafBytes)
            {
                length--;
            }
            if (length > 0 && char.IsHighSurrogate(head[length - 1]))
            {
                length--; // never split a surrogate pair
            }
            head = head.Substring(0, length);
        }
        return "." + head + ".sbxpart-" + Hex.RandomSuffix();
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="directory"/> itself or lies below it (both cleaned).</summary>
    public static bool IsWithin(string path, string directory)
    {
        if (directory == "/")
        {
            return path.Length > 0 && path[0] == SandboxPath.Separator;
        }
        return path == directory
            || (path.Length > directory.Length
                && path.StartsWith(directory, StringComparison.Ordinal)
                && path[directory.Length] == SandboxPath.Separator);
    }
}
