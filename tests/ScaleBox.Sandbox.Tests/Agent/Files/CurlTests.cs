using System.Security.Cryptography;
using System.Text.Json;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>The API documentation's curl examples, run with the real curl against the real agent.</summary>
[Collection(LocalAgentCollection.Name)]
public sealed class CurlTests(LocalAgentFixture agent)
{
    string Headers => $"Authorization: Bearer root\nX-Access-Token: {agent.AccessToken}\n";

    string BaseUrl => $"http://127.0.0.1:{agent.HttpAddress.Port}";

    [CurlFact]
    public async Task The_documented_curl_upload_puts_the_file_at_the_path_field()
    {
        // curl -X POST https://$DOMAIN/upload -H ... -F "file=@./script.py" -F "path=/tmp/script.py"
        string folder = agent.NewFolder("curl-upload");
        string local = Path.Combine(Path.GetDirectoryName(agent.Home)!, "script-" + Guid.NewGuid().ToString("N")[..8] + ".py");
        byte[] content = RandomNumberGenerator.GetBytes(200_000);
        await File.WriteAllBytesAsync(local, content);
        string destination = Path.Combine(folder, "new dir", "script.py");
        try
        {
            (int exit, string output, string error) = await Curl.RunAsync(
                ["-sS", "-X", "POST", $"{BaseUrl}/upload", "-F", $"file=@{local}", "-F", $"path={destination}", "-w", "\n%{http_code}"],
                Headers);

            Assert.True(exit == 0, $"curl failed ({exit}): {error}");
            string[] lines = output.Split('\n');
            Assert.Equal("200", lines[^1]);
            using JsonDocument json = JsonDocument.Parse(lines[0]);
            Assert.Equal(destination, json.RootElement[0].GetProperty("path").GetString());
            Assert.Equal(FileEndpointClient.Sha256(content), await FileEndpointClient.Sha256OfFileAsync(destination));
            Assert.False(File.Exists(Path.Combine(agent.Home, Path.GetFileName(local))));
        }
        finally
        {
            File.Delete(local);
        }
    }

    [CurlFact]
    public async Task The_documented_curl_download_fetches_the_file_and_ranges_work()
    {
        string path = Path.Combine(agent.NewFolder("curl-download"), "odd #name? 100% ü.bin");
        byte[] content = RandomNumberGenerator.GetBytes(300_000);
        await File.WriteAllBytesAsync(path, content);
        string output = Path.Combine(Path.GetDirectoryName(agent.Home)!, "curl-out-" + Guid.NewGuid().ToString("N")[..8]);
        string url = $"{BaseUrl}/{FileEndpointClient.DownloadUrl(path)}";
        try
        {
            (int exit, string status, string error) = await Curl.RunAsync(["-sS", "-g", "-L", url, "-o", output, "-w", "%{http_code}"], Headers);
            Assert.True(exit == 0, $"curl failed ({exit}): {error}");
            Assert.Equal("200", status);
            Assert.Equal(FileEndpointClient.Sha256(content), await FileEndpointClient.Sha256OfFileAsync(output));

            (exit, status, error) = await Curl.RunAsync(["-sS", "-g", "-r", "1000-1999", url, "-o", output, "-w", "%{http_code}"], Headers);
            Assert.True(exit == 0, $"curl failed ({exit}): {error}");
            Assert.Equal("206", status);
            Assert.Equal(content[1000..2000], await File.ReadAllBytesAsync(output));
        }
        finally
        {
            File.Delete(output);
        }
    }
}
