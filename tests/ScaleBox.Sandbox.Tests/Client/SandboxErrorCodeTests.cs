using Grpc.Core;
using ScaleBox.Sandbox.Client.Errors;

namespace ScaleBox.Sandbox.Tests.Client;

/// <summary>The error codes: gRPC's numbers (the translator casts between them) and Connect's spellings.</summary>
public sealed class SandboxErrorCodeTests
{
    [Theory]
    [InlineData(SandboxErrorCode.NotFound, "not_found")]
    [InlineData(SandboxErrorCode.Unauthenticated, "unauthenticated")]
    [InlineData(SandboxErrorCode.InvalidArgument, "invalid_argument")]
    [InlineData(SandboxErrorCode.AlreadyExists, "already_exists")]
    [InlineData(SandboxErrorCode.DeadlineExceeded, "deadline_exceeded")]
    [InlineData(SandboxErrorCode.PermissionDenied, "permission_denied")]
    [InlineData(SandboxErrorCode.ResourceExhausted, "resource_exhausted")]
    [InlineData(SandboxErrorCode.FailedPrecondition, "failed_precondition")]
    [InlineData(SandboxErrorCode.OutOfRange, "out_of_range")]
    [InlineData(SandboxErrorCode.DataLoss, "data_loss")]
    [InlineData(SandboxErrorCode.Unavailable, "unavailable")]
    [InlineData(SandboxErrorCode.Unimplemented, "unimplemented")]
    [InlineData(SandboxErrorCode.Internal, "internal")]
    [InlineData(SandboxErrorCode.Aborted, "aborted")]
    [InlineData(SandboxErrorCode.Unknown, "unknown")]
    // Connect spells this one the American way, unlike gRPC's CANCELLED.
    [InlineData(SandboxErrorCode.Cancelled, "canceled")]
    public void The_wire_name_is_the_Connect_protocol_spelling(SandboxErrorCode code, string expected)
    {
        Assert.Equal(expected, SandboxException.ToWireName(code));
        Assert.Equal(expected, new SandboxException(code, "m").WireCode);
    }

    [Fact]
    public void Every_code_has_the_number_and_name_of_the_gRPC_status_it_is_cast_from()
    {
        // ErrorTranslator turns an RpcException's StatusCode into a SandboxErrorCode by its number.
        StatusCode[] errors = Enum.GetValues<StatusCode>().Where(c => c != StatusCode.OK).ToArray();
        Assert.Equal(errors.Length, Enum.GetValues<SandboxErrorCode>().Length);
        foreach (StatusCode status in errors)
        {
            Assert.Equal(status.ToString(), ((SandboxErrorCode)(int)status).ToString());
        }
    }
}
