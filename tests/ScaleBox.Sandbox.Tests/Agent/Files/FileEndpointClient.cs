using ScaleBox.Sandbox.Protocol;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>
/// Plain HttpClient access to the agent's /upload and /download over a real loopback socket, with
/// the headers the official SDK sends (<c>Authorization: Bearer root</c> + <c>X-Access-Token</c>).
/// </summary>
public sealed class FileEndpointClient : IDisposable
{
    public FileEndpointClient(LocalAgentFixture agent, bool authenticated = true, string? accessToken = null)
    {
        Http = new HttpClient { BaseAddress = agent.HttpAddress, Timeout = TimeSpan.FromMinutes(2) };
        if (authenticated)
        {
            Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "root");
            Http.DefaultRequestHeaders.Add("X-Access-Token", accessToken ?? agent.AccessToken);
        }
    }

    public HttpClient Http { get; }

    /// <summary>The download URL of an absolute path: no leading slash, every segment percent-encoded.</summary>
    public static string DownloadUrl(string path) =>
        AgentHttpRoutes.Download + "/" + string.Join('/', path.TrimStart('/').Split('/').Select(Uri.EscapeDataString));

    /// <summary>An upload as the official SDK makes it: a file part named by the destination, then a path field.</summary>
    public Task<HttpResponseMessage> UploadAsync(string destination, byte[] content) =>
        Http.PostAsync(AgentHttpRoutes.Upload, new SdkMultipartContent(FormPart.File(destination, content), FormPart.Field(AgentHttpRoutes.PathParameter, destination)));

    public Task<HttpResponseMessage> UploadFileAsync(string destination, string localPath) =>
        Http.PostAsync(AgentHttpRoutes.Upload, new SdkMultipartContent(FormPart.LocalFile(destination, localPath), FormPart.Field(AgentHttpRoutes.PathParameter, destination)));

    public Task<HttpResponseMessage> DownloadAsync(string path) =>
        Http.GetAsync(DownloadUrl(path), HttpCompletionOption.ResponseHeadersRead);

    public void Dispose() => Http.Dispose();

    public static string Sha256(byte[] content) => Convert.ToHexString(SHA256.HashData(content));

    public static async Task<string> Sha256Async(Stream content) => Convert.ToHexString(await SHA256.HashDataAsync(content));

    public static async Task<string> Sha256OfFileAsync(string path)
    {
        await using FileStream file = File.OpenRead(path);
        return await Sha256Async(file);
    }

    /// <summary>The upload's JSON answer: E2B's array of {name, type, path}.</summary>
    public static async Task<List<(string Name, string Type, string Path)>> ReadEntriesAsync(HttpResponseMessage response)
    {
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("name").GetString()!, e.GetProperty("type").GetString()!, e.GetProperty("path").GetString()!))
            .ToList();
    }

    /// <summary>An error answer: JSON {code, message}, code equal to the HTTP status.</summary>
    public static async Task<(int Code, string Message)> ReadErrorAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (json.RootElement.GetProperty("code").GetInt32(), json.RootElement.GetProperty("message").GetString()!);
    }

    /// <summary>Temporary files an upload leaves behind in <paramref name="directory"/> (there must be none once it is over).</summary>
    public static string[] LeftoverTemporaryFiles(string directory) =>
        Directory.Exists(directory) ? Directory.GetFiles(directory, ScaleBox.Sandbox.Agent.Files.StagedFile.TemporaryPrefix + "*") : [];
}
