using System;
using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Infrastructure;
using ScaleBox.Sandbox.Sessions;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Creates a session for one sandbox and makes it the default. Binds by property name from the
/// backend's sandbox object, so <c>Invoke-RestMethod ... | New-SbxSession</c> works.
/// </summary>
[Cmdlet(VerbsCommon.New, "SbxSession", HelpUri = HelpLinks.Root + "New-SbxSession.md")]
[OutputType(typeof(SbxSession))]
public sealed class NewSbxSessionCommand : PSCmdlet
{
    /// <summary>The sandbox domain (sandbox_domain), e.g. sbx-abc.example.scalebox.dev or 127.0.0.1:49983.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("sandbox_domain", "SandboxDomain")]
    [ValidateNotNullOrEmpty]
    public string Domain { get; set; } = string.Empty;

    /// <summary>The sandbox's access token (envd_access_token), as a SecureString or a string.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("envd_access_token", "EnvdAccessToken")]
    public object? AccessToken { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("sandbox_id")]
    public string? SandboxId { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter]
    public SandboxProtocol Protocol { get; set; } = SandboxProtocol.GrpcWeb;

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int TimeoutSec { get; set; } = (int)SandboxClientOptions.DefaultTimeout.TotalSeconds;

    /// <summary>Allows plain http to a host that is not loopback: the token then crosses the network unencrypted.</summary>
    [Parameter]
    public SwitchParameter AllowUnencryptedAuthentication { get; set; }

    /// <summary>Accepts the server's TLS certificate without checking it (a test gateway's own certificate). Warns each time.</summary>
    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>
    /// The HTTP proxy every request of the session goes through. Without it the environment's
    /// proxy settings apply (HTTPS_PROXY, HTTP_PROXY, NO_PROXY). Binds from an imported session.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public Uri? Proxy { get; set; }

    /// <summary>The proxy's user and password; only with -Proxy.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public PSCredential? ProxyCredential { get; set; }

    /// <summary>Gives the proxy the signed-in user's credentials; only with -Proxy.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter ProxyUseDefaultCredentials { get; set; }

    /// <summary>A client certificate (with its private key) for a gateway that asks for one.</summary>
    [Parameter]
    [ValidateNotNull]
    public X509Certificate2? Certificate { get; set; }

    protected override void ProcessRecord()
    {
        if (ReadNetwork() is not { } network)
        {
            return;
        }
        SecureString token = ReadToken();
        SessionStore store = SessionStore.Current;
        SbxSession session;
        try
        {
            session = SessionFactory.Create(store.NextId(), Name, SandboxId, Domain, token, Protocol,
                TimeSpan.FromSeconds(TimeoutSec), AllowUnencryptedAuthentication, SkipCertificateCheck, network);
        }
        catch (UnencryptedEndpointException e)
        {
            token.Dispose();
            // Same ErrorId as any other refused domain; the message names the parameter that allows it.
            WriteError(SandboxErrors.Create("InvalidDomain", ErrorCategory.InvalidArgument, Domain,
                $"Plain http to '{e.Host}' would send the access token unencrypted. Use https, or add "
                + "-AllowUnencryptedAuthentication if the network path to the sandbox is trusted.", e));
            return;
        }
        catch (ArgumentException e) when (e.ParamName == nameof(Client.Transport.AccessToken))
        {
            token.Dispose();
            WriteError(SandboxErrors.Create("InvalidAccessToken", ErrorCategory.InvalidArgument, null, e.Message, e));
            return;
        }
        catch (ArgumentException e)
        {
            token.Dispose();
            WriteError(SandboxErrors.Create("InvalidDomain", ErrorCategory.InvalidArgument, Domain, e.Message, e));
            return;
        }
        if (SkipCertificateCheck)
        {
            WriteWarning($"Session '{session.Name}' does not check the TLS certificate of {session.Domain}: anyone on the network path could pose as the sandbox and read its access token. Use it only for a gateway you trust, such as a test one.");
        }
        store.Add(session);
        WriteVerbose($"Session '{session.Name}' to {session.BaseUri} over {session.Protocol} is now the default.");
        WriteObject(session);
    }

    /// <summary>The proxy and certificate parameters, checked as Invoke-WebRequest checks them; null after writing the error.</summary>
    SessionNetwork? ReadNetwork()
    {
        // A session imported with Import-Clixml binds a null Proxy and ProxyCredential: those mean "not given".
        if (Proxy is not null && (!Proxy.IsAbsoluteUri || Array.IndexOf(ProxySchemes, Proxy.Scheme) < 0
            || Proxy.AbsolutePath != "/" || Proxy.Query.Length > 0))
        {
            WriteError(SandboxErrors.Create("InvalidProxy", ErrorCategory.InvalidArgument, Proxy,
                $"-Proxy '{Proxy}' is not a proxy address: give an absolute URI with the scheme http, https or socks5 and no path, such as http://proxy.example:3128."));
            return null;
        }
        if (ProxyCredential is not null && ProxyUseDefaultCredentials)
        {
            WriteError(SandboxErrors.Create("ProxyCredentialConflict", ErrorCategory.InvalidArgument, Proxy,
                "-ProxyCredential and -ProxyUseDefaultCredentials cannot be used together: give one of them."));
            return null;
        }
        if (Proxy is null && (ProxyCredential is not null || ProxyUseDefaultCredentials))
        {
            WriteError(SandboxErrors.Create("ProxyRequired", ErrorCategory.InvalidArgument, Domain,
                $"-{(ProxyCredential is not null ? nameof(ProxyCredential) : nameof(ProxyUseDefaultCredentials))} needs -Proxy. "
                + "For the proxy of HTTPS_PROXY or HTTP_PROXY, write the user and password into its URL (http://user:password@proxy:3128)."));
            return null;
        }
        if (Certificate is not null && !Certificate.HasPrivateKey)
        {
            WriteError(SandboxErrors.Create("CertificateWithoutPrivateKey", ErrorCategory.InvalidArgument, Certificate,
                $"The certificate '{Certificate.Subject}' ({Certificate.Thumbprint}) has no private key, so it cannot prove who the client is. "
                + "Load it with its key, e.g. [X509Certificate2]::CreateFromPemFile($certFile, $keyFile), or from a .pfx file."));
            return null;
        }
        return new SessionNetwork(Proxy, ProxyCredential, ProxyUseDefaultCredentials, Certificate);
    }

    static readonly string[] ProxySchemes = { "http", "https", "socks4", "socks4a", "socks5" };

    SecureString ReadToken()
    {
        object? value = AccessToken is PSObject wrapped ? wrapped.BaseObject : AccessToken;
        switch (value)
        {
            case SecureString secure when secure.Length > 0:
                return secure.Copy();
            case string text when text.Length > 0:
                return SessionFactory.ToSecureString(text);
            case null:
            case string empty when empty.Length == 0:
                string? fromEnvironment = Environment.GetEnvironmentVariable(SessionStore.TokenVariable);
                if (!string.IsNullOrEmpty(fromEnvironment))
                {
                    return SessionFactory.ToSecureString(fromEnvironment!);
                }
                break;
        }
        ThrowTerminatingError(SandboxErrors.Create("AccessTokenRequired", ErrorCategory.InvalidArgument, Domain,
            $"An access token is required: pass -AccessToken (a SecureString or a string, the sandbox's envd_access_token) or set $env:{SessionStore.TokenVariable}."));
        throw new InvalidOperationException(); // not reached: ThrowTerminatingError throws
    }
}
