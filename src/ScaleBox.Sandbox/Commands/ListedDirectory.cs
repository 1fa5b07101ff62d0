using System.Collections.Generic;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// One listing of Get-SbxChildItem, asked for ahead of its turn: the entries with the directory
/// their -Name is relative to, or a file named where a directory was expected (which lists as
/// itself, as with Get-ChildItem), or the failure to report at its position.
/// </summary>
internal sealed class ListedDirectory
{
    ListedDirectory(string path, IReadOnlyList<SandboxItem> entries, string root, SandboxException? failure)
    {
        Path = path;
        Entries = entries;
        Root = root;
        Failure = failure;
    }

    /// <summary>The path as listed: the target of an error about it.</summary>
    public string Path { get; }

    /// <summary>What to write, in Get-ChildItem's order; empty after a failure.</summary>
    public IReadOnlyList<SandboxItem> Entries { get; }

    /// <summary>The directory the entries' -Name is relative to.</summary>
    public string Root { get; }

    public SandboxException? Failure { get; }

    public static ListedDirectory Of(string path, IReadOnlyList<SandboxItem> entries, string root) =>
        new ListedDirectory(path, entries, root, null);

    public static ListedDirectory File(SandboxItem file) =>
        new ListedDirectory(file.Path, new[] { file }, file.DirectoryName, null);

    public static ListedDirectory Failed(string path, SandboxException failure) =>
        new ListedDirectory(path, new SandboxItem[0], path, failure);
}
