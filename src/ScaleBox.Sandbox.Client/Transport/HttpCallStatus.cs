using System;
using System.IO;
using System.Net.Http;
using System.Text;
using Grpc.Core;

namespace ScaleBox.Sandbox.Client.Transport;

/// <summary>
/// What the module's own HTTP call paths (a Connect session's calls, a gRPC-Web session's unary
/// calls) say where Grpc.Net.Client would say the same: a failed transport's status, and the
/// refusals of a call asked for its status or trailers before it ended. Everything above the
/// invokers reads their failures as it reads Grpc.Net.Client's.
/// </summary>
internal static class HttpCallStatus
{
    /// <summary>
    /// A call that failed below the protocol: Unavailable for the network (a failed or broken
    /// connection, a cut body), Internal for anything else; the detail names each exception, outer
    /// first, after <paramref name="what"/> ("Error starting gRPC call.").
    /// </summary>
    public static Status TransportFailure(string what, Exception error)
    {
        StatusCode code = error is HttpRequestException || error is IOException || error is OperationCanceledException
            ? StatusCode.Unavailable
            : StatusCode.Internal;
        var detail = new StringBuilder(what);
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            detail.Append(' ').Append(e.GetType().Name).Append(": ").Append(e.Message);
        }
        return new Status(code, detail.ToString(), error);
    }

    /// <summary>The status of a call that ended; asked earlier, an InvalidOperationException, as from Grpc.Net.Client.</summary>
    public static Status OfEnded(Status? ended) =>
        ended ?? throw new InvalidOperationException("Unable to get the status because the call is not complete.");

    /// <summary>The trailers of a call that ended; asked earlier, an InvalidOperationException, as from Grpc.Net.Client.</summary>
    public static Metadata TrailersOfEnded(Status? ended, Metadata trailers) =>
        ended is null ? throw new InvalidOperationException("Can't get the call trailers because the call has not completed successfully.") : trailers;
}
