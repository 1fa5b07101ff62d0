using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using ScaleBox.Sandbox.Client.Code;

namespace ScaleBox.Sandbox.Code;

/// <summary>
/// Saves a result's images, SVG, HTML and PDF to a folder under readable names (the chart's
/// title when it has one, else result-&lt;execution count&gt;), never over an existing file.
/// </summary>
internal static class ResultFiles
{
    public static IReadOnlyList<string> Save(SandboxCodeResult result, string directory)
    {
        string stem = Stem(result);
        var saved = new List<string>();
        void Write(string extension, byte[] bytes)
        {
            // Made only when there is something to save: a result of text alone leaves no empty folder.
            Directory.CreateDirectory(directory);
            string path = FreePath(directory, stem, extension);
            File.WriteAllBytes(path, bytes);
            saved.Add(path);
        }
        if (result.Png is not null) Write(".png", Convert.FromBase64String(result.Png));
        if (result.Jpeg is not null) Write(".jpg", Convert.FromBase64String(result.Jpeg));
        if (result.Svg is not null) Write(".svg", Encoding.UTF8.GetBytes(result.Svg));
        if (result.Pdf is not null) Write(".pdf", Convert.FromBase64String(result.Pdf));
        if (result.Html is not null) Write(".html", Encoding.UTF8.GetBytes(result.Html));
        return saved;
    }

    static string Stem(SandboxCodeResult result)
    {
        string title = result.Chart?.Title ?? string.Empty;
        string slug = Regex.Replace(title.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');
        if (slug.Length > 60)
        {
            slug = slug.Substring(0, 60).TrimEnd('-');
        }
        return slug.Length > 0 ? slug : $"result-{result.ExecutionCount}";
    }

    static string FreePath(string directory, string stem, string extension)
    {
        string path = Path.Combine(directory, stem + extension);
        for (int n = 2; File.Exists(path); n++)
        {
            path = Path.Combine(directory, $"{stem}-{n}{extension}");
        }
        return path;
    }
}
