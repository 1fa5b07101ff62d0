using System;

namespace ScaleBox.Sandbox.Loading;

/// <summary>
/// Runs a piece of set-up once per process, under a lock: runspaces that import the module at the
/// same moment (<c>ForEach-Object -Parallel</c>, thread jobs) must neither run it twice nor see it
/// half done. A run that throws counts as not run: the next import tries again.
/// </summary>
internal sealed class OncePerProcess
{
    readonly object _gate = new object();
    readonly Action _setUp;
    bool _done;

    public OncePerProcess(Action setUp)
    {
        _setUp = setUp;
    }

    public void Run()
    {
        lock (_gate)
        {
            if (_done)
            {
                return;
            }
            _setUp();
            _done = true;
        }
    }
}
