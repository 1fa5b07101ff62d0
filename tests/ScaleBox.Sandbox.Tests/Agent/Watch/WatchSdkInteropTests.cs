using System.Text.Json;
using ScaleBox.Sandbox.Tests.Agent.Processes;
using ScaleBox.Sandbox.Tests.Connect;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Watch;

/// <summary>
/// The official @scalebox/sdk 3.7.0 (tests/interop/sdk-watch.mjs) watching folders on the agent
/// over Connect in JSON, as a JavaScript user would: the streaming watchDir, stopped by leaving its
/// loop, and the polling createWatcher / getEvents / remove.
/// </summary>
[Collection(LocalAgentCollection.Name)]
public sealed class WatchSdkInteropTests(LocalAgentFixture agent)
{
    [NodeInteropFact]
    public async Task The_sdk_watches_a_folder_by_stream_and_by_polling()
    {
        string folder = agent.NewFolder("sdk-watch");
        int before = InotifyWatches.Count();

        JsonElement seen = await NodeInterop.RunScriptAsync("sdk-watch.mjs", agent.HttpAddress.GetLeftPart(UriPartial.Authority),
            JsonSerializer.Serialize(new { token = agent.AccessToken, folder }));

        JsonElement streaming = seen.GetProperty("streaming");
        string[] expected = ["create a.txt", "write a.txt", "rename a.txt", "create b.txt", "create sub", "create sub/c.txt", "write sub/c.txt", "remove b.txt"];
        Assert.Equal(expected, Strings(streaming.GetProperty("events")).Distinct());
        Assert.Contains($"{folder}/stream/sub/c.txt", Strings(streaming.GetProperty("paths")));

        JsonElement polling = seen.GetProperty("polling");
        Assert.False(string.IsNullOrEmpty(polling.GetProperty("id").GetString()));
        Assert.Equal(["create x.txt", "write x.txt", "remove x.txt"], Strings(polling.GetProperty("events")).Distinct());
        Assert.Contains("gRPC 5: [not_found] watcher with id", polling.GetProperty("afterRemove").GetString());
        Assert.Contains("gRPC 5: [not_found] path not found", polling.GetProperty("missing").GetString());

        // The stopped stream and the removed watcher hold no inotify watch any more.
        Assert.True(await InotifyWatches.WaitForAsync(n => n <= before, ProcessRpc.Patience) <= before, "the SDK's watches were not freed");
    }

    static IEnumerable<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!);
}
