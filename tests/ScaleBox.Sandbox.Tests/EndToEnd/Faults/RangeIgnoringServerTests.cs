using System.Text;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure.FaultInjection;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Faults;

/// <summary>
/// A server that answers a range request with the whole file (the real agent never does): the last
/// lines of a file are asked for with a suffix range, and such an answer is refused rather than read
/// whole, however large the file.
/// </summary>
public sealed class RangeIgnoringServerTests
{
    [Fact]
    public async Task The_last_lines_asked_of_a_server_that_ignores_ranges_are_refused_not_read_whole()
    {
        byte[] whole = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(1, 20_000).Select(i => $"line {i}\n")));
        await using var server = new ScriptedHttpServer("text/plain", whole);
        using var client = new SandboxClient(new SandboxClientOptions(SandboxEndpoint.Parse($"127.0.0.1:{server.Port}"), new AccessToken("token"))
        {
            Timeout = TimeSpan.FromSeconds(10),
        });

        SandboxException error = await Assert.ThrowsAsync<SandboxException>(() => client.Transfer.ReadLastLinesAsync("/var/log/app.log", 3).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(SandboxErrorCode.Unimplemented, error.Code);
        Assert.Contains("whole file", error.Message, StringComparison.Ordinal);
        string request = Encoding.ASCII.GetString(Assert.Single(server.Requests));
        Assert.StartsWith("GET /download/var/log/app.log ", request, StringComparison.Ordinal);
        Assert.Contains("Range: bytes=-65536\r\n", request, StringComparison.Ordinal);
    }
}
