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
}
