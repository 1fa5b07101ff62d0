using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Sessions;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Tab completion of sandbox paths from a live listing of the directory being typed. For a
/// parameter that takes wildcards, what is typed is read unescaped and what is offered is escaped.
/// </summary>
public sealed class SandboxPathCompleter : LiveCompleter
{
    protected override IEnumerable<CompletionResult> Complete(SbxSession session, string commandName, string parameterName, string typed,
        CancellationToken cancellationToken)
    {
        bool wildcards = WildcardParameters.Contains(commandName, parameterName);
        string word = wildcards ? WildcardPattern.Unescape(typed) : typed;
        bool endsInSeparator = word.EndsWith("/", StringComparison.Ordinal);
        string directory = endsInSeparator ? word : word.Contains("/") ? SandboxPath.GetParent(word) : ".";
        string prefix = endsInSeparator ? string.Empty : SandboxPath.GetLeaf(word);
        IReadOnlyList<SandboxItem> items = session.Client.Files
            .GetChildItemsAsync(directory.Length == 0 ? "/" : directory, 1, cancellationToken)
            .GetAwaiter().GetResult();
        return items
            .Where(i => i.Name.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(i => i.Name, StringComparer.Ordinal)
            .Select(i => ToResult(i, word.Contains("/") ? SandboxPath.Join(directory, i.Name) : i.Name, wildcards));
    }

    static CompletionResult ToResult(SandboxItem item, string text, bool escaped) =>
        new CompletionResult(CompletionSession.Quote(escaped ? WildcardPattern.Escape(text) : text), item.Name,
            item.IsDirectory ? CompletionResultType.ProviderContainer : CompletionResultType.ProviderItem,
            item.Path);
}
