using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ScaleBox.Sandbox.Client.Files;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// Base of the cmdlets that act on existing sandbox items, named the three ways the FileSystem
/// provider's item cmdlets take them: -Path with wildcards in the last segment, -LiteralPath as
/// written, or the items themselves from the pipeline.
/// </summary>
public abstract class ItemCmdlet : SessionCmdlet
{
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";
    protected const string InputObjectSet = "InputObject";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [Alias("FullName")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SandboxPathCompleter))]
    public string[] Path { get; set; } = new string[0];

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SandboxPathCompleter))]
    public string[] LiteralPath { get; set; } = new string[0];

    /// <summary>
    /// Items from Get-SbxItem or Get-SbxChildItem. They bind here before their Path property can
    /// bind to -Path, so a name such as "a[1]" is never taken for a pattern.
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    [ValidateNotNull]
    public SandboxItem[] InputObject { get; set; } = new SandboxItem[0];

    /// <summary>Whether piped items are read again from the sandbox rather than used as they came.</summary>
    protected virtual bool RefreshesInputObjects => false;

    /// <summary>The items this record names, however they were given; errors for what is not found.</summary>
    protected IEnumerable<SandboxItem> SelectedItems()
    {
        if (ParameterSetName == InputObjectSet)
        {
            return RefreshesInputObjects
                ? InputObject.SelectMany(item => ResolveItems(item.Path, literal: true))
                : InputObject;
        }
        bool literal = ParameterSetName == LiteralPathSet;
        return (literal ? LiteralPath : Path).SelectMany(path => ResolveItems(path, literal));
    }

    /// <summary>
    /// Acts on each item this record names, as <see cref="SelectedItems"/> finds them, but calls
    /// <paramref name="beforeLookUp"/> before each path is looked up: a cmdlet whose steps run side by
    /// side writes them there, so that what a path finds (or the error for one not found) comes after
    /// them and sees what they did. Piped items are not looked up.
    /// </summary>
    protected void ForEachSelectedItem(Action<SandboxItem> act, Action beforeLookUp)
    {
        if (ParameterSetName == InputObjectSet && !RefreshesInputObjects)
        {
            foreach (SandboxItem item in InputObject)
            {
                act(item);
            }
            return;
        }
        foreach ((string path, bool literal) in SelectedPaths())
        {
            beforeLookUp();
            foreach (SandboxItem item in ResolveItems(path, literal))
            {
                act(item);
            }
        }
    }

    /// <summary>The paths this record names, each with whether it is taken as written: piped items by their own path.</summary>
    protected IEnumerable<(string Path, bool Literal)> SelectedPaths()
    {
        if (ParameterSetName == InputObjectSet)
        {
            return InputObject.Select(item => (item.Path, true));
        }
        bool literal = ParameterSetName == LiteralPathSet;
        return (literal ? LiteralPath : Path).Select(path => (path, literal));
    }
}
