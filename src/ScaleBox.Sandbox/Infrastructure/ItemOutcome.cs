using System.Management.Automation;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// What one step of an item cmdlet run side by side (a move, a creation, a deletion) came to,
/// written on the pipeline thread at its turn (<see cref="SessionCmdlet"/>.WriteOutcome): the item
/// to output, if any; or a refusal the cmdlet made (a name already taken); or the agent's failure,
/// reported against the path.
/// </summary>
public readonly struct ItemOutcome
{
    ItemOutcome(string path, SandboxItem? item, ErrorRecord? refusal, SandboxException? failure)
    {
        Path = path;
        Item = item;
        Refusal = refusal;
        Failure = failure;
    }

    /// <summary>The path the step acted on, as given: the target of its failure.</summary>
    public string Path { get; }

    public SandboxItem? Item { get; }

    public ErrorRecord? Refusal { get; }

    public SandboxException? Failure { get; }

    /// <summary>Done; <paramref name="item"/> is written when given (-PassThru, New-SbxItem).</summary>
    public static ItemOutcome Done(string path, SandboxItem? item = null) => new ItemOutcome(path, item, null, null);

    public static ItemOutcome Refused(string path, ErrorRecord refusal) => new ItemOutcome(path, null, refusal, null);

    public static ItemOutcome Failed(string path, SandboxException failure) => new ItemOutcome(path, null, null, failure);
}
