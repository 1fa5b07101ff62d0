using System.Text;
using ScaleBox.Sandbox.Client.Processes;

namespace ScaleBox.Sandbox.Tests.EndToEnd.Processes;

/// <summary>Every event of one process stream, read to its end, with the output put back together.</summary>
sealed class ProcessRun(IReadOnlyList<SandboxProcessEvent> events)
{
    public IReadOnlyList<SandboxProcessEvent> Events { get; } = events;

    public uint Pid => Assert.IsType<SandboxProcessStarted>(Events[0]).Pid;

    public SandboxProcessExit Exit => Assert.IsType<SandboxProcessExit>(Events[^1]);

    public IEnumerable<SandboxProcessOutput> Outputs(SandboxProcessStream stream) =>
        Events.OfType<SandboxProcessOutput>().Where(o => o.Stream == stream);

    public byte[] Bytes(SandboxProcessStream stream) => Outputs(stream).SelectMany(o => o.Bytes).ToArray();

    public string Text(SandboxProcessStream stream) => string.Concat(Outputs(stream).Select(o => o.Text));

    public string Stdout => Text(SandboxProcessStream.Stdout);

    public string Stderr => Text(SandboxProcessStream.Stderr);

    /// <summary>Started first and only once, Exit last and only once, every event about the same pid.</summary>
    public void AssertFramed()
    {
        Assert.IsType<SandboxProcessStarted>(Events[0]);
        Assert.IsType<SandboxProcessExit>(Events[^1]);
        Assert.Single(Events.OfType<SandboxProcessStarted>());
        Assert.Single(Events.OfType<SandboxProcessExit>());
        Assert.All(Events, e => Assert.Equal(Pid, e.Pid));
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (SandboxProcessEvent e in Events)
        {
            text.Append(e switch
            {
                SandboxProcessOutput o => $"[{o.Stream}] {o.Text}",
                _ => e + "\n",
            });
        }
        return text.ToString();
    }
}
