using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Mapping;
using ScaleBox.Sandbox.Client.Transport;
using Proto = ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Files;

/// <summary>The sandbox's file system: the Filesystem service's unary calls, with model types in and out.</summary>
public sealed class SandboxFileSystem
{
    /// <summary>The depth the official clients ask for when they mean "everything below".</summary>
    public const uint RecursiveDepth = 999;

    readonly SandboxConnection _connection;
    readonly Proto.Filesystem.FilesystemClient _rpc;

    internal SandboxFileSystem(SandboxConnection connection)
    {
        _connection = connection;
        _rpc = new Proto.Filesystem.FilesystemClient(connection.Invoker);
    }

    string Domain => _connection.Endpoint.Domain;

    string? _home;

    /// <summary>
    /// The absolute form of a sandbox path: relative paths and <c>~</c> start at the agent
    /// user's home directory, as the agent resolves them, and the result cleaned as the agent (in Go)
    /// cleans paths (<see cref="Transfer.RemotePaths.Clean"/>): a URL's path is cleaned so, and a
    /// signature must be made over the same path. Needed where a path travels in a URL, which the
    /// agent always reads as absolute, and where it is shown (a watcher's paths).
    /// </summary>
    public async Task<string> GetFullPathAsync(string path, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new ArgumentException("A sandbox path is required.", nameof(path));
        }
        if (path[0] == SandboxPath.Separator)
        {
            return Transfer.RemotePaths.Clean(path);
        }
        // The home directory does not move during a session: ask once.
        string home = _home ??= (await GetItemAsync("~", cancellationToken).ConfigureAwait(false)).Path;
        string relative = path == "~" ? string.Empty
            : path.StartsWith("~/", StringComparison.Ordinal) ? path.Substring(2)
            : path;
        return relative.Length == 0 ? home : Transfer.RemotePaths.Clean(SandboxPath.Join(home, relative));
    }

    /// <summary>
    /// The absolute form of a path (as <see cref="GetFullPathAsync"/>) without asking the agent:
    /// false for a relative path while the home directory is not known yet. The home is learned
    /// from the first lookup of a plain relative path (<c>notes/a.txt</c>), whose answer names it,
    /// so that later relative paths can go into a URL (a download) alongside their lookup.
    /// </summary>
    public bool TryGetKnownFullPath(string path, out string fullPath)
    {
        fullPath = string.Empty;
        if (string.IsNullOrEmpty(path))
        {
            return false;
        }
        if (path[0] == SandboxPath.Separator)
        {
            fullPath = Transfer.RemotePaths.Clean(path);
            return true;
        }
        if (_home is not { } home || path[0] == '~')
        {
            return false;
        }
        fullPath = Transfer.RemotePaths.Clean(SandboxPath.Join(home, path));
        return true;
    }

    /// <exception cref="SandboxException">NotFound when the path does not exist.</exception>
    public Task<SandboxItem> GetItemAsync(string path, CancellationToken cancellationToken = default) =>
        MindingFilesOnTheWayAsync(path, SandboxErrorCode.NotFound, "find", () => StatAsync(path, cancellationToken), cancellationToken);

    async Task<SandboxItem> StatAsync(string path, CancellationToken cancellationToken)
    {
        SandboxItem item = await Call("get", path, cancellationToken, async options =>
            (await _rpc.StatAsync(new Proto.StatRequest { Path = path }, options).ConfigureAwait(false)).Entry.ToItem(Domain)).ConfigureAwait(false);
        _home ??= HomeOf(path, item.Path);
        return item;
    }

    /// <summary>
    /// The home directory a relative path was resolved against, read off the agent's answer for it:
    /// only for a plain path (no <c>~</c>, <c>.</c>, <c>..</c> or doubled separator), whose absolute
    /// form is the home, a separator, and the path as written.
    /// </summary>
    static string? HomeOf(string relative, string resolved)
    {
        if (relative.Length == 0 || relative[0] == SandboxPath.Separator || relative[0] == '~')
        {
            return null;
        }
        string plain = relative.TrimEnd(SandboxPath.Separator);
        if (Transfer.RemotePaths.Clean(relative) != plain || !resolved.EndsWith(SandboxPath.Separator + plain, StringComparison.Ordinal))
        {
            return null;
        }
        string home = resolved.Substring(0, resolved.Length - plain.Length - 1);
        return home.Length > 0 && home[0] == SandboxPath.Separator ? home : null;
    }

    /// <summary>
    /// A path below a file (<c>/etc/passwd/x</c>) cannot exist, but the agent's stat fails on it with
    /// ENOTDIR, which it answers as internal rather than not_found (and so do its other calls on
    /// such a path). So after an internal answer, see <see cref="FileInTheWayAsync"/>; otherwise the
    /// agent's answer stands.
    /// </summary>
    async Task<T> MindingFilesOnTheWayAsync<T>(string path, SandboxErrorCode code, string verb, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (SandboxException failure) when (failure.Code == SandboxErrorCode.Internal)
        {
            throw await FileInTheWayAsync(path, failure, code, verb, cancellationToken).ConfigureAwait(false) ?? failure;
        }
    }

    /// <summary>
    /// After an internal answer about <paramref name="path"/>: the nearest parent that exists is asked
    /// for (by status codes, never by the message); if it is a file, the failure to report is
    /// <paramref name="code"/>, saying which file is in the way, as Test-Path, Get-Item and New-Item
    /// see it. Null when no file is in the way.
    /// </summary>
    internal async Task<SandboxException?> FileInTheWayAsync(string path, SandboxException failure, SandboxErrorCode code, string verb,
        CancellationToken cancellationToken)
    {
        for (string child = path, parent = SandboxPath.GetParent(path); parent != "." && parent != child; child = parent, parent = SandboxPath.GetParent(parent))
        {
            SandboxItem item;
            try
            {
                item = await StatAsync(parent, cancellationToken).ConfigureAwait(false);
            }
            catch (SandboxException e) when (e.Code is SandboxErrorCode.NotFound or SandboxErrorCode.Internal)
            {
                continue; // missing too, or below a file itself: look one level up
            }
            return item.IsDirectory ? null : new SandboxException(code,
                $"Cannot {verb} '{path}' in the sandbox: '{parent}' is a file, not a directory.",
                failure.ServerMessage, path, Domain, failure);
        }
        return null;
    }

    /// <summary>Whether the path exists, decided by the status code, never by the message text.</summary>
    public async Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) =>
        await TryGetItemAsync(path, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>The item at the path, or null when nothing is there (decided by the status code): one request where ExistsAsync then GetItemAsync make two.</summary>
    public async Task<SandboxItem?> TryGetItemAsync(string path, CancellationToken cancellationToken = default)
    {
        try
        {
            return await GetItemAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (SandboxException e) when (e.Code == SandboxErrorCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// As <see cref="TryGetItemAsync"/>, for a name asked for in a folder that may turn out not to be
    /// one (the name a file would take in a destination not yet looked up): below a file the agent's
    /// own internal error is thrown, one request, where <see cref="TryGetItemAsync"/> would go on to
    /// look at the parents to say which file is in the way.
    /// </summary>
    public async Task<SandboxItem?> TryGetItemInFolderAsync(string path, CancellationToken cancellationToken = default)
    {
        try
        {
            return await StatAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (SandboxException e) when (e.Code == SandboxErrorCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>The entries below a directory, <paramref name="depth"/> levels deep (0 counts as 1).</summary>
    public Task<IReadOnlyList<SandboxItem>> GetChildItemsAsync(string path, uint depth = 1, CancellationToken cancellationToken = default) =>
        MindingFilesOnTheWayAsync(path, SandboxErrorCode.NotFound, "find", () => Call("list directory", path, cancellationToken, async options =>
        {
            Proto.ListDirResponse response = await _rpc
                .ListDirAsync(new Proto.ListDirRequest { Path = path, Depth = depth }, options)
                .ConfigureAwait(false);
            return (IReadOnlyList<SandboxItem>)response.Entries.Select(e => e.ToItem(Domain)).ToList();
        }), cancellationToken);

    /// <summary>Creates a directory and its parents.</summary>
    /// <exception cref="SandboxException">AlreadyExists when the directory is already there; FailedPrecondition when a file is in the way.</exception>
    public Task<SandboxItem> CreateDirectoryAsync(string path, CancellationToken cancellationToken = default) =>
        MindingFilesOnTheWayAsync(path, SandboxErrorCode.FailedPrecondition, "create", () => Call("create directory", path, cancellationToken, async options =>
            (await _rpc.MakeDirAsync(new Proto.MakeDirRequest { Path = path }, options).ConfigureAwait(false)).Entry.ToItem(Domain)), cancellationToken);

    /// <summary>Moves or renames; the destination's parents are created.</summary>
    public Task<SandboxItem> MoveAsync(string source, string destination, CancellationToken cancellationToken = default) =>
        Call("move", source, cancellationToken, async options =>
            (await _rpc.MoveAsync(new Proto.MoveRequest { Source = source, Destination = destination }, options).ConfigureAwait(false)).Entry.ToItem(Domain));

    /// <summary>Removes a file, or a directory with everything in it. A missing path is not an error.</summary>
    public Task RemoveAsync(string path, CancellationToken cancellationToken = default) =>
        Call("remove", path, cancellationToken, async options =>
        {
            await _rpc.RemoveAsync(new Proto.RemoveRequest { Path = path }, options).ConfigureAwait(false);
            return true;
        });

    async Task<T> Call<T>(string operation, string target, CancellationToken cancellationToken, Func<Grpc.Core.CallOptions, Task<T>> call)
    {
        if (string.IsNullOrEmpty(target))
        {
            throw new ArgumentException($"A sandbox path is required to {operation}.", nameof(target));
        }
        try
        {
            return await call(_connection.CallOptions(cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is ArgumentException))
        {
            throw _connection.Errors.Translate(e, operation, target, cancellationToken);
        }
    }
}
