using Grpc.Core;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Agent.Processes;

/// <summary>
/// The processes this agent started, by pid. An ended process stays known for
/// <see cref="Retention"/> (at most <see cref="MaxRemembered"/> of them), so that a client that
/// reconnects after the end still learns how it ended. List shows running processes only.
/// Disposing (agent shutdown) kills whatever still runs, and the process groups of every process it
/// remembers, so that no orphaned grandchild outlives the agent.
/// </summary>
public sealed class ProcessTable : IDisposable
{
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(5);
    public const int MaxRemembered = 1000;

    readonly object _gate = new();
    readonly Dictionary<uint, ManagedProcess> _byPid = [];

    internal void Add(ManagedProcess process)
    {
        lock (_gate)
        {
            Prune();
            _byPid[process.Pid] = process; // a recycled pid replaces the ended process it belonged to
        }
    }

    internal IReadOnlyList<ManagedProcess> Running()
    {
        lock (_gate)
        {
            Prune();
            return _byPid.Values.Where(p => !p.HasEnded).OrderBy(p => p.Sequence).ToArray();
        }
    }

    /// <summary>
    /// By pid: that process, running or remembered. By tag (tags need not be unique): the first
    /// started of the running processes with that tag; if none runs, the last started of the
    /// remembered ones. Not found: <c>not_found</c> with the real agent's wording.
    /// </summary>
    internal ManagedProcess Find(ProcessSelector? selector)
    {
        lock (_gate)
        {
            Prune();
            switch (selector?.SelectorCase)
            {
                case ProcessSelector.SelectorOneofCase.Pid:
                    return _byPid.TryGetValue(selector.Pid, out ManagedProcess? byPid)
                        ? byPid
                        : throw NotFound($"process with pid {selector.Pid} not found");
                case ProcessSelector.SelectorOneofCase.Tag:
                    ManagedProcess[] tagged = _byPid.Values.Where(p => p.Tag == selector.Tag).ToArray();
                    return tagged.Where(p => !p.HasEnded).MinBy(p => p.Sequence)
                        ?? tagged.MaxBy(p => p.Sequence)
                        ?? throw NotFound($"process with tag {selector.Tag} not found");
                default:
                    // An empty or malformed body: the caller's mistake, not a feature the agent lacks.
                    throw new RpcException(new Status(StatusCode.InvalidArgument, "the request names no process: give its pid or tag"));
            }
        }
    }

    void Prune()
    {
        DateTime cutoff = DateTime.UtcNow - Retention;
        List<ManagedProcess> ended = _byPid.Values.Where(p => p.HasEnded).OrderBy(p => p.EndedAt).ToList();
        int excess = ended.Count - MaxRemembered;
        foreach (ManagedProcess process in ended)
        {
            if (excess-- > 0 || process.EndedAt < cutoff)
            {
                _byPid.Remove(process.Pid);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (ManagedProcess process in _byPid.Values)
            {
                process.KillForShutdown();
            }
        }
    }

    static RpcException NotFound(string message) => new(new Status(StatusCode.NotFound, message));
}
