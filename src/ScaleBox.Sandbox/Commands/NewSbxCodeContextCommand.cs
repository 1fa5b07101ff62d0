using System.Management.Automation;
using ScaleBox.Sandbox.Client.Code;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Code;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>Starts an interpreter in the sandbox whose state persists across Invoke-SbxCode -Context calls.</summary>
[Cmdlet(VerbsCommon.New, "SbxCodeContext", SupportsShouldProcess = true, HelpUri = HelpLinks.Root + "New-SbxCodeContext.md")]
[OutputType(typeof(SandboxCodeContext))]
public sealed class NewSbxCodeContextCommand : SessionCmdlet
{
    /// <summary>python (the default), javascript, bash, r, ...</summary>
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(CodeLanguageCompleter))]
    [ValidateNotNullOrEmpty]
    public string Language { get; set; } = "python";

    /// <summary>The interpreter's working directory in the sandbox; the agent's home when omitted.</summary>
    [Parameter]
    [Alias("Cwd")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SandboxPathCompleter))]
    public string? WorkingDirectory { get; set; }

    protected override void EndProcessing()
    {
        if (!ShouldProcess(WorkingDirectory is null ? Language : $"{Language} in {WorkingDirectory}", "Start code context"))
        {
            return;
        }
        try
        {
            SandboxCodeContext context = Wait(Client.Code.CreateContextAsync(Language, WorkingDirectory, CancelToken));
            ResolvedSession.CodeContexts[context.Id] = context;
            WriteObject(context);
        }
        catch (SandboxException e)
        {
            WriteSandboxError(e, Language);
        }
    }
}
