using System;
using System.Net;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ScaleBox.Sandbox.Client.Transport.Connect;

/// <summary>
/// Reads how a Connect call ended into the gRPC status and trailers the layers above already
/// understand: a unary error body <c>{"code":"not_found","message":"...","details":[...]}</c>, the
/// end-of-stream JSON <c>{"error":{...},"metadata":{"key":["value"]}}</c>, and, when a body is no
/// Connect error (a proxy's page, the agent's 401), the HTTP status as the Connect protocol maps it.
/// </summary>
internal static class ConnectStatus
{
    /// <summary>
    /// Starts the detail of an answer that no Connect server gives (a web page, a wrong content type),
    /// so that the error says the server is not a sandbox agent on this protocol.
    /// </summary>
    public const string BadResponse = "Bad Connect response";

    static readonly JsonParser Parser = new JsonParser(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    /// <summary>The status of a response that is not 200: its JSON error, else its HTTP status.</summary>
    public static Status FromErrorResponse(HttpStatusCode httpStatus, string? mediaType, byte[] body)
    {
        StatusCode fallback = FromHttpStatus(httpStatus);
        if (ParseObject(body) is Struct error && FromError(error, fallback) is Status status)
        {
            return status;
        }
        // Not a Connect error. A short text body (the agent's own plain answers) says why; a page does not.
        string text = IsText(mediaType) && body.Length > 0 && body.Length <= 512 ? ": " + Encoding.UTF8.GetString(body).Trim() : "";
        string detail = fallback == StatusCode.Unimplemented || fallback == StatusCode.Unknown || fallback == StatusCode.Internal
            ? $"{BadResponse}: HTTP {(int)httpStatus} {httpStatus}{(mediaType is null ? "" : $" ({mediaType})")}{text}"
            : $"HTTP {(int)httpStatus} {httpStatus}{text}";
        return new Status(fallback, detail);
    }

    /// <summary>
    /// The end-of-stream message: the status (OK without an error) and the trailers.
    /// </summary>
    /// <exception cref="RpcException">Internal when the message is not the JSON object Connect sends.</exception>
    public static Status FromEndOfStream(byte[] payload, Metadata trailers)
    {
        if (!(ParseObject(payload) is Struct end))
        {
            throw new RpcException(new Status(StatusCode.Internal, "the end-of-stream message of the response is not a JSON object"));
        }
        if (end.Fields.TryGetValue("metadata", out Value metadata) && metadata.KindCase == Value.KindOneofCase.StructValue)
        {
            foreach (var field in metadata.StructValue.Fields)
            {
                if (field.Value.KindCase != Value.KindOneofCase.ListValue)
                {
                    continue;
                }
                foreach (Value value in field.Value.ListValue.Values)
                {
                    if (value.KindCase == Value.KindOneofCase.StringValue)
                    {
                        ConnectHeaders.Add(trailers, field.Key, value.StringValue);
                    }
                }
            }
        }
        if (end.Fields.TryGetValue("error", out Value error) && error.KindCase == Value.KindOneofCase.StructValue)
        {
            return FromError(error.StructValue, StatusCode.Unknown) ?? new Status(StatusCode.Unknown, "the stream ended with an error without a code");
        }
        return Status.DefaultSuccess;
    }

    /// <summary>Connect's code names; an unknown name is <paramref name="fallback"/>.</summary>
    static Status? FromError(Struct error, StatusCode fallback)
    {
        if (!error.Fields.TryGetValue("code", out Value code))
        {
            return null;
        }
        // The agent's 401 carries a numeric code: that is not a Connect error, its HTTP status decides.
        StatusCode statusCode = code.KindCase == Value.KindOneofCase.StringValue ? FromName(code.StringValue) ?? fallback : fallback;
        string message = error.Fields.TryGetValue("message", out Value text) && text.KindCase == Value.KindOneofCase.StringValue
            ? text.StringValue
            : "";
        return new Status(statusCode, message);
    }

    public static StatusCode? FromName(string name)
    {
        switch (name)
        {
            case "canceled": return StatusCode.Cancelled;
            case "unknown": return StatusCode.Unknown;
            case "invalid_argument": return StatusCode.InvalidArgument;
            case "deadline_exceeded": return StatusCode.DeadlineExceeded;
            case "not_found": return StatusCode.NotFound;
            case "already_exists": return StatusCode.AlreadyExists;
            case "permission_denied": return StatusCode.PermissionDenied;
            case "resource_exhausted": return StatusCode.ResourceExhausted;
            case "failed_precondition": return StatusCode.FailedPrecondition;
            case "aborted": return StatusCode.Aborted;
            case "out_of_range": return StatusCode.OutOfRange;
            case "unimplemented": return StatusCode.Unimplemented;
            case "internal": return StatusCode.Internal;
            case "unavailable": return StatusCode.Unavailable;
            case "data_loss": return StatusCode.DataLoss;
            case "unauthenticated": return StatusCode.Unauthenticated;
            default: return null;
        }
    }

    /// <summary>The Connect protocol's mapping of an HTTP status without a Connect error body.</summary>
    public static StatusCode FromHttpStatus(HttpStatusCode status)
    {
        switch ((int)status)
        {
            case 400: return StatusCode.Internal;
            case 401: return StatusCode.Unauthenticated;
            case 403: return StatusCode.PermissionDenied;
            case 404: return StatusCode.Unimplemented;
            case 429:
            case 502:
            case 503:
            case 504: return StatusCode.Unavailable;
            default: return StatusCode.Unknown;
        }
    }

    static Struct? ParseObject(byte[] body)
    {
        if (body.Length == 0)
        {
            return null;
        }
        try
        {
            return Parser.Parse<Struct>(Encoding.UTF8.GetString(body));
        }
        catch (Exception e) when (e is InvalidJsonException || e is InvalidProtocolBufferException || e is FormatException || e is InvalidOperationException)
        {
            return null;
        }
    }

    static bool IsText(string? mediaType) =>
        mediaType != null && (mediaType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase)
            || mediaType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase));
}
