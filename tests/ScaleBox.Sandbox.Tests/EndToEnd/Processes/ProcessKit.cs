using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Processes;

/// <summary>Shared moves of the process tests: run to the end, bounded waits, and cleaning up.</summary>
static class ProcessKit
{
    /// <summary>Bounds every wait: a hang fails the test instead of stalling the run.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task<ProcessRun> RunAsync(this SandboxProcesses processes, SandboxProcessStartInfo info)
    {
        using var patience = new CancellationTokenSource(Patience);
        var events = new List<SandboxProcessEvent>();
        await foreach (SandboxProcessEvent e in processes.StartAsync(info, patience.Token))
        {
            events.Add(e);
        }
        return new ProcessRun(events);
    }

    public static Task<ProcessRun> RunAsync(this SandboxProcesses processes, string command) =>
        processes.RunAsync(SandboxProcessStartInfo.ForCommand(command));

    /// <summary>A tag no other test uses.</summary>
    public static string UniqueTag(string purpose) => purpose + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>SIGKILL, ignoring a process that has already ended or is gone: for finally blocks.</summary>
    public static async Task KillQuietlyAsync(this SandboxClient client, SandboxProcessSelector selector)
    {
        try
        {
            using var patience = new CancellationTokenSource(Patience);
            await client.Processes.SendSignalAsync(selector, SandboxSignal.Kill, patience.Token);
        }
        catch (SandboxException e) when (e.Code is SandboxErrorCode.NotFound or SandboxErrorCode.FailedPrecondition)
        {
        }
    }

    public static async Task KillQuietlyAsync(this SandboxClient client, uint? pid)
    {
        if (pid is uint known)
        {
            await client.KillQuietlyAsync(SandboxProcessSelector.ByPid(known));
        }
    }
}
