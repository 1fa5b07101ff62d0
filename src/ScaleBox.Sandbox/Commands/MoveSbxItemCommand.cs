using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Moves or renames sandbox items, as Move-Item does locally: a destination that is an existing
/// directory receives the item; an existing file is replaced only with -Force.
/// </summary>
/// <remarks>
/// Into an existing directory, many items (piped, or a wildcard's matches) move -ThrottleLimit at a
/// time, each checking its own name there; an item whose path or new path touches a move still in
/// flight (two of one name, one inside another) waits for the moves before it. Any other
/// destination is looked up again for each item once the moves before it are done, since an
/// earlier move may have made it.
/// </remarks>
[Cmdlet(VerbsCommon.Move, "SbxItem", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Root + "Move-SbxItem.md")]
[OutputType(typeof(SandboxItem))]
public sealed class MoveSbxItemCommand : ItemCmdlet
{
    OrderedPipelineWindow<ItemOutcome>? _moves;

    /// <summary>-Destination, once found to be an existing directory: the items go into it by name, side by side.</summary>
    SandboxItem? _intoDirectory;

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SandboxPathCompleter))]
    public string Destination { get; set; } = string.Empty;

    /// <summary>Replaces an existing file at the destination.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Returns the moved item.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>
    /// How many items move at once into an existing directory (1 to 64; default 16): each move is a
    /// few round trips, so many small files piped in go several times faster with several in flight.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = ItemLookupCmdlet.DefaultThrottleLimit;

    protected override void ProcessRecord()
    {
        _moves ??= new OrderedPipelineWindow<ItemOutcome>(ThrottleLimit, CancelToken, Wait, WriteOutcome);
        if (ParameterSetName != InputObjectSet && SilentConsent.Holds(this, ConfirmImpact.Medium))
        {
            MovePaths();
        }
        else
        {
            ForEachSelectedItem(item => Move(item), beforeLookUp: () => _moves!.WriteAll());
        }
        _moves.WriteFinished();
    }

    /// <summary>
    /// With nobody to ask or tell, a path that names one item goes into an existing destination
    /// directory in one step (looked up, its name there checked, moved), side by side with the
    /// others. For the overlap with moves in flight its new path is spelled from -Destination as
    /// given, so that paths given alike (both relative, both absolute) are compared without asking
    /// where the home is.
    /// Anything else (a pattern, another destination, a path that may hold the destination) goes
    /// the way of piped items. Where -Destination is still to be looked up, the path's item is asked
    /// for alongside it, and so is the name the item would take in it (-Destination is usually a
    /// directory): a rename, or a move into a directory, is then two round trips, not three.
    /// </summary>
    void MovePaths()
    {
        foreach ((string path, bool literal) in SelectedPaths())
        {
            string named = WithoutEscapes(path, literal);
            (bool Known, SandboxItem? Found) lookedUp = default;
            bool oneItem = NamesOneItem(path, literal) && !SandboxPath.MayOverlap(named, Destination);
            Task<IReadOnlyList<SandboxItem>>? finding = null;
            Task<SandboxItem?>? nameThere = null;
            if (oneItem && _intoDirectory is null)
            {
                // -Destination is about to be looked up: the item is asked for alongside it, once the
                // moves in flight are done, as it would be after it, and so is its name in it.
                _moves!.WriteAll();
                finding = FindItemsAsync(Client, path, literal, CancelToken);
                nameThere = Client.Files.TryGetItemInFolderAsync(SandboxPath.Join(Destination, SandboxPath.GetLeaf(named)), CancelToken);
            }
            if (!oneItem || IntoDirectory(out lookedUp) is not { } directory)
            {
                Wait(SideRequest.WaitQuietlyAsync(nameThere)); // not a directory: its name there is no one's concern
                _moves!.WriteAll();
                foreach (SandboxItem item in finding is null ? ResolveItems(path, literal) : ResolveItems(path, finding))
                {
                    Move(item, lookedUp);
                    lookedUp = default; // the next item's destination is asked for after this one's move
                }
                continue;
            }
            string leaf = SandboxPath.GetLeaf(named);
            // Where it goes, spelled as -Destination is for the overlap, as the agent gave the directory for the move.
            string targetAsGiven = SandboxPath.Join(Destination, leaf), target = SandboxPath.Join(directory.Path, leaf);
            _moves!.WriteAllIfMeeting(named, targetAsGiven);
            // Answers yes unasked (SilentConsent); asked all the same, in case a host thinks otherwise.
            if (ShouldProcess($"Item: {named} Destination: {target}", "Move item"))
            {
                SandboxClient client = Client;
                bool force = Force, passThru = PassThru;
                _moves.Add(cancel => FindAndMoveAsync(client, path, literal, target, force, passThru, finding, nameThere, cancel), named, targetAsGiven);
            }
            else
            {
                Wait(SideRequest.WaitQuietlyAsync(finding));
                Wait(SideRequest.WaitQuietlyAsync(nameThere));
            }
        }
    }

    protected override void EndProcessing() => _moves?.WriteAll();

    protected override void DisposeResources()
    {
        _moves?.Dispose();
        base.DisposeResources();
    }

    /// <param name="lookedUp">-Destination as just looked up (not a directory, or nothing), when no move was made since; not Known to ask.</param>
    void Move(SandboxItem item, (bool Known, SandboxItem? Found) lookedUp = default)
    {
        try
        {
            bool movesDestination = _intoDirectory is { } directory && SandboxPath.IsWithin(directory.Path, item.Path);
            if (movesDestination)
            {
                _intoDirectory = null; // it is moving (or what holds it is): looked up again after
            }
            SandboxItem? atDestination = _intoDirectory ?? (lookedUp.Known ? lookedUp.Found : LookUpDestination(cache: !movesDestination));
            bool intoDirectory = atDestination is { IsDirectory: true };
            string target = intoDirectory ? SandboxPath.Join(atDestination!.Path, item.Name) : Destination;
            if (!intoDirectory && atDestination is not null && !Force)
            {
                WriteError(DestinationExists(item.Path, target, isDirectory: false));
                return;
            }
            // Two of one name, or one inside another: in order, one after the other.
            _moves!.WriteAllIfMeeting(item.Path, target);
            if (!ShouldProcess($"Item: {item.Path} Destination: {target}", "Move item"))
            {
                return;
            }
            SandboxClient client = Client;
            bool force = Force, passThru = PassThru;
            // Into a directory, the name there is checked with the move; any other destination was
            // looked up just now. With -Force a file needs no check: the rename replaces a file and
            // refuses a directory, which is then looked at to say so.
            bool checkName = intoDirectory && (item.IsDirectory || !force);
            _moves.Add(cancel => MoveAsync(client, item.Path, target, checkName ? client.Files.TryGetItemAsync(target, cancel) : null, force, passThru, cancel),
                item.Path, target);
            if (!intoDirectory || movesDestination)
            {
                WriteMovesInFlight(); // the next item looks at what this move made
            }
        }
        catch (SandboxException e)
        {
            WriteSandboxError(e, item.Path);
        }
    }

    /// <summary>
    /// -Destination when it is an existing directory, else null: for anything else, and for a
    /// lookup that fails, each item takes the way of piped items, which reports that failure
    /// against the item after looking the item up, as one at a time.
    /// </summary>
    /// <param name="lookedUp">What is there instead (a file, or nothing), for the next item not to ask again; not Known when the lookup failed.</param>
    SandboxItem? IntoDirectory(out (bool Known, SandboxItem? Found) lookedUp)
    {
        lookedUp = default;
        try
        {
            SandboxItem? there = _intoDirectory ?? LookUpDestination(cache: true);
            if (there is { IsDirectory: true })
            {
                return there;
            }
            lookedUp = (true, there);
            return null;
        }
        catch (SandboxException)
        {
            return null;
        }
    }

    /// <summary>What is at -Destination now that the moves before are done; remembered when it is a directory.</summary>
    SandboxItem? LookUpDestination(bool cache)
    {
        WriteMovesInFlight();
        SandboxItem? found = Wait(Client.Files.TryGetItemAsync(Destination, CancelToken));
        if (cache && found is { IsDirectory: true })
        {
            _intoDirectory = found;
        }
        return found;
    }

    void WriteMovesInFlight() => _moves!.WriteAll();

    /// <summary>
    /// Looks up the one item <paramref name="path"/> names and moves it to <paramref name="target"/>
    /// inside the destination directory. The item and its name there are asked for side by side
    /// (neither answer bears on the other), the name's answer used only once the item is found.
    /// </summary>
    /// <param name="finding">The item, already being asked for (alongside -Destination); null to ask here.</param>
    /// <param name="nameThere">The target, already being asked for by -Destination's spelling (alongside it); null to ask here.</param>
    static async Task<ItemOutcome> FindAndMoveAsync(SandboxClient client, string path, bool literal, string target, bool force, bool passThru,
        Task<IReadOnlyList<SandboxItem>>? finding, Task<SandboxItem?>? nameThere, CancellationToken cancellationToken)
    {
        Task<SandboxItem?> atTarget = nameThere ?? client.Files.TryGetItemAsync(target, cancellationToken);
        SandboxItem item;
        try
        {
            item = (await (finding ?? FindItemsAsync(client, path, literal, cancellationToken)).ConfigureAwait(false))[0];
        }
        catch (SandboxException e)
        {
            await SideRequest.WaitQuietlyAsync(atTarget).ConfigureAwait(false);
            return ItemOutcome.Failed(path, e);
        }
        return await MoveAsync(client, item.Path, target, atTarget, force, passThru, cancellationToken).ConfigureAwait(false);
    }

    /// <param name="atTarget">
    /// What is at the target, being asked for, when it must be checked (null: it need not be, and a
    /// refused rename is explained by what is there then).
    /// </param>
    static async Task<ItemOutcome> MoveAsync(SandboxClient client, string source, string target, Task<SandboxItem?>? atTarget, bool force, bool passThru,
        CancellationToken cancellationToken)
    {
        try
        {
            if (atTarget is not null && await atTarget.ConfigureAwait(false) is { } existing
                && (existing.IsDirectory || !force))
            {
                return ItemOutcome.Refused(source, DestinationExists(source, target, existing.IsDirectory));
            }
            SandboxItem moved = await client.Files.MoveAsync(source, target, cancellationToken).ConfigureAwait(false);
            // The agent's answer, when whole; an agent may give only name, type and path.
            SandboxItem? output = passThru
                ? ReportedEntry.IfWhole(moved) ?? await client.Files.GetItemAsync(target, cancellationToken).ConfigureAwait(false)
                : null;
            return ItemOutcome.Done(source, output);
        }
        catch (SandboxException e)
        {
            // A rename refuses to replace a directory, in words of the agent's system.
            return atTarget is null && e.Code == SandboxErrorCode.Internal && await DirectoryAtAsync(client, target, cancellationToken).ConfigureAwait(false)
                ? ItemOutcome.Refused(source, DestinationExists(source, target, isDirectory: true))
                : ItemOutcome.Failed(source, e);
        }
    }

    static async Task<bool> DirectoryAtAsync(SandboxClient client, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await client.Files.TryGetItemAsync(path, cancellationToken).ConfigureAwait(false) is { IsDirectory: true };
        }
        catch (SandboxException)
        {
            return false; // the rename's failure is the one to report
        }
    }

    static ErrorRecord DestinationExists(string source, string target, bool isDirectory) =>
        SandboxErrors.Create("DestinationExists", ErrorCategory.ResourceExists, target,
            isDirectory
                ? $"Cannot move '{source}': a directory already exists at '{target}'."
                : $"Cannot move '{source}': '{target}' already exists. Use -Force to replace it.");
}
