using System.Globalization;
using ScaleBox.Sandbox.Client.Code;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Tests.Infrastructure;

namespace ScaleBox.Sandbox.Tests.Agent.Code;

/// <summary>
/// An agent started as a script's background job (or under nohup) inherits SIGHUP, SIGINT and
/// SIGQUIT ignored. Code and processes in the sandbox must still start with the default
/// dispositions: otherwise a passed deadline cannot interrupt a bash command, and the context
/// hangs (the failure seen when the tests themselves ran as a background job).
/// </summary>
public sealed class InheritedSignalsTests : IAsyncLifetime
{
    /// <summary>Bits 0-2 of /proc's SigIgn mask: signals 1 (HUP), 2 (INT) and 3 (QUIT).</summary>
    const ulong HangupInterruptQuit = 0b111;

    const ulong HangupInterrupt = 0b011;

    SeparateAgent _agent = null!;

    SandboxClient Client => _agent.Client;

    public async Task InitializeAsync() => _agent = await SeparateAgent.StartAsync(launcher: AgentLauncher.IgnoringHangupAndInterrupt);

    public async Task DisposeAsync() => await _agent.DisposeAsync();

    [Fact]
    public async Task The_agent_in_these_tests_does_ignore_the_signals()
    {
        // The premise of the others: without it they would pass whatever the bridges do.
        Assert.Equal(HangupInterruptQuit, IgnoredMask(await File.ReadAllTextAsync($"/proc/{_agent.Pid}/status")) & HangupInterruptQuit);
    }

    [Fact]
    public async Task A_bash_context_and_its_commands_start_with_the_default_dispositions()
    {
        SandboxCodeContext context = await Client.Code.CreateContextAsync("bash");

        string output = await StdoutAsync(context.Id, "grep SigIgn /proc/$$/status; /bin/grep SigIgn /proc/self/status");

        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        // Bash itself always ignores SIGQUIT (and gives its commands the default).
        Assert.Equal(0UL, IgnoredMask(lines[0]) & HangupInterrupt);
        Assert.Equal(0UL, IgnoredMask(lines[1]) & HangupInterruptQuit);
    }

    [Fact]
    public async Task A_passed_deadline_still_interrupts_a_bash_command_and_the_shell_keeps_its_state()
    {
        SandboxCodeContext context = await Client.Code.CreateContextAsync("bash");
        await StdoutAsync(context.Id, "kept=yes");

        var sleeping = new SandboxCodeRequest("sleep 600") { ContextId = context.Id, Timeout = TimeSpan.FromSeconds(2) };
        SandboxException e = await Assert.ThrowsAsync<SandboxException>(async () => { await foreach (var _ in Client.Code.ExecuteAsync(sleeping)) { } });

        Assert.Equal(SandboxErrorCode.DeadlineExceeded, e.Code);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal("yes\n", await StdoutAsync(context.Id, "echo $kept", patience.Token));
    }

    [PythonKernelFact]
    public async Task A_python_kernel_starts_its_subprocesses_with_the_default_dispositions()
    {
        SandboxCodeContext context = await Client.Code.CreateContextAsync("python");

        string output = await StdoutAsync(context.Id,
            "import subprocess\nprint(subprocess.run(['grep', 'SigIgn', '/proc/self/status'], capture_output=True, text=True).stdout, end='')");

        Assert.Equal(0UL, IgnoredMask(output) & HangupInterruptQuit);
    }

    [Fact]
    public async Task A_process_starts_with_the_default_dispositions()
    {
        string output = "";
        await foreach (SandboxProcessEvent e in Client.Processes.StartAsync(new SandboxProcessStartInfo("/bin/grep", ["SigIgn", "/proc/self/status"])))
        {
            if (e is SandboxProcessOutput { Stream: SandboxProcessStream.Stdout } o) output += o.Text;
        }

        Assert.Equal(0UL, IgnoredMask(output) & HangupInterruptQuit);
    }

    async Task<string> StdoutAsync(string contextId, string code, CancellationToken cancellationToken = default)
    {
        string stdout = "";
        await foreach (SandboxCodeEvent e in Client.Code.ExecuteAsync(new SandboxCodeRequest(code) { ContextId = contextId }, cancellationToken))
        {
            if (e is SandboxCodeError error) Assert.Fail($"{code}: {error}");
            if (e is SandboxCodeOutput { Stream: SandboxCodeStream.Stdout } o) stdout += o.Text;
        }
        return stdout;
    }

    /// <summary>The SigIgn mask from a /proc/PID/status text or its one line.</summary>
    static ulong IgnoredMask(string status)
    {
        string line = status.Split('\n').Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}
