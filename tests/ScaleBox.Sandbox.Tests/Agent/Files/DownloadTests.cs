using ScaleBox.Sandbox.Protocol;
using System.Net;
using System.Net.Http.Headers;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>GET /download/&lt;path&gt; served like Go's http.ServeContent: ranges, validators, conditional requests.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class DownloadTests(LocalAgentFixture agent)
{
    static readonly byte[] Hundred = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();

    async Task<string> HundredByteFileAsync(string purpose)
    {
        string path = Path.Combine(agent.NewFolder(purpose), "hundred.bin");
        await File.WriteAllBytesAsync(path, Hundred);
        return path;
    }

    HttpRequestMessage Get(string path) => new(HttpMethod.Get, FileEndpointClient.DownloadUrl(path));

    /// <summary>A new 100-byte file downloaded with the Range header given as it is, however malformed.</summary>
    async Task<HttpResponseMessage> GetHundredBytesAsync(string purpose, string range)
    {
        string path = await HundredByteFileAsync(purpose);
        using var client = new FileEndpointClient(agent);
        using HttpRequestMessage request = Get(path);
        request.Headers.TryAddWithoutValidation("Range", range);
        return await client.Http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
    }

    [Fact]
    public async Task A_whole_file_comes_with_its_length_and_validators()
    {
        string path = await HundredByteFileAsync("download-whole");
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage response = await client.DownloadAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(100, response.Content.Headers.ContentLength);
        Assert.Equal(Hundred, await response.Content.ReadAsByteArrayAsync());
        Assert.NotNull(response.Headers.ETag);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.Equal(new DateTimeOffset(File.GetLastWriteTimeUtc(path)).ToUnixTimeSeconds(), response.Content.Headers.LastModified?.ToUnixTimeSeconds());
        Assert.Contains("bytes", response.Headers.AcceptRanges);
    }

    [Theory]
    [InlineData("bytes=10-19", 10, 19)]
    [InlineData("bytes=95-", 95, 99)]
    [InlineData("bytes=-5", 95, 99)]
    [InlineData("bytes=0-0", 0, 0)]
    [InlineData("bytes=90-1000", 90, 99)]
    public async Task A_range_is_206_with_exactly_those_bytes(string range, int first, int last)
    {
        using HttpResponseMessage response = await GetHundredBytesAsync("download-range", range);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(Hundred[first..(last + 1)], await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(last - first + 1, response.Content.Headers.ContentLength);
        Assert.Equal(new ContentRangeHeaderValue(first, last, 100), response.Content.Headers.ContentRange);
    }

    [Fact]
    public async Task A_range_past_the_end_is_416()
    {
        string path = await HundredByteFileAsync("download-416");
        using var client = new FileEndpointClient(agent);
        using HttpRequestMessage request = Get(path);
        request.Headers.Range = new RangeHeaderValue(200, 300);

        using HttpResponseMessage response = await client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal("bytes */100", response.Content.Headers.ContentRange?.ToString());
        // Go's http.Error: the reason as a line of text, without the file's validators.
        Assert.Equal("invalid range: failed to overlap\n", await response.Content.ReadAsStringAsync());
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Null(response.Headers.ETag);
        Assert.Null(response.Content.Headers.LastModified);
    }

    [Theory]
    [InlineData("bytes=abc")]
    [InlineData("items=0-9")]
    [InlineData("bytes=20-10")]
    public async Task A_malformed_range_is_416_with_the_reason(string range)
    {
        using HttpResponseMessage response = await GetHundredBytesAsync("download-bad-range", range);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal("invalid range\n", await response.Content.ReadAsStringAsync());
        Assert.Null(response.Content.Headers.ContentRange);
    }

    [Fact]
    public async Task Several_ranges_are_one_multipart_answer_laid_out_as_Go_lays_it_out()
    {
        using HttpResponseMessage response = await GetHundredBytesAsync("download-multi", "bytes=0-9, 95-, -3");

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        MediaTypeHeaderValue type = response.Content.Headers.ContentType!;
        Assert.Equal("multipart/byteranges", type.MediaType);
        string boundary = type.Parameters.Single(p => p.Name == "boundary").Value!;
        Assert.Matches("^[0-9a-f]{60}$", boundary);
        Assert.Null(response.Content.Headers.ContentRange);

        byte[] Part(string head, int first, int last) =>
            [.. System.Text.Encoding.ASCII.GetBytes(head + $"--{boundary}\r\nContent-Range: bytes {first}-{last}/100\r\nContent-Type: application/octet-stream\r\n\r\n"), .. Hundred[first..(last + 1)]];
        byte[] expected =
        [
            .. Part("", 0, 9),
            .. Part("\r\n", 95, 99),
            .. Part("\r\n", 97, 99),
            .. System.Text.Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n"),
        ];
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(expected, body);
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
    }

    [Theory]
    [InlineData("bytes=0-99,0-99")]
    [InlineData("bytes=0-60,40-99")]
    public async Task Ranges_asking_for_more_than_the_file_get_the_whole_file(string range)
    {
        using HttpResponseMessage response = await GetHundredBytesAsync("download-greedy", range);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Hundred, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task An_empty_file_ignores_a_range()
    {
        string path = Path.Combine(agent.NewFolder("download-empty-range"), "empty");
        await File.WriteAllBytesAsync(path, []);
        using var client = new FileEndpointClient(agent);
        using HttpRequestMessage request = Get(path);
        request.Headers.Range = new RangeHeaderValue(0, 10);

        using HttpResponseMessage response = await client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task If_Match_and_If_Unmodified_Since_that_fail_are_412()
    {
        string path = await HundredByteFileAsync("download-412");
        File.SetLastWriteTimeUtc(path, new DateTime(2022, 2, 2, 2, 2, 2, DateTimeKind.Utc));
        using var client = new FileEndpointClient(agent);
        EntityTagHeaderValue etag;
        using (HttpResponseMessage first = await client.DownloadAsync(path))
        {
            etag = first.Headers.ETag!;
        }

        using HttpRequestMessage otherTag = Get(path);
        otherTag.Headers.IfMatch.Add(new EntityTagHeaderValue("\"something-else\""));
        using HttpResponseMessage failed = await client.Http.SendAsync(otherTag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, failed.StatusCode);
        Assert.Empty(await failed.Content.ReadAsByteArrayAsync());

        Assert.Equal(HttpStatusCode.OK, await StatusWhenAsync(client, path, h => h.IfMatch.Add(etag)));
        Assert.Equal(HttpStatusCode.PreconditionFailed, await StatusWhenAsync(client, path, h => h.IfUnmodifiedSince = new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(HttpStatusCode.OK, await StatusWhenAsync(client, path, h => h.IfUnmodifiedSince = new DateTimeOffset(2022, 2, 2, 2, 2, 2, TimeSpan.Zero)));
    }

    /// <summary>The status of a download of <paramref name="path"/> with the request headers that <paramref name="condition"/> sets.</summary>
    async Task<HttpStatusCode> StatusWhenAsync(FileEndpointClient client, string path, Action<HttpRequestHeaders> condition)
    {
        using HttpRequestMessage request = Get(path);
        condition(request.Headers);
        using HttpResponseMessage response = await client.Http.SendAsync(request);
        return response.StatusCode;
    }

    [Theory]
    [InlineData("page.html", "hello", "text/html; charset=utf-8")]
    [InlineData("data.json", "{}", "application/json")]
    [InlineData("run", "#!/bin/sh\necho hi\n", "text/plain; charset=utf-8")]
    [InlineData("index", "<!DOCTYPE html><title>t</title>", "text/html; charset=utf-8")]
    [InlineData("picture", "\u0089PNG\r\n\u001A\n\u0000\u0000\u0000\rIHDR", "image/png")]
    [InlineData("blob", "\u0000\u0001\u0002\u0003", "application/octet-stream")]
    public async Task The_type_comes_from_the_name_or_else_from_the_first_bytes(string name, string latin1Content, string expected)
    {
        string path = Path.Combine(agent.NewFolder("download-type"), name);
        await File.WriteAllBytesAsync(path, System.Text.Encoding.Latin1.GetBytes(latin1Content));
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage response = await client.DownloadAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, response.Content.Headers.ContentType?.ToString());
        Assert.Equal(System.Text.Encoding.Latin1.GetBytes(latin1Content), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task If_Range_with_a_stale_ETag_gets_the_whole_new_file_and_with_the_current_one_the_range()
    {
        string path = await HundredByteFileAsync("download-ifrange");
        using var client = new FileEndpointClient(agent);
        EntityTagHeaderValue stale;
        using (HttpResponseMessage first = await client.DownloadAsync(path))
        {
            stale = first.Headers.ETag!;
        }
        // Same size, new content, uploaded (so replaced by rename): the tag must change.
        byte[] changed = Enumerable.Reverse(Hundred).ToArray();
        using (HttpResponseMessage upload = await client.UploadAsync(path, changed))
        {
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        }

        using HttpRequestMessage staleRequest = Get(path);
        staleRequest.Headers.Range = new RangeHeaderValue(0, 9);
        staleRequest.Headers.IfRange = new RangeConditionHeaderValue(stale);
        using HttpResponseMessage full = await client.Http.SendAsync(staleRequest);
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        Assert.Equal(changed, await full.Content.ReadAsByteArrayAsync());
        Assert.NotEqual(stale, full.Headers.ETag);

        using HttpRequestMessage currentRequest = Get(path);
        currentRequest.Headers.Range = new RangeHeaderValue(0, 9);
        currentRequest.Headers.IfRange = new RangeConditionHeaderValue(full.Headers.ETag!);
        using HttpResponseMessage partial = await client.Http.SendAsync(currentRequest);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(changed[..10], await partial.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_ETag_changes_when_the_file_is_written_in_place()
    {
        string path = await HundredByteFileAsync("download-etag");
        using var client = new FileEndpointClient(agent);
        EntityTagHeaderValue before;
        using (HttpResponseMessage first = await client.DownloadAsync(path))
        {
            before = first.Headers.ETag!;
        }

        // Same size, same inode, modification time moved by less than a second.
        await using (FileStream file = new(path, FileMode.Open, FileAccess.Write))
        {
            file.WriteByte(0xFF);
        }
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddTicks(1));

        using HttpResponseMessage after = await client.DownloadAsync(path);
        Assert.NotEqual(before, after.Headers.ETag);
    }

    [Fact]
    public async Task If_None_Match_with_the_current_ETag_is_304_and_with_another_200()
    {
        string path = await HundredByteFileAsync("download-inm");
        using var client = new FileEndpointClient(agent);
        EntityTagHeaderValue etag;
        using (HttpResponseMessage first = await client.DownloadAsync(path))
        {
            etag = first.Headers.ETag!;
        }

        using HttpRequestMessage same = Get(path);
        same.Headers.IfNoneMatch.Add(etag);
        using HttpResponseMessage notModified = await client.Http.SendAsync(same);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        // As Go writes a 304: the tag stays; the date (the tag says more) and the type go.
        Assert.Equal(etag, notModified.Headers.ETag);
        Assert.Null(notModified.Content.Headers.LastModified);
        Assert.Null(notModified.Content.Headers.ContentType);

        using HttpRequestMessage other = Get(path);
        other.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"something-else\""));
        using HttpResponseMessage modified = await client.Http.SendAsync(other);
        Assert.Equal(HttpStatusCode.OK, modified.StatusCode);
        Assert.Equal(Hundred, await modified.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task If_Modified_Since_is_304_when_unchanged_and_200_when_changed_since()
    {
        string path = await HundredByteFileAsync("download-ims");
        File.SetLastWriteTimeUtc(path, new DateTime(2022, 2, 2, 2, 2, 2, DateTimeKind.Utc));
        using var client = new FileEndpointClient(agent);

        Assert.Equal(HttpStatusCode.NotModified, await StatusWhenAsync(client, path, h => h.IfModifiedSince = new DateTimeOffset(2022, 2, 2, 2, 2, 2, TimeSpan.Zero)));
        Assert.Equal(HttpStatusCode.OK, await StatusWhenAsync(client, path, h => h.IfModifiedSince = new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public async Task A_missing_file_is_404_with_a_JSON_error()
    {
        string path = Path.Combine(agent.NewFolder("download-missing"), "not here #1.txt");
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage response = await client.DownloadAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        (int code, string message) = await FileEndpointClient.ReadErrorAsync(response);
        Assert.Equal(404, code);
        Assert.Contains(path, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_is_400_with_a_JSON_error()
    {
        string folder = agent.NewFolder("download-dir");
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage response = await client.DownloadAsync(folder);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        (int code, string message) = await FileEndpointClient.ReadErrorAsync(response);
        Assert.Equal(400, code);
        Assert.Contains("is a directory", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tilde_names_the_home()
    {
        string folder = agent.NewFolder("download-tilde");
        await File.WriteAllTextAsync(Path.Combine(folder, "t.txt"), "tilde");
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage response = await client.Http.GetAsync($"{AgentHttpRoutes.Download}/~/{Path.GetFileName(folder)}/t.txt");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("tilde", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Without_the_token_a_download_is_401()
    {
        string path = await HundredByteFileAsync("download-noauth");
        using var client = new FileEndpointClient(agent, authenticated: false);

        using HttpResponseMessage response = await client.DownloadAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(401, (await FileEndpointClient.ReadErrorAsync(response)).Code);
    }
}
