using System.Net.Http.Headers;
using System.Text;
using ScaleBox.Sandbox.Agent.Connect;

namespace ScaleBox.Sandbox.Tests.Connect;

/// <summary>Connect requests built by hand and responses taken apart by hand, so tests see exactly what is on the wire.</summary>
internal static class ConnectWire
{
    public static HttpRequestMessage Request(string procedure, byte[] body, string contentType, string? accessToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, procedure.TrimStart('/')) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "root");
        if (accessToken is not null)
        {
            request.Headers.Add("X-Access-Token", accessToken);
        }
        return request;
    }

    public static HttpRequestMessage Json(string procedure, string json, string? accessToken, string contentType = "application/json") =>
        Request(procedure, Encoding.UTF8.GetBytes(json), contentType, accessToken);

    /// <summary>A streaming request body: one envelope (flag 0) per message.</summary>
    public static byte[] Envelopes(params byte[][] messages)
    {
        var body = new MemoryStream();
        foreach (byte[] message in messages)
        {
            new ConnectEnvelope(ConnectEnvelopeFlags.None, message).WriteAsync(body, default).GetAwaiter().GetResult();
        }
        return body.ToArray();
    }

    public static async Task<IReadOnlyList<ConnectEnvelope>> ReadEnvelopesAsync(HttpResponseMessage response)
    {
        var body = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        var envelopes = new List<ConnectEnvelope>();
        while (await ConnectEnvelope.ReadAsync(body, int.MaxValue, default) is { } envelope)
        {
            envelopes.Add(envelope);
        }
        return envelopes;
    }

    public static string Text(ConnectEnvelope envelope) => Encoding.UTF8.GetString(envelope.Payload.Span);
}
