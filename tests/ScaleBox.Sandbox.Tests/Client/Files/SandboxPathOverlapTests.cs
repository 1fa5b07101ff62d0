using ScaleBox.Sandbox.Client.Files;

namespace ScaleBox.Sandbox.Tests.Client.Files;

/// <summary>
/// Whether one sandbox path is another or lies inside it, as Copy-SbxItem asks of its planned
/// destinations and Move-SbxItem of the moves in flight and of its destination.
/// </summary>
public sealed class SandboxPathOverlapTests
{
    [Theory]
    [InlineData("/home/user/a.txt", "/home/user/a.txt")]
    [InlineData("/home/user/tree", "/home/user/tree/sub/b.txt")]
    [InlineData("/home/user/tree/sub/b.txt", "/home/user/tree")]
    [InlineData("/home/user/tree/", "/home/user/tree")]
    [InlineData("data/x", "data/x/y")]
    [InlineData("/", "/etc/passwd")]
    public void A_path_overlaps_itself_and_what_lies_inside_it(string first, string second)
    {
        Assert.True(SandboxPath.Overlap(first, second));
    }

    [Theory]
    [InlineData("/home/user/a", "/home/user/ab")]
    [InlineData("/home/user/ab", "/home/user/a")]
    [InlineData("/home/user/a.txt", "/home/user/b.txt")]
    [InlineData("/home/user/tree/x", "/home/user/tree/y/x")]
    [InlineData("data/x", "/data/x")]
    public void Siblings_and_names_that_only_start_alike_do_not(string first, string second)
    {
        Assert.False(SandboxPath.Overlap(first, second));
    }

    [Theory]
    [InlineData("/home/user/into", "/home/user/into", true)]
    [InlineData("/home/user/into/", "/home/user", true)]
    [InlineData("/home/user/into", "/home/user/into/sub", false)]
    [InlineData("/home/user/intox", "/home/user/into", false)]
    public void Within_asks_one_way_only(string path, string directory, bool within)
    {
        Assert.Equal(within, SandboxPath.IsWithin(path, directory));
    }

    [Theory]
    [InlineData("data/a", "data/a/b")]
    [InlineData("~/data/a", "data/./a")]
    [InlineData("data/x/../a", "data/a/c.txt")]
    [InlineData("data/a", "/home/user/zzz")] // the home is not known: a relative and an absolute path may meet
    [InlineData("~", "data")]
    [InlineData("../other", "data")]
    [InlineData("/srv/a", "/srv/a/b")]
    public void Paths_as_given_may_overlap_when_they_meet_or_cannot_be_told_apart(string first, string second)
    {
        Assert.True(SandboxPath.MayOverlap(first, second));
        Assert.True(SandboxPath.MayOverlap(second, first));
    }

    [Theory]
    [InlineData("data/a", "data/b")]
    [InlineData("~/data/a", "data/ab")]
    [InlineData("/srv/a", "/srv/b/a")]
    public void Paths_as_given_apart_do_not(string first, string second)
    {
        Assert.False(SandboxPath.MayOverlap(first, second));
        Assert.False(SandboxPath.MayOverlap(second, first));
    }
}
