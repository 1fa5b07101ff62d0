using System.Text.Json;

namespace ScaleBox.Sandbox.Agent.Code;

/// <summary>
/// Finds an installed Jupyter kernel by the language its kernelspec declares, looking where Jupyter
/// itself looks: each JUPYTER_PATH entry's kernels/, ~/.local/share/jupyter/kernels,
/// /usr/local/share/jupyter/kernels and /usr/share/jupyter/kernels (Debian's python3-ipykernel and
/// r-cran-irkernel both install theirs in the last one, as python3/ and ir/).
/// </summary>
public static class KernelSpecs
{
    /// <summary>The directory of the first kernelspec whose "language" is <paramref name="language"/>, or null.</summary>
    public static string? FindByLanguage(string language)
    {
        foreach (string root in SearchRoots())
        {
            if (!Directory.Exists(root))
            {
                continue;
            }
            foreach (string dir in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
            {
                if (string.Equals(LanguageOf(dir), language, StringComparison.OrdinalIgnoreCase))
                {
                    return dir;
                }
            }
        }
        return null;
    }

    /// <summary>The directory of the first kernelspec named <paramref name="name"/> (its folder's name), or null.</summary>
    public static string? FindByName(string name)
    {
        if (name.Length == 0 || name.Contains('/') || name is "." or "..")
        {
            return null;
        }
        return SearchRoots().Select(root => Path.Combine(root, name)).FirstOrDefault(dir => File.Exists(Path.Combine(dir, "kernel.json")));
    }

    static IEnumerable<string> SearchRoots()
    {
        string? jupyterPath = Environment.GetEnvironmentVariable("JUPYTER_PATH");
        if (!string.IsNullOrEmpty(jupyterPath))
        {
            foreach (string entry in jupyterPath.Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                yield return Path.Combine(entry, "kernels");
            }
        }
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        yield return Path.Combine(home, ".local/share/jupyter/kernels");
        yield return "/usr/local/share/jupyter/kernels";
        yield return "/usr/share/jupyter/kernels";
    }

    /// <summary>The language a kernelspec declares, or null.</summary>
    public static string? LanguageOf(string dir)
    {
        try
        {
            using FileStream file = File.OpenRead(Path.Combine(dir, "kernel.json"));
            using JsonDocument spec = JsonDocument.Parse(file);
            return spec.RootElement.TryGetProperty("language", out JsonElement language) ? language.GetString() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}
