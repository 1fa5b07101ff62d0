using ScaleBox.Sandbox.Client.Transfer;

namespace ScaleBox.Sandbox.Tests.Client.Transfer;

/// <summary>An item is left out by its own name or by the name of a folder above it in the tree, never by a path.</summary>
public sealed class TreeExclusionTests
{
    static readonly Func<string, bool> GitOrCompiled = name => name == ".git" || name.EndsWith(".pyc", StringComparison.Ordinal);

    [Theory]
    [InlineData(".git", true)]
    [InlineData(".git/objects/ab", true)]
    [InlineData("src/.git/HEAD", true)]
    [InlineData("src/a.pyc", true)]
    [InlineData("src/a.py", false)]
    [InlineData("src/.github/x", false)]
    [InlineData("", false)]
    public void Leaves_out_by_any_name_on_the_way(string relativePath, bool excluded)
    {
        Assert.Equal(excluded, TreeExclusion.IsExcluded(GitOrCompiled, relativePath));
    }

    [Fact]
    public void Leaves_out_nothing_without_a_test()
    {
        Assert.False(TreeExclusion.IsExcluded(null, ".git/HEAD"));
    }
}
