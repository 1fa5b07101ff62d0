using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// A tree's sandbox directory looked at once: its Stat and its recursive listing asked for side by
/// side, one round trip for both, the Stat saying whether the listing counts. Where the Stat fails,
/// or finds no directory, the listing is waited for quietly (nothing the copy asks outlives it) and
/// not given.
/// </summary>
internal static class DirectoryLookup
{
    /// <returns>The item the Stat found, and the listing when it is a directory (null otherwise).</returns>
    /// <exception cref="SandboxException">Whatever the Stat raises, or the listing of a directory.</exception>
    public static async Task<(SandboxItem Item, IReadOnlyList<SandboxItem>? Listing)> StatWithListingAsync(SandboxClient client, string path,
        CancellationToken cancellationToken)
    {
        Task<IReadOnlyList<SandboxItem>> listing = client.Files.GetChildItemsAsync(path, SandboxFileSystem.RecursiveDepth, cancellationToken);
        SandboxItem item;
        try
        {
            item = await client.Files.GetItemAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            await SideRequest.WaitQuietlyAsync(listing).ConfigureAwait(false);
            throw;
        }
        if (!item.IsDirectory)
        {
            await SideRequest.WaitQuietlyAsync(listing).ConfigureAwait(false);
            return (item, null);
        }
        return (item, await listing.ConfigureAwait(false));
    }
}
