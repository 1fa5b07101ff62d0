namespace ScaleBox.Sandbox.Tests.Agent.Watch;

/// <summary>
/// Counts the kernel inotify watches this process holds, from /proc/self/fdinfo: one
/// "inotify wd:" line per watch of each inotify descriptor. The in-process agent's watches are
/// this process's, so a test can see a watch begin and end without the agent's help.
/// </summary>
static class InotifyWatches
{
    public static int Count() => Count("self");

    /// <summary>The watches another process holds (an agent started as a process of its own).</summary>
    public static int Count(int pid) => Count(pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    static int Count(string process)
    {
        int count = 0;
        foreach (string fd in Directory.EnumerateFileSystemEntries($"/proc/{process}/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(fd).LinkTarget;
            }
            catch (IOException)
            {
                continue; // closed while listing
            }
            if (target != "anon_inode:inotify")
            {
                continue;
            }
            try
            {
                count += File.ReadLines($"/proc/{process}/fdinfo/" + Path.GetFileName(fd)).Count(line => line.StartsWith("inotify wd:", StringComparison.Ordinal));
            }
            catch (IOException)
            {
                // closed while reading: its watches are gone
            }
        }
        return count;
    }

    /// <summary>Waits (bounded) until the count satisfies <paramref name="condition"/>; returns the last count seen.</summary>
    public static async Task<int> WaitForAsync(Func<int, bool> condition, TimeSpan patience)
    {
        DateTime giveUp = DateTime.UtcNow + patience;
        int count = Count();
        while (!condition(count) && DateTime.UtcNow < giveUp)
        {
            await Task.Delay(50);
            count = Count();
        }
        return count;
    }
}
