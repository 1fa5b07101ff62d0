using System;
using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using Proto = ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Client.Processes;

/// <summary>Process model types to wire messages and back; the generated types go no further than this folder.</summary>
internal static class ProcessMapping
{
    /// <exception cref="ArgumentException">Something in the start info cannot be sent (no program, a null argument, a bad variable name).</exception>
    public static Proto.StartRequest ToRequest(this SandboxProcessStartInfo info)
    {
        if (string.IsNullOrEmpty(info.FileName))
        {
            throw new ArgumentException("A program to start is required: set FileName (or use ForCommand for a shell command line).", nameof(info));
        }
        var config = new Proto.ProcessConfig { Cmd = info.FileName };
        if (info.Arguments is not null)
        {
            int index = 0;
            foreach (string argument in info.Arguments)
            {
                config.Args.Add(argument ?? throw new ArgumentException($"Argument {index} of '{info.FileName}' is null; pass an empty string for an empty argument.", nameof(info)));
                index++;
            }
        }
        if (info.Environment is not null)
        {
            foreach (KeyValuePair<string, string> variable in info.Environment)
            {
                if (string.IsNullOrEmpty(variable.Key) || variable.Key.IndexOf('=') >= 0 || variable.Key.IndexOf('\0') >= 0)
                {
                    throw new ArgumentException($"'{variable.Key}' is not an environment variable name: it must be non-empty, without '=' or NUL.", nameof(info));
                }
                config.Envs[variable.Key] = variable.Value ?? throw new ArgumentException($"The environment variable '{variable.Key}' has no value; pass an empty string for an empty one.", nameof(info));
            }
        }
        if (!string.IsNullOrEmpty(info.WorkingDirectory))
        {
            config.Cwd = info.WorkingDirectory;
        }

        var request = new Proto.StartRequest { Process = config };
        if (info.Tag is not null)
        {
            if (info.Tag.Length == 0)
            {
                throw new ArgumentException("A process tag cannot be empty; leave Tag null for none.", nameof(info));
            }
            request.Tag = info.Tag;
        }
        if (info.Pty is SandboxTerminalSize size)
        {
            request.Pty = size.ToProto();
        }
        return request;
    }

    public static Proto.PTY ToProto(this SandboxTerminalSize size) =>
        new Proto.PTY { Size = new Proto.PTY.Types.Size { Cols = (uint)size.Columns, Rows = (uint)size.Rows } };

    public static Proto.ProcessInput ToInput(byte[] data, SandboxInputTarget target) => target switch
    {
        SandboxInputTarget.Stdin => new Proto.ProcessInput { Stdin = ByteString.CopyFrom(data) },
        SandboxInputTarget.Pty => new Proto.ProcessInput { Pty = ByteString.CopyFrom(data) },
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, "Input goes to Stdin or Pty."),
    };

    public static Proto.Signal ToProto(this SandboxSignal signal) => signal switch
    {
        SandboxSignal.Terminate => Proto.Signal.Sigterm,
        SandboxSignal.Kill => Proto.Signal.Sigkill,
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "The agent accepts only Terminate (SIGTERM) and Kill (SIGKILL)."),
    };

    public static SandboxProcessInfo ToInfo(this Proto.ProcessInfo process, string domain)
    {
        Proto.ProcessConfig config = process.Config ?? new Proto.ProcessConfig();
        return new SandboxProcessInfo
        {
            Pid = process.Pid,
            Tag = process.HasTag ? process.Tag : null,
            FileName = config.Cmd,
            Arguments = config.Args.ToArray(),
            Environment = new Dictionary<string, string>(config.Envs, StringComparer.Ordinal),
            WorkingDirectory = config.HasCwd && config.Cwd.Length > 0 ? config.Cwd : null,
            Domain = domain,
        };
    }
}
