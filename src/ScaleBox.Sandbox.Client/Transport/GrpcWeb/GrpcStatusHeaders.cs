using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http.Headers;
using Grpc.Core;

namespace ScaleBox.Sandbox.Client.Transport.GrpcWeb;

/// <summary>
/// The status of a gRPC answer as its headers or trailers carry it: <c>grpc-status</c> (a number)
/// and <c>grpc-message</c> (percent-encoded UTF-8), and the metadata around them.
/// </summary>
internal static class GrpcStatusHeaders
{
    const string StatusKey = "grpc-status";
    const string MessageKey = "grpc-message";

    /// <summary>The status the metadata holds, or null when it holds none.</summary>
    public static Status? StatusOf(Metadata metadata)
    {
        string? code = metadata.GetValue(StatusKey);
        return code is null ? null : Parse(code, metadata.GetValue(MessageKey));
    }

    /// <summary>The status in an answer's headers (a trailers-only answer, such as an error), or null.</summary>
    public static Status? StatusOf(HttpResponseHeaders headers) =>
        headers.TryGetValues(StatusKey, out IEnumerable<string>? codes) && codes?.FirstOrDefault() is string code
            ? Parse(code, headers.TryGetValues(MessageKey, out IEnumerable<string>? messages) ? messages?.FirstOrDefault() : null)
            : null;

    /// <summary>A trailers-only answer's headers as the call's trailers.</summary>
    public static Metadata ToMetadata(HttpResponseHeaders headers)
    {
        var metadata = new Metadata();
        foreach (KeyValuePair<string, IEnumerable<string>> header in headers)
        {
            foreach (string value in header.Value)
            {
                Add(metadata, header.Key.ToLowerInvariant(), value);
            }
        }
        return metadata;
    }

    /// <summary>
    /// Adds one entry; a name metadata cannot hold, or a binary (<c>-bin</c>) value that is not
    /// base64, is left out: an answer's extra headers are not worth failing the call for.
    /// </summary>
    public static void Add(Metadata metadata, string name, string value)
    {
        try
        {
            if (name.EndsWith(Metadata.BinaryHeaderSuffix, StringComparison.Ordinal))
            {
                metadata.Add(name, Convert.FromBase64String(value));
            }
            else
            {
                metadata.Add(name, value);
            }
        }
        catch (Exception e) when (e is ArgumentException || e is FormatException)
        {
        }
    }

    static Status Parse(string code, string? message)
    {
        string detail = message is null ? string.Empty : Uri.UnescapeDataString(message);
        return int.TryParse(code.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? new Status((StatusCode)value, detail)
            : new Status(StatusCode.Unknown, "Unexpected grpc-status value: " + code);
    }
}
