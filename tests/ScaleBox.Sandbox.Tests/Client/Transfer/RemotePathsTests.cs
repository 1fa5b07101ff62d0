using System.Text;
using ScaleBox.Sandbox.Client.Transfer;

namespace ScaleBox.Sandbox.Tests.Client.Transfer;

public sealed class RemotePathsTests
{
    [Theory]
    [InlineData("/a/b", "/a/b")]
    [InlineData("/a//b/", "/a/b")]
    [InlineData("/a/./b/../c", "/a/c")]
    [InlineData("/../x", "/x")]
    [InlineData("/", "/")]
    [InlineData("a/../..", "..")]
    [InlineData("./a", "a")]
    [InlineData("", ".")]
    [InlineData("~/x", "~/x")]
    public void Clean_works_like_go_path_clean(string path, string expected)
    {
        Assert.Equal(expected, RemotePaths.Clean(path));
    }

    [Theory]
    [InlineData("/root/a.txt", "download/root/a.txt")]
    [InlineData("root/a.txt", "download/root/a.txt")]
    [InlineData("/d/a b#c%d?e", "download/d/a%20b%23c%25d%3Fe")]
    [InlineData("/d/ünï €", "download/d/%C3%BCn%C3%AF%20%E2%82%AC")]
    [InlineData("/d/back\\slash", "download/d/back%5Cslash")]
    [InlineData("/d/x/../y", "download/d/y")]
    [InlineData("~/notes.txt", "download/~/notes.txt")]
    public void Download_paths_are_encoded_segment_by_segment(string path, string expected)
    {
        Assert.Equal(expected, RemotePaths.DownloadUriPath(path));
    }

    [Fact]
    public void The_encoded_path_survives_uri_resolution_unchanged()
    {
        var baseUri = new Uri("http://127.0.0.1:1234/");
        string relative = RemotePaths.DownloadUriPath("/d/a b#c%d?e/%2F..ü");

        var resolved = new Uri(baseUri, relative);

        Assert.Equal("/" + relative, resolved.AbsolutePath);
        Assert.Equal("", resolved.Query);
        Assert.Equal("", resolved.Fragment);
    }

    [Fact]
    public void A_relative_path_above_its_start_cannot_be_downloaded()
    {
        Assert.Throws<ArgumentException>(() => RemotePaths.DownloadUriPath("../x"));
    }

    [Fact]
    public void Staging_names_are_hidden_unique_and_short_enough()
    {
        string one = RemotePaths.StagingName("report.pdf");
        string two = RemotePaths.StagingName("report.pdf");
        string longName = RemotePaths.StagingName(new string('é', 200));

        Assert.StartsWith(".report.pdf.sbxpart-", one, StringComparison.Ordinal);
        Assert.NotEqual(one, two);
        Assert.True(Encoding.UTF8.GetByteCount(longName) <= 200, $"{Encoding.UTF8.GetByteCount(longName)} bytes");
    }

    [Theory]
    [InlineData("/a/b", "/a", true)]
    [InlineData("/a", "/a", true)]
    [InlineData("/ab", "/a", false)]
    [InlineData("/x", "/", true)]
    public void IsWithin_respects_segment_boundaries(string path, string directory, bool expected)
    {
        Assert.Equal(expected, RemotePaths.IsWithin(path, directory));
    }
}
