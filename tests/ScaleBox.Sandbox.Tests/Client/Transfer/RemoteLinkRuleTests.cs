using ScaleBox.Sandbox.Client.Transfer;

namespace ScaleBox.Sandbox.Tests.Client.Transfer;

/// <summary>Which file symlinks of a sandbox tree a download follows.</summary>
public sealed class RemoteLinkRuleTests
{
    const string Root = "/home/user/tree";
    static readonly HashSet<string> NoLinks = [];

    [Theory]
    [InlineData("link", "a.txt")]
    [InlineData("link", "./sub/a.txt")]
    [InlineData("sub/link", "../a.txt")]
    [InlineData("sub/link", "../sub/../a.txt")]
    [InlineData("link", "/home/user/tree/a.txt")]
    [InlineData("link", "/home/user/./tree/sub/a.txt")]
    public void Follows_a_link_that_stays_inside_the_tree(string link, string target)
    {
        Assert.Null(RemoteLinkRule.CheckFileLink(Root, link, target, NoLinks));
    }

    [Theory]
    [InlineData("link", "/etc/passwd")]
    [InlineData("link", "../outside.txt")]
    [InlineData("sub/link", "../../outside.txt")]
    [InlineData("link", "../tree/a.txt")]                // leaves the tree on the way, however it ends
    [InlineData("link", "/home/user/tree/../secret")]
    [InlineData("link", "/home/user/tree-other/a.txt")]
    [InlineData("link", "/home/user/tree")]               // the tree itself is not a file inside it
    [InlineData("link", ".")]
    [InlineData("link", "")]
    public void Skips_a_link_that_leads_out_of_the_tree(string link, string target)
    {
        Assert.NotNull(RemoteLinkRule.CheckFileLink(Root, link, target, NoLinks));
    }

    [Fact]
    public void Skips_a_link_whose_target_passes_through_another_link_of_the_tree()
    {
        HashSet<string> links = ["dirlink", "link"];

        Assert.NotNull(RemoteLinkRule.CheckFileLink(Root, "link", "dirlink/passwd", links));
        Assert.NotNull(RemoteLinkRule.CheckFileLink(Root, "link", "link", links)); // itself
    }
}
