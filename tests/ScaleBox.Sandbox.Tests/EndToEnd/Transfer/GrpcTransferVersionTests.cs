using System.Text;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Transfer;

/// <summary>
/// A gRPC session at a plain http domain whose port speaks HTTP/1.1 too (the local agent's gRPC
/// port, as the real agent's one port) sends its uploads and downloads over HTTP/1.1, which .NET
/// moves at about twice the rate of HTTP/2, and its calls over HTTP/2.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class GrpcTransferVersionTests(LocalAgentFixture agent)
{
    [Fact]
    public async Task Transfers_go_over_HTTP_1_1_after_one_probe_and_calls_over_HTTP_2()
    {
        using var log = new ServedRequestLog(agent.Http2Address.Port);
        using SandboxClient client = agent.CreateClient(SandboxProtocol.Grpc);
        string name = Path.Combine(agent.Home, $"grpc-version-{Guid.NewGuid():N}.bin");
        byte[] content = Encoding.UTF8.GetBytes(new string('x', 300_000));

        await client.Transfer.UploadAsync(new MemoryStream(content), name);
        var back = new MemoryStream();
        await client.Transfer.DownloadAsync(name, back);
        await client.Transfer.UploadAsync(new MemoryStream(content), name + ".2");

        Assert.Equal(content, back.ToArray());
        var requests = log.Requests;
        var plain = requests.Where(r => !r.Path.StartsWith("/sandboxagent.", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["GET /health", "POST /upload", "GET /download", "POST /upload"], plain.Select(r => $"{r.Method} {Route(r.Path)}"));
        Assert.All(plain, r => Assert.Equal("HTTP/1.1", r.Protocol));
        var calls = requests.Except(plain).ToArray();
        Assert.NotEmpty(calls); // the uploads' stat and move
        Assert.All(calls, r => Assert.Equal("HTTP/2", r.Protocol));
    }

    /// <summary>"/download/home/f" is "/download".</summary>
    static string Route(string path) => "/" + path.TrimStart('/').Split('/', '?')[0];
}
