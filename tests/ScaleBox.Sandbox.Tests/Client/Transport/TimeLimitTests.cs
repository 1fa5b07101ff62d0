using System.Globalization;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Tests.Client.Transport;

/// <summary>What counts as a limit, and how the stream errors (process, watch, code) write one.</summary>
public sealed class TimeLimitTests
{
    [Theory]
    [InlineData(1, true)]
    [InlineData(0, false)]
    [InlineData(-5, false)]
    public void A_positive_span_limits_zero_and_negative_ones_do_not(int milliseconds, bool limits) =>
        Assert.Equal(limits, TimeLimit.Limits(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void An_infinite_span_does_not_limit() => Assert.False(TimeLimit.Limits(Timeout.InfiniteTimeSpan));

    [Theory]
    [InlineData(2000, "2 s")]
    [InlineData(2500, "2.5 s")]
    [InlineData(101_000, "101 s")]
    [InlineData(1, "0.001 s")]
    public void A_limit_is_written_in_seconds_to_the_millisecond(int milliseconds, string expected) =>
        Assert.Equal(expected, TimeLimit.InSeconds(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void A_limit_is_written_with_a_point_whatever_the_culture()
    {
        CultureInfo before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            Assert.Equal("1.25 s", TimeLimit.InSeconds(TimeSpan.FromMilliseconds(1250)));
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void A_call_without_a_deadline_has_no_time_left_to_count()
    {
        Assert.Null(TimeLimit.LeftUntil(null));
        Assert.Null(TimeLimit.LeftUntil(DateTime.MaxValue));
        Assert.InRange(TimeLimit.LeftUntil(DateTime.UtcNow.AddSeconds(30))!.Value, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(30));
        Assert.True(TimeLimit.LeftUntil(DateTime.UtcNow.AddSeconds(-1)) < TimeSpan.Zero);
    }

    [Fact]
    public void A_limit_longer_than_a_token_source_allows_is_set_to_the_longest_it_allows()
    {
        using var source = new CancellationTokenSource();

        TimeLimit.CancelAfter(source, TimeSpan.FromSeconds(int.MaxValue)); // a session's -TimeoutSec may be that long

        Assert.False(source.IsCancellationRequested);
    }
}
