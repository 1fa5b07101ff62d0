namespace ScaleBox.Sandbox.Agent.Connect;

/// <summary>
/// What a request's Content-Type says about a Connect call: the codec, and whether the bodies are
/// enveloped (<c>application/connect+json</c>, streaming) or plain (<c>application/json</c>, unary).
/// gRPC, gRPC-Web, forms and anything else parse to null: they are not Connect requests.
/// </summary>
internal readonly record struct ConnectContentType(ConnectCodec Codec, bool IsStreaming)
{
    const string UnaryPrefix = "application/";
    const string StreamingPrefix = "application/connect+";

    public string MediaType => (IsStreaming ? StreamingPrefix : UnaryPrefix) + Codec.Name;

    /// <summary>Parameters such as <c>charset=utf-8</c> are ignored: Connect's JSON is always UTF-8.</summary>
    public static ConnectContentType? Parse(string? contentType)
    {
        if (contentType is null)
        {
            return null;
        }

        string mediaType = contentType.Split(';', 2)[0].Trim();
        bool streaming = mediaType.StartsWith(StreamingPrefix, StringComparison.OrdinalIgnoreCase);
        string? codecName = streaming ? mediaType[StreamingPrefix.Length..]
            : mediaType.StartsWith(UnaryPrefix, StringComparison.OrdinalIgnoreCase) ? mediaType[UnaryPrefix.Length..]
            : null;
        return ConnectCodec.Find(codecName) is { } codec ? new ConnectContentType(codec, streaming) : null;
    }

    /// <summary>The content types a method of this shape accepts, for the Accept-Post header of a 415.</summary>
    public static string AcceptedFor(bool streaming) => streaming
        ? $"{StreamingPrefix}{ConnectCodec.Json.Name}, {StreamingPrefix}{ConnectCodec.Proto.Name}"
        : $"{UnaryPrefix}{ConnectCodec.Json.Name}, {UnaryPrefix}{ConnectCodec.Proto.Name}";
}
