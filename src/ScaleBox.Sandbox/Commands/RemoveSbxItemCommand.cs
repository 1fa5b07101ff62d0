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
/// order of the items.
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
        ForEachSelectedItem(Remove, beforeLookUp: () => _removals!.WriteAll());
        _removals.WriteFinished();
    }

    protected override void EndProcessing() => _removals?.WriteAll();

    void Remove(SandboxItem item)
    {
        try
        {
            bool isRealDirectory = item.IsDirectory && item.LinkTarget is null;
            if (isRealDirectory)
            {
                // Its contents may be among the items before it ("Get-SbxChildItem -Recurse | Sort-Object
                // -Descending"): those are gone before it is looked into or deleted.
                _removals!.WriteAll();
            }
            if (isRealDirectory && !Recurse && Wait(Client.Files.GetChildItemsAsync(item.Path, 1, CancelToken)).Count > 0)
            {
                WriteError(SandboxErrors.Create("DirectoryNotEmpty", ErrorCategory.WriteError, item.Path,
                    $"The directory '{item.Path}' is not empty. Use -Recurse to remove it with everything in it."));
                return;
            }
            string action = isRealDirectory ? "Remove directory" : "Remove file";
            if (ShouldProcess(item.Path, action))
            {
                SandboxClient client = Client;
                _removals!.Add(cancel => RemoveAsync(client, item.Path, cancel));
            }
        }
        catch (SandboxException e)
        {
            WriteSandboxError(e, item.Path);
        }
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
