using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Base of the item cmdlets that only read (Get-SbxItem, Test-SbxPath): the paths of every record,
/// piped one by one or given as an array, are looked up -ThrottleLimit at a time on the session's
/// one connection, and each lookup is written in the order the paths came, as soon as it and all
/// before it are done. ProcessRecord starts the lookups and returns, so PowerShell keeps feeding
/// paths while the requests run; EndProcessing writes the rest.
/// </summary>
/// <remarks>
/// Ctrl+C cancels every lookup in flight; a stop from downstream (Select-Object -First) or a
/// terminating error ends the cmdlet, and disposing it cancels and waits for what is still in flight.
/// </remarks>
public abstract class ItemLookupCmdlet : ItemCmdlet
{
    /// <summary>
    /// Enough to hide the round trip behind the next requests, few enough that an interactive
    /// pipeline does not read far ahead of what it has written.
    /// </summary>
    public const int DefaultThrottleLimit = 16;

    OrderedPipelineWindow<ItemLookup>? _lookups;

    /// <summary>
    /// How many paths are looked up at once (1 to 64; default 16). Output keeps the order of the
    /// paths whatever the limit; 1 looks up each path only after the previous one's output was written.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = DefaultThrottleLimit;

    /// <summary>Writes what one path's lookup found, in the order the paths came.</summary>
    protected abstract void WriteLookup(ItemLookup lookup);

    protected override void ProcessRecord()
    {
        SandboxClient client = Client;
        _lookups ??= new OrderedPipelineWindow<ItemLookup>(ThrottleLimit, CancelToken, Wait, WriteLookup);
        foreach ((string path, bool literal) in SelectedPaths())
        {
            _lookups.Add(cancellationToken => LookUpAsync(client, path, literal, cancellationToken));
        }
        _lookups.WriteFinished();
    }

    protected override void EndProcessing() => _lookups?.WriteAll();

    static async Task<ItemLookup> LookUpAsync(SandboxClient client, string path, bool literal, CancellationToken cancellationToken)
    {
        try
        {
            return ItemLookup.Found(path, await FindItemsAsync(client, path, literal, cancellationToken).ConfigureAwait(false));
        }
        catch (SandboxException e)
        {
            return ItemLookup.Failed(path, e);
        }
    }

    protected override void DisposeResources()
    {
        _lookups?.Dispose();
        base.DisposeResources();
    }
}
