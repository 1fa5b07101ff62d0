namespace ScaleBox.Sandbox.Tests.Infrastructure;

/// <summary>
/// Commands an agent can be started through, to give it (and every process it starts) a state a
/// sandbox's agent may meet but a test runner's child does not have: each execs the agent in the end.
/// </summary>
public static class AgentLauncher
{
    /// <summary>
    /// SIGHUP, SIGINT and SIGQUIT ignored, as a script's background job under nohup inherits them
    /// (through a shell that ignores them, then execs the agent).
    /// </summary>
    public static readonly IReadOnlyList<string> IgnoringHangupAndInterrupt = ["/bin/sh", "-c", "trap '' HUP INT QUIT; exec \"$@\"", "sh"];

    /// <summary>
    /// Root without its right to read and search whatever it likes (CAP_DAC_OVERRIDE and
    /// CAP_DAC_READ_SEARCH dropped from the bounding set, so from everything started after): file
    /// modes apply to the agent and its processes as to a sandbox's ordinary user.
    /// </summary>
    public static readonly IReadOnlyList<string> WithoutReadOverride = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"];

    /// <summary>Why <see cref="WithoutReadOverride"/> cannot be used here (no setpriv, or no right to drop capabilities); null if it can.</summary>
    public static string? WithoutReadOverrideMissing { get; } = Probe(WithoutReadOverride);

    static string? Probe(IReadOnlyList<string> launcher)
    {
        var start = new System.Diagnostics.ProcessStartInfo(launcher[0]) { UseShellExecute = false, RedirectStandardError = true };
        foreach (string word in launcher.Skip(1).Append("true"))
        {
            start.ArgumentList.Add(word);
        }
        try
        {
            using var process = System.Diagnostics.Process.Start(start)!;
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"'{string.Join(' ', launcher)} true' failed ({error.Trim()}): the tests of unreadable files need root that can drop capabilities";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"'{launcher[0]}' cannot be started ({e.Message}): the tests of unreadable files need util-linux's setpriv";
        }
    }
}

/// <summary>A fact that needs <see cref="AgentLauncher.WithoutReadOverride"/>; skipped, with the reason, where it cannot be used.</summary>
public sealed class WithoutReadOverrideFactAttribute : FactAttribute
{
    public WithoutReadOverrideFactAttribute()
    {
        if (AgentLauncher.WithoutReadOverrideMissing is { } missing) Skip = missing;
    }
}

/// <summary>A theory that needs <see cref="AgentLauncher.WithoutReadOverride"/>; skipped, with the reason, where it cannot be used.</summary>
public sealed class WithoutReadOverrideTheoryAttribute : TheoryAttribute
{
    public WithoutReadOverrideTheoryAttribute()
    {
        if (AgentLauncher.WithoutReadOverrideMissing is { } missing) Skip = missing;
    }
}
