using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Sessions;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Tab completion of -Pid and -Tag from the sandbox's running processes, each shown with its
/// command line.
/// </summary>
public sealed class SandboxProcessCompleter : LiveCompleter
{
    protected override IEnumerable<CompletionResult> Complete(SbxSession session, string commandName, string parameterName, string word, CancellationToken cancellationToken)
    {
        IReadOnlyList<SandboxProcessInfo> processes = session.Client.Processes.ListAsync(cancellationToken).GetAwaiter().GetResult();
        return string.Equals(parameterName, "Tag", StringComparison.OrdinalIgnoreCase)
            ? CompleteTags(processes, word)
            : CompletePids(processes, word);
    }

    static IEnumerable<CompletionResult> CompletePids(IReadOnlyList<SandboxProcessInfo> processes, string word) =>
        processes
            .Select(p => (Process: p, Text: p.Pid.ToString(CultureInfo.InvariantCulture)))
            .Where(p => p.Text.StartsWith(word, StringComparison.Ordinal))
            .OrderBy(p => p.Process.Pid)
            .Select(p => new CompletionResult(p.Text, $"{p.Text} {p.Process.CommandLine}", CompletionResultType.ParameterValue, Describe(p.Process)))
            .ToList();

    static IEnumerable<CompletionResult> CompleteTags(IReadOnlyList<SandboxProcessInfo> processes, string word) =>
        processes
            .Where(p => !string.IsNullOrEmpty(p.Tag) && p.Tag!.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .GroupBy(p => p.Tag!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g => new CompletionResult(CompletionSession.Quote(g.Key), g.Key, CompletionResultType.ParameterValue,
                string.Join(Environment.NewLine, g.Select(Describe))))
            .ToList();

    static string Describe(SandboxProcessInfo process) =>
        process.Tag is null ? $"pid {process.Pid}: {process.CommandLine}" : $"pid {process.Pid} [{process.Tag}]: {process.CommandLine}";
}
