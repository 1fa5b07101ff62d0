using ScaleBox.Sandbox.Client.Transfer;

namespace ScaleBox.Sandbox.Tests.Client.Transfer;

/// <summary>
/// The rule that turns a (hostile) sandbox listing entry into a local path. The real agent cannot
/// list such names, so the rule is tested here directly.
/// </summary>
public sealed class TreePathMapperTests
{
    static readonly string LocalRoot = Path.Combine(Path.GetTempPath(), "sbx-mapper-root");
    static readonly IReadOnlyList<string> Roots = ["/home/user/tree"];

    [Theory]
    [InlineData("../x")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../x")]
    [InlineData("a/..")]
    [InlineData("..")]
    [InlineData("C:\\x")]
    [InlineData("C:x")]
    [InlineData("c:/x")]
    [InlineData("a\\..\\b")]
    [InlineData("x\u0000y")]
    [InlineData("")]
    [InlineData("a//b")]
    [InlineData("./a")]
    [InlineData("a/./b")]
    [InlineData("a/")]
    public void Refuses_unsafe_relative_names(string name)
    {
        Assert.NotNull(TreePathMapper.CheckRelativeName(name));
    }

    [Theory]
    [InlineData("a.txt")]
    [InlineData("dir/sub/file")]
    [InlineData("with space/#hash%pct?q ü")]
    [InlineData("...")] // a legal POSIX name, not a parent reference
    [InlineData("..a")]
    [InlineData("a..")]
    [InlineData(".hidden")]
    public void Accepts_ordinary_names(string name)
    {
        Assert.Null(TreePathMapper.CheckRelativeName(name));
        string? local = TreePathMapper.MapToLocal(LocalRoot, name, out string? reason);
        Assert.Null(reason);
        Assert.Equal(Path.Combine(LocalRoot, name.Replace('/', Path.DirectorySeparatorChar)), local);
    }

    [Theory]
    [InlineData("/home/user/tree/../x")]
    [InlineData("/etc/passwd")]
    [InlineData("/home/user/tree/a/../../x")]
    [InlineData("/home/user/tree/C:\\x")]
    [InlineData("/home/user/tree/a\\..\\b")]
    [InlineData("/home/user/tree/x\u0000y")]
    [InlineData("/home/user/tree")]           // the directory itself: empty relative name
    [InlineData("/home/user/tree/")]          // likewise
    [InlineData("/home/user/tree-evil/x")]    // a sibling that merely shares the prefix text
    [InlineData("/home/user/tree//etc/passwd")]
    [InlineData("home/user/tree/x")]          // relative entry path
    [InlineData("")]
    public void Refuses_hostile_entries_with_a_reason_and_no_local_path(string entryPath)
    {
        string? local = TreePathMapper.MapEntry(entryPath, Roots, LocalRoot, out _, out string? reason);

        Assert.Null(local);
        Assert.False(string.IsNullOrWhiteSpace(reason));
    }

    [Fact]
    public void Maps_an_entry_below_the_requested_directory()
    {
        string? local = TreePathMapper.MapEntry("/home/user/tree/sub/file.txt", Roots, LocalRoot, out string? relative, out string? reason);

        Assert.Null(reason);
        Assert.Equal("sub/file.txt", relative);
        Assert.Equal(Path.Combine(LocalRoot, "sub", "file.txt"), local);
    }

    [Fact]
    public void Either_of_two_spellings_of_the_root_is_accepted()
    {
        IReadOnlyList<string> roots = ["tree", "/home/user/tree"];

        Assert.NotNull(TreePathMapper.MapEntry("/home/user/tree/a", roots, LocalRoot, out _, out _));
    }

    [Fact]
    public void The_sandbox_root_as_the_requested_directory_works()
    {
        string? local = TreePathMapper.MapEntry("/etc/passwd", ["/"], LocalRoot, out string? relative, out _);

        Assert.Equal("etc/passwd", relative);
        Assert.Equal(Path.Combine(LocalRoot, "etc", "passwd"), local);
    }

    [Fact]
    public void A_name_that_resolves_outside_the_local_root_is_refused_even_if_it_passed_the_name_check()
    {
        // Not reachable through CheckRelativeName, but MapToLocal must hold on its own.
        Assert.Null(TreePathMapper.MapToLocal(LocalRoot, "../escape", out string? reason));
        Assert.Contains("outside", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void IsBelow_needs_a_real_separator_after_the_root()
    {
        Assert.True(TreePathMapper.IsBelow(LocalRoot + "/a", LocalRoot));
        Assert.False(TreePathMapper.IsBelow(LocalRoot + "-sibling/a", LocalRoot));
        Assert.False(TreePathMapper.IsBelow(LocalRoot, LocalRoot));
    }
}
