using System;
using ScaleBox.Sandbox.Client.Files;

namespace ScaleBox.Sandbox.Tests.Client.Files;

/// <summary>When the entry an agent answers a rename with is taken as the item written, and when it is asked for again.</summary>
public sealed class ReportedEntryTests
{
    static readonly DateTimeOffset Written = new DateTimeOffset(2026, 12, 6, 19, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_entry_with_a_type_a_path_and_a_modification_time_is_taken()
    {
        var entry = new SandboxItem { Name = "a.txt", Path = "/home/user/a.txt", Type = SandboxItemType.File, Length = 3, LastWriteTimeUtc = Written };
        Assert.Same(entry, ReportedEntry.IfWhole(entry));
    }

    [Fact]
    public void An_entry_with_only_what_the_official_clients_read_is_not()
    {
        // Name, type and path: all that the official SDK reads of a rename's answer.
        var entry = new SandboxItem { Name = "a.txt", Path = "/home/user/a.txt", Type = SandboxItemType.File };
        Assert.Null(ReportedEntry.IfWhole(entry));
    }

    [Fact]
    public void An_empty_or_untyped_entry_or_none_at_all_is_not()
    {
        Assert.Null(ReportedEntry.IfWhole(new SandboxItem { LastWriteTimeUtc = Written, Type = SandboxItemType.File }));
        Assert.Null(ReportedEntry.IfWhole(new SandboxItem { Path = "/x", LastWriteTimeUtc = Written, Type = SandboxItemType.Unknown }));
        Assert.Null(ReportedEntry.IfWhole(null));
    }
}
