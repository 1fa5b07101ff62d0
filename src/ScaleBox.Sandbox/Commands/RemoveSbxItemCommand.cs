using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Deletes sandbox files and directories, as Remove-Item does locally: a directory that is not
/// empty needs -Recurse, and a missing path is an error. Confirmation is asked item by item on the
/// pipeline thread; the deletions then run -ThrottleLimit at a time, their errors written in the
/// order of the items. When nobody is asked or told (no -WhatIf, -Confirm or -Verbose), a path that
/// names one item is looked up with its deletion, side by side with the others.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "SbxItem", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Root + "Remove-SbxItem.md")]
public sealed class RemoveSbxItemCommand : ItemCmdlet
{
    OrderedPipelineWindow<ItemOutcome>? _removals;

    /// <summary>Removes directories with everything in them.</summary>
    [Parameter]
    public SwitchParameter Recurse { get; set; }

    /// <summary>
    /// How many items are deleted at once (1 to 64; default 16): each deletion is a round trip, so
    /// many small files piped in go several times faster with several in flight.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = ItemLookupCmdlet.DefaultThrottleLimit;

    protected override void ProcessRecord()
    {
        _removals ??= new OrderedPipelineWindow<ItemOutcome>(ThrottleLimit, CancelToken, Wait, WriteOutcome);
        if (ParameterSetName != InputObjectSet && SilentConsent.Holds(this, ConfirmImpact.Medium))
        {
            RemovePaths();
        }
        else
        {
            ForEachSelectedItem(Remove, beforeLookUp: () => _removals!.WriteAll());
        }
        _removals.WriteFinished();
    }

    /// <summary>
    /// With nobody to ask or tell, a path that names one item is looked up, checked and deleted in
    /// one step, side by side with the others; a path that meets one in flight (the same, or one
    /// inside the other) waits for the steps before it. A pattern is listed after the steps before it.
    /// </summary>
    void RemovePaths()
    {
        SandboxClient client = Client;
        bool recurse = Recurse;
        foreach ((string path, bool literal) in SelectedPaths())
        {
            if (!NamesOneItem(path, literal))
            {
                _removals!.WriteAll();
                foreach (SandboxItem item in ResolveItems(path, literal))
                {
                    Remove(item);
                }
                continue;
            }
            string named = WithoutEscapes(path, literal);
            _removals!.WriteAllIfMeeting(named);
            // Answers yes unasked (SilentConsent); asked all the same, in case a host thinks otherwise.
            if (ShouldProcess(named, "Remove item"))
            {
                _removals.Add(cancel => FindAndRemoveAsync(client, path, literal, recurse, cancel), named);
            }
        }
    }

    protected override void EndProcessing() => _removals?.WriteAll();

    void Remove(SandboxItem item)
    {
        try
        {
            bool isRealDirectory = IsRealDirectory(item);
            if (isRealDirectory)
            {
                // Its contents may be among the items before it ("Get-SbxChildItem -Recurse | Sort-Object
                // -Descending"): those are gone before it is looked into or deleted.
                _removals!.WriteAll();
            }
            if (Wait(NeedsRecurseAsync(Client, item, Recurse, CancelToken)))
            {
                WriteError(NotEmpty(item));
                return;
            }
            string action = isRealDirectory ? "Remove directory" : "Remove file";
            if (ShouldProcess(item.Path, action))
            {
                // The same item, or one inside it, still being deleted (a path given before it as a string, say): after it.
                _removals!.WriteAllIfMeeting(item.Path);
                SandboxClient client = Client;
                _removals.Add(cancel => RemoveAsync(client, item.Path, cancel), item.Path);
            }
        }
        catch (SandboxException e)
        {
            WriteSandboxError(e, item.Path);
        }
    }

    /// <summary>A directory, not a link to one: a link is deleted as a link, whatever it points to.</summary>
    static bool IsRealDirectory(SandboxItem item) => item.IsDirectory && item.LinkTarget is null;

    /// <summary>Whether <paramref name="item"/> is a directory with something in it, which only -Recurse deletes.</summary>
    static async Task<bool> NeedsRecurseAsync(SandboxClient client, SandboxItem item, bool recurse, CancellationToken cancellationToken) =>
        IsRealDirectory(item) && !recurse && (await client.Files.GetChildItemsAsync(item.Path, 1, cancellationToken).ConfigureAwait(false)).Count > 0;

    static ErrorRecord NotEmpty(SandboxItem directory) =>
        SandboxErrors.Create("DirectoryNotEmpty", ErrorCategory.WriteError, directory.Path,
            $"The directory '{directory.Path}' is not empty. Use -Recurse to remove it with everything in it.");

    /// <summary>Looks up the one item <paramref name="path"/> names and deletes it, as Remove does on the pipeline thread.</summary>
    static async Task<ItemOutcome> FindAndRemoveAsync(SandboxClient client, string path, bool literal, bool recurse, CancellationToken cancellationToken)
    {
        SandboxItem item;
        try
        {
            item = (await FindItemsAsync(client, path, literal, cancellationToken).ConfigureAwait(false))[0];
        }
        catch (SandboxException e)
        {
            return ItemOutcome.Failed(path, e);
        }
        try
        {
            if (await NeedsRecurseAsync(client, item, recurse, cancellationToken).ConfigureAwait(false))
            {
                return ItemOutcome.Refused(item.Path, NotEmpty(item));
            }
        }
        catch (SandboxException e)
        {
            return ItemOutcome.Failed(item.Path, e);
        }
        return await RemoveAsync(client, item.Path, cancellationToken).ConfigureAwait(false);
    }

    static async Task<ItemOutcome> RemoveAsync(SandboxClient client, string path, CancellationToken cancellationToken)
    {
        try
        {
            await client.Files.RemoveAsync(path, cancellationToken).ConfigureAwait(false);
            return ItemOutcome.Done(path);
        }
        catch (SandboxException e)
        {
            return ItemOutcome.Failed(path, e);
        }
    }

    protected override void DisposeResources()
    {
        _removals?.Dispose();
        base.DisposeResources();
    }
}
