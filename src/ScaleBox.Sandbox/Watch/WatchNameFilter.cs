using System;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Watch;

/// <summary>A watcher cmdlet's -Filter as the test of a changed entry's name that the client library takes.</summary>
internal static class WatchNameFilter
{
    /// <returns>Null when no pattern is given: every change comes through.</returns>
    public static Func<string, bool>? From(string[] patterns)
    {
        if (patterns.Length == 0)
        {
            return null;
        }
        var names = new NameFilter(null, patterns, null);
        return names.IsMatch;
    }
}
