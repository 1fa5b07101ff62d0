using ScaleBox.Sandbox.Protocol;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>
/// An upload whose connection dies halfway, sent by hand over a raw socket: the headers and part of
/// the multipart body, then a close. Nothing may appear under the final name, no temporary file
/// may stay behind, and a file that was being replaced must keep its old content.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class CutUploadTests(LocalAgentFixture agent)
{
    const string Boundary = "cut-upload-boundary-7f3a";
    const int Sent = 1024 * 1024;
    const long Declared = 64L * 1024 * 1024;

    [Theory]
    [InlineData("query", false)] // destination known up front: the temporary file sits beside it
    [InlineData("sdk", false)]   // SDK shape: the path field that would follow the file never comes
    [InlineData("query", true)]  // the connection is reset rather than closed
    public async Task A_cut_upload_leaves_no_file_and_no_temporary_file(string shape, bool reset)
    {
        string folder = agent.NewFolder("upload-cut");
        string destination = Path.Combine(folder, "cut #1.bin");

        await SendHalfAnUploadAndCloseAsync(destination, viaQuery: shape == "query", reset);

        Assert.True(await Eventually.TrueAsync(() => FileEndpointClient.LeftoverTemporaryFiles(folder).Length == 0),
            "the temporary file of the cut upload was not removed");
        Assert.False(File.Exists(destination));
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public async Task A_cut_upload_over_an_existing_file_leaves_its_old_content()
    {
        string folder = agent.NewFolder("upload-cut-replace");
        string destination = Path.Combine(folder, "keep.txt");
        await File.WriteAllTextAsync(destination, "old content");

        await SendHalfAnUploadAndCloseAsync(destination, viaQuery: true, reset: false);

        Assert.True(await Eventually.TrueAsync(() => FileEndpointClient.LeftoverTemporaryFiles(folder).Length == 0),
            "the temporary file of the cut upload was not removed");
        Assert.Equal("old content", await File.ReadAllTextAsync(destination));
        Assert.Equal([destination], Directory.GetFileSystemEntries(folder));
    }

    async Task SendHalfAnUploadAndCloseAsync(string destination, bool viaQuery, bool reset)
    {
        string folder = Path.GetDirectoryName(destination)!;
        string target = viaQuery ? $"/{AgentHttpRoutes.Upload}?{AgentHttpRoutes.PathParameter}=" + Uri.EscapeDataString(destination) : "/" + AgentHttpRoutes.Upload;
        string headers =
            $"POST {target} HTTP/1.1\r\n" +
            $"Host: 127.0.0.1:{agent.HttpAddress.Port}\r\n" +
            "Authorization: Bearer root\r\n" +
            $"X-Access-Token: {agent.AccessToken}\r\n" +
            $"Content-Type: multipart/form-data; boundary={Boundary}\r\n" +
            $"Content-Length: {Declared}\r\n\r\n";
        string partHeader =
            $"--{Boundary}\r\n" +
            $"Content-Disposition: form-data; name=\"file\"; filename=\"{destination}\"\r\n" +
            "Content-Type: application/octet-stream\r\n\r\n";

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, agent.HttpAddress.Port);
        NetworkStream stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(headers));
        await stream.WriteAsync(Encoding.UTF8.GetBytes(partHeader));
        byte[] chunk = new byte[64 * 1024];
        Random.Shared.NextBytes(chunk);
        for (int sent = 0; sent < Sent; sent += chunk.Length)
        {
            await stream.WriteAsync(chunk);
        }
        await stream.FlushAsync();

        // The agent streams to a temporary file as the bytes come; wait until it has some, so the
        // cut happens mid-file and not before the upload began.
        Assert.True(await Eventually.TrueAsync(() => FileEndpointClient.LeftoverTemporaryFiles(folder).Any(f => new FileInfo(f).Length > 0)),
            "the agent never started writing the upload to a temporary file");
        Assert.NotEqual(Declared, new FileInfo(FileEndpointClient.LeftoverTemporaryFiles(folder)[0]).Length);

        if (reset)
        {
            tcp.Client.LingerState = new LingerOption(enable: true, seconds: 0);
        }
        tcp.Close();
    }
}
