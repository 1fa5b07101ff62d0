using System.Collections.Generic;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>What looking up one given path found: its items, or the failure to report at its position.</summary>
public sealed class ItemLookup
{
    ItemLookup(string path, IReadOnlyList<SandboxItem> items, SandboxException? error)
    {
        Path = path;
        Items = items;
        Error = error;
    }

    /// <summary>The path as given (a pattern stays a pattern): the target of an error about it.</summary>
    public string Path { get; }

    /// <summary>The items found; none when <see cref="Error"/> is set.</summary>
    public IReadOnlyList<SandboxItem> Items { get; }

    public SandboxException? Error { get; }

    public static ItemLookup Found(string path, IReadOnlyList<SandboxItem> items) => new ItemLookup(path, items, null);

    public static ItemLookup Failed(string path, SandboxException error) => new ItemLookup(path, new SandboxItem[0], error);
}
