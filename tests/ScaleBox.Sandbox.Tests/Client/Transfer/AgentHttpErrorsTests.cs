using System.Net;
using System.Text;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Tests.Client.Transfer;

/// <summary>Failed answers of /upload and /download become SandboxExceptions with the right code and words.</summary>
public sealed class AgentHttpErrorsTests
{
    [Theory]
    [InlineData(400, SandboxErrorCode.InvalidArgument)]
    [InlineData(401, SandboxErrorCode.Unauthenticated)]
    [InlineData(403, SandboxErrorCode.PermissionDenied)]
    [InlineData(404, SandboxErrorCode.NotFound)]
    [InlineData(416, SandboxErrorCode.OutOfRange)]
    [InlineData(500, SandboxErrorCode.Internal)]
    [InlineData(502, SandboxErrorCode.Unavailable)]
    [InlineData(503, SandboxErrorCode.Unavailable)]
    [InlineData(507, SandboxErrorCode.ResourceExhausted)]
    [InlineData(418, SandboxErrorCode.FailedPrecondition)]
    public void Maps_statuses_to_codes(int status, SandboxErrorCode expected)
    {
        Assert.Equal(expected, AgentHttpErrors.CodeFor((HttpStatusCode)status));
    }

    [Theory]
    [InlineData("{\"code\":404,\"message\":\"path '/x' does not exist\"}", "path '/x' does not exist")]
    [InlineData("{\"code\":\"not_found\",\"message\":\"gone\"}", "gone")]
    [InlineData("{\"error\":\"plain error\"}", "plain error")]
    [InlineData("{\"error\":{\"message\":\"nested\"}}", "nested")]
    [InlineData("  disk full\n", "disk full")]
    [InlineData("{not json", "{not json")]
    [InlineData("", null)]
    public void Takes_the_message_from_json_or_text(string body, string? expected)
    {
        Assert.Equal(expected, AgentHttpErrors.ExtractMessage(body));
    }

    [Fact]
    public async Task A_response_becomes_an_exception_with_target_server_message_and_no_token()
    {
        var token = new AccessToken("tok-SECRET-42");
        var client = new SandboxClient(new SandboxClientOptions(SandboxEndpoint.Parse("127.0.0.1:1"), token));
        using var response = new HttpResponseMessage(HttpStatusCode.InsufficientStorage)
        {
            Content = new StringContent("{\"code\":507,\"message\":\"no space left (token tok-SECRET-42)\"}", Encoding.UTF8, "application/json"),
        };

        SandboxException error = await AgentHttpErrors.FromResponseAsync(response, client.Errors, "upload", "/big.bin", default);

        Assert.Equal(SandboxErrorCode.ResourceExhausted, error.Code);
        Assert.Equal("/big.bin", error.Target);
        Assert.Equal("no space left (token ********)", error.ServerMessage);
        Assert.DoesNotContain("tok-SECRET-42", error.Message, StringComparison.Ordinal);
        client.Dispose();
    }

    [Fact]
    public async Task Only_the_first_64_KiB_of_an_error_body_are_read()
    {
        using var content = new ByteArrayContent(new byte[10 * 1024 * 1024]);

        string text = await AgentHttpErrors.ReadTextAsync(content, AgentHttpErrors.MaxBodyBytes, default);

        Assert.Equal(AgentHttpErrors.MaxBodyBytes, text.Length);
    }
}
