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
/// Tab completion of sandbox paths from a live listing of the directory being typed.
/// </summary>
public sealed class SandboxPathCompleter : LiveCompleter
{
    protected override IEnumerable<CompletionResult> Complete(SbxSession session, string parameterName, string word, CancellationToken cancellationToken)
    {
        bool endsInSeparator = word.EndsWith("/", StringComparison.Ordinal);
        string directory = endsInSeparator ? word : word.Contains("/") ? SandboxPath.GetParent(word) : ".";
        string prefix = endsInSeparator ? string.Empty : SandboxPath.GetLeaf(word);
        IReadOnlyList<SandboxItem> items = session.Client.Files
            .GetChildItemsAsync(directory.Length == 0 ? "/" : directory, 1, cancellationToken)
            .GetAwaiter().GetResult();
        return items
            .Where(i => i.Name.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(i => i.Name, StringComparer.Ordinal)
            .Select(i => ToResult(i, word.Contains("/") ? SandboxPath.Join(directory, i.Name) : i.Name));
    }

    static CompletionResult ToResult(SandboxItem item, string text) =>
        new CompletionResult(CompletionSession.Quote(text), item.Name,
            item.IsDirectory ? CompletionResultType.ProviderContainer : CompletionResultType.ProviderItem,
            item.Path);
}
