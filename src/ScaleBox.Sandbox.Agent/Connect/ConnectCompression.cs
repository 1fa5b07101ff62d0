using System.IO.Compression;
using Grpc.Core;

namespace ScaleBox.Sandbox.Agent.Connect;

/// <summary>
/// Request compression: none (<c>identity</c>) or gzip, the two that connect-go servers such as the
/// real agent accept. Responses are never compressed, which Connect allows whatever a client accepts.
/// </summary>
internal static class ConnectCompression
{
    public const string Identity = "identity";
    public const string Gzip = "gzip";

    public static bool IsIdentity(string? encoding) =>
        string.IsNullOrEmpty(encoding) || string.Equals(encoding, Identity, StringComparison.OrdinalIgnoreCase);

    /// <exception cref="RpcException">
    /// unimplemented for an encoding other than identity or gzip (as the Connect spec asks),
    /// invalid_argument for data that is not gzip, resource_exhausted when it inflates beyond <paramref name="maxLength"/>.
    /// </exception>
    public static ReadOnlyMemory<byte> Decompress(string? encoding, ReadOnlyMemory<byte> data, int maxLength)
    {
        if (IsIdentity(encoding))
        {
            return data;
        }
        if (!string.Equals(encoding, Gzip, StringComparison.OrdinalIgnoreCase))
        {
            throw new RpcException(new Status(StatusCode.Unimplemented,
                $"unknown compression \"{encoding}\": supported encodings are {Gzip}, {Identity}"));
        }

        using var gzip = new GZipStream(new MemoryStream(data.ToArray(), writable: false), CompressionMode.Decompress);
        using var inflated = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = gzip.Read(chunk)) > 0)
            {
                // Checked while inflating: a small bomb must not get to fill memory first.
                if (inflated.Length + read > maxLength)
                {
                    throw new RpcException(new Status(StatusCode.ResourceExhausted,
                        $"the message is larger than the limit of {maxLength} bytes once decompressed"));
                }
                inflated.Write(chunk, 0, read);
            }
        }
        catch (InvalidDataException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"the message is not valid gzip: {e.Message}"));
        }
        return inflated.ToArray();
    }
}
