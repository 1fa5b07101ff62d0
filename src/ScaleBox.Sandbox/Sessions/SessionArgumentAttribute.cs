using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace ScaleBox.Sandbox.Sessions;

/// <summary>
/// Lets a -Session parameter take a session's name or Id as well as the session object
/// (<c>-Session build</c>, <c>-Session 2</c>), found among the sessions of the runspace as
/// Get-SbxSession lists them. A name must name one session: two sessions may share a name, and
/// guessing between them could act on the wrong sandbox.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SessionArgumentAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? value = Unwrap(inputData);
        if (value is string || value is not IEnumerable sequence)
        {
            return Find(value);
        }
        var sessions = new List<object?>();
        foreach (object? element in sequence)
        {
            sessions.Add(Find(Unwrap(element)));
        }
        return sessions.ToArray();
    }

    // Sessions belong to one runspace: a parallel one starts with none of them.
    const string WhereSessionsAre = "Get-SbxSession lists the sessions here; in ForEach-Object -Parallel or a thread job, "
        + "pass the session itself (-Session $using:session).";

    static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

    /// <summary>The session a session, name or Id stands for, or null; for completers, which must never throw.</summary>
    internal static SbxSession? TryResolve(object? value)
    {
        try
        {
            return Find(Unwrap(value)) as SbxSession;
        }
        catch (ArgumentTransformationMetadataException)
        {
            return null;
        }
    }

    /// <summary>The session a name or Id stands for; anything else is left for the binder to take or refuse.</summary>
    static object? Find(object? value)
    {
        IReadOnlyList<SbxSession> all = SessionStore.Current.All;
        switch (value)
        {
            case string name when name.Length > 0:
                SbxSession[] named = all.Where(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)).ToArray();
                return named.Length switch
                {
                    1 => named[0],
                    0 => throw new ArgumentTransformationMetadataException(
                        $"No sandbox session is named '{name}' in this runspace. {WhereSessionsAre}"),
                    _ => throw new ArgumentTransformationMetadataException(
                        $"{named.Length} sandbox sessions are named '{name}' (Ids {string.Join(", ", named.Select(s => s.Id))}): give the session's Id or the session itself."),
                };
            case int or long or uint:
                long id = Convert.ToInt64(value);
                return all.FirstOrDefault(s => s.Id == id)
                    ?? throw new ArgumentTransformationMetadataException(
                        $"No sandbox session has the Id {id} in this runspace. {WhereSessionsAre}");
            default:
                return value;
        }
    }
}
