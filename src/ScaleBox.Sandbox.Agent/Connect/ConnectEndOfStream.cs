using System.Buffers;
using System.Text.Json;
using Grpc.Core;

namespace ScaleBox.Sandbox.Agent.Connect;

/// <summary>
/// The JSON in a stream's last envelope (flag 0x02), always JSON whatever the codec:
/// <c>{"error":{"code":"...","message":"..."},"metadata":{...}}</c> when the call failed, and on
/// success <c>{}</c>, or <c>{"metadata":{...}}</c> when the service set trailers.
/// </summary>
internal static class ConnectEndOfStream
{
    public static byte[] ToJson(Status status, Metadata trailers)
    {
        bool failed = status.StatusCode != StatusCode.OK;
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, ConnectError.WriterOptions))
        {
            json.WriteStartObject();
            if (failed)
            {
                json.WritePropertyName("error");
                ConnectError.Write(json, status);
            }
            if (failed || trailers.Count > 0)
            {
                json.WritePropertyName("metadata");
                ConnectMetadata.WriteJson(json, trailers);
            }
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
