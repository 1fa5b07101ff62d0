using System.Management.Automation;
using System.Text;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Infrastructure;
using ScaleBox.Sandbox.Processes;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Sends text or bytes to a sandbox process's standard input, or to its terminal with -Pty.
/// Text is sent as UTF-8, exactly as given: add "`n" for Enter.
/// </summary>
[Cmdlet(VerbsCommunications.Send, "SbxProcessInput", DefaultParameterSetName = PidSet, HelpUri = HelpLinks.Root + "Send-SbxProcessInput.md")]
public sealed class SendSbxProcessInputCommand : ProcessCmdlet
{
    /// <summary>Text (sent as UTF-8) or a byte array (sent as is). Pipeline input is sent item by item.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true)]
    [AllowEmptyString]
    public object Value { get; set; } = string.Empty;

    /// <summary>Writes to the process's terminal instead of its standard input (for processes started with -Pty).</summary>
    [Parameter]
    public SwitchParameter Pty { get; set; }

    protected override void ProcessRecord()
    {
        byte[] bytes = (Value is PSObject wrapped ? wrapped.BaseObject : Value) switch
        {
            byte[] raw => raw,
            byte single => new[] { single },
            object other => new UTF8Encoding(false).GetBytes(LanguagePrimitives.ConvertTo<string>(other) ?? string.Empty),
        };
        SandboxInputTarget target = Pty ? SandboxInputTarget.Pty : SandboxInputTarget.Stdin;
        foreach (SandboxProcessSelector selector in Selectors())
        {
            try
            {
                Wait(Client.Processes.SendInputAsync(selector, bytes, target, CancelToken));
            }
            catch (SandboxException e)
            {
                WriteSandboxError(e, selector.ToString());
            }
        }
    }
}
