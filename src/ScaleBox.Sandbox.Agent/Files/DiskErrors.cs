namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>How a failure to write a received file is answered: 507 when the disk is full, else 500.</summary>
public static class DiskErrors
{
    const int NoSpace = 28;     // ENOSPC
    const int QuotaExceeded = 122; // EDQUOT

    /// <summary>.NET puts the errno of a failed system call in the IOException's HResult on Unix.</summary>
    public static bool IsDiskFull(IOException e) => (e.HResult & 0xFFFF) is NoSpace or QuotaExceeded;

    public static FileEndpointException Writing(Exception e) => e switch
    {
        IOException io when IsDiskFull(io) => new FileEndpointException(StatusCodes.Status507InsufficientStorage, "not enough disk space available"),
        _ => new FileEndpointException(StatusCodes.Status500InternalServerError, "error writing file: " + e.Message),
    };
}
