using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Grpc.Core;

namespace ScaleBox.Sandbox.Agent.Connect;

/// <summary>
/// A failed call as Connect writes it: <c>{"code":"not_found","message":"..."}</c>, the whole body of
/// a unary error and the <c>error</c> member of a stream's end-of-stream message.
/// </summary>
internal static class ConnectError
{
    /// <summary>
    /// Messages stay readable (a path's quotes and apostrophes unescaped): the JSON goes to RPC
    /// clients as a body of its own, never into an HTML page.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(Utf8JsonWriter json, Status status)
    {
        json.WriteStartObject();
        json.WriteString("code", ConnectCode.Name(status.StatusCode));
        if (!string.IsNullOrEmpty(status.Detail))
        {
            json.WriteString("message", status.Detail);
        }
        json.WriteEndObject();
    }

    public static byte[] ToJson(Status status)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(json, status);
        }
        return buffer.WrittenSpan.ToArray();
    }
}
