using System.Net.Http;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport.GrpcWeb;

namespace ScaleBox.Sandbox.Tests.Client.Transport.GrpcWeb;

/// <summary>The status in an answer's trailers or headers, and the grpc-timeout a call sends.</summary>
public sealed class GrpcStatusHeadersTests
{
    [Fact]
    public void The_message_is_percent_decoded_UTF8()
    {
        var trailers = new Metadata { { "grpc-status", "5" }, { "grpc-message", "caf%C3%A9 100%25 %2Fhome" } };

        Assert.Equal(new Status(StatusCode.NotFound, "café 100% /home"), GrpcStatusHeaders.StatusOf(trailers));
    }

    [Fact]
    public void No_status_is_null_and_a_status_that_is_no_number_is_unknown()
    {
        Assert.Null(GrpcStatusHeaders.StatusOf(new Metadata { { "x-other", "1" } }));

        Status? odd = GrpcStatusHeaders.StatusOf(new Metadata { { "grpc-status", "five" } });

        Assert.Equal(StatusCode.Unknown, odd!.Value.StatusCode);
        Assert.Contains("five", odd.Value.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_trailers_only_answer_carries_its_status_in_the_headers()
    {
        using var response = new HttpResponseMessage();
        response.Headers.TryAddWithoutValidation("grpc-status", "7");
        response.Headers.TryAddWithoutValidation("grpc-message", "no%20way");
        response.Headers.TryAddWithoutValidation("X-Trace-Bin", Convert.ToBase64String([1, 2]));

        Assert.Equal(new Status(StatusCode.PermissionDenied, "no way"), GrpcStatusHeaders.StatusOf(response.Headers));
        Metadata trailers = GrpcStatusHeaders.ToMetadata(response.Headers);
        Assert.Equal("7", trailers.GetValue("grpc-status"));
        Assert.Equal(new byte[] { 1, 2 }, trailers.GetValueBytes("x-trace-bin"));
    }

    [Fact]
    public void An_entry_metadata_cannot_hold_is_left_out()
    {
        var metadata = new Metadata();

        GrpcStatusHeaders.Add(metadata, "bad name!", "x");
        GrpcStatusHeaders.Add(metadata, "x-bin", "not base64 ***");
        GrpcStatusHeaders.Add(metadata, "ok", "y");

        Assert.Equal("ok", Assert.Single(metadata).Key);
    }

    [Theory]
    [InlineData(30_000, "30000m")]
    [InlineData(0.2, "1m")]
    [InlineData(1_500, "1500m")]
    [InlineData(99_999_999, "99999999m")]
    [InlineData(100_000_000, "100000S")]
    [InlineData(9e14, "99999999S")]
    public void The_timeout_is_sent_in_at_most_eight_digits(double milliseconds, string expected) =>
        Assert.Equal(expected, GrpcTimeoutHeader.Format(TimeSpan.FromMilliseconds(milliseconds)));
}
