using System.Text.Json;
using Grpc.Core;

namespace ScaleBox.Sandbox.Agent.Connect;

/// <summary>
/// gRPC metadata to and from Connect's places for it: HTTP headers (trailers of a unary call as
/// headers prefixed <c>trailer-</c>) and the <c>metadata</c> object of an end-of-stream message.
/// Keys ending in <c>-bin</c> carry base64; Connect accepts it with or without padding.
/// </summary>
internal static class ConnectMetadata
{
    public const string UnaryTrailerPrefix = "trailer-";

    /// <summary>The request's headers as a service sees them, whichever protocol carried the call.</summary>
    /// <exception cref="RpcException">invalid_argument for a <c>-bin</c> header that is not base64.</exception>
    public static Metadata FromHeaders(IHeaderDictionary headers)
    {
        var metadata = new Metadata();
        foreach ((string name, Microsoft.Extensions.Primitives.StringValues values) in headers)
        {
            string key = name.ToLowerInvariant();
            if (!IsValidKey(key))
            {
                continue; // HTTP allows header names that metadata cannot hold; no service can ask for them
            }
            foreach (string? value in values)
            {
                if (value is null)
                {
                    continue;
                }
                if (key.EndsWith(Metadata.BinaryHeaderSuffix, StringComparison.Ordinal))
                {
                    metadata.Add(key, DecodeBinary(key, value));
                }
                else
                {
                    metadata.Add(key, value);
                }
            }
        }
        return metadata;
    }

    public static void AddToHeaders(IHeaderDictionary headers, Metadata metadata, string prefix = "")
    {
        foreach (Metadata.Entry entry in metadata)
        {
            headers.Append(prefix + entry.Key, TextOf(entry));
        }
    }

    /// <summary>Writes <c>{"key":["value",...],...}</c>.</summary>
    public static void WriteJson(Utf8JsonWriter json, Metadata metadata)
    {
        json.WriteStartObject();
        foreach (IGrouping<string, Metadata.Entry> values in metadata.GroupBy(entry => entry.Key, StringComparer.Ordinal))
        {
            json.WriteStartArray(values.Key);
            foreach (Metadata.Entry entry in values)
            {
                json.WriteStringValue(TextOf(entry));
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    // Unpadded, as connect-go writes binary values.
    static string TextOf(Metadata.Entry entry) =>
        entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes).TrimEnd('=') : entry.Value;

    static byte[] DecodeBinary(string key, string value)
    {
        string padded = value.PadRight(value.Length + (4 - value.Length % 4) % 4, '=');
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"header {key} is not base64"));
        }
    }

    // The characters gRPC allows in metadata keys.
    static bool IsValidKey(string key) =>
        key.Length > 0 && key.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.');
}
