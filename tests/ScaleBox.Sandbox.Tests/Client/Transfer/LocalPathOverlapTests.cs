using System.IO;
using System.Runtime.InteropServices;
using ScaleBox.Sandbox.Client.Transfer;

namespace ScaleBox.Sandbox.Tests.Client.Transfer;

/// <summary>Whether one local path is another or lies inside it, as Copy-SbxItem asks of the targets of its downloads.</summary>
public sealed class LocalPathOverlapTests
{
    static readonly string Root = Path.Combine(Path.GetTempPath(), "overlap");

    [Theory]
    [InlineData("a.txt", "a.txt")]
    [InlineData("tree", "tree/sub/b.txt")]
    [InlineData("tree/sub/b.txt", "tree")]
    [InlineData("tree/", "tree")]
    [InlineData("tree/./sub", "tree/sub/")]
    [InlineData("other/../tree/x", "tree/x")]
    public void A_path_overlaps_itself_and_what_lies_inside_it(string first, string second)
    {
        Assert.True(LocalPath.Overlap(Path.Combine(Root, first), Path.Combine(Root, second)));
    }

    [Theory]
    [InlineData("a", "ab")]
    [InlineData("ab", "a")]
    [InlineData("a.txt", "b.txt")]
    [InlineData("tree/x", "tree/y/x")]
    public void Siblings_and_names_that_only_start_alike_do_not(string first, string second)
    {
        Assert.False(LocalPath.Overlap(Path.Combine(Root, first), Path.Combine(Root, second)));
    }

    [Fact]
    public void Names_that_differ_in_case_overlap_only_where_the_file_system_ignores_case()
    {
        bool ignoresCase = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || RuntimeInformation.IsOSPlatform(OSPlatform.OSX);
        Assert.Equal(ignoresCase, LocalPath.Overlap(Path.Combine(Root, "Data.csv"), Path.Combine(Root, "data.CSV")));
    }
}
