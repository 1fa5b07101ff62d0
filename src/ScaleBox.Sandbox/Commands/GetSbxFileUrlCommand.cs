using System;
using System.Management.Automation;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Returns a signed URL that reads (downloads) or writes (uploads) one sandbox file without any
/// header, for curl, a browser or another machine. Anyone holding it can use it until it expires.
/// </summary>
[Cmdlet(VerbsCommon.Get, "SbxFileUrl", DefaultParameterSetName = ExpiringSet, HelpUri = HelpLinks.Root + "Get-SbxFileUrl.md")]
[OutputType(typeof(string))]
public sealed class GetSbxFileUrlCommand : SessionCmdlet
{
    const string ExpiringSet = "Expiring";
    const string NoExpirySet = "NoExpiry";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath", "LiteralPath")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SandboxPathCompleter))]
    public string[] Path { get; set; } = new string[0];

    /// <summary>Read: the URL downloads the file (GET). Write: it uploads to the path (POST multipart).</summary>
    [Parameter(Position = 1)]
    public SandboxFileOperation Operation { get; set; } = SandboxFileOperation.Read;

    /// <summary>How long the URL works; one hour unless given. A number is taken as seconds.</summary>
    [Parameter(ParameterSetName = ExpiringSet)]
    [SecondsToTimeSpan]
    public TimeSpan ExpiresIn { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A URL that never expires: it works for as long as the sandbox's token does.</summary>
    [Parameter(Mandatory = true, ParameterSetName = NoExpirySet)]
    public SwitchParameter NoExpiry { get; set; }

    /// <summary>The sandbox user the URL acts as; the session's user (root) unless given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? User { get; set; }

    protected override void BeginProcessing()
    {
        if (ParameterSetName == ExpiringSet && ExpiresIn <= TimeSpan.Zero)
        {
            ThrowTerminatingError(SandboxErrors.Create("InvalidLifetime", ErrorCategory.InvalidArgument, ExpiresIn,
                "-ExpiresIn must be positive. Use -NoExpiry for a URL that does not expire."));
        }
    }

    protected override void ProcessRecord()
    {
        foreach (string path in Path)
        {
            // The agent reads a URL's path as absolute, so a relative one is resolved first.
            string fullPath;
            try
            {
                fullPath = Wait(Client.Files.GetFullPathAsync(path, CancelToken));
            }
            catch (SandboxException e)
            {
                WriteSandboxError(e, path);
                continue;
            }
            Uri url = Client.Transfer.GetSignedUrl(fullPath, Operation, NoExpiry ? (TimeSpan?)null : ExpiresIn, User);
            // AbsoluteUri keeps the percent-encoding; Uri.ToString() would undo some of it.
            WriteObject(url.AbsoluteUri);
        }
    }
}
