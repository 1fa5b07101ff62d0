using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Http.Headers;
using Grpc.Core;

namespace ScaleBox.Sandbox.Client.Transport.Connect;

/// <summary>
/// gRPC metadata to and from Connect's places for it: request and response HTTP headers, unary
/// trailers as headers prefixed <c>trailer-</c>. Keys ending in <c>-bin</c> carry base64
/// (Connect writes it unpadded; both are read).
/// </summary>
internal static class ConnectHeaders
{
    const string UnaryTrailerPrefix = "trailer-";

    public static void AddToRequest(HttpRequestMessage request, Metadata? metadata)
    {
        if (metadata is null)
        {
            return;
        }
        foreach (Metadata.Entry entry in metadata)
        {
            string value = entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes).TrimEnd('=') : entry.Value;
            request.Headers.TryAddWithoutValidation(entry.Key, value);
        }
    }

    /// <summary>The response's headers; for a unary call, the <c>trailer-</c> ones go to <paramref name="unaryTrailers"/>.</summary>
    public static Metadata FromResponse(HttpResponseMessage response, Metadata? unaryTrailers)
    {
        var headers = new Metadata();
        foreach (KeyValuePair<string, IEnumerable<string>> header in response.Headers)
        {
            string key = header.Key.ToLowerInvariant();
            bool isTrailer = unaryTrailers != null && key.StartsWith(UnaryTrailerPrefix, StringComparison.Ordinal);
            foreach (string value in header.Value)
            {
                if (isTrailer)
                {
                    Add(unaryTrailers!, key.Substring(UnaryTrailerPrefix.Length), value);
                }
                else
                {
                    Add(headers, key, value);
                }
            }
        }
        return headers;
    }

    /// <summary>Adds one header; names that metadata cannot hold and <c>-bin</c> values that are not base64 are left out.</summary>
    public static void Add(Metadata metadata, string name, string value)
    {
        string key = name.ToLowerInvariant();
        if (!IsValidKey(key))
        {
            return;
        }
        if (key.EndsWith(Metadata.BinaryHeaderSuffix, StringComparison.Ordinal))
        {
            try
            {
                metadata.Add(key, Convert.FromBase64String(value.PadRight(value.Length + (4 - value.Length % 4) % 4, '=')));
            }
            catch (FormatException)
            {
                // A malformed binary header is no reason to fail a call that succeeded.
            }
            return;
        }
        metadata.Add(key, value);
    }

    public static string? MediaTypeOf(HttpResponseMessage response) => response.Content?.Headers.ContentType?.MediaType;

    public static void SetContentType(HttpContent content, string mediaType) =>
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);

    // The characters gRPC allows in metadata keys.
    static bool IsValidKey(string key)
    {
        if (key.Length == 0)
        {
            return false;
        }
        foreach (char c in key)
        {
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            {
                return false;
            }
        }
        return true;
    }
}
