using System;
using System.Collections.ObjectModel;
using System.IO;
using System.Management.Automation;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// A local file or directory as the FileSystem provider hands it out (Get-Item, Get-ChildItem):
/// with PSPath and its siblings, so that piping it to Get-Content, Remove-Item or Copy-Item binds
/// by -LiteralPath as it does for their own output.
/// </summary>
internal static class LocalItem
{
    const string ProviderPrefix = @"Microsoft.PowerShell.Core\FileSystem::";

    public static PSObject Wrap(FileSystemInfo item)
    {
        var wrapped = PSObject.AsPSObject(item);
        string? parent = item is FileInfo file ? file.DirectoryName : (item as DirectoryInfo)?.Parent?.FullName;
        wrapped.Properties.Add(new PSNoteProperty("PSPath", ProviderPrefix + item.FullName));
        wrapped.Properties.Add(new PSNoteProperty("PSParentPath", parent is null ? string.Empty : ProviderPrefix + parent));
        wrapped.Properties.Add(new PSNoteProperty("PSChildName", item.Name));
        wrapped.Properties.Add(new PSNoteProperty("PSIsContainer", item is DirectoryInfo));
        return wrapped;
    }

    public static PSObject ForPath(string path, bool isDirectory) =>
        Wrap(isDirectory ? new DirectoryInfo(path) : (FileSystemInfo)new FileInfo(path));

    /// <summary>
    /// The item as the FileSystem provider returns it, with everything its formats read (on Unix
    /// the UnixStat behind the UnixMode, User, Group and Size columns, which only the provider
    /// fills). Only on the pipeline thread. Falls back to <see cref="ForPath"/> if the provider
    /// cannot get it (the file was removed meanwhile).
    /// </summary>
    public static PSObject FromProvider(PSCmdlet cmdlet, string path, bool isDirectory)
    {
        try
        {
            // A full path names its drive ('/' on Unix, 'C:' on Windows) whatever the current location
            // (Env:, Cert:), and gives the item its PSDrive as Get-Item does, which a provider-qualified
            // path would not. Forced, so that a hidden (dot) file is found too.
            Collection<PSObject> items = cmdlet.InvokeProvider.Item.Get(new[] { path }, true, true);
            if (items.Count == 1)
            {
                return items[0];
            }
        }
        catch (Exception e) when (e is ItemNotFoundException || e is ProviderInvocationException || e is IOException || e is UnauthorizedAccessException)
        {
        }
        return ForPath(path, isDirectory);
    }
}
