using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Waits for a file or directory to appear in the sandbox and returns it, as Get-SbxItem would:
/// at once when it is already there, else as soon as a watch of its parent directory sees it.
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "SbxItem", HelpUri = HelpLinks.Root + "Wait-SbxItem.md")]
[OutputType(typeof(SandboxItem))]
public sealed class WaitSbxItemCommand : SessionCmdlet
{
    /// <summary>The sandbox path to wait for. Its parent directory must exist.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SandboxPathCompleter))]
    public string Path { get; set; } = string.Empty;

    /// <summary>Seconds to wait; 0 (the default) waits as long as it takes. Running out is an OperationTimeout error.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int TimeoutSec { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            WriteObject(Wait(WaitAsync()));
        }
        catch (TimeoutException e)
        {
            WriteError(SandboxErrors.Create("WaitTimeout", ErrorCategory.OperationTimeout, Path, e.Message, e));
        }
        catch (SandboxException e)
        {
            WriteSandboxError(e, Path);
        }
    }

    async Task<SandboxItem> WaitAsync()
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(CancelToken);
        if (TimeoutSec > 0)
        {
            limit.CancelAfter(TimeSpan.FromSeconds(TimeoutSec));
        }
        try
        {
            return await Client.Watchers.WaitForItemAsync(Path, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !CancelToken.IsCancellationRequested)
        {
            throw new TimeoutException($"'{Path}' did not appear in the sandbox within {TimeoutSec} s.");
        }
    }
}
