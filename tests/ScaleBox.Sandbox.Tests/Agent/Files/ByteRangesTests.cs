using ScaleBox.Sandbox.Agent.Files;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>A <c>Range</c> header read as Go's http.ServeContent reads it, against a file of 100 bytes.</summary>
public sealed class ByteRangesTests
{
    const long Size = 100;

    static string Show(IReadOnlyList<ByteRange> ranges) => string.Join(",", ranges.Select(r => $"{r.Start}+{r.Length}"));

    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("bytes=", "")]
    [InlineData("bytes=,", "")]
    [InlineData("bytes=0-9", "0+10")]
    [InlineData("bytes=90-", "90+10")]
    [InlineData("bytes=90-500", "90+10")]
    [InlineData("bytes=-10", "90+10")]
    [InlineData("bytes=-500", "0+100")]
    [InlineData("bytes= 0 - 9 ,\t20-29", "0+10,20+10")]
    [InlineData("bytes=+5-+6", "5+2")]
    [InlineData("bytes=0-9,200-300", "0+10")]
    [InlineData("bytes=0-9,0-9", "0+10,0+10")]
    public void Well_formed_ranges_resolve_against_the_size(string? header, string expected)
    {
        IReadOnlyList<ByteRange> ranges = ByteRanges.Parse(header, Size, out string? error);

        Assert.Null(error);
        Assert.Equal(expected, Show(ranges));
    }

    [Theory]
    [InlineData("items=0-9")]
    [InlineData("bytes 0-9")]
    [InlineData("bytes=abc")]
    [InlineData("bytes=9-0")]
    [InlineData("bytes=-")]
    [InlineData("bytes=--5")]
    [InlineData("bytes=-5-")]
    [InlineData("bytes=1-2,x")]
    [InlineData("bytes=99999999999999999999-")]
    public void A_malformed_header_is_an_invalid_range(string header)
    {
        ByteRanges.Parse(header, Size, out string? error);

        Assert.Equal(ByteRanges.Invalid, error);
    }

    [Theory]
    [InlineData("bytes=100-")]
    [InlineData("bytes=200-300,100-101")]
    public void Ranges_that_all_start_past_the_end_fail_to_overlap(string header)
    {
        ByteRanges.Parse(header, Size, out string? error);

        Assert.Equal(ByteRanges.NoOverlap, error);
    }

    [Fact]
    public void A_content_range_names_first_and_last_byte_and_the_size()
    {
        Assert.Equal("bytes 10-19/100", new ByteRange(10, 10).ContentRange(Size));
    }
}
