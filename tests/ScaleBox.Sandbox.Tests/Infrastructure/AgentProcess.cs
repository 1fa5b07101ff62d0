using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using ScaleBox.Sandbox.Agent.Hosting;

namespace ScaleBox.Sandbox.Tests.Infrastructure;

/// <summary>
/// The agent running as a real child process, as a script or the Pester tests start it:
/// <c>dotnet ScaleBox.Sandbox.Agent.dll ...</c>. Stdout is read line by line (its lines are a
/// contract); stderr is collected so that a failure can show what the agent complained about.
/// Disposing kills the process by its pid if it is still running.
/// </summary>
public sealed class AgentProcess : IAsyncDisposable
{
    static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(30);
    const int SigTerm = 15;

    readonly Process _process;
    readonly StringBuilder _stderr = new();

    AgentProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public string StandardError
    {
        get { lock (_stderr) { return _stderr.ToString(); } }
    }

    /// <param name="tokenVariable">The value of SBX_AGENT_TOKEN for the child, or null to make sure it is unset.</param>
    /// <param name="workingDirectory">Where the agent is started from; the temp folder unless given.</param>
    /// <param name="launcher">A command the agent is started through (see <see cref="AgentLauncher"/>); the agent's own command line is appended.</param>
    /// <param name="environment">Variables to set (or replace) in the agent's environment, which its processes inherit.</param>
    public static AgentProcess Start(IEnumerable<string> arguments, string? tokenVariable, string? workingDirectory = null,
        IReadOnlyList<string>? launcher = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(launcher?[0] ?? AgentExecutable.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // never let the agent inherit the test runner's stdin
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        if (launcher is not null)
        {
            foreach (string word in launcher.Skip(1).Append(AgentExecutable.DotnetHost()))
            {
                start.ArgumentList.Add(word);
            }
        }
        start.ArgumentList.Add(AgentExecutable.Locate());
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // The runner's own environment might carry a token; each test decides explicitly.
        start.Environment.Remove(AgentOptions.TokenVariable);
        if (tokenVariable is not null)
        {
            start.Environment[AgentOptions.TokenVariable] = tokenVariable;
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var agent = new AgentProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (agent._stderr) { agent._stderr.AppendLine(e.Data); }
            }
        };
        process.Start();
        process.BeginErrorReadLine();
        return agent;
    }

    /// <summary>The next stdout line; fails (showing stderr) if the agent exits or stays silent.</summary>
    public async Task<string> ReadLineAsync()
    {
        Task<string?> read = _process.StandardOutput.ReadLineAsync();
        try
        {
            return await read.WaitAsync(StartupTimeout) ?? throw new InvalidOperationException(
                $"The agent closed stdout without the expected line. Its stderr:\n{StandardError}");
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The agent printed nothing for {StartupTimeout}. Its stderr:\n{StandardError}");
        }
    }

    /// <summary>The agent's HTTP/1.1 address, from the "Listening on" line it announces itself with.</summary>
    public async Task<Uri> ReadListeningAddressAsync()
    {
        const string prefix = "Listening on ";
        string line = await ReadLineStartingWithAsync(prefix);
        return new Uri(line[prefix.Length..].Trim());
    }

    /// <summary>Reads stdout lines until one starts with <paramref name="prefix"/>; returns it.</summary>
    public async Task<string> ReadLineStartingWithAsync(string prefix, int maxLines = 10)
    {
        var seen = new List<string>();
        for (int i = 0; i < maxLines; i++)
        {
            string line = await ReadLineAsync();
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
            seen.Add(line);
        }
        throw new InvalidOperationException($"No stdout line starts with '{prefix}'. Lines seen:\n{string.Join('\n', seen)}");
    }

    /// <summary>
    /// Asks the agent to shut down the way a service manager or Ctrl+C would (SIGTERM), waits for it,
    /// and returns its exit code together with whatever it printed on stdout that was not read yet.
    /// A graceful stop makes "what the agent printed" a closed set that a test can check.
    /// </summary>
    public async Task<(int ExitCode, string RemainingOutput)> StopAsync()
    {
        if (kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        }
        string rest = await _process.StandardOutput.ReadToEndAsync().WaitAsync(StartupTimeout);
        await _process.WaitForExitAsync().WaitAsync(StartupTimeout);
        return (_process.ExitCode, rest);
    }

    /// <summary>Waits for an agent that is expected to exit by itself (e.g. on bad options).</summary>
    public async Task<(int ExitCode, string Output)> WaitForExitAsync()
    {
        string output = await _process.StandardOutput.ReadToEndAsync().WaitAsync(StartupTimeout);
        await _process.WaitForExitAsync().WaitAsync(StartupTimeout);
        return (_process.ExitCode, output);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // Only this child, by its pid; a test never ends processes it did not start.
                _process.Kill(entireProcessTree: false);
                await _process.WaitForExitAsync().WaitAsync(StartupTimeout);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
        finally
        {
            _process.Dispose();
        }
    }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);
}
