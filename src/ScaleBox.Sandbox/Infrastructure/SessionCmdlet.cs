using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Sessions;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Base of every cmdlet that talks to a sandbox: takes -Session, else the newest session of the
/// runspace, else one made from $env:SANDBOX_DOMAIN and $env:ENVD_ACCESS_TOKEN.
/// </summary>
public abstract class SessionCmdlet : CancellableCmdlet
{
    SbxSession? _resolved;

    /// <summary>The sandbox to work on. Defaults to the newest session.</summary>
    [Parameter]
    [ValidateNotNull]
    [SessionArgument]
    [ArgumentCompleter(typeof(SessionNameCompleter))]
    public SbxSession? Session { get; set; }

    protected SbxSession ResolvedSession => _resolved ??= SessionResolver.Resolve(this, Session);

    protected SandboxClient Client => ResolvedSession.Client;

    /// <summary>
    /// Reports a failed call: a per-item error normally, a terminating one when no later item
    /// could succeed either (bad token, unreachable agent).
    /// </summary>
    protected void WriteSandboxError(SandboxException error, object? target = null) =>
        WriteSandboxError(SandboxErrors.ToErrorRecord(error, target), error);

    /// <summary>Writes a record made from <paramref name="error"/>: terminating when nothing else can succeed.</summary>
    protected void WriteSandboxError(ErrorRecord record, SandboxException error)
    {
        if (SandboxErrors.IsFatal(error))
        {
            ThrowTerminatingError(record);
        }
        WriteError(record);
    }

    /// <summary>Writes what one step run side by side came to: its item, its refusal, or its failure as <see cref="WriteSandboxError(SandboxException, object?)"/> does.</summary>
    protected void WriteOutcome(ItemOutcome outcome)
    {
        if (outcome.Refusal is { } refusal)
        {
            WriteError(refusal);
        }
        else if (outcome.Failure is { } failure)
        {
            WriteSandboxError(failure, outcome.Path);
        }
        else if (outcome.Item is { } item)
        {
            WriteObject(item);
        }
    }

    /// <summary>
    /// The items a path names: one for a literal path; every match for a wildcard leaf, or the
    /// path itself when the pattern matches nothing but the literal name exists. Reports an
    /// error (and yields nothing) when a literal path is not found; a pattern that matches
    /// nothing yields nothing, silently, unless <see cref="UnmatchedPatternIsError"/>.
    /// </summary>
    protected IReadOnlyList<SandboxItem> ResolveItems(string path, bool literal) =>
        ResolveItems(path, FindItemsAsync(Client, path, literal, CancelToken, UnmatchedPatternIsError));

    /// <summary>As ResolveItems, for a path whose items are already being asked for (by <see cref="FindItemsAsync"/>).</summary>
    protected IReadOnlyList<SandboxItem> ResolveItems(string path, Task<IReadOnlyList<SandboxItem>> finding)
    {
        try
        {
            return Wait(finding);
        }
        catch (SandboxException e)
        {
            WriteSandboxError(e, path);
            return new SandboxItem[0];
        }
    }

    /// <summary>
    /// Whether a -Path pattern that matches nothing is NotFound. The FileSystem provider's
    /// Get-Item, Get-ChildItem, Copy-Item, Move-Item and Remove-Item pass over it silently, and
    /// so do their counterparts here; Get-Content reports it, and so does Get-SbxContent.
    /// </summary>
    protected virtual bool UnmatchedPatternIsError => false;

    /// <summary>
    /// The path a -Path argument names once its escapes are read ("f `[1`].txt" is "f [1].txt"), as
    /// the FileSystem provider reads them; a -LiteralPath is taken as written.
    /// </summary>
    protected static string WithoutEscapes(string path, bool literal) => literal ? path : WildcardPattern.Unescape(path);

    /// <summary>Whether a path is looked up as one item rather than listed and matched: taken as written, or no pattern in its last segment.</summary>
    protected static bool NamesOneItem(string path, bool literal) =>
        literal || !WildcardPattern.ContainsWildcardCharacters(SandboxPath.GetLeaf(path));

    /// <summary>
    /// FindItems without the pipeline thread, so several can be in flight: the items a path names,
    /// or the call's failure (NotFound included) as a <see cref="SandboxException"/>.
    /// </summary>
    protected static async Task<IReadOnlyList<SandboxItem>> FindItemsAsync(SandboxClient client, string path, bool literal, CancellationToken cancellationToken,
        bool unmatchedPatternIsError = false)
    {
        if (NamesOneItem(path, literal))
        {
            return new[] { await client.Files.GetItemAsync(WithoutEscapes(path, literal), cancellationToken).ConfigureAwait(false) };
        }

        var pattern = new WildcardPattern(SandboxPath.GetLeaf(path), WildcardOptions.CultureInvariant);
        var matches = (await client.Files.GetChildItemsAsync(WithoutEscapes(SandboxPath.GetParent(path), literal), 1, cancellationToken).ConfigureAwait(false))
            .Where(i => pattern.IsMatch(i.Name))
            .ToList();
        if (matches.Count > 0)
        {
            return matches;
        }
        try
        {
            // A name such as "a[1].txt" is a pattern that does not match itself: take it literally.
            return new[] { await client.Files.GetItemAsync(path, cancellationToken).ConfigureAwait(false) };
        }
        catch (SandboxException e) when (e.Code == SandboxErrorCode.NotFound && !unmatchedPatternIsError)
        {
            return new SandboxItem[0];
        }
    }
}
