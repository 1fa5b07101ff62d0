using System.Security.Authentication;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Tests.Client.Errors;

/// <summary>
/// The advice for a failed TLS handshake follows what .NET's message names (its wording on Linux,
/// as the gateway tests meet it): a wrong name, a certificate out of its dates, an untrusted issuer,
/// or no TLS at all. End to end, the nginx gateway tests see the name and trust cases.
/// </summary>
public sealed class ConnectionFailureTests
{
    static readonly SandboxEndpoint Gateway = SandboxEndpoint.Parse("https://localhost:8443");
    const string PrivateCa = "private CA";
    const string WrongName = "is not for 'localhost'";
    const string OutOfDate = "expired or is not valid yet";

    [Theory]
    [InlineData("The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot", new[] { PrivateCa })]
    [InlineData("The remote certificate is invalid because of errors in the certificate chain: PartialChain", new[] { PrivateCa })]
    [InlineData("The remote certificate is invalid according to the validation procedure: RemoteCertificateNameMismatch", new[] { WrongName })]
    [InlineData("The remote certificate is invalid according to the validation procedure: RemoteCertificateNameMismatch, RemoteCertificateChainErrors",
        new[] { WrongName, PrivateCa })]
    [InlineData("The remote certificate is invalid because of errors in the certificate chain: NotTimeValid", new[] { OutOfDate })]
    [InlineData("The remote certificate is invalid because of errors in the certificate chain: NotTimeValid, UntrustedRoot", new[] { OutOfDate, PrivateCa })]
    [InlineData("Authentication failed because the remote party sent a TLS alert: 'HandshakeFailure'.", new[] { PrivateCa })]
    public void A_refused_certificate_gets_the_advice_its_flags_call_for(string dotnetMessage, string[] expected)
    {
        string reason = ConnectionFailure.Describe(new AuthenticationException(dotnetMessage), Gateway)!;

        Assert.Contains(dotnetMessage, reason, StringComparison.Ordinal);
        foreach (string advice in new[] { PrivateCa, WrongName, OutOfDate })
        {
            Assert.Equal(expected.Contains(advice), reason.Contains(advice, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_server_that_answers_the_handshake_without_TLS_is_said_to_be_plain_http()
    {
        var tls = new AuthenticationException("Authentication failed, see inner exception.",
            new IOException("Cannot determine the frame size or a corrupted frame was received."));

        string reason = ConnectionFailure.Describe(tls, Gateway)!;

        Assert.Contains("does not speak TLS", reason, StringComparison.Ordinal);
        Assert.Contains("http://localhost:8443", reason, StringComparison.Ordinal);
        Assert.DoesNotContain(PrivateCa, reason, StringComparison.Ordinal);
    }
}
