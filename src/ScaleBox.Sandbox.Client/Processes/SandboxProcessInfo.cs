using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ScaleBox.Sandbox.Client.Processes;

/// <summary>A running process of the agent, with the configuration it was started with.</summary>
public sealed class SandboxProcessInfo
{
    static readonly IReadOnlyList<string> NoArguments = Array.Empty<string>();
    static readonly IReadOnlyDictionary<string, string> NoEnvironment = new Dictionary<string, string>();

    public uint Pid { get; init; }

    /// <summary>The tag it was started with; null if none.</summary>
    public string? Tag { get; init; }

    /// <summary>The program, as given when it was started.</summary>
    public string FileName { get; init; } = string.Empty;

    public IReadOnlyList<string> Arguments { get; init; } = NoArguments;

    /// <summary>The variables given when it was started (not the whole environment).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = NoEnvironment;

    /// <summary>The working directory given when it was started; null for the agent's default.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The sandbox domain this process runs in.</summary>
    public string? Domain { get; init; }

    /// <summary>The program and its arguments as one line, quoted as a POSIX shell would need.</summary>
    public string CommandLine => FormatCommandLine(FileName, Arguments);

    /// <summary>Selects this process by its pid.</summary>
    public SandboxProcessSelector Selector => SandboxProcessSelector.ByPid(Pid);

    /// <summary><c>1234 [web] /bin/bash -l -c 'npm start'</c>.</summary>
    public override string ToString() =>
        Pid.ToString(CultureInfo.InvariantCulture) + (Tag is null ? " " : " [" + Tag + "] ") + CommandLine;

    internal static string FormatCommandLine(string fileName, IEnumerable<string> arguments)
    {
        var line = new StringBuilder(Quote(fileName ?? string.Empty));
        foreach (string argument in arguments)
        {
            line.Append(' ').Append(Quote(argument ?? string.Empty));
        }
        return line.ToString();
    }

    /// <summary>Single quotes around a word that a shell would split or expand; plain words stay as they are.</summary>
    static string Quote(string word)
    {
        if (word.Length == 0)
        {
            return "''";
        }
        foreach (char c in word)
        {
            bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_' || c == '.' || c == '/' || c == ':' || c == '=' || c == ',' || c == '+' || c == '@' || c == '%';
            if (!plain)
            {
                return "'" + word.Replace("'", "'\\''") + "'";
            }
        }
        return word;
    }
}
