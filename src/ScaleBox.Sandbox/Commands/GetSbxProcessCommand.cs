using System.Linq;
using System.Management.Automation;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands;

/// <summary>Lists the processes running in the sandbox, as Get-Process does locally.</summary>
[Cmdlet(VerbsCommon.Get, "SbxProcess", DefaultParameterSetName = AllSet, HelpUri = HelpLinks.Root + "Get-SbxProcess.md")]
[OutputType(typeof(SandboxProcessInfo))]
public sealed class GetSbxProcessCommand : SessionCmdlet
{
    const string AllSet = "All";
    const string PidSet = "Pid";
    const string TagSet = "Tag";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = PidSet)]
    [Alias("Id", "ProcessId")]
    [ArgumentCompleter(typeof(SandboxProcessCompleter))]
    public uint[] Pid { get; set; } = new uint[0];

    [Parameter(Mandatory = true, ParameterSetName = TagSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SandboxProcessCompleter))]
    public string[] Tag { get; set; } = new string[0];

    protected override void ProcessRecord()
    {
        SandboxProcessInfo[] processes;
        try
        {
            processes = Wait(Client.Processes.ListAsync(CancelToken)).OrderBy(p => p.Pid).ToArray();
        }
        catch (SandboxException e)
        {
            WriteSandboxError(e);
            return;
        }

        switch (ParameterSetName)
        {
            case PidSet:
                foreach (uint pid in Pid)
                {
                    SandboxProcessInfo? match = processes.FirstOrDefault(p => p.Pid == pid);
                    if (match is null)
                    {
                        WriteError(SandboxErrors.Create("ProcessNotFound", ErrorCategory.ObjectNotFound, pid,
                            $"No process with pid {pid} is running in the sandbox."));
                        continue;
                    }
                    WriteObject(match);
                }
                break;
            case TagSet:
                foreach (string tag in Tag)
                {
                    var pattern = new WildcardPattern(tag, WildcardOptions.CultureInvariant);
                    var matches = processes.Where(p => p.Tag is not null && pattern.IsMatch(p.Tag)).ToArray();
                    if (matches.Length == 0 && !WildcardPattern.ContainsWildcardCharacters(tag))
                    {
                        WriteError(SandboxErrors.Create("ProcessNotFound", ErrorCategory.ObjectNotFound, tag,
                            $"No process tagged '{tag}' is running in the sandbox."));
                    }
                    WriteObject(matches, enumerateCollection: true);
                }
                break;
            default:
                WriteObject(processes, enumerateCollection: true);
                break;
        }
    }
}
