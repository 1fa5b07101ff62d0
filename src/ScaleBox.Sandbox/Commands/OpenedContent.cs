using System;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// One file of Get-SbxContent, opened ahead of its turn: the download whose body waits on the
/// connection, or the last lines already read (-Tail), or a large file to open at its turn, or
/// nothing to read (a directory, -TotalCount 0), or the failure to report at its position.
/// Disposing lets the download go.
/// </summary>
internal sealed class OpenedContent : IDisposable
{
    OpenedContent(string path, SandboxItem? item, CountingStream? stream, SandboxFileTail? lastLines, SandboxException? failure, bool opensAtItsTurn = false)
    {
        OpensAtItsTurn = opensAtItsTurn;
        Path = path;
        Item = item;
        Stream = stream;
        LastLines = lastLines;
        Failure = failure;
    }

    /// <summary>The file's path, or the path as given when looking it up failed: the target of an error about it.</summary>
    public string Path { get; }

    /// <summary>The file; null only when <see cref="Failure"/> is set.</summary>
    public SandboxItem? Item { get; }

    public CountingStream? Stream { get; }

    public SandboxFileTail? LastLines { get; }

    public SandboxException? Failure { get; }

    /// <summary>A file too large to open ahead: its download starts when its turn comes.</summary>
    public bool OpensAtItsTurn { get; }

    public static OpenedContent Body(SandboxItem item, CountingStream stream) => new OpenedContent(item.Path, item, stream, null, null);

    public static OpenedContent Tail(SandboxItem item, SandboxFileTail lastLines) => new OpenedContent(item.Path, item, null, lastLines, null);

    public static OpenedContent AtItsTurn(SandboxItem item) => new OpenedContent(item.Path, item, null, null, null, opensAtItsTurn: true);

    public static OpenedContent Nothing(SandboxItem item) => new OpenedContent(item.Path, item, null, null, null);

    public static OpenedContent Failed(string path, SandboxException failure) => new OpenedContent(path, null, null, null, failure);

    public void Dispose() => Stream?.Dispose();
}
