using System.Runtime.InteropServices;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>
/// Starts a child with posix_spawn(3): the C library clones and execs, so no managed code runs in
/// the child. The child always starts a session of its own (as a daemon's children have no
/// controlling terminal, and so that its whole group can be cleaned up), gets default signal
/// dispositions and an empty signal mask (the runtime ignores SIGPIPE, which must not leak into
/// <c>yes | head</c>), keeps only descriptors 0-2, and has its stdio wired either to pipes or to a
/// pseudo-terminal slave, which then becomes its controlling terminal.
/// </summary>
static class ChildSpawner
{
    /// <summary>Where the child's stdin, stdout and stderr come from.</summary>
    public abstract record Stdio;

    /// <summary>Three descriptors (the child's ends of pipes) to become 0, 1 and 2.</summary>
    public sealed record PipeStdio(int Stdin, int Stdout, int Stderr) : Stdio;

    /// <summary>
    /// A terminal slave opened by path in the child after it became a session leader: opening a
    /// terminal without O_NOCTTY then makes it the controlling terminal, with the child's group in the
    /// foreground, so job control, /dev/tty and SIGWINCH all work.
    /// </summary>
    public sealed record TerminalStdio(string SlavePath) : Stdio;

    /// <summary>Returns the pid, or throws <see cref="SpawnException"/> with the errno of the failed step (exec included).</summary>
    public static int Spawn(string executable, IReadOnlyList<string> argv, IReadOnlyList<string> environment, string workingDirectory, Stdio stdio)
    {
        IntPtr actions = Marshal.AllocHGlobal(LibC.SpawnFileActionsSize);
        IntPtr attributes = Marshal.AllocHGlobal(LibC.SpawnAttrSize);
        IntPtr emptyMask = Marshal.AllocHGlobal(LibC.SigSetSize);
        IntPtr defaults = Marshal.AllocHGlobal(LibC.SigSetSize);
        IntPtr[] argvPointers = ToCStringArray(argv);
        IntPtr[] envPointers = ToCStringArray(environment);
        bool actionsReady = false, attributesReady = false;
        try
        {
            Check(LibC.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            actionsReady = true;
            Check(LibC.posix_spawnattr_init(attributes), "posix_spawnattr_init");
            attributesReady = true;

            LibC.sigemptyset(emptyMask);
            LibC.sigemptyset(defaults);
            for (int signal = 1; signal < 32; signal++)
            {
                if (signal is not LibC.SIGKILL and not LibC.SIGSTOP)
                {
                    LibC.sigaddset(defaults, signal);
                }
            }
            Check(LibC.posix_spawnattr_setsigmask(attributes, emptyMask), "posix_spawnattr_setsigmask");
            Check(LibC.posix_spawnattr_setsigdefault(attributes, defaults), "posix_spawnattr_setsigdefault");
            Check(LibC.posix_spawnattr_setflags(attributes,
                LibC.POSIX_SPAWN_SETSID | LibC.POSIX_SPAWN_SETSIGMASK | LibC.POSIX_SPAWN_SETSIGDEF), "posix_spawnattr_setflags");

            // glibc applies the session flag before the file actions, so the terminal opened here is
            // opened by a session leader without a controlling terminal.
            Check(LibC.posix_spawn_file_actions_addchdir_np(actions, workingDirectory), "posix_spawn_file_actions_addchdir_np");
            switch (stdio)
            {
                case PipeStdio pipes:
                    Check(LibC.posix_spawn_file_actions_adddup2(actions, pipes.Stdin, 0), "posix_spawn_file_actions_adddup2");
                    Check(LibC.posix_spawn_file_actions_adddup2(actions, pipes.Stdout, 1), "posix_spawn_file_actions_adddup2");
                    Check(LibC.posix_spawn_file_actions_adddup2(actions, pipes.Stderr, 2), "posix_spawn_file_actions_adddup2");
                    break;
                case TerminalStdio terminal:
                    Check(LibC.posix_spawn_file_actions_addopen(actions, 0, terminal.SlavePath, LibC.O_RDWR, 0), "posix_spawn_file_actions_addopen");
                    Check(LibC.posix_spawn_file_actions_adddup2(actions, 0, 1), "posix_spawn_file_actions_adddup2");
                    Check(LibC.posix_spawn_file_actions_adddup2(actions, 0, 2), "posix_spawn_file_actions_adddup2");
                    break;
            }
            CloseInheritedDescriptors(actions);

            int error = LibC.posix_spawn(out int pid, executable, actions, attributes, argvPointers, envPointers);
            if (error != 0)
            {
                throw new SpawnException(error);
            }
            return pid;
        }
        finally
        {
            if (actionsReady) LibC.posix_spawn_file_actions_destroy(actions);
            if (attributesReady) LibC.posix_spawnattr_destroy(attributes);
            Marshal.FreeHGlobal(actions);
            Marshal.FreeHGlobal(attributes);
            Marshal.FreeHGlobal(emptyMask);
            Marshal.FreeHGlobal(defaults);
            FreeCStringArray(argvPointers);
            FreeCStringArray(envPointers);
        }
    }

    /// <summary>
    /// Only 0-2 reach the child, as with Go's os/exec: a descriptor the agent inherited without
    /// close-on-exec (a test runner's pipe, say) must not be held open by a background grandchild.
    /// </summary>
    static void CloseInheritedDescriptors(IntPtr actions)
    {
        try
        {
            LibC.posix_spawn_file_actions_addclosefrom_np(actions, 3);
        }
        catch (EntryPointNotFoundException)
        {
            // glibc before 2.34: the runtime opens everything close-on-exec, which covers the agent's own descriptors.
        }
    }

    static void Check(int error, string call)
    {
        if (error != 0)
        {
            throw new SpawnException(error, call);
        }
    }

    static IntPtr[] ToCStringArray(IReadOnlyList<string> values)
    {
        var pointers = new IntPtr[values.Count + 1];
        for (int i = 0; i < values.Count; i++)
        {
            pointers[i] = Marshal.StringToCoTaskMemUTF8(values[i]);
        }
        return pointers; // the last stays IntPtr.Zero: the terminating NULL
    }

    static void FreeCStringArray(IntPtr[] pointers)
    {
        foreach (IntPtr pointer in pointers)
        {
            if (pointer != IntPtr.Zero)
            {
                Marshal.FreeCoTaskMem(pointer);
            }
        }
    }
}

/// <summary>A child that could not be started; <see cref="Errno"/> says why (ENOENT, EACCES, ENOTDIR...).</summary>
public sealed class SpawnException(int errno, string? call = null)
    : Exception(call is null ? LibC.Describe(errno) : $"{call}: {LibC.Describe(errno)}")
{
    public int Errno { get; } = errno;
}
