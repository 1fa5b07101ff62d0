using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// What already exists under an upload's destination directory, from one Stat and one recursive
/// listing, so that a tree copy asks nothing per file before uploading it. Entries whose path
/// does not lie below the destination are ignored (the listing comes from the sandbox).
/// </summary>
internal sealed class RemoteTreeIndex
{
    readonly Dictionary<string, SandboxItem> _entries = new Dictionary<string, SandboxItem>(StringComparer.Ordinal);

    RemoteTreeIndex(bool rootExists) => RootExists = rootExists;

    /// <summary>False when the destination directory does not exist yet (nothing below it does either).</summary>
    public bool RootExists { get; }

    /// <summary>A destination known not to exist yet, without asking (see <see cref="SandboxTreeCopyOptions.DestinationMissing"/>).</summary>
    public static RemoteTreeIndex Missing { get; } = new RemoteTreeIndex(rootExists: false);

    /// <summary>
    /// What is at a tree copy's destination: nothing, without asking, when the caller has just found
    /// it missing (<see cref="SandboxTreeCopyOptions.DestinationMissing"/>); otherwise as <see cref="LoadAsync"/> finds it.
    /// </summary>
    public static Task<RemoteTreeIndex> OfDestinationAsync(SandboxClient client, string remoteRoot, SandboxTreeCopyOptions options, string operation,
        CancellationToken cancellationToken) =>
        options.DestinationMissing ? Task.FromResult(Missing) : LoadAsync(client, remoteRoot, operation, cancellationToken);

    /// <summary>
    /// The destination's Stat and its recursive listing, asked for side by side (one round trip,
    /// not two: <see cref="DirectoryLookup"/>); the Stat decides what the listing's answer means:
    /// none when the destination is missing or not a directory.
    /// </summary>
    /// <exception cref="SandboxException">InvalidArgument when the destination is not a directory; anything the Stat or listing raises but NotFound.</exception>
    public static async Task<RemoteTreeIndex> LoadAsync(SandboxClient client, string remoteRoot, string operation, CancellationToken cancellationToken)
    {
        (SandboxItem Item, IReadOnlyList<SandboxItem>? Listing) found;
        try
        {
            found = await DirectoryLookup.StatWithListingAsync(client, remoteRoot, cancellationToken).ConfigureAwait(false);
        }
        catch (SandboxException e) when (e.Code == SandboxErrorCode.NotFound)
        {
            return Missing;
        }
        if (found.Listing is null)
        {
            throw client.Errors.FromStatus(SandboxErrorCode.InvalidArgument, "it is a file, not a directory", operation, remoteRoot, null);
        }
        return FromListing(found.Listing, remoteRoot, found.Item.Path);
    }

    /// <summary>One recursive listing of a directory known to exist, keyed by path relative to it.</summary>
    /// <param name="resolvedRoot">The directory's path as the agent reported it (a Stat's or a rename's answer).</param>
    public static async Task<RemoteTreeIndex> ListAsync(SandboxClient client, string remoteRoot, string resolvedRoot, CancellationToken cancellationToken) =>
        FromListing(await client.Files.GetChildItemsAsync(remoteRoot, SandboxFileSystem.RecursiveDepth, cancellationToken).ConfigureAwait(false),
            remoteRoot, resolvedRoot);

    /// <summary>The index of an existing directory from its recursive listing, asked for at <paramref name="remoteRoot"/>.</summary>
    public static RemoteTreeIndex FromListing(IReadOnlyList<SandboxItem> listing, string remoteRoot, string resolvedRoot)
    {
        // Entries keep the requested prefix; the reported path covers an agent that answers with the resolved one.
        var roots = new List<string> { RemotePaths.Clean(remoteRoot) };
        if (resolvedRoot.Length > 0 && !roots.Contains(RemotePaths.Clean(resolvedRoot)))
        {
            roots.Add(RemotePaths.Clean(resolvedRoot));
        }
        var index = new RemoteTreeIndex(rootExists: true);
        foreach (SandboxItem item in listing)
        {
            if (TreePathMapper.GetRelativeName(item.Path, roots, out _, out _) is { } relative)
            {
                index._entries[relative] = item;
            }
        }
        return index;
    }

    /// <summary>The type of what is at <paramref name="relativePath"/> ('/'-separated), or null when nothing is.</summary>
    public SandboxItemType? TypeOf(string relativePath) => ItemAt(relativePath)?.Type;

    /// <summary>What the listing said is at <paramref name="relativePath"/> ('/'-separated), or null when nothing is.</summary>
    public SandboxItem? ItemAt(string relativePath) =>
        _entries.TryGetValue(relativePath, out SandboxItem? item) ? item : null;
}
