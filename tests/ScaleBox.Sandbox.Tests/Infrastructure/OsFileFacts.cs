using System.Diagnostics;

namespace ScaleBox.Sandbox.Tests.Infrastructure;

/// <summary>
/// What the operating system itself says about a path, asked through coreutils' stat(1): an
/// independent witness for the owner, group and permission string the agent reports (.NET has no
/// API for owner names, and asking the agent's own helpers would only compare it with itself).
/// </summary>
public sealed record OsFileFacts(string Owner, string Group, string Permissions)
{
    /// <param name="followSymlink">Describe what a link points to rather than the link.</param>
    public static OsFileFacts Of(string path, bool followSymlink = false)
    {
        var start = new ProcessStartInfo("stat")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (followSymlink)
        {
            start.ArgumentList.Add("-L");
        }
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("%U\n%G\n%A");
        start.ArgumentList.Add("--");
        start.ArgumentList.Add(path);

        using Process stat = Process.Start(start)!;
        string output = stat.StandardOutput.ReadToEnd();
        string error = stat.StandardError.ReadToEnd();
        stat.WaitForExit();
        if (stat.ExitCode != 0)
        {
            throw new InvalidOperationException($"stat {path} failed ({stat.ExitCode}): {error}");
        }
        string[] lines = output.TrimEnd('\n').Split('\n');
        return new OsFileFacts(lines[0], lines[1], lines[2]);
    }
}
