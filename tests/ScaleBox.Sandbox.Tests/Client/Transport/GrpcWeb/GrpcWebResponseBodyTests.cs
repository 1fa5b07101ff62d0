using System.Text;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport.GrpcWeb;
using ScaleBox.Sandbox.Tests.EndToEnd.Faults;

namespace ScaleBox.Sandbox.Tests.Client.Transport.GrpcWeb;

/// <summary>The body of a gRPC-Web answer to a unary call, read from bytes written here by hand in the protocol's shapes.</summary>
public sealed class GrpcWebResponseBodyTests
{
    const int Limit = 1024;

    static byte[] Trailers(string lines) => BadFrameTests.Frame(0x80, Encoding.ASCII.GetBytes(lines));

    static Task<(byte[]? Message, Metadata? Trailers)> Read(byte[] body, int limit = Limit) =>
        GrpcWebResponseBody.ReadAsync(new MemoryStream(body), limit, CancellationToken.None);

    [Fact]
    public async Task A_message_and_its_trailers_are_read_whole()
    {
        (byte[]? message, Metadata? trailers) = await Read([.. BadFrameTests.Frame(0, [1, 2, 3]), .. Trailers("grpc-status: 0\r\nGrpc-Message: \r\nx-extra: yes\r\n")]);

        Assert.Equal(new byte[] { 1, 2, 3 }, message);
        Assert.NotNull(trailers);
        Assert.Equal("0", trailers!.GetValue("grpc-status"));
        Assert.Equal("yes", trailers.GetValue("x-extra"));
    }

    [Fact]
    public async Task An_answer_of_trailers_alone_has_no_message()
    {
        (byte[]? message, Metadata? trailers) = await Read(Trailers("grpc-status: 5\r\ngrpc-message: gone\r\n"));

        Assert.Null(message);
        Assert.Equal(new Status(StatusCode.NotFound, "gone"), GrpcStatusHeaders.StatusOf(trailers!));
    }

    [Fact]
    public async Task A_body_that_ends_without_trailers_says_so_by_null_trailers()
    {
        (byte[]? message, Metadata? trailers) = await Read(BadFrameTests.Frame(0, [7]));

        Assert.Equal(new byte[] { 7 }, message);
        Assert.Null(trailers);
    }

    public static TheoryData<string, byte[]> CutShort => new()
    {
        { "inside a frame's prefix", [0, 0, 0] },
        { "inside a message", [0, 0, 0, 0, 10, 1, 2, 3] },
        { "inside the trailers", [0x80, 0, 0, 0, 40, .. Encoding.ASCII.GetBytes("grpc-status: 0\r\n")] },
    };

    [Theory]
    [MemberData(nameof(CutShort))]
    public async Task A_body_cut_short_fails_as_a_broken_connection_does(string where, byte[] body)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Read(body));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.NotEmpty(where);
    }

    [Fact]
    public async Task A_message_over_the_limit_is_refused_before_it_is_read()
    {
        // Announces 2 GiB and sends nothing of it: the length alone decides.
        var error = await Assert.ThrowsAsync<RpcException>(() => Read([0, 0x7F, 0xFF, 0xFF, 0xFF]));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("maximum configured message size", error.Status.Detail, StringComparison.Ordinal);
    }

    public static TheoryData<string, byte[], string> Malformed => new()
    {
        { "a compressed message", BadFrameTests.Frame(0x01, [1, 2]), "compressed" },
        { "two messages", [.. BadFrameTests.Frame(0, [1]), .. BadFrameTests.Frame(0, [2]), .. Trailers("grpc-status: 0\r\n")], "more than one message" },
        { "data after the trailers", [.. Trailers("grpc-status: 0\r\n"), 0x42], "after trailers" },
        { "a trailer line without a colon", Trailers("grpc-status 0\r\n"), "badly formatted" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_body_is_an_internal_error(string shape, byte[] body, string said)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Read(body));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Contains(said, error.Status.Detail, StringComparison.Ordinal);
        Assert.NotEmpty(shape);
    }
}
