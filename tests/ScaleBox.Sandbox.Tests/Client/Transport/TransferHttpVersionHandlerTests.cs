using System.Collections.Concurrent;
using System.Net;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Tests.Client.Transport;

/// <summary>
/// The version choice alone, against a scripted transport standing in for the gateway or the agent
/// (the real ones: tests/pester/Network.Tests.ps1, nginx passing HTTP/1.1 on and one refusing it,
/// and the local agent's gRPC port in GrpcTransferVersionTests). Requests are made as a gRPC
/// session makes them: HTTP/2, exactly.
/// </summary>
public sealed class TransferHttpVersionHandlerTests
{
    static readonly Uri Base = new("https://sandbox.example/");

    /// <summary>Answers /health with whatever the test says, everything else 200; records what it was sent.</summary>
    sealed class ScriptedGateway(Func<HttpRequestMessage, Task<HttpResponseMessage>> health) : HttpMessageHandler
    {
        public ConcurrentQueue<string> Sent { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Sent.Enqueue($"{request.Method} {request.RequestUri!.AbsolutePath} {request.Version} {request.VersionPolicy}");
            return request.RequestUri.AbsolutePath == "/health"
                ? health(request)
                : Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }

    static HttpRequestMessage AsGrpcSessionSends(HttpMethod method, string path, HttpContent? content = null) => new(method, new Uri(Base, path))
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Content = content,
    };

    /// <param name="downloadsToo">As a session at a plain http domain has it; one at an https domain has false.</param>
    static HttpClient ClientOver(ScriptedGateway gateway, bool downloadsToo = false) =>
        new(new TransferHttpVersionHandler(gateway, () => AsGrpcSessionSends(HttpMethod.Get, "health"), TimeSpan.FromSeconds(5), downloadsToo));

    static Task<HttpResponseMessage> Upload(HttpClient client, CancellationToken cancellationToken = default) =>
        client.SendAsync(AsGrpcSessionSends(HttpMethod.Post, "upload", new ByteArrayContent([1, 2, 3])), cancellationToken);

    static Task<HttpResponseMessage> Download(HttpClient client) =>
        client.SendAsync(AsGrpcSessionSends(HttpMethod.Get, "download/home/user/f"));

    const string Probe = "GET /health 1.1 RequestVersionExact";
    const string UploadOverHttp11 = "POST /upload 1.1 RequestVersionExact";
    const string UploadOverHttp2 = "POST /upload 2.0 RequestVersionExact";
    const string DownloadOverHttp2 = "GET /download/home/user/f 2.0 RequestVersionExact";
    const string DownloadOverHttp11 = "GET /download/home/user/f 1.1 RequestVersionExact";
    const string HealthOverHttp2 = "GET /health 2.0 RequestVersionExact";

    [Fact]
    public async Task A_gateway_that_answers_health_over_HTTP_1_1_gets_every_upload_over_HTTP_1_1_after_one_probe()
    {
        var gateway = new ScriptedGateway(_ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)));
        using HttpClient client = ClientOver(gateway);

        await Upload(client);
        await Upload(client);

        Assert.Equal([Probe, UploadOverHttp11, UploadOverHttp11], gateway.Sent.ToArray());
    }

    [Fact]
    public async Task Over_plain_http_downloads_move_to_HTTP_1_1_too_and_other_requests_stay()
    {
        var gateway = new ScriptedGateway(_ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)));
        using HttpClient client = ClientOver(gateway, downloadsToo: true);

        await Download(client);
        await Upload(client);
        await client.SendAsync(AsGrpcSessionSends(HttpMethod.Get, "health"));

        Assert.Equal([Probe, DownloadOverHttp11, UploadOverHttp11, HealthOverHttp2], gateway.Sent.ToArray());
    }

    [Theory]
    [InlineData(HttpRequestError.InvalidResponse)] // frames where an HTTP/1.1 answer should be
    [InlineData(HttpRequestError.ResponseEnded)] // a hang-up (nginx's cleartext HTTP/2 port)
    public async Task A_reply_that_is_not_HTTP_1_1_or_a_hang_up_keeps_every_transfer_on_HTTP_2_without_asking_again(HttpRequestError error)
    {
        var gateway = new ScriptedGateway(_ => throw new HttpRequestException(error, "An error occurred while sending the request."));
        using HttpClient client = ClientOver(gateway, downloadsToo: true);

        await Upload(client);
        await Download(client);
        await Upload(client);

        Assert.Equal([Probe, UploadOverHttp2, DownloadOverHttp2, UploadOverHttp2], gateway.Sent.ToArray());
    }

    [Fact]
    public async Task Over_https_downloads_stay_on_HTTP_2_and_ask_nothing()
    {
        var gateway = new ScriptedGateway(_ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)));
        using HttpClient client = ClientOver(gateway);

        await Download(client);
        await Upload(client);
        await Download(client);

        Assert.Equal([DownloadOverHttp2, Probe, UploadOverHttp11, DownloadOverHttp2], gateway.Sent.ToArray());
    }

    [Theory]
    [InlineData(HttpStatusCode.HttpVersionNotSupported)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Unauthorized)]
    public async Task Any_other_answer_keeps_every_upload_on_HTTP_2_without_asking_again(HttpStatusCode answer)
    {
        var gateway = new ScriptedGateway(_ => Task.FromResult(new HttpResponseMessage(answer)));
        using HttpClient client = ClientOver(gateway);

        await Upload(client);
        await Upload(client);

        Assert.Equal([Probe, UploadOverHttp2, UploadOverHttp2], gateway.Sent.ToArray());
    }

    [Fact]
    public async Task A_probe_without_an_answer_sends_that_upload_over_HTTP_2_and_the_next_one_asks_again()
    {
        int probes = 0;
        var gateway = new ScriptedGateway(_ => Interlocked.Increment(ref probes) == 1
            ? throw new HttpRequestException("connection reset")
            : Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)));
        using HttpClient client = ClientOver(gateway);

        await Upload(client);
        await Upload(client);

        Assert.Equal([Probe, UploadOverHttp2, Probe, UploadOverHttp11], gateway.Sent.ToArray());
    }

    [Fact]
    public async Task Uploads_that_start_together_share_one_probe()
    {
        var answer = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var gateway = new ScriptedGateway(_ => answer.Task);
        using HttpClient client = ClientOver(gateway);

        Task<HttpResponseMessage>[] uploads = Enumerable.Range(0, 8).Select(_ => Upload(client)).ToArray();
        await Task.Delay(50);
        answer.SetResult(new HttpResponseMessage(HttpStatusCode.OK));
        await Task.WhenAll(uploads);

        Assert.Equal([Probe, .. Enumerable.Repeat(UploadOverHttp11, 8)], gateway.Sent.ToArray());
    }

    [Fact]
    public async Task An_upload_cancelled_while_the_probe_waits_ends_at_once_and_leaves_the_probe_to_the_others()
    {
        var answer = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var gateway = new ScriptedGateway(_ => answer.Task);
        using HttpClient client = ClientOver(gateway);
        using var cancel = new CancellationTokenSource();

        Task<HttpResponseMessage> cancelled = Upload(client, cancel.Token);
        Task<HttpResponseMessage> other = Upload(client);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        answer.SetResult(new HttpResponseMessage(HttpStatusCode.OK));
        await other;

        Assert.Equal([Probe, UploadOverHttp11], gateway.Sent.ToArray());
    }
}
