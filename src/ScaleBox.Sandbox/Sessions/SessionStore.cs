using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using System.Security;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Sessions;

/// <summary>
/// The sessions of one runspace. Each runspace has its own, so ForEach-Object -Parallel and
/// thread jobs never share a default session by accident.
/// </summary>
public sealed class SessionStore
{
    public const string DomainVariable = "SANDBOX_DOMAIN";
    public const string TokenVariable = "ENVD_ACCESS_TOKEN";

    static readonly ConditionalWeakTable<Runspace, SessionStore> PerRunspace = new ConditionalWeakTable<Runspace, SessionStore>();
    static readonly SessionStore NoRunspace = new SessionStore();

    readonly object _gate = new object();
    readonly List<SbxSession> _sessions = new List<SbxSession>();
    int _lastId;
    SbxSession? _fromEnvironment;
    string? _environmentKey;

    /// <summary>The store of the runspace the calling thread runs.</summary>
    public static SessionStore Current =>
        Runspace.DefaultRunspace is { } runspace ? PerRunspace.GetValue(runspace, _ => new SessionStore()) : NoRunspace;

    public int NextId()
    {
        lock (_gate)
        {
            return ++_lastId;
        }
    }

    public void Add(SbxSession session)
    {
        lock (_gate)
        {
            _sessions.Add(session);
        }
    }

    public IReadOnlyList<SbxSession> All
    {
        get
        {
            lock (_gate)
            {
                return _sessions.ToList();
            }
        }
    }

    /// <summary>The newest open session, or null.</summary>
    public SbxSession? Default
    {
        get
        {
            lock (_gate)
            {
                return _sessions.LastOrDefault(s => !s.IsClosed);
            }
        }
    }

    public bool Remove(SbxSession session)
    {
        lock (_gate)
        {
            bool removed = _sessions.Remove(session);
            session.Dispose();
            return removed;
        }
    }

    /// <summary>
    /// A session built from $env:SANDBOX_DOMAIN and $env:ENVD_ACCESS_TOKEN, kept while they stay
    /// the same; null when either is unset.
    /// </summary>
    public SbxSession? FromEnvironment(TimeSpan timeout)
    {
        string? domain = Environment.GetEnvironmentVariable(DomainVariable);
        string? token = Environment.GetEnvironmentVariable(TokenVariable);
        if (string.IsNullOrWhiteSpace(domain) || string.IsNullOrEmpty(token))
        {
            return null;
        }

        string key = domain + "\n" + token.GetHashCode();
        lock (_gate)
        {
            if (_fromEnvironment is null || _environmentKey != key)
            {
                _fromEnvironment?.Dispose();
                SecureString secure = SessionFactory.ToSecureString(token);
                _fromEnvironment = SessionFactory.Create(0, "Environment", null, domain!, secure, SandboxProtocol.GrpcWeb, timeout, allowUnencrypted: false);
                _environmentKey = key;
            }
            return _fromEnvironment;
        }
    }
}
