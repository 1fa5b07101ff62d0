using ScaleBox.Sandbox.Client.Processes;

namespace ScaleBox.Sandbox.Tests.Client.Processes;

/// <summary>
/// What a start info means on the wire: the SDKs' shell forms, the lifetime rule (no limit unless
/// asked), the keepalive header, and clear errors for what cannot be sent.
/// </summary>
public sealed class SandboxProcessStartInfoTests
{
    [Fact]
    public void ForCommand_runs_a_login_bash_with_the_command_as_the_SDKs_do()
    {
        SandboxProcessStartInfo info = SandboxProcessStartInfo.ForCommand("echo hi | wc -c");

        Assert.Equal("/bin/bash", info.FileName);
        Assert.Equal(["-l", "-c", "echo hi | wc -c"], info.Arguments);
        Assert.Empty(info.Environment);
        Assert.Null(info.Pty);
        Assert.Null(info.Timeout);
        Assert.Null(info.Tag);
        Assert.Null(info.WorkingDirectory);
        Assert.Equal(TimeSpan.FromSeconds(50), info.KeepaliveInterval);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void ForCommand_needs_a_command(string? command)
    {
        Assert.Throws<ArgumentException>(() => SandboxProcessStartInfo.ForCommand(command!));
    }

    [Fact]
    public void ForShell_is_an_interactive_login_bash_in_an_80x24_xterm()
    {
        SandboxProcessStartInfo info = SandboxProcessStartInfo.ForShell();

        Assert.Equal("/bin/bash", info.FileName);
        Assert.Equal(["-i", "-l"], info.Arguments);
        Assert.Equal("xterm-256color", info.Environment["TERM"]);
        Assert.Equal(new SandboxTerminalSize(80, 24), info.Pty);
        Assert.Null(info.Timeout);
    }

    [Fact]
    public void ForShell_takes_a_terminal_size()
    {
        Assert.Equal(new SandboxTerminalSize(132, 50), SandboxProcessStartInfo.ForShell(new SandboxTerminalSize(132, 50)).Pty);
    }

    [Fact]
    public void No_timeout_zero_and_infinite_all_mean_no_deadline()
    {
        var info = new SandboxProcessStartInfo("sleep", ["1"]);
        Assert.Null(info.EffectiveTimeout);
        info.Timeout = TimeSpan.Zero;
        Assert.Null(info.EffectiveTimeout);
        info.Timeout = Timeout.InfiniteTimeSpan;
        Assert.Null(info.EffectiveTimeout);
        info.Timeout = TimeSpan.FromMinutes(90);
        Assert.Equal(TimeSpan.FromMinutes(90), info.EffectiveTimeout);
    }

    [Fact]
    public void A_negative_timeout_is_refused()
    {
        var info = new SandboxProcessStartInfo("sleep", ["1"]) { Timeout = TimeSpan.FromSeconds(-5) };
        Assert.Throws<ArgumentOutOfRangeException>(() => info.EffectiveTimeout);
    }

    [Theory]
    [InlineData(50_000, "50")]
    [InlineData(1_000, "1")]
    [InlineData(1_500, "2")]
    [InlineData(3_600_000, "3600")]
    public void The_keepalive_header_is_whole_seconds_rounded_up(int milliseconds, string header)
    {
        Assert.Equal(header, SandboxProcesses.KeepaliveSeconds(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(-1000)]
    public void A_keepalive_interval_under_a_second_is_refused(int milliseconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SandboxProcesses.KeepaliveSeconds(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Fact]
    public void Everything_in_the_start_info_goes_into_the_request()
    {
        var info = new SandboxProcessStartInfo("/usr/bin/env", ["a b", "", "c'd"])
        {
            WorkingDirectory = "/tmp",
            Tag = "job-1",
            Pty = new SandboxTerminalSize(100, 30),
        };
        info.Environment["FOO"] = "bar";
        info.Environment["EMPTY"] = "";

        var request = info.ToRequest();

        Assert.Equal("/usr/bin/env", request.Process.Cmd);
        Assert.Equal(["a b", "", "c'd"], request.Process.Args);
        Assert.Equal("bar", request.Process.Envs["FOO"]);
        Assert.Equal("", request.Process.Envs["EMPTY"]);
        Assert.True(request.Process.HasCwd);
        Assert.Equal("/tmp", request.Process.Cwd);
        Assert.True(request.HasTag);
        Assert.Equal("job-1", request.Tag);
        Assert.Equal(100u, request.Pty.Size.Cols);
        Assert.Equal(30u, request.Pty.Size.Rows);
    }

    [Fact]
    public void Optional_fields_left_out_stay_unset_on_the_wire()
    {
        var request = new SandboxProcessStartInfo("ls").ToRequest();

        Assert.False(request.Process.HasCwd);
        Assert.False(request.HasTag);
        Assert.Null(request.Pty);
        Assert.Empty(request.Process.Args);
    }

    [Fact]
    public void What_cannot_be_sent_is_refused_with_a_clear_message()
    {
        Assert.Contains("FileName", Assert.Throws<ArgumentException>(() => new SandboxProcessStartInfo().ToRequest()).Message);
        Assert.Contains("Argument 1", Assert.Throws<ArgumentException>(() => new SandboxProcessStartInfo("ls", ["-l", null!]).ToRequest()).Message);

        var badName = new SandboxProcessStartInfo("ls");
        badName.Environment["A=B"] = "x";
        Assert.Contains("A=B", Assert.Throws<ArgumentException>(() => badName.ToRequest()).Message);

        var nullValue = new SandboxProcessStartInfo("ls");
        nullValue.Environment["A"] = null!;
        Assert.Contains("'A'", Assert.Throws<ArgumentException>(() => nullValue.ToRequest()).Message);

        Assert.Throws<ArgumentException>(() => new SandboxProcessStartInfo("ls") { Tag = "" }.ToRequest());
    }

    [Fact]
    public void The_command_line_quotes_what_a_shell_would_split()
    {
        Assert.Equal("/bin/bash -l -c 'echo '\\''hi'\\'' > /tmp/x'", SandboxProcessStartInfo.ForCommand("echo 'hi' > /tmp/x").CommandLine);
        Assert.Equal("ls -la /tmp ''", new SandboxProcessStartInfo("ls", ["-la", "/tmp", ""]).ToString());
    }

    [Theory]
    [InlineData(0, 24)]
    [InlineData(80, 0)]
    [InlineData(65536, 24)]
    [InlineData(-1, 24)]
    public void A_terminal_size_out_of_range_is_refused(int columns, int rows)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SandboxTerminalSize(columns, rows));
    }

    [Fact]
    public void A_terminal_size_prints_as_columns_x_rows()
    {
        Assert.Equal("80x24", SandboxTerminalSize.Default.ToString());
        Assert.Equal("65535x1", new SandboxTerminalSize(65535, 1).ToString());
    }

    [Fact]
    public void Signals_map_to_the_two_the_agent_accepts_and_nothing_else()
    {
        Assert.Equal(15, (int)SandboxSignal.Terminate.ToProto());
        Assert.Equal(9, (int)SandboxSignal.Kill.ToProto());
        Assert.Throws<ArgumentOutOfRangeException>(() => ((SandboxSignal)2).ToProto());
    }

    [Fact]
    public void An_exit_succeeds_only_when_the_process_exited_with_code_zero()
    {
        Assert.True(new SandboxProcessExit(1, 0, true, "exit status 0", null).Succeeded);
        Assert.False(new SandboxProcessExit(1, 3, true, "exit status 3", "exit status 3").Succeeded);
        Assert.False(new SandboxProcessExit(1, -1, false, "signal: killed", "signal: killed").Succeeded);
        Assert.Equal("pid 1: signal: killed", new SandboxProcessExit(1, -1, false, "signal: killed", "signal: killed").ToString());
    }

    [Fact]
    public void Process_info_prints_pid_tag_and_command_line()
    {
        var info = new SandboxProcessInfo { Pid = 42, Tag = "web", FileName = "/bin/bash", Arguments = ["-l", "-c", "npm start"] };

        Assert.Equal("42 [web] /bin/bash -l -c 'npm start'", info.ToString());
        Assert.Equal("7 sleep 1", new SandboxProcessInfo { Pid = 7, FileName = "sleep", Arguments = ["1"] }.ToString());
        Assert.Equal(SandboxProcessSelector.ByPid(42), info.Selector);
    }
}
