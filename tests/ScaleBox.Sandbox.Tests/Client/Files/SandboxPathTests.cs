using ScaleBox.Sandbox.Client.Files;

namespace ScaleBox.Sandbox.Tests.Client.Files;

/// <summary>Cleaning a sandbox path drops only what names nothing; ".." is the sandbox's to resolve.</summary>
public sealed class SandboxPathTests
{
    [Theory]
    [InlineData("/home/user/.", "/home/user")]
    [InlineData("/home/user/./a//b/", "/home/user/a/b")]
    [InlineData("/./", "/")]
    [InlineData("/", "/")]
    [InlineData("//tmp", "/tmp")]
    [InlineData("a/./b", "a/b")]
    [InlineData("./", ".")]
    [InlineData("/home/user/../x", "/home/user/../x")]
    [InlineData("/a/.../b", "/a/.../b")]
    [InlineData("/a/.hidden/b", "/a/.hidden/b")]
    public void Clean_drops_dot_segments_and_extra_separators_and_keeps_the_rest(string path, string expected)
    {
        Assert.Equal(expected, SandboxPath.Clean(path));
    }
}
