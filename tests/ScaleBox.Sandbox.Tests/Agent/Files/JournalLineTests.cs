using ScaleBox.Sandbox.Agent.Files;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>The staging journal's log lines: written, then read back by the next agent's sweep.</summary>
public sealed class JournalLineTests
{
    [Fact]
    public void What_was_opened_and_not_closed_is_open_in_the_order_it_was_opened()
    {
        string log = JournalLine.Opened(1, "/a/.sbx-1") + JournalLine.Opened(2, "/b/.sbx-2") + JournalLine.Opened(3, "/c/.sbx-3")
            + JournalLine.Closed(2);

        Assert.Equal(["/a/.sbx-1", "/c/.sbx-3"], JournalLine.Replay(log));
    }

    [Theory]
    [InlineData("/home/user/line\nbreak/.sbx-x")]
    [InlineData("/home/user/ünïcödé 文件/.sbx-x")]
    [InlineData("/home/user/with space and + and -1/.sbx-x")]
    public void Any_path_comes_back_as_it_was(string path)
    {
        Assert.Equal([path], JournalLine.Replay(JournalLine.Opened(7, path)));
    }

    [Fact]
    public void A_line_cut_short_or_unreadable_is_skipped()
    {
        string whole = JournalLine.Opened(1, "/a/.sbx-1");
        string cut = JournalLine.Opened(2, "/b/.sbx-2").TrimEnd('\n')[..8];

        Assert.Equal(["/a/.sbx-1"], JournalLine.Replay(whole + "+x notanumber\n+3 !!!\n" + cut));
        Assert.Empty(JournalLine.Replay(""));
    }
}
