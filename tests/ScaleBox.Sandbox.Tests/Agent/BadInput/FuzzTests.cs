using ScaleBox.Sandbox.Protocol;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ScaleBox.Sandbox.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ScaleBox.Sandbox.Tests.Agent.BadInput;

/// <summary>
/// A bounded fuzz run (a few thousand requests, at most half a minute, 127.0.0.1 only) against every
/// endpoint of a real agent in its own process: random and broken bodies in every content type the
/// agent speaks. Afterwards the agent still answers, never answered a 5xx that is not a disk error,
/// and its memory settled. Requests that could change anything (Remove, Move, MakeDir, Start) only
/// ever get bodies that cannot parse, so the run never deletes or runs anything.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    const string Token = "fuzz-token";
    const int Requests = 5000;
    static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(30);

    static readonly string[] ReadOnly =
    [
        "sandboxagent.Filesystem/Stat", "sandboxagent.Filesystem/ListDir", "sandboxagent.Process/List",
        "sandboxagent.Process/SendSignal", "sandboxagent.Process/SendInput", "sandboxagent.Process/Update",
        "sandboxagent.Process/Connect",
    ];
    static readonly string[] Mutating =
    [
        "sandboxagent.Filesystem/Remove", "sandboxagent.Filesystem/Move", "sandboxagent.Filesystem/MakeDir",
        "sandboxagent.Process/Start", "sandboxagent.Process/StreamInput",
    ];
    static readonly string[] ContentTypes =
    [
        "application/json", "application/proto", "application/connect+json", "application/connect+proto",
        "application/grpc-web+proto", "application/grpc-web", "text/plain", "application/x-garbage",
    ];

    readonly string _root = Directory.CreateTempSubdirectory("sbx-fuzz-").FullName;
    AgentProcess _agent = null!;
    HttpClient _http = null!;

    string Home => Path.Combine(_root, "home");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Home);
        _agent = AgentProcess.Start(["--port", "0", "--token", Token, "--home", Home, "--state-dir", Path.Combine(_root, "state")], tokenVariable: null);
        Uri address = await _agent.ReadListeningAddressAsync();
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 8, PooledConnectionLifetime = TimeSpan.FromSeconds(5) })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(20),
        };
        _http.DefaultRequestHeaders.Add("X-Access-Token", Token);
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "root");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _agent.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_bounded_fuzz_run_leaves_the_agent_answering_with_settled_memory()
    {
        var random = new Random(20261204);
        var statuses = new Dictionary<int, int>();
        var serverErrors = new List<string>();
        long warmRss = 0, peakRss = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int sent = 0;

        while (sent < Requests && clock.Elapsed < TimeLimit)
        {
            // A few at a time, as a busy client would.
            var batch = Enumerable.Range(0, 8).Select(_ => NextRequest(random)).ToList();
            (HttpStatusCode? Status, bool Answered)[] codes = await Task.WhenAll(batch.Select(SendAsync));
            for (int i = 0; i < batch.Count; i++)
            {
                int code = (int?)codes[i].Status ?? 0;
                statuses[code] = statuses.GetValueOrDefault(code) + 1;
                // A 500 the agent answers on purpose, as the real agent does (a body that is not
                // multipart), comes as its JSON error; one without it is a crash.
                if (code >= 500 && code != 507 && code != 501 && !codes[i].Answered)
                {
                    serverErrors.Add($"{code} for {batch[i].Description}");
                }
            }
            sent += batch.Count;
            long rss = RssKiB();
            peakRss = Math.Max(peakRss, rss);
            if (warmRss == 0 && sent >= Requests / 5)
            {
                warmRss = rss;
            }
        }
        warmRss = warmRss == 0 ? peakRss : warmRss;

        output.WriteLine($"{sent} requests in {clock.Elapsed.TotalSeconds:0.0} s; statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        output.WriteLine($"RSS after warm-up {warmRss / 1024} MiB, peak {peakRss / 1024} MiB, end {RssKiB() / 1024} MiB");

        Assert.True(sent >= 500, $"only {sent} requests were sent");
        Assert.DoesNotContain(0, statuses.Keys); // no request went unanswered (0: the connection failed)
        Assert.Empty(serverErrors);
        using (HttpResponseMessage health = await _http.GetAsync(AgentHttpRoutes.Health))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
        using (HttpResponseMessage stat = await _http.SendAsync(Connect.ConnectWire.Json(
            "sandboxagent.Filesystem/Stat", $$"""{"path":"{{Home}}"}""", Token)))
        {
            Assert.Equal(HttpStatusCode.OK, stat.StatusCode);
        }
        // Flat: what the run holds at its end is not much more than what it held once warm.
        Assert.True(RssKiB() < warmRss + 150 * 1024, $"RSS grew from {warmRss / 1024} MiB after warm-up to {RssKiB() / 1024} MiB");
    }

    sealed record FuzzRequest(string Description, Func<HttpRequestMessage> Create);

    /// <summary>The status, and whether it came with the agent's own JSON error (X-Content-Type-Options is set only by it).</summary>
    async Task<(HttpStatusCode? Status, bool Answered)> SendAsync(FuzzRequest request)
    {
        try
        {
            using HttpRequestMessage message = request.Create();
            using HttpResponseMessage response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
            await using Stream body = await response.Content.ReadAsStreamAsync();
            byte[] sink = new byte[16 * 1024];
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                // Streams (Connect to a real pid) may not end by themselves: read a little, then let go.
                while (await body.ReadAsync(sink, limit.Token) > 0)
                {
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (HttpRequestException)
            {
            }
            catch (IOException)
            {
            }
            return (response.StatusCode, response.Headers.Contains("X-Content-Type-Options"));
        }
        catch (HttpRequestException e) when (e.StatusCode is null && e.HttpRequestError == HttpRequestError.ResponseEnded)
        {
            return (null, false);
        }
    }

    FuzzRequest NextRequest(Random random)
    {
        switch (random.Next(6))
        {
            case 0:
            case 1:
            {
                string procedure = ReadOnly[random.Next(ReadOnly.Length)];
                string type = ContentTypes[random.Next(ContentTypes.Length)];
                byte[] body = random.Next(3) switch
                {
                    0 => Encoding.UTF8.GetBytes(HostileJson(random)),
                    1 => Envelopes(random),
                    _ => Bytes(random, random.Next(0, 2048)),
                };
                return new($"{procedure} {type} {body.Length} B", () => Post(procedure, type, body));
            }
            case 2:
            {
                string procedure = Mutating[random.Next(Mutating.Length)];
                string type = ContentTypes[random.Next(ContentTypes.Length)];
                byte[] body = Unparseable(random);
                return new($"{procedure} {type} unparseable {body.Length} B", () => Post(procedure, type, body));
            }
            case 3:
            {
                string path = HostilePath(random);
                return new($"download {path.Length} chars", () => new HttpRequestMessage(HttpMethod.Get, AgentHttpRoutes.Download + "/" + Uri.EscapeDataString(path).Replace("%2F", "/")));
            }
            case 4:
            {
                byte[] body = Bytes(random, random.Next(0, 4096));
                string boundary = random.Next(2) == 0 ? "" : "b" + random.Next();
                return new($"upload of garbage, boundary '{boundary}'", () =>
                {
                    var message = new HttpRequestMessage(HttpMethod.Post, AgentHttpRoutes.Upload) { Content = new ByteArrayContent(body) };
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary}");
                    return message;
                });
            }
            default:
            {
                // A well-formed form whose file names are hostile; the destination, when given, stays in the home.
                string fileName = HostilePath(random);
                bool withPath = random.Next(2) == 0;
                byte[] content = Bytes(random, random.Next(0, 8192));
                string destination = Path.Combine(Home, "fuzz", "f" + random.Next(1000));
                return new($"upload named {fileName.Length} chars, path field {withPath}", () =>
                {
                    var form = new MultipartFormDataContent { { new ByteArrayContent(content), "file", SafeForHeader(fileName) } };
                    if (withPath)
                    {
                        form.Add(new StringContent(destination), "path");
                    }
                    return new HttpRequestMessage(HttpMethod.Post, AgentHttpRoutes.Upload) { Content = form };
                });
            }
        }
    }

    static HttpRequestMessage Post(string procedure, string contentType, byte[] body)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, procedure) { Content = new ByteArrayContent(body) };
        message.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if (contentType.StartsWith("application/grpc-web", StringComparison.Ordinal))
        {
            message.Headers.TryAddWithoutValidation("X-Grpc-Web", "1");
        }
        return message;
    }

    static byte[] Bytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Envelopes with random flags and lengths that may lie (short, long, huge).</summary>
    static byte[] Envelopes(Random random)
    {
        var body = new List<byte>();
        for (int i = random.Next(1, 4); i > 0; i--)
        {
            byte[] payload = Bytes(random, random.Next(0, 512));
            uint announced = random.Next(4) switch
            {
                0 => (uint)payload.Length + (uint)random.Next(1, 100),
                1 => (uint)random.Next(),
                _ => (uint)payload.Length,
            };
            body.Add((byte)random.Next(256));
            body.AddRange(BitConverter.GetBytes(announced).Reverse());
            body.AddRange(payload);
        }
        return [.. body];
    }

    /// <summary>A body no parser accepts: an invalid protobuf tag, which is also invalid JSON.</summary>
    static byte[] Unparseable(Random random) => [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, .. Bytes(random, random.Next(0, 256))];

    static string HostileJson(Random random)
    {
        string path = HostilePath(random);
        return random.Next(5) switch
        {
            0 => $$"""{"path":{{System.Text.Json.JsonSerializer.Serialize(path)}},"depth":{{random.Next(-5, 100)}}}""",
            1 => "{\"process\":{\"pid\":" + random.Next() + "},\"signal\":" + random.Next(-3, 40) + "}",
            2 => "{\"process\":{\"tag\":" + System.Text.Json.JsonSerializer.Serialize(path) + "},\"input\":{\"stdin\":\"" + Convert.ToBase64String(Bytes(random, 10)) + "\"}}",
            3 => "{\"path\":" + new string('[', random.Next(1, 5000)),
            _ => System.Text.Json.JsonSerializer.Serialize(path),
        };
    }

    static string HostilePath(Random random) => random.Next(8) switch
    {
        0 => "",
        1 => new string('a', random.Next(4000, 120_000)),
        2 => "../../../../etc/" + random.Next(),
        3 => "/tmp/nul\0" + random.Next(),
        4 => "ünï/日本語/😀/" + random.Next(),
        5 => "~/" + new string('/', random.Next(1, 50)) + "..",
        6 => string.Concat(Enumerable.Range(0, random.Next(1, 200)).Select(_ => (char)random.Next(1, 0xD7FF))),
        _ => "x/" + random.Next(),
    };

    /// <summary>
    /// A file name that .NET will put in a Content-Disposition header (no control characters, no
    /// quotes), and that is never absolute or from ~: without a path field the agent writes to the
    /// file name, and a fuzz run writes only inside the agent's home.
    /// </summary>
    static string SafeForHeader(string name)
    {
        string cleaned = new string(name.Where(c => c >= 0x20 && c != 0x7F && c != '"').Take(4000).ToArray()).TrimStart('/', '~');
        return cleaned.Length == 0 ? "empty" : cleaned;
    }

    long RssKiB()
    {
        foreach (string line in File.ReadLines($"/proc/{_agent.Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException("no VmRSS line");
    }
}
