using System;
using System.Runtime.InteropServices;
using System.Security;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Sessions;

/// <summary>Builds sessions, shared by New-SbxSession and the environment-variable fallback.</summary>
internal static class SessionFactory
{
    /// <exception cref="ArgumentException">The domain or token is unusable.</exception>
    public static SbxSession Create(int id, string? name, string? sandboxId, string domain, SecureString token,
        SandboxProtocol protocol, TimeSpan timeout, bool allowUnencrypted, bool skipCertificateCheck = false, SessionNetwork? network = null)
    {
        SandboxEndpoint endpoint = SandboxEndpoint.Parse(domain, allowUnencrypted);
        var options = new SandboxClientOptions(endpoint, new AccessToken(Reveal(token)))
        {
            Protocol = protocol,
            Timeout = timeout,
            SkipCertificateCheck = skipCertificateCheck,
        };
        network ??= SessionNetwork.Default;
        network.ApplyTo(options);
        string sessionName = !string.IsNullOrEmpty(name) ? name!
            : !string.IsNullOrEmpty(sandboxId) ? sandboxId!
            : $"Sandbox{id}";
        token.MakeReadOnly();
        return new SbxSession(id, sessionName, sandboxId, token, network, new SandboxClient(options));
    }

    public static SecureString ToSecureString(string text)
    {
        var secure = new SecureString();
        foreach (char c in text)
        {
            secure.AppendChar(c);
        }
        return secure;
    }

    /// <summary>The header needs the plain text; it is kept only inside the client's AccessToken.</summary>
    static string Reveal(SecureString secure)
    {
        IntPtr pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
        try
        {
            return Marshal.PtrToStringUni(pointer) ?? string.Empty;
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }
}
