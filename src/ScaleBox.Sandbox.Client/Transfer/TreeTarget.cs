using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>
/// The rules a tree copy into a sandbox follows at each destination path, judged against the
/// destination's listing (<see cref="RemoteTreeIndex"/>), whether the tree comes from this machine
/// or from another sandbox: a directory is merged into, never replaced by a file; a file is written
/// over an existing one only with overwrite. A single upload that must not overwrite refuses a file
/// by the same rule.
/// </summary>
internal static class TreeTarget
{
    /// <summary>Why a file may not be written at <paramref name="relative"/> (a directory there, or a file without overwrite); null when it may.</summary>
    public static SandboxException? RefuseFile(SandboxClient target, RemoteTreeIndex existing, string relative, string destination, bool overwrite, string operation) =>
        RefuseFile(target, existing.TypeOf(relative), destination, overwrite, operation);

    /// <summary>Why a file may not be written at <paramref name="destination"/>, where an item of <paramref name="found"/> type is (null: nothing); null when it may.</summary>
    public static SandboxException? RefuseFile(SandboxClient target, SandboxItemType? found, string destination, bool overwrite, string operation) =>
        found switch
        {
            SandboxItemType.Directory => target.Errors.FromStatus(SandboxErrorCode.InvalidArgument, "it is a directory", operation, destination, null),
            SandboxItemType.File when !overwrite => target.Errors.FromStatus(SandboxErrorCode.AlreadyExists, null, operation, destination, null),
            _ => null,
        };

    /// <summary>The directory at <paramref name="relative"/>: as listed when it exists, else made.</summary>
    /// <returns>The directory as listed, or as the agent reported it once made (when whole); else null.</returns>
    /// <exception cref="SandboxException">InvalidArgument when a file is there; whatever making it raises.</exception>
    public static Task<SandboxItem?> PlaceDirectoryAsync(SandboxClient target, RemoteTreeIndex existing, string relative, string destination, string operation,
        CancellationToken cancellationToken) =>
        existing.TypeOf(relative) switch
        {
            SandboxItemType.Directory => Task.FromResult(existing.ItemAt(relative)),
            SandboxItemType.File => throw target.Errors.FromStatus(SandboxErrorCode.InvalidArgument, "it is a file, not a directory", operation, destination, null),
            _ => EnsureDirectoryAsync(target, destination, cancellationToken),
        };

    /// <summary>
    /// Makes a directory (with its parents) that the listing did not show. AlreadyExists means a
    /// sibling's MakeDir made it since (parents are made along), and it is merged into without
    /// asking: a request per shared parent would undo the point of the listing.
    /// </summary>
    /// <returns>The directory as the agent reported it once made (when whole); null when it was there already or the answer was partial.</returns>
    public static async Task<SandboxItem?> EnsureDirectoryAsync(SandboxClient target, string path, CancellationToken cancellationToken)
    {
        try
        {
            return ReportedEntry.IfWhole(await target.Files.CreateDirectoryAsync(path, cancellationToken).ConfigureAwait(false));
        }
        catch (SandboxException e) when (e.Code == SandboxErrorCode.AlreadyExists)
        {
            return null;
        }
    }
}
