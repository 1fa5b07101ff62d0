using ScaleBox.Sandbox.Protocol;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>POST /upload against the real agent over a real socket, checked by SHA-256 on both sides.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class UploadTests(LocalAgentFixture agent)
{
    [Fact]
    public async Task An_empty_file_round_trips()
    {
        string path = Path.Combine(agent.NewFolder("upload-empty"), "empty.bin");
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage upload = await client.UploadAsync(path, []);

        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal([("empty.bin", "file", path)], await FileEndpointClient.ReadEntriesAsync(upload));
        Assert.Equal(0, new FileInfo(path).Length);
        using HttpResponseMessage download = await client.DownloadAsync(path);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(0, download.Content.Headers.ContentLength);
        Assert.Empty(await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_100_MB_file_round_trips_streamed_both_ways()
    {
        const int chunk = 1024 * 1024, chunks = 100;
        string folder = agent.NewFolder("upload-large");
        string source = Path.Combine(Path.GetDirectoryName(agent.Home)!, "source-" + Guid.NewGuid().ToString("N") + ".bin");
        string destination = Path.Combine(folder, "large.bin");
        string expected;
        // Made on disk a chunk at a time: the test never holds 100 MB either.
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        await using (FileStream file = File.Create(source))
        {
            var random = new Random(20240607);
            byte[] buffer = new byte[chunk];
            for (int i = 0; i < chunks; i++)
            {
                random.NextBytes(buffer);
                hash.AppendData(buffer);
                await file.WriteAsync(buffer);
            }
            expected = Convert.ToHexString(hash.GetHashAndReset());
        }
        try
        {
            using var client = new FileEndpointClient(agent);

            using (HttpResponseMessage upload = await client.UploadFileAsync(destination, source))
            {
                Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
            }
            Assert.Equal(expected, await FileEndpointClient.Sha256OfFileAsync(destination));
            Assert.Empty(FileEndpointClient.LeftoverTemporaryFiles(folder));

            using HttpResponseMessage download = await client.DownloadAsync(destination);
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal((long)chunk * chunks, download.Content.Headers.ContentLength);
            await using Stream body = await download.Content.ReadAsStreamAsync();
            Assert.Equal(expected, await FileEndpointClient.Sha256Async(body));
        }
        finally
        {
            File.Delete(source);
            File.Delete(destination);
        }
    }

    [Fact]
    public async Task Content_that_almost_matches_the_boundary_across_read_buffer_edges_arrives_whole()
    {
        // The agent reads the form in large buffers: a near-boundary cut by the edge of one must be
        // taken as content, whichever byte the edge falls on (copies 22 bytes apart fall on each
        // edge at another byte).
        const string boundary = "edge-boundary-4c1d";
        byte[] nearBoundary = Encoding.ASCII.GetBytes("\r\n--" + boundary[..^1]);
        var content = new byte[300 * 1024];
        for (int offset = 0; offset + nearBoundary.Length <= content.Length; offset += nearBoundary.Length + 1)
        {
            nearBoundary.CopyTo(content, offset);
            content[offset + nearBoundary.Length] = (byte)'x'; // not the boundary's last character
        }
        string path = Path.Combine(agent.NewFolder("upload-edges"), "edges.bin");
        using var client = new FileEndpointClient(agent);
        using var form = new MultipartFormDataContent(boundary)
        {
            { new ByteArrayContent(content), AgentHttpRoutes.FileField, "edges.bin" },
            { new StringContent(path), AgentHttpRoutes.PathParameter },
        };

        using HttpResponseMessage upload = await client.Http.PostAsync(AgentHttpRoutes.Upload, form);

        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal(FileEndpointClient.Sha256(content), await FileEndpointClient.Sha256OfFileAsync(path));
    }

    [Theory]
    [InlineData("with space.txt")]
    [InlineData("hash#tag.txt")]
    [InlineData("per%cent.txt")]
    [InlineData("per%2Fcent.txt")]
    [InlineData("what?.txt")]
    [InlineData("plus+sign.txt")]
    [InlineData("ünïcødé 日本語.txt")]
    [InlineData("all of it #%? é 日.txt")]
    public async Task Names_with_spaces_hashes_percents_question_marks_and_non_ASCII_round_trip(string name)
    {
        string folder = Path.Combine(agent.NewFolder("upload-names"), "sub dir #?%é");
        string path = Path.Combine(folder, name);
        byte[] content = RandomNumberGenerator.GetBytes(4096);
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage upload = await client.UploadAsync(path, content);

        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal([(name, "file", path)], await FileEndpointClient.ReadEntriesAsync(upload));
        Assert.Equal([path], Directory.GetFiles(folder)); // exactly that name, nothing else beside it
        using HttpResponseMessage download = await client.DownloadAsync(path);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(FileEndpointClient.Sha256(content), FileEndpointClient.Sha256(await download.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task A_non_ASCII_file_name_sent_as_filename_star_lands_there_without_a_path_field()
    {
        // .NET's MultipartFormDataContent sends filename (MIME-encoded) and filename* (RFC 5987).
        string path = Path.Combine(agent.NewFolder("upload-star"), "naïve 文件.bin");
        byte[] content = RandomNumberGenerator.GetBytes(1000);
        using var client = new FileEndpointClient(agent);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(content), "file", path } };

        using HttpResponseMessage upload = await client.Http.PostAsync(AgentHttpRoutes.Upload, form);

        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal(FileEndpointClient.Sha256(content), await FileEndpointClient.Sha256OfFileAsync(path));
    }

    [Fact]
    public async Task Several_file_parts_in_one_request_each_go_to_their_own_file_name()
    {
        string folder = agent.NewFolder("upload-several");
        string[] paths = [Path.Combine(folder, "one.txt"), Path.Combine(folder, "b", "two.txt"), Path.Combine(folder, "c", "d", "three.txt")];
        byte[][] contents = paths.Select(_ => RandomNumberGenerator.GetBytes(3000)).ToArray();
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage upload = await client.Http.PostAsync(AgentHttpRoutes.Upload,
            new SdkMultipartContent(paths.Select((p, i) => FormPart.File(p, contents[i])).ToArray()));

        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal(paths.Select(p => (Path.GetFileName(p), "file", p)), await FileEndpointClient.ReadEntriesAsync(upload));
        for (int i = 0; i < paths.Length; i++)
        {
            Assert.Equal(FileEndpointClient.Sha256(contents[i]), await FileEndpointClient.Sha256OfFileAsync(paths[i]));
        }
    }

    [Fact]
    public async Task Several_files_each_followed_by_its_path_field_go_where_the_fields_say()
    {
        // The SDK's shape repeated, with bare local names as curl would send them: the n-th path
        // field names the n-th file part.
        string folder = agent.NewFolder("upload-pairs");
        string first = Path.Combine(folder, "x", "first.bin"), second = Path.Combine(folder, "y", "second.bin");
        byte[] one = RandomNumberGenerator.GetBytes(100), two = RandomNumberGenerator.GetBytes(200);
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage upload = await client.Http.PostAsync(AgentHttpRoutes.Upload, new SdkMultipartContent(
            FormPart.File("local-1.bin", one), FormPart.Field(AgentHttpRoutes.PathParameter, first),
            FormPart.File("local-2.bin", two), FormPart.Field(AgentHttpRoutes.PathParameter, second)));

        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal([("first.bin", "file", first), ("second.bin", "file", second)], await FileEndpointClient.ReadEntriesAsync(upload));
        Assert.Equal(FileEndpointClient.Sha256(one), await FileEndpointClient.Sha256OfFileAsync(first));
        Assert.Equal(FileEndpointClient.Sha256(two), await FileEndpointClient.Sha256OfFileAsync(second));
        Assert.False(File.Exists(Path.Combine(agent.Home, "local-1.bin")));
        Assert.Empty(FileEndpointClient.LeftoverTemporaryFiles(agent.Home));
    }

    [Fact]
    public async Task The_path_query_parameter_names_the_destination_whatever_the_file_name_says()
    {
        string path = Path.Combine(agent.NewFolder("upload-query"), "from query #1.txt");
        byte[] content = RandomNumberGenerator.GetBytes(512);
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage upload = await client.Http.PostAsync("upload?path=" + Uri.EscapeDataString(path),
            new SdkMultipartContent(FormPart.File("ignored-name.txt", content)));

        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal([("from query #1.txt", "file", path)], await FileEndpointClient.ReadEntriesAsync(upload));
        Assert.Equal(FileEndpointClient.Sha256(content), await FileEndpointClient.Sha256OfFileAsync(path));
        Assert.False(File.Exists(Path.Combine(agent.Home, "ignored-name.txt")));
    }

    [Theory]
    [InlineData("relative")]
    [InlineData("tilde")]
    public async Task Relative_and_tilde_paths_resolve_against_the_home(string form)
    {
        string folderName = Path.GetFileName(agent.NewFolder("upload-relative"));
        string requested = form == "tilde" ? $"~/{folderName}/r.txt" : $"{folderName}/r.txt";
        string expected = Path.Combine(agent.Home, folderName, "r.txt");
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage upload = await client.Http.PostAsync("upload?path=" + Uri.EscapeDataString(requested),
            new SdkMultipartContent(FormPart.File("r.txt", "hi"u8.ToArray())));

        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal([("r.txt", "file", expected)], await FileEndpointClient.ReadEntriesAsync(upload));
        Assert.Equal("hi", await File.ReadAllTextAsync(expected));
    }

    [Fact]
    public async Task Two_files_for_one_query_path_are_refused_after_the_first_is_written()
    {
        string path = Path.Combine(agent.NewFolder("upload-twice"), "once.txt");
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage upload = await client.Http.PostAsync("upload?path=" + Uri.EscapeDataString(path),
            new SdkMultipartContent(FormPart.File("a", "first"u8.ToArray()), FormPart.File("b", "second"u8.ToArray())));

        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
        (int code, string message) = await FileEndpointClient.ReadErrorAsync(upload);
        Assert.Equal(400, code);
        Assert.Contains("multiple files to the same path", message, StringComparison.Ordinal);
        Assert.Equal("first", await File.ReadAllTextAsync(path));
        Assert.Empty(FileEndpointClient.LeftoverTemporaryFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public async Task Missing_parent_directories_are_created()
    {
        string folder = agent.NewFolder("upload-parents");
        string path = Path.Combine(folder, "a", "b b", "c#", "deep.txt");
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage upload = await client.UploadAsync(path, "deep"u8.ToArray());

        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal("deep", await File.ReadAllTextAsync(path));
    }

    [Theory]
    [InlineData("field")]
    [InlineData("query")]
    public async Task A_directory_as_target_is_400_and_leaves_nothing_behind(string via)
    {
        string folder = agent.NewFolder("upload-dir");
        string target = Path.Combine(folder, "a directory");
        Directory.CreateDirectory(target);
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage upload = via == "field"
            ? await client.UploadAsync(target, "x"u8.ToArray())
            : await client.Http.PostAsync("upload?path=" + Uri.EscapeDataString(target), new SdkMultipartContent(FormPart.File("x", "x"u8.ToArray())));

        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
        (int code, string message) = await FileEndpointClient.ReadErrorAsync(upload);
        Assert.Equal(400, code);
        Assert.Contains("is a directory", message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(target));
        Assert.Equal([target], Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public async Task Replacing_a_file_keeps_its_permissions()
    {
        string path = Path.Combine(agent.NewFolder("upload-replace"), "run.sh");
        await File.WriteAllTextAsync(path, "old");
        const UnixFileMode executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        File.SetUnixFileMode(path, executable);
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage upload = await client.UploadAsync(path, "#!/bin/sh\necho new\n"u8.ToArray());

        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal("#!/bin/sh\necho new\n", await File.ReadAllTextAsync(path));
        Assert.Equal(executable, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task An_upload_through_a_symlink_replaces_the_file_it_points_to()
    {
        string folder = agent.NewFolder("upload-link");
        string real = Path.Combine(folder, "real.txt"), link = Path.Combine(folder, "link.txt");
        await File.WriteAllTextAsync(real, "old");
        File.CreateSymbolicLink(link, real);
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage upload = await client.UploadAsync(link, "new"u8.ToArray());

        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Equal(real, new FileInfo(link).LinkTarget);
        Assert.Equal("new", await File.ReadAllTextAsync(real));
    }

    [Fact]
    public async Task Without_the_token_an_upload_is_401_and_writes_nothing()
    {
        string path = Path.Combine(agent.NewFolder("upload-noauth"), "nope.txt");

        foreach (FileEndpointClient client in new[] { new FileEndpointClient(agent, authenticated: false), new FileEndpointClient(agent, accessToken: "wrong-token") })
        {
            using (client)
            using (HttpResponseMessage upload = await client.UploadAsync(path, "x"u8.ToArray()))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, upload.StatusCode);
                Assert.Equal(401, (await FileEndpointClient.ReadErrorAsync(upload)).Code);
            }
        }
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task A_body_that_is_not_multipart_is_500_in_the_real_agent_words()
    {
        // The real agent answers what Go's Request.MultipartReader refuses with 500.
        using var client = new FileEndpointClient(agent);

        using HttpResponseMessage upload = await client.Http.PostAsync("upload?path=x.txt", new StringContent("just text"));

        Assert.Equal(HttpStatusCode.InternalServerError, upload.StatusCode);
        Assert.Equal((500, "error parsing multipart form: request Content-Type isn't multipart/form-data"), await FileEndpointClient.ReadErrorAsync(upload));
    }
}
