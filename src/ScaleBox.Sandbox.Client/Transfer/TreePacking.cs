using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Client.Transfer;

/// <summary>Whether a tree copy goes as one tar stream (see <see cref="SandboxTreePacking"/>), decided once before anything is written.</summary>
internal static class TreePacking
{
    /// <summary>True when the build can pack at all: System.Formats.Tar exists from .NET 7 on.</summary>
    public static bool Supported { get; } =
#if NET8_0_OR_GREATER
        true;
#else
        false;
#endif

    /// <param name="perFileOnly">True when something about the tree (links, per-file hashes) makes Auto copy it file by file.</param>
    /// <exception cref="SandboxException">With <see cref="SandboxTreePacking.Always"/>, when the copy cannot be packed.</exception>
    public static async Task<bool> ShouldPackAsync(SandboxClient client, SandboxTreeCopyOptions options, bool destinationExists, int fileCount,
        bool perFileOnly, string destination, CancellationToken cancellationToken)
    {
        switch (options.Packing)
        {
            case SandboxTreePacking.Never:
                return false;
            case SandboxTreePacking.Always:
                if (!Supported)
                {
                    throw Refusal(client, SandboxErrorCode.FailedPrecondition, destination,
                        "a packed copy needs PowerShell 7 (.NET 8); this build copies trees file by file");
                }
                if (destinationExists)
                {
                    throw Refusal(client, SandboxErrorCode.AlreadyExists, destination,
                        "it already exists, and a packed copy only makes a new directory; to merge into an existing one, copy without packing");
                }
                if (!await RemoteTar.IsAvailableAsync(client.Processes, cancellationToken).ConfigureAwait(false))
                {
                    throw Refusal(client, SandboxErrorCode.FailedPrecondition, destination,
                        "a packed copy needs 'tar' in the sandbox, which has none");
                }
                return true;
            default:
                return Supported && !destinationExists && !perFileOnly && fileCount >= SandboxTreeCopyOptions.PackingThreshold
                    && await RemoteTar.IsAvailableAsync(client.Processes, cancellationToken).ConfigureAwait(false);
        }
    }

    public static SandboxException Refusal(SandboxClient client, SandboxErrorCode code, string destination, string why) =>
        new SandboxException(code, $"Cannot copy the tree to '{destination}' as one packed stream: {why}.", null, destination, client.Endpoint.Domain);
}
