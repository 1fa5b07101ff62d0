using ScaleBox.Sandbox.Client.Processes;

namespace ScaleBox.Sandbox.Tests.Client.Processes;

/// <summary>Naming a process by pid or by tag, and how a selector prints as the target of an error.</summary>
public sealed class SandboxProcessSelectorTests
{
    [Fact]
    public void By_pid_holds_the_pid_and_prints_as_pid_n()
    {
        SandboxProcessSelector selector = SandboxProcessSelector.ByPid(123);

        Assert.Equal(123u, selector.Pid);
        Assert.Null(selector.Tag);
        Assert.Equal("pid 123", selector.ToString());
        Assert.Equal(123u, selector.ToProto().Pid);
    }

    [Fact]
    public void By_tag_holds_the_tag_and_prints_it_quoted()
    {
        SandboxProcessSelector selector = SandboxProcessSelector.ByTag("web server");

        Assert.Null(selector.Pid);
        Assert.Equal("web server", selector.Tag);
        Assert.Equal("tag 'web server'", selector.ToString());
        Assert.Equal("web server", selector.ToProto().Tag);
    }

    [Fact]
    public void Pid_zero_is_still_a_selection_by_pid_on_the_wire()
    {
        var wire = SandboxProcessSelector.ByPid(0).ToProto();

        Assert.Equal("Pid", wire.SelectorCase.ToString());
        Assert.Equal(0u, wire.Pid);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void An_empty_tag_is_refused(string? tag)
    {
        Assert.Throws<ArgumentException>(() => SandboxProcessSelector.ByTag(tag!));
    }

    [Fact]
    public void Selectors_are_equal_by_value()
    {
        Assert.Equal(SandboxProcessSelector.ByPid(7), SandboxProcessSelector.ByPid(7));
        Assert.Equal(SandboxProcessSelector.ByTag("a"), SandboxProcessSelector.ByTag("a"));
        Assert.Equal(SandboxProcessSelector.ByTag("a").GetHashCode(), SandboxProcessSelector.ByTag("a").GetHashCode());
        Assert.NotEqual(SandboxProcessSelector.ByPid(7), SandboxProcessSelector.ByPid(8));
        Assert.NotEqual(SandboxProcessSelector.ByTag("7"), SandboxProcessSelector.ByPid(7));
        Assert.NotEqual(SandboxProcessSelector.ByTag("a"), SandboxProcessSelector.ByTag("A"));
    }
}
