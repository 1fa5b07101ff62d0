using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Processes;

/// <summary>
/// Base of the cmdlets that act on running sandbox processes, chosen by -Pid, -Tag, or the
/// process objects of Get-SbxProcess / Start-SbxProcess -Background from the pipeline.
/// </summary>
public abstract class ProcessCmdlet : SessionCmdlet
{
    protected const string PidSet = "Pid";
    protected const string TagSet = "Tag";
    protected const string InputObjectSet = "InputObject";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = PidSet)]
    [Alias("Id", "ProcessId")]
    [ArgumentCompleter(typeof(SandboxProcessCompleter))]
    public uint[] Pid { get; set; } = new uint[0];

    /// <summary>Processes started with this tag; tags need not be unique, the agent picks the first running one.</summary>
    [Parameter(Mandatory = true, ParameterSetName = TagSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SandboxProcessCompleter))]
    public string[] Tag { get; set; } = new string[0];

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    [ValidateNotNull]
    public SandboxProcessInfo[] InputObject { get; set; } = new SandboxProcessInfo[0];

    /// <summary>The processes this record names.</summary>
    protected IEnumerable<SandboxProcessSelector> Selectors() => ParameterSetName switch
    {
        TagSet => Tag.Select(SandboxProcessSelector.ByTag),
        InputObjectSet => InputObject.Select(p => p.Selector),
        _ => Pid.Select(SandboxProcessSelector.ByPid),
    };
}
