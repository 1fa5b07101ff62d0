using System.Net.Http;
using System.Net.Sockets;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Tests.Client.Errors;

/// <summary>
/// How a status that Grpc.Net.Client built from an HTTP failure is told apart: a server that is
/// not an agent (or not on this protocol) from one that cannot be reached. The details are the
/// ones .NET and Grpc.Net.Client write, as a session over the wrong port sees them; which of the
/// HTTP/2 ones comes is a race of .NET's connection setup, so the end-to-end test cannot pin it.
/// </summary>
public sealed class ErrorTranslatorTests
{
    static readonly SandboxEndpoint Endpoint = SandboxEndpoint.Parse("127.0.0.1:49983");
    readonly ErrorTranslator _translator = new(Endpoint, new AccessToken("f00dfeed1234"));

    [Theory]
    [InlineData(StatusCode.Internal, "Error starting gRPC call. HttpRequestException: An HTTP/2 connection could not be established because the server did not complete the HTTP/2 handshake.")]
    [InlineData(StatusCode.Unavailable, "Error starting gRPC call. HttpRequestException: An HTTP/2 connection could not be established because the server did not complete the HTTP/2 handshake.")]
    [InlineData(StatusCode.Internal, "Error starting gRPC call. HttpProtocolException: The HTTP/2 server sent invalid data on the connection. HTTP/2 error code 'PROTOCOL_ERROR' (0x1).")]
    [InlineData(StatusCode.Internal, "Error starting gRPC call. HttpRequestException: The HTTP/2 server closed the connection. HTTP/2 error code 'HTTP_1_1_REQUIRED' (0xd). (HttpProtocolError)")]
    [InlineData(StatusCode.Internal, "Bad gRPC response. HTTP status code: 404")]
    [InlineData(StatusCode.Unimplemented, "Bad gRPC response. Invalid content-type value: text/html")]
    public void An_answer_that_no_agent_gives_says_the_server_is_not_an_agent(StatusCode status, string detail)
    {
        var error = (SandboxException)_translator.Translate(new RpcException(new Status(status, detail)), "get", "/", CancellationToken.None);

        Assert.Equal(SandboxErrorCode.Unavailable, error.Code);
        Assert.Contains("not a sandbox agent", error.Message, StringComparison.Ordinal);
        Assert.Contains("Grpc an HTTP/2 one", error.Message, StringComparison.Ordinal);
        Assert.Contains(Endpoint.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(502, "BadGateway")]
    [InlineData(503, "ServiceUnavailable")]
    [InlineData(504, "GatewayTimeout")]
    [InlineData(429, "TooManyRequests")]
    public void A_gateway_answer_that_gRPC_takes_as_unavailable_is_said_as_on_the_other_protocols(int http, string name)
    {
        // Grpc.Net.Client's words for a gateway's page; the Connect transport says "HTTP 502 BadGateway".
        var rpc = new RpcException(new Status(StatusCode.Unavailable, $"Bad gRPC response. HTTP status code: {http}"));

        var error = (SandboxException)_translator.Translate(rpc, "get", "/", CancellationToken.None);

        Assert.Equal(SandboxErrorCode.Unavailable, error.Code);
        Assert.Contains($"HTTP {http} {name}", error.Message, StringComparison.Ordinal);
        Assert.Contains("Check that the sandbox is running", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not a sandbox agent", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reset_under_a_failed_handshake_is_a_connection_failure_not_a_wrong_server()
    {
        // The handshake words come with a reset too; the reset is what the user can act on.
        var reset = new HttpRequestException("An HTTP/2 connection could not be established because the server did not complete the HTTP/2 handshake.",
            new IOException("read failed", new SocketException((int)SocketError.ConnectionReset)));
        var rpc = new RpcException(new Status(StatusCode.Internal, "Error starting gRPC call. HttpRequestException: " + reset.Message, reset));

        var error = (SandboxException)_translator.Translate(rpc, "get", "/", CancellationToken.None);

        Assert.Equal(SandboxErrorCode.Unavailable, error.Code);
        Assert.Contains("was reset", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not a sandbox agent", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_agent_status_with_no_such_words_stays_what_the_agent_said()
    {
        var rpc = new RpcException(new Status(StatusCode.Internal, "error opening file"));

        var error = (SandboxException)_translator.Translate(rpc, "get", "/x", CancellationToken.None);

        Assert.Equal(SandboxErrorCode.Internal, error.Code);
        Assert.DoesNotContain("not a sandbox agent", error.Message, StringComparison.Ordinal);
    }
}
