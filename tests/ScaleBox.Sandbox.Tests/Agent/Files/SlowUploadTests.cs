using System.Net;
using System.Net.Http.Headers;
using ScaleBox.Sandbox.Protocol;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>
/// An upload whose source is slow (a pipe, a file still being written, a slow network share):
/// the real agent (Go's net/http) has no minimum body rate, so neither may the local one.
/// Kestrel's default cuts a body that brings under 240 B/s once 5 s have passed.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class SlowUploadTests(LocalAgentFixture agent)
{
    [Fact]
    public async Task An_upload_quiet_for_longer_than_Kestrels_body_rate_grace_completes()
    {
        string path = Path.Combine(agent.NewFolder("upload-slow"), "slow.txt");
        using var client = new FileEndpointClient(agent);
        var file = new PausingContent("first half, ", TimeSpan.FromSeconds(6), "second half");
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var form = new MultipartFormDataContent { { file, AgentHttpRoutes.FileField, path } };

        using HttpResponseMessage upload = await client.Http.PostAsync(AgentHttpRoutes.Upload + "?" + AgentHttpRoutes.PathParameter + "=" + Uri.EscapeDataString(path), form);

        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal("first half, second half", await File.ReadAllTextAsync(path));
    }

    /// <summary>Sends its first text, waits, then sends the second; no length known up front.</summary>
    sealed class PausingContent(string first, TimeSpan pause, string second) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(first));
            await stream.FlushAsync();
            await Task.Delay(pause);
            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(second));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
