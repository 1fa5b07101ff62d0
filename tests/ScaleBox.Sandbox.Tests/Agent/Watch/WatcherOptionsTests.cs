using ScaleBox.Sandbox.Agent.Hosting;

namespace ScaleBox.Sandbox.Tests.Agent.Watch;

/// <summary>The agent's watcher settings on its command line: defaults, and whole positive numbers only.</summary>
public sealed class WatcherOptionsTests : IDisposable
{
    readonly string _home = Path.Combine(Path.GetTempPath(), "sbx-options-" + Guid.NewGuid().ToString("N"));

    AgentOptions Parse(params string[] args) => AgentOptions.Parse(["--home", _home, .. args], _ => "token");

    [Fact]
    public void Watchers_expire_after_ten_minutes_and_hold_100000_events_by_default()
    {
        AgentOptions options = Parse();

        Assert.Equal(TimeSpan.FromMinutes(10), options.WatcherExpiry);
        Assert.Equal(100_000, options.WatcherCapacity);
    }

    [Fact]
    public void Expiry_in_seconds_and_capacity_can_be_set()
    {
        AgentOptions options = Parse("--watcher-expiry", "5", "--watcher-capacity", "7");

        Assert.Equal(TimeSpan.FromSeconds(5), options.WatcherExpiry);
        Assert.Equal(7, options.WatcherCapacity);
    }

    [Theory]
    [InlineData("--watcher-expiry", "0")]
    [InlineData("--watcher-expiry", "soon")]
    [InlineData("--watcher-capacity", "-1")]
    public void Other_values_are_refused_naming_the_option(string option, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => Parse(option, value));

        Assert.Contains(option, error.Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(_home)) Directory.Delete(_home, recursive: true);
    }
}
