using System.Management.Automation;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Infrastructure;

namespace ScaleBox.Sandbox.Commands
{
    /// <summary>Lists what a sandbox directory holds, optionally recursively, as Get-ChildItem does locally.</summary>
    [Cmdlet(VerbsCommon.Get, "SbxChildItem")]
    [OutputType(typeof(SandboxItem))]
    public sealed class GetSbxChildItemCommand : SessionCmdlet
    {
        /// <summary>The directory to list; the agent's home directory when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "FullName", "LiteralPath")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(SandboxPathCompleter))]
        public string[] Path { get; set; } = { "." };

        /// <summary>Only names that match this wildcard pattern.</summary>
        [Parameter(Position = 1)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string? Filter { get; set; }

        [Parameter]
        public SwitchParameter Recurse { get; set; }

        /// <summary>How many levels below the directory to descend; implies -Recurse. 0 lists only the directory's own entries.</summary>
        [Parameter]
        [ValidateRange(0, (int)SandboxFileSystem.RecursiveDepth - 1)]
        public uint Depth { get; set; }

        [Parameter]
        public SwitchParameter File { get; set; }

        [Parameter]
        public SwitchParameter Directory { get; set; }

        protected override void BeginProcessing()
        {
            if (File && Directory)
            {
                ThrowTerminatingError(SandboxErrors.Create("FileAndDirectory", ErrorCategory.InvalidArgument, null,
                    "-File and -Directory exclude each other: give one of them, or neither for both kinds."));
            }
        }

        protected override void ProcessRecord()
        {
            // Get-ChildItem counts -Depth from 0 (the directory's own entries); the agent counts from 1.
            uint depth = MyInvocation.BoundParameters.ContainsKey(nameof(Depth)) ? Depth + 1
                : Recurse ? SandboxFileSystem.RecursiveDepth
                : 1;
            WildcardPattern? filter = Filter is null ? null : new WildcardPattern(Filter, WildcardOptions.CultureInvariant);

            foreach (string path in Path)
            {
                try
                {
                    foreach (SandboxItem item in ListingOrder.AsGetChildItem(Wait(Client.Files.GetChildItemsAsync(path, depth, CancelToken))))
                    {
                        if ((filter is null || filter.IsMatch(item.Name))
                            && (!File || item.Type == SandboxItemType.File)
                            && (!Directory || item.IsDirectory))
                        {
                            WriteObject(item);
                        }
                    }
                }
                catch (SandboxException e) when (e.Code == SandboxErrorCode.InvalidArgument && IsFile(path))
                {
                    // As Get-ChildItem, a file "lists" as itself.
                    WriteObject(Wait(Client.Files.GetItemAsync(path, CancelToken)));
                }
                catch (SandboxException e)
                {
                    WriteSandboxError(e, path);
                }
            }
        }

        bool IsFile(string path)
        {
            try
            {
                return !Wait(Client.Files.GetItemAsync(path, CancelToken)).IsDirectory;
            }
            catch (SandboxException)
            {
                return false;
            }
        }
    }
}
