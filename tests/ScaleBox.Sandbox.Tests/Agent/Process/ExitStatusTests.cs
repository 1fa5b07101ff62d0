using ScaleBox.Sandbox.Agent.Processes;

namespace ScaleBox.Sandbox.Tests.Agent.Processes;

/// <summary>Wait statuses worded as Go's ProcessState (which the real agent copies into the end event), and the keepalive header rule.</summary>
public sealed class ExitStatusTests
{
    [Theory]
    [InlineData(0x0000, 0, true, "exit status 0", null)]
    [InlineData(0x0300, 3, true, "exit status 3", "exit status 3")]
    [InlineData(0xff00, 255, true, "exit status 255", "exit status 255")]
    [InlineData(0x0009, -1, false, "signal: killed", "signal: killed")]
    [InlineData(0x000f, -1, false, "signal: terminated", "signal: terminated")]
    [InlineData(0x0002, -1, false, "signal: interrupt", "signal: interrupt")]
    [InlineData(0x008b, -1, false, "signal: segmentation fault (core dumped)", "signal: segmentation fault (core dumped)")]
    [InlineData(0x0022, -1, false, "signal: signal 34", "signal: signal 34")]
    public void A_wait_status_becomes_the_end_event_go_would_report(int raw, int exitCode, bool exited, string status, string? error)
    {
        var end = new ExitStatus(raw).ToEndEvent();

        Assert.Equal(exitCode, end.ExitCode);
        Assert.Equal(exited, end.Exited);
        Assert.Equal(status, end.Status);
        Assert.Equal(error, end.HasError ? end.Error : null);
    }

    [Theory]
    [InlineData("50", 50)]
    [InlineData("1", 1)]
    [InlineData(null, 90)]
    [InlineData("", 90)]
    [InlineData("0", 90)]
    [InlineData("-5", 90)]
    [InlineData("1.5", 90)]
    [InlineData("soon", 90)]
    public void The_keepalive_interval_comes_from_the_header_or_defaults_to_90_seconds(string? header, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), KeepalivePolicy.Parse(header));
    }
}
