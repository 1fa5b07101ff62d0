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

/// <summary>Lists what a sandbox directory holds, optionally recursively, as Get-ChildItem does locally.</summary>
[Cmdlet(VerbsCommon.Get, "SbxChildItem", DefaultParameterSetName = PathSet, HelpUri = HelpLinks.Root + "Get-SbxChildItem.md")]
[OutputType(typeof(SandboxItem), typeof(string))]
public sealed class GetSbxChildItemCommand : SessionCmdlet
{
    const string PathSet = "Path";
    const string LiteralPathSet = "LiteralPath";

    /// <summary>
    /// The directories to list; the agent's home directory when omitted. The last segment may
    /// hold wildcards: matching directories are listed, matching files returned as themselves.
    /// </summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [Alias("FullName")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SandboxPathCompleter))]
    public string[] Path { get; set; } = { "." };

    /// <summary>The directories to list, exactly as written (for names that hold "[" or "*").</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SandboxPathCompleter))]
    public string[] LiteralPath { get; set; } = new string[0];

    /// <summary>Only names that match this wildcard pattern.</summary>
    [Parameter(Position = 1)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string? Filter { get; set; }

    /// <summary>Only names that match one of these patterns, at every level.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Include { get; set; }

    /// <summary>Leaves out names that match one of these patterns, at every level.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Exclude { get; set; }

    [Parameter]
    public SwitchParameter Recurse { get; set; }

    /// <summary>How many levels below the directory to descend; implies -Recurse. 0 lists only the directory's own entries.</summary>
    [Parameter]
    [ValidateRange(0, (int)SandboxFileSystem.RecursiveDepth - 1)]
    public uint Depth { get; set; }

    [Parameter]
    public SwitchParameter File { get; set; }

    [Parameter]
    public SwitchParameter Directory { get; set; }

    /// <summary>Returns names (paths relative to the listed directory) instead of items, as Get-ChildItem -Name.</summary>
    [Parameter]
    public SwitchParameter Name { get; set; }

    /// <summary>
    /// How many directories are listed at once (1 to 64; default 16), ahead of the one being written.
    /// Output keeps the order of the paths whatever the limit; 1 lists each directory only after the
    /// previous one's entries were written.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = ItemLookupCmdlet.DefaultThrottleLimit;

    NameFilter? _names;
    OrderedPipelineWindow<ListedDirectory>? _listings;

    protected override void BeginProcessing()
    {
        if (File && Directory)
        {
            ThrowTerminatingError(SandboxErrors.Create("FileAndDirectory", ErrorCategory.InvalidArgument, null,
                "-File and -Directory exclude each other: give one of them, or neither for both kinds."));
        }
        _names = new NameFilter(Filter, Include, Exclude);
    }

    protected override void ProcessRecord()
    {
        // Get-ChildItem counts -Depth from 0 (the directory's own entries); the agent counts from 1.
        uint depth = MyInvocation.BoundParameters.ContainsKey(nameof(Depth)) ? Depth + 1
            : Recurse ? SandboxFileSystem.RecursiveDepth
            : 1;
        bool literal = ParameterSetName == LiteralPathSet;
        _listings ??= new OrderedPipelineWindow<ListedDirectory>(ThrottleLimit, CancelToken, Wait, WriteListing);

        foreach (string path in literal ? LiteralPath : Path)
        {
            string leaf = SandboxPath.GetLeaf(path);
            if (!literal && WildcardPattern.ContainsWildcardCharacters(leaf))
            {
                // A pattern's matches, and its error, come after the listings before it.
                _listings.WriteAll();
                IReadOnlyList<SandboxItem> matches = ResolveItems(path, literal: false);
                // A pattern that matched nothing but names an item as written ("br[1]") lists as a plain path.
                if (!(matches.Count == 1 && matches[0].Name == leaf))
                {
                    ListMatches(ListingOrder.AsGetChildItem(matches), depth);
                    continue;
                }
            }
            List(WithoutEscapes(path, literal), depth);
        }
        _listings.WriteFinished();
    }

    protected override void EndProcessing() => _listings?.WriteAll();

    protected override void DisposeResources()
    {
        _listings?.Dispose();
        base.DisposeResources();
    }

    /// <summary>
    /// As Get-ChildItem 'src/*': what matches comes out; with -Recurse or -Depth, what is below
    /// each matching directory follows, one level fewer deep, after all the matches.
    /// </summary>
    void ListMatches(IReadOnlyList<SandboxItem> matches, uint depth)
    {
        foreach (SandboxItem match in matches)
        {
            WriteIfWanted(match, match.DirectoryName);
        }
        if (depth > 1)
        {
            foreach (SandboxItem match in matches.Where(m => m.IsDirectory))
            {
                List(match.Path, depth - 1, relativeTo: match.DirectoryName);
            }
        }
    }

    /// <summary>Lists a directory off the pipeline thread, side by side with the listings before and after it; written at its turn.</summary>
    void List(string path, uint depth, string? relativeTo = null)
    {
        SandboxClient client = Client;
        _listings!.Add(cancel => ListAsync(client, path, depth, relativeTo, cancel));
    }

    static async Task<ListedDirectory> ListAsync(SandboxClient client, string path, uint depth, string? relativeTo, CancellationToken cancel)
    {
        try
        {
            IReadOnlyList<SandboxItem> listing = ListingOrder.AsGetChildItem(await client.Files.GetChildItemsAsync(path, depth, cancel).ConfigureAwait(false));
            // -Name is relative to the listed directory, whose resolved path is the parent of its own entries.
            string root = relativeTo ?? (listing.Count == 0 ? path : listing.Select(i => i.DirectoryName).OrderBy(d => d.Length).First());
            return ListedDirectory.Of(path, listing, root);
        }
        catch (SandboxException e) when (e.Code == SandboxErrorCode.InvalidArgument)
        {
            // As Get-ChildItem, a file "lists" as itself.
            return await FileOrNullAsync(client, path, cancel).ConfigureAwait(false) is { } file
                ? ListedDirectory.File(file)
                : ListedDirectory.Failed(path, e);
        }
        catch (SandboxException e)
        {
            return ListedDirectory.Failed(path, e);
        }
    }

    void WriteListing(ListedDirectory listed)
    {
        if (listed.Failure is { } failure)
        {
            WriteSandboxError(failure, listed.Path);
            return;
        }
        foreach (SandboxItem item in listed.Entries)
        {
            WriteIfWanted(item, listed.Root);
        }
    }

    void WriteIfWanted(SandboxItem item, string listedPath)
    {
        if (!_names!.IsMatch(item.Name) || (File && item.Type != SandboxItemType.File) || (Directory && !item.IsDirectory))
        {
            return;
        }
        if (Name)
        {
            WriteObject(RelativeName(item.Path, listedPath, item.Name));
        }
        else
        {
            WriteObject(item);
        }
    }

    /// <summary>The item's path below the listed directory, as Get-ChildItem -Name gives it.</summary>
    static string RelativeName(string itemPath, string listedPath, string name)
    {
        string prefix = listedPath.TrimEnd('/') + "/";
        return itemPath.StartsWith(prefix, System.StringComparison.Ordinal) ? itemPath.Substring(prefix.Length) : name;
    }

    static async Task<SandboxItem?> FileOrNullAsync(SandboxClient client, string path, CancellationToken cancel)
    {
        try
        {
            SandboxItem item = await client.Files.GetItemAsync(path, cancel).ConfigureAwait(false);
            return item.IsDirectory ? null : item;
        }
        catch (SandboxException)
        {
            return null;
        }
    }
}
