// The least any .NET client pays for an upload: a plain HttpClient posting the file as the module
// does (one multipart/form-data request to /upload, the file part streamed from disk with a
// Content-Length, then the path field), with none of the module's planning, staging name, move,
// progress or watchdog. bench/transfer.ps1 compiles it with Add-Type in a fresh pwsh and times its
// first upload next to the module's first copy and curl's, so that what a fresh .NET process costs
// (the runtime compiling the code the copy runs through) shows apart from what the module adds.
using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

public static class BareHttpUpload
{
    const int BufferSize = 128 * 1024; // as the module's upload buffer

    static readonly HttpClient Client = new HttpClient(new SocketsHttpHandler()) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Uploads <paramref name="localPath"/> to <paramref name="remotePath"/>; throws unless the agent answers 200.</summary>
    public static void Upload(string uploadUrl, string accessToken, string localPath, string remotePath)
    {
        using var form = new MultipartFormDataContent("bare-" + Guid.NewGuid().ToString("N"));
        var file = new FileContent(localPath);
        file.Headers.TryAddWithoutValidation("Content-Disposition", "form-data; name=\"file\"; filename=\"upload\"");
        form.Add(file);
        form.Add(new StringContent(remotePath), "path");
        using var request = new HttpRequestMessage(HttpMethod.Post, uploadUrl) { Content = form };
        request.Headers.Add("X-Access-Token", accessToken);
        using HttpResponseMessage response = Client.SendAsync(request).GetAwaiter().GetResult();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"The agent answered {(int)response.StatusCode}: {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
        }
    }

    sealed class FileContent : HttpContent
    {
        readonly string _path;

        public FileContent(string path) => _path = path;

        protected override bool TryComputeLength(out long length)
        {
            length = new FileInfo(_path).Length;
            return true;
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext context)
        {
            byte[] buffer = new byte[BufferSize];
            using var source = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            int read;
            while ((read = await source.ReadAsync(buffer, 0, buffer.Length).ConfigureAwait(false)) > 0)
            {
                await stream.WriteAsync(buffer, 0, read).ConfigureAwait(false);
            }
        }
    }
}
