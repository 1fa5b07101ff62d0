using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>
/// One look at an agent: whether <c>GET /health</c> answers 200 and how fast, and whether the
/// access token is accepted, which /health cannot tell (it needs no token).
/// </summary>
public sealed class SandboxCheck
{
    SandboxCheck(string domain, SandboxProtocol protocol)
    {
        Domain = domain;
        Protocol = protocol;
    }

    public string Domain { get; }

    public SandboxProtocol Protocol { get; }

    /// <summary>True when /health answered 200.</summary>
    public bool Healthy => HealthStatus == 200;

    /// <summary>The HTTP status /health answered with; null when it did not answer.</summary>
    public int? HealthStatus { get; private set; }

    /// <summary>The round trip of /health, when it answered.</summary>
    public TimeSpan? Latency { get; private set; }

    /// <summary>
    /// Whether an authenticated call (a stat of <c>/</c>) was accepted: false when the agent refused
    /// the token; null when the call could not tell (the agent did not answer it).
    /// </summary>
    public bool? Authenticated { get; private set; }

    /// <summary>What went wrong, in plain words; null when both checks passed.</summary>
    public string? Problem { get; private set; }

    /// <summary>A check that could not be made, such as one of a client already closed.</summary>
    public static SandboxCheck NotMade(string domain, SandboxProtocol protocol, string problem) =>
        new SandboxCheck(domain, protocol) { Problem = problem };

    /// <summary>Checks health, then the token (unless the agent cannot be reached at all).</summary>
    internal static async Task<SandboxCheck> RunAsync(SandboxClient client, CancellationToken cancellationToken)
    {
        var check = new SandboxCheck(client.Endpoint.Domain, client.Options.Protocol);
        var watch = Stopwatch.StartNew();
        try
        {
            check.HealthStatus = (int)await client.Connection.GetHealthAsync(client.Options.Timeout, cancellationToken).ConfigureAwait(false);
            check.Latency = watch.Elapsed;
        }
        catch (SandboxException e) when (e.Code != SandboxErrorCode.Cancelled)
        {
            check.Problem = e.Message;
            return check;
        }
        if (!check.Healthy)
        {
            check.Problem = $"GET /health answered {check.HealthStatus}, not 200.";
        }
        try
        {
            await client.Files.GetItemAsync("/", cancellationToken).ConfigureAwait(false);
            check.Authenticated = true;
        }
        catch (SandboxException e) when (e.Code == SandboxErrorCode.Unauthenticated)
        {
            check.Authenticated = false;
            check.Problem = e.Message;
        }
        catch (SandboxException e) when (e.Code != SandboxErrorCode.Cancelled)
        {
            check.Problem ??= e.Message;
        }
        return check;
    }
}
