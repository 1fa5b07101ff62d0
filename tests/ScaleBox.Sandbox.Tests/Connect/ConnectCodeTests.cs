using Grpc.Core;
using ScaleBox.Sandbox.Agent.Connect;

namespace ScaleBox.Sandbox.Tests.Connect;

/// <summary>Every gRPC status code's Connect name and unary HTTP status, as the Connect specification lists them.</summary>
public sealed class ConnectCodeTests
{
    [Theory]
    [InlineData(StatusCode.Cancelled, "canceled", 499)]
    [InlineData(StatusCode.Unknown, "unknown", 500)]
    [InlineData(StatusCode.InvalidArgument, "invalid_argument", 400)]
    [InlineData(StatusCode.DeadlineExceeded, "deadline_exceeded", 504)]
    [InlineData(StatusCode.NotFound, "not_found", 404)]
    [InlineData(StatusCode.AlreadyExists, "already_exists", 409)]
    [InlineData(StatusCode.PermissionDenied, "permission_denied", 403)]
    [InlineData(StatusCode.ResourceExhausted, "resource_exhausted", 429)]
    [InlineData(StatusCode.FailedPrecondition, "failed_precondition", 400)]
    [InlineData(StatusCode.Aborted, "aborted", 409)]
    [InlineData(StatusCode.OutOfRange, "out_of_range", 400)]
    [InlineData(StatusCode.Unimplemented, "unimplemented", 501)]
    [InlineData(StatusCode.Internal, "internal", 500)]
    [InlineData(StatusCode.Unavailable, "unavailable", 503)]
    [InlineData(StatusCode.DataLoss, "data_loss", 500)]
    [InlineData(StatusCode.Unauthenticated, "unauthenticated", 401)]
    public void Each_code_has_its_Connect_name_and_HTTP_status(StatusCode code, string name, int httpStatus)
    {
        Assert.Equal(name, ConnectCode.Name(code));
        Assert.Equal(httpStatus, ConnectCode.HttpStatus(code));
    }
}
