using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ScaleBox.Sandbox.Client.Errors;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Transfer;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Infrastructure;
using ScaleBox.Sandbox.Sessions;

namespace ScaleBox.Sandbox.Commands;

/// <summary>
/// Copies files and directory trees into a sandbox (-ToSandbox) or out of it (-FromSandbox), as
/// Copy-Item -ToSession/-FromSession does: streamed, resumed after a dropped download, written
/// under a temporary name and renamed only when complete.
/// </summary>
[Cmdlet(VerbsCommon.Copy, "SbxItem", DefaultParameterSetName = ToSandboxSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Root + "Copy-SbxItem.md")]
[OutputType(typeof(FileInfo), typeof(DirectoryInfo), typeof(SandboxItem), typeof(Job))]
public sealed class CopySbxItemCommand : SessionCmdlet
{
    const string ToSandboxSet = "ToSandbox";
    const string FromSandboxSet = "FromSandbox";
    // One set for both directions: with one per direction, piped local files (which bind by
    // PSPath) and no switch would leave PowerShell unable to pick a set, with an opaque error.
    const string LiteralSet = "LiteralPath";
    const string FromSandboxInputSet = "FromSandboxInputObject";
    const string BetweenSessionsSet = "BetweenSessions";

    readonly List<PlannedCopy> _plan = new List<PlannedCopy>();
    bool _destinationKnown;
    SandboxItem? _destinationItem;
    // The names of the files that go into an existing sandbox folder, asked for side by side.
    Dictionary<string, Task<SandboxItem?>>? _leafLookups;
    // The recursive listings of the names the directories of this command take there, asked for
    // alongside, by the path asked (from the root).
    Dictionary<string, Task<IReadOnlyList<SandboxItem>>>? _leafListings;
    // What to copy, gathered from every input before planning: whether the destination is a
    // folder to copy into depends on how many items there are.
    readonly List<string> _localSources = new List<string>();
    readonly List<SandboxItem> _remoteSources = new List<SandboxItem>();
    // Sandbox paths asked for as they come, gathered into _remoteSources before planning.
    readonly List<(string Path, Task<IReadOnlyList<SandboxItem>> Finding)> _remoteFindings = new List<(string, Task<IReadOnlyList<SandboxItem>>)>();
    LookupWindow? _findingWindow;
    // The downloads of the paths named, sent alongside their lookups, by the path from the root.
    readonly Dictionary<string, SandboxDownloadRequest> _begunDownloads = new Dictionary<string, SandboxDownloadRequest>(StringComparer.Ordinal);
    // With -Recurse, the recursive listings of the paths named instead, by the path from the root.
    readonly Dictionary<string, Task<IReadOnlyList<SandboxItem>>> _begunListings = new Dictionary<string, Task<IReadOnlyList<SandboxItem>>>(StringComparer.Ordinal);
    // The uploads of small local files posted alongside the lookups of their destination, by local path.
    readonly Dictionary<string, SandboxUploadRequest> _begunUploads = new Dictionary<string, SandboxUploadRequest>(StringComparer.Ordinal);
    // Those the plan did not keep: cancelled, and what they staged removed, while the copies run.
    Task? _lettingGoUploads;

    /// <summary>
    /// The largest file posted before its destination is known: a file's progress bar counts its
    /// bytes as they go only once the copy runs, and an upload the plan does not keep (a folder or
    /// a file in the way) costs at most this much sent for nothing.
    /// </summary>
    const long BegunUploadMaxBytes = 1024 * 1024;

    /// <summary>
    /// What to copy: local paths with -ToSandbox, sandbox paths with -FromSandbox. Wildcards
    /// allowed. (No FullName alias: Get-ChildItem output binds to -LiteralPath through PSPath,
    /// so a local name such as "x[1].txt" is never read as a pattern.)
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ToSandboxSet)]
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = FromSandboxSet)]
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = BetweenSessionsSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CopySidePathCompleter))]
    public string[] Path { get; set; } = new string[0];

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CopySidePathCompleter))]
    public string[] LiteralPath { get; set; } = new string[0];

    /// <summary>Sandbox items from Get-SbxItem or Get-SbxChildItem; implies -FromSandbox.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = FromSandboxInputSet)]
    [ValidateNotNull]
    public SandboxItem[] InputObject { get; set; } = new SandboxItem[0];

    /// <summary>Where to copy to: a sandbox path with -ToSandbox, a local path with -FromSandbox. An existing directory receives the items.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CopySidePathCompleter))]
    public string Destination { get; set; } = string.Empty;

    // Not mandatory: a mandatory switch that is missing makes PowerShell prompt for it, which
    // reads as nonsense; BeginProcessing asks for one of the two in plain words instead.
    [Parameter(ParameterSetName = ToSandboxSet)]
    [Parameter(ParameterSetName = LiteralSet)]
    public SwitchParameter ToSandbox { get; set; }

    [Parameter(ParameterSetName = FromSandboxSet)]
    [Parameter(ParameterSetName = LiteralSet)]
    [Parameter(ParameterSetName = FromSandboxInputSet)]
    public SwitchParameter FromSandbox { get; set; }

    /// <summary>Copies directories with everything in them.</summary>
    [Parameter]
    public SwitchParameter Recurse { get; set; }

    /// <summary>Replaces existing files at the destination.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Returns the copied items: local FileInfo/DirectoryInfo after -FromSandbox, sandbox items after -ToSandbox.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The sandbox to copy from, when copying between two sandboxes (with -ToSession).</summary>
    [Parameter(Mandatory = true, ParameterSetName = BetweenSessionsSet)]
    [ValidateNotNull]
    [SessionArgument]
    [ArgumentCompleter(typeof(SessionNameCompleter))]
    public SbxSession? FromSession { get; set; }

    /// <summary>The sandbox to copy to, when copying between two sandboxes: streamed, nothing kept on this machine.</summary>
    [Parameter(Mandatory = true, ParameterSetName = BetweenSessionsSet)]
    [ValidateNotNull]
    [SessionArgument]
    [ArgumentCompleter(typeof(SessionNameCompleter))]
    public SbxSession? ToSession { get; set; }

    /// <summary>
    /// How many files are copied at once (default 8): the files of a tree with -Recurse, and files
    /// named on their own, whichever way they go. Small files cost round trips rather than
    /// bandwidth, so several in flight make many of them much faster; 1 copies one file at a time.
    /// The files of a tree are reported in the order they finish, files named on their own in the
    /// order named.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 8;

    /// <summary>
    /// With -Recurse, whether a directory tree travels as one tar stream instead of one request
    /// per file: Auto (default) packs a tree of at least 32 files into a destination that does
    /// not exist yet when the sandbox has tar; Always packs or fails; Never copies file by file.
    /// Merges into an existing directory are always copied file by file.
    /// </summary>
    [Parameter(ParameterSetName = ToSandboxSet)]
    [Parameter(ParameterSetName = FromSandboxSet)]
    [Parameter(ParameterSetName = LiteralSet)]
    [Parameter(ParameterSetName = FromSandboxInputSet)]
    public SandboxTreePacking Packing { get; set; } = SandboxTreePacking.Auto;

    /// <summary>
    /// Names of files and folders to leave out, wildcards allowed (.git, node_modules, *.pyc): an
    /// item named by -Path, or any item of a copied tree at any depth, whose name matches is not
    /// copied, and a folder left out is left out with everything in it. Matched by name only, and
    /// case-sensitively, as Get-SbxChildItem -Exclude matches.
    /// </summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Exclude { get; set; } = new string[0];

    /// <summary>Runs the copy as a background job and returns the job at once.</summary>
    [Parameter]
    public SwitchParameter AsJob { get; set; }

    bool IsUpload => ParameterSetName == ToSandboxSet || (ParameterSetName == LiteralSet && ToSandbox);

    bool IsBetweenSessions => ParameterSetName == BetweenSessionsSet;

    /// <summary>-Exclude as a test of one name; null when nothing is excluded.</summary>
    Func<string, bool>? _excluded;

    protected override void BeginProcessing()
    {
        if (Exclude.Length > 0)
        {
            var kept = new NameFilter(null, null, Exclude);
            _excluded = name => !kept.IsMatch(name);
        }
        if (IsBetweenSessions)
        {
            if (Session is not null)
            {
                ThrowTerminatingError(SandboxErrors.Create("SessionAndFromSession", ErrorCategory.InvalidArgument, null,
                    "-Session names one sandbox; between two, give -FromSession and -ToSession only."));
            }
            // The paths to copy are read in the source sandbox.
            Session = FromSession;
        }
    }

    protected override void ProcessRecord()
    {
        // Checked here, not in BeginProcessing: piped sandbox items choose -FromSandbox only now.
        if (!ToSandbox && !FromSandbox && ParameterSetName != FromSandboxInputSet && !IsBetweenSessions)
        {
            ThrowTerminatingError(SandboxErrors.Create("DirectionMissing", ErrorCategory.InvalidArgument, null,
                "Say which way to copy: -ToSandbox copies local items into the sandbox, -FromSandbox copies sandbox items to this machine, "
                + "and -FromSession with -ToSession copies from one sandbox to another."));
        }
        if (ToSandbox && FromSandbox)
        {
            ThrowTerminatingError(SandboxErrors.Create("BothDirections", ErrorCategory.InvalidArgument, null,
                "-ToSandbox and -FromSandbox exclude each other: give the one that says which way to copy."));
        }
        if (IsUpload)
        {
            bool literal = ParameterSetName == LiteralSet;
            foreach (string path in literal ? LiteralPath : Path)
            {
                _localSources.AddRange(ResolveLocal(path, literal));
            }
            BeginUploads();
        }
        else if (ParameterSetName == FromSandboxInputSet)
        {
            _remoteSources.AddRange(InputObject);
        }
        else
        {
            bool literal = ParameterSetName == LiteralSet;
            string[] paths = literal ? LiteralPath : Path;
            SandboxClient client = Client;
            foreach (string path in paths)
            {
                if (paths.Length <= ThrottleLimit)
                {
                    BeginDownloadOf(path, literal);
                }
                _findingWindow ??= new LookupWindow(ThrottleLimit);
                _remoteFindings.Add((path, _findingWindow.RunAsync(token => FindItemsAsync(client, path, literal, token), CancelToken)));
            }
        }
    }

    /// <summary>
    /// The sandbox items the paths name, in the order named, their errors reported in that order.
    /// The paths were asked for as they came, -ThrottleLimit at a time, since nothing is copied
    /// before all are known: piped paths and several named ones cost one round trip together
    /// rather than one each.
    /// </summary>
    void GatherRemoteFindings()
    {
        foreach ((string path, Task<IReadOnlyList<SandboxItem>> finding) in _remoteFindings)
        {
            _remoteSources.AddRange(ResolveItems(path, finding));
        }
        _remoteFindings.Clear();
    }

    /// <summary>
    /// The download of a path this command copies out, sent alongside its lookup: a copy of a few
    /// files costs one round trip, not two. With -Recurse, the path's recursive listing instead: a
    /// copy of a tree then costs its lookup with the listing, then the files. Only for paths named
    /// as arguments (at most -ThrottleLimit, each naming one item), when nothing is asked or said
    /// before them (<see cref="SilentConsent"/>), nothing comes from the pipeline, the copy is not
    /// a job (which outlives this call), and the path is from the root or the session knows its
    /// home (a download names its file from the root). What was begun is let go when the lookup
    /// finds another kind of item (a file with -Recurse, a directory without), or nothing, another
    /// path than the one asked, or the plan does not copy it.
    /// </summary>
    void BeginDownloadOf(string path, bool literal)
    {
        if (_remoteSources.Count > 0 || MyInvocation.ExpectingInput || AsJob || IsBetweenSessions
            || !NamesOneItem(path, literal) || !SilentConsent.Holds(this, ConfirmImpact.Medium))
        {
            return;
        }
        if (!Client.Files.TryGetKnownFullPath(WithoutEscapes(path, literal), out string fullPath)
            || _begunDownloads.ContainsKey(fullPath) || _begunListings.ContainsKey(fullPath))
        {
            return;
        }
        try
        {
            if (Recurse)
            {
                _begunListings[fullPath] = Client.Files.GetChildItemsAsync(fullPath, SandboxFileSystem.RecursiveDepth, CancelToken);
            }
            else
            {
                _begunDownloads[fullPath] = Client.Transfer.BeginDownload(fullPath, CancelToken);
            }
        }
        catch (ArgumentException)
        {
            // A path a download cannot carry: the lookup says what is wrong with it.
        }
    }

    /// <summary>
    /// The uploads of the small files this command copies in, posted to their staging names
    /// alongside the lookups of the destination: a copy of a few files costs two round trips (the
    /// lookups with the posts, then the renames), not three or four. Only when nothing is asked or
    /// said before them (<see cref="SilentConsent"/>), nothing more comes from the pipeline, the copy
    /// is not a job, and the sources are files of distinct names, at most -ThrottleLimit of them and
    /// each at most <see cref="BegunUploadMaxBytes"/>; and only where the plan is known to put them
    /// if the destination is what it looks like (<see cref="BegunUploadPath"/>). A post the plan does
    /// not copy to the path it went to (a folder or a file in the way) is let go.
    /// </summary>
    void BeginUploads()
    {
        if (_begunUploads.Count > 0 || _localSources.Count == 0 || _localSources.Count > ThrottleLimit || MyInvocation.ExpectingInput
            || AsJob || _excluded is not null || !SilentConsent.Holds(this, ConfirmImpact.Medium))
        {
            return;
        }
        var posts = new List<(string Local, string Remote)>();
        var leaves = new HashSet<string>(StringComparer.Ordinal);
        foreach (string local in _localSources)
        {
            var file = new FileInfo(local);
            string leaf = LocalLeaf(local);
            if (!file.Exists || file.Length > BegunUploadMaxBytes || !leaves.Add(leaf)
                || BegunUploadPath(leaf, intoFolder: _localSources.Count > 1) is not { } remotePath)
            {
                return;
            }
            posts.Add((local, remotePath));
        }
        foreach ((string local, string remotePath) in posts)
        {
            try
            {
                _begunUploads[local] = Client.Transfer.BeginUpload(local, remotePath, CancelToken);
            }
            catch (ArgumentException)
            {
                // A destination an upload cannot name: the plan says what is wrong with it.
            }
        }
    }

    /// <summary>
    /// Where the plan puts a file named <paramref name="leaf"/> when the destination is what it
    /// looks like: a folder when the files go into one (several, or "dir/"), else a file's name
    /// (a dot inside it, or the source's own name). Null when one file goes to what looks like a
    /// folder's name: the file would go inside it, where nothing is known to exist.
    /// </summary>
    string? BegunUploadPath(string leaf, bool intoFolder)
    {
        if (intoFolder || EndsWithSeparator(Destination))
        {
            // As the plan names a file in a folder to copy into. (Below "~", the plan names it from
            // the folder's path as found, which this cannot be shown to be the same as.)
            string folder = Destination.TrimEnd('/');
            return folder.Length > 0 && folder[0] != '~' ? SandboxPath.Join(folder, leaf) : null;
        }
        string name = SandboxPath.GetLeaf(Destination);
        return name == leaf || (name.Length > 1 && name.IndexOf('.', 1) > 0) ? Destination : null;
    }

    protected override void EndProcessing()
    {
        try
        {
            CopyPlanned();
        }
        finally
        {
            if (_lettingGoUploads is not null)
            {
                Wait(_lettingGoUploads);
            }
        }
    }

    void CopyPlanned()
    {
        GatherRemoteFindings();
        // Several items, or a destination written as a folder ("out/"), go into that folder,
        // which is made if missing; one item to a missing path takes that path as its name.
        bool intoFolder = _localSources.Count + _remoteSources.Count > 1 || EndsWithSeparator(Destination);
        if (_excluded is { } excluded)
        {
            // Decided before: several paths named mean a folder to copy into, even when -Exclude leaves one.
            _localSources.RemoveAll(local => excluded(LocalLeaf(local)));
            _remoteSources.RemoveAll(item => excluded(item.Name));
        }
        foreach (string local in _localSources)
        {
            PlanUpload(local, intoFolder);
        }
        foreach (SandboxItem item in _remoteSources)
        {
            if (IsBetweenSessions)
            {
                PlanBetweenSessions(item, intoFolder);
            }
            else
            {
                PlanDownload(item, intoFolder);
            }
        }
        TakeOrLetGoBegunDownloads();
        TakeOrLetGoBegunUploads();
        if (_plan.Count == 0)
        {
            return;
        }

        SandboxClient client = Client;
        var copies = _plan.ToArray();
        bool showProgress = !"SilentlyContinue".Equals(GetVariableValue("ProgressPreference")?.ToString(), StringComparison.OrdinalIgnoreCase);
        if (AsJob)
        {
            var job = new SbxJob(MyInvocation.Line, null, ResolvedSession.Domain);
            JobRepository.Add(job);
            job.Start((sink, cancel) => CopyAllAsync(client, copies, sink, showProgress, cancel));
            WriteObject(job);
            return;
        }

        try
        {
            Pump((sink, cancel) => CopyAllAsync(client, copies, sink, showProgress, cancel));
        }
        catch (SandboxException e)
        {
            ThrowTerminatingError(SandboxErrors.ToErrorRecord(e));
        }
    }

    /// <summary>
    /// A directory copied out with its recursive listing, where that was asked for alongside the
    /// lookup that found it (at the path the lookup found); null otherwise. A listing's answer can
    /// serve every copy of that directory, as a download's response cannot.
    /// </summary>
    ListedDirectory? BegunListingOf(SandboxItem item) =>
        item.IsDirectory && _begunListings.TryGetValue(item.Path, out Task<IReadOnlyList<SandboxItem>>? listing) ? new ListedDirectory(item, listing) : null;

    /// <summary>
    /// Each download sent alongside a lookup goes to the plan's first copy of the file it asked for
    /// (the path the lookup found); the others are let go now. (A listing begun alongside goes to
    /// the plan's copies of its directory as they are planned; one no copy took is waited for with
    /// the command's end.)
    /// </summary>
    void TakeOrLetGoBegunDownloads()
    {
        if (_begunDownloads.Count == 0)
        {
            return;
        }
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (PlannedCopy copy in _plan)
        {
            if (copy is { Upload: false, IsDirectory: false } && _begunDownloads.TryGetValue(copy.Source, out SandboxDownloadRequest? begun) && taken.Add(copy.Source))
            {
                copy.BegunDownload = begun;
            }
        }
        // The ones taken stay, to be disposed with the command once their copies are done.
        foreach (string path in _begunDownloads.Keys.Where(path => !taken.Contains(path)).ToList())
        {
            _begunDownloads[path].Dispose();
            _begunDownloads.Remove(path);
        }
    }

    /// <summary>
    /// Each upload posted alongside the lookups goes to the plan's copy of its file when that copies
    /// it to the path it was posted for; the others are let go while the copies run.
    /// </summary>
    void TakeOrLetGoBegunUploads()
    {
        if (_begunUploads.Count == 0)
        {
            return;
        }
        var kept = new HashSet<SandboxUploadRequest>();
        foreach (PlannedCopy copy in _plan)
        {
            if (copy is { Upload: true, IsDirectory: false, ToOtherSandbox: null } && _begunUploads.TryGetValue(copy.Source, out SandboxUploadRequest? begun)
                && NameOneFile(copy.Destination, begun.RemotePath))
            {
                copy.BegunUpload = begun;
                kept.Add(begun);
            }
        }
        var lettingGo = _begunUploads.Values.Where(begun => !kept.Contains(begun)).Select(begun => begun.DisposeAsync().AsTask()).ToList();
        _lettingGoUploads = lettingGo.Count > 0 ? Task.WhenAll(lettingGo) : null;
    }

    /// <summary>
    /// Whether two sandbox paths are one: as written, or from the root once the session knows its
    /// home (an existing folder's files are named from its path as found, "out/" as written).
    /// </summary>
    bool NameOneFile(string one, string other) =>
        one == other
        || (Client.Files.TryGetKnownFullPath(one, out string oneFull) && Client.Files.TryGetKnownFullPath(other, out string otherFull) && oneFull == otherFull);

    protected override void DisposeResources()
    {
        // Stopped before a copy took them: nothing the posts staged may be left behind. (Taken or
        // let go already, this does nothing.)
        if (_begunUploads.Count > 0)
        {
            Task.WhenAll(_begunUploads.Values.Select(begun => begun.DisposeAsync().AsTask())).GetAwaiter().GetResult();
        }
        foreach (SandboxDownloadRequest begun in _begunDownloads.Values)
        {
            begun.Dispose();
        }
        if (_begunListings.Count > 0)
        {
            // Taken by copies that are done, taken by none (a file, a missing path), or stopped
            // before the plan: ended either way before the command.
            Task.WhenAll(_begunListings.Values.Select(SideRequest.WaitQuietlyAsync)).GetAwaiter().GetResult();
        }
        base.DisposeResources();
    }

    // ------------------------------------------------------------ planning (pipeline thread)

    IEnumerable<string> ResolveLocal(string path, bool literal)
    {
        try
        {
            if (literal)
            {
                string resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
                if (!File.Exists(resolved) && !Directory.Exists(resolved))
                {
                    throw new ItemNotFoundException($"Cannot find path '{resolved}' because it does not exist.");
                }
                return new[] { resolved };
            }
            var resolvedPaths = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out ProviderInfo provider);
            if (provider.Name != "FileSystem")
            {
                WriteError(SandboxErrors.Create("NotAFileSystemPath", ErrorCategory.InvalidArgument, path,
                    $"'{path}' is a {provider.Name} path; -ToSandbox copies files from the file system."));
                return new string[0];
            }
            return resolvedPaths;
        }
        catch (ItemNotFoundException e)
        {
            WriteError(new ErrorRecord(e, "LocalPathNotFound", ErrorCategory.ObjectNotFound, path));
            return new string[0];
        }
    }

    static bool EndsWithSeparator(string path) =>
        path.EndsWith("/", StringComparison.Ordinal) || path.EndsWith(System.IO.Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal);

    /// <summary>The name a local file or directory is copied under.</summary>
    static string LocalLeaf(string local) => System.IO.Path.GetFileName(local.TrimEnd(System.IO.Path.DirectorySeparatorChar));

    void PlanUpload(string local, bool intoFolder)
    {
        bool isDirectory = Directory.Exists(local);
        string leaf = LocalLeaf(local);
        PlanIntoSandbox(Client, local, leaf, isDirectory, isDirectory ? -1 : new FileInfo(local).Length, intoFolder, "Copy to sandbox", null);
    }

    void PlanBetweenSessions(SandboxItem item, bool intoFolder) =>
        PlanIntoSandbox(ToSession!.Client, item.Path, item.Name, item.IsDirectory, item.Length ?? -1, intoFolder, "Copy between sandboxes", ToSession.Client);

    /// <summary>Where a local item, or an item of another sandbox, lands in <paramref name="targetClient"/>'s sandbox.</summary>
    void PlanIntoSandbox(SandboxClient targetClient, string source, string leaf, bool isDirectory, long length, bool intoFolder, string action, SandboxClient? toOtherSandbox)
    {
        if (isDirectory && !Recurse)
        {
            WriteError(SandboxErrors.Create("DirectoryNeedsRecurse", ErrorCategory.InvalidArgument, source,
                $"'{source}' is a directory. Use -Recurse to copy it with everything in it."));
            return;
        }

        string target = Destination;
        if (!TryGetDestination(targetClient, intoFolder, out SandboxItem? existing))
        {
            return;
        }
        if (intoFolder && existing is { IsDirectory: false })
        {
            ReportNotAFolder(existing.Path);
            return;
        }
        // Nothing at the destination: nothing where the item goes either, in it or in its place.
        bool targetMissing = existing is null;
        ListedDirectory? mergedInto = null;
        // An existing directory receives the item; so does a missing one when it is a folder to copy into.
        if (existing is { IsDirectory: true } || (existing is null && intoFolder))
        {
            string? folder = existing?.Path;
            target = SandboxPath.Join(folder ?? target.TrimEnd('/'), leaf);
            // Nothing needs asking for inside a folder that is not there yet.
            existing = null;
            if (folder is not null)
            {
                if (!TryGetLeaf(targetClient, folder, target, out SandboxItem? there))
                {
                    return;
                }
                // Where a directory goes, its tree copy lists what is there, unless nothing is (or
                // that was listed alongside already).
                targetMissing = there is null;
                existing = isDirectory ? null : there;
                if (isDirectory && there is { IsDirectory: true } && _leafListings is not null
                    && _leafListings.TryGetValue(there.Path, out Task<IReadOnlyList<SandboxItem>>? listing))
                {
                    mergedInto = new ListedDirectory(there, listing);
                }
            }
        }
        if (!isDirectory && existing is not null && (existing.IsDirectory || !Force))
        {
            ReportExists(target, existing.IsDirectory);
            return;
        }
        if (ShouldProcess($"Item: {source} Destination: {target}", action))
        {
            AddToPlan(new PlannedCopy(upload: true, source, target, isDirectory, length) { ToOtherSandbox = toOtherSandbox, TargetMissing = targetMissing, Listed = mergedInto });
        }
    }

    void PlanDownload(SandboxItem item, bool intoFolder)
    {
        if (item.IsDirectory && !Recurse)
        {
            WriteError(SandboxErrors.Create("DirectoryNeedsRecurse", ErrorCategory.InvalidArgument, item.Path,
                $"'{item.Path}' is a directory. Use -Recurse to copy it with everything in it."));
            return;
        }

        string target = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
        if (intoFolder && File.Exists(target))
        {
            ReportNotAFolder(target);
            return;
        }
        bool makeFolder = intoFolder && !Directory.Exists(target);
        if (Directory.Exists(target) || makeFolder)
        {
            // The name comes from the sandbox: it must not climb out of the destination.
            if (!SandboxPath.IsPlainName(item.Name))
            {
                WriteError(SandboxErrors.Create("UnsafeName", ErrorCategory.SecurityError, item.Path,
                    $"Refused to copy '{item.Path}': its name '{item.Name}' cannot be used as a local file name."));
                return;
            }
            target = System.IO.Path.Combine(target, item.Name);
        }
        bool targetIsDirectory = Directory.Exists(target);
        if (!item.IsDirectory && (targetIsDirectory || (File.Exists(target) && !Force)))
        {
            ReportExists(target, targetIsDirectory);
            return;
        }
        if (ShouldProcess($"Item: {item.Path} Destination: {target}", "Copy from sandbox"))
        {
            AddToPlan(new PlannedCopy(upload: false, item.Path, target, item.IsDirectory, item.Length ?? -1) { MakeParent = makeFolder, Listed = BegunListingOf(item) });
        }
    }

    /// <summary>
    /// What the plan found at a copy's destination can change before the copy only by an earlier
    /// copy of this command that writes there, or inside or above it: sandbox paths compared as
    /// written, local ones as the local file system compares names.
    /// </summary>
    void AddToPlan(PlannedCopy copy)
    {
        copy.OverlapsEarlierCopy = _plan.Exists(earlier => earlier.Upload == copy.Upload
            && (copy.Upload ? SandboxPath.Overlap(earlier.Destination, copy.Destination) : LocalPath.Overlap(earlier.Destination, copy.Destination)));
        if (copy.Upload && copy.OverlapsEarlierCopy)
        {
            // What was listed there is not what this copy will find once the earlier one has written.
            copy.Listed = null;
        }
        _plan.Add(copy);
    }

    void ReportExists(string target, bool isDirectory) => WriteError(ExistsError(target, isDirectory));

    void ReportNotAFolder(string target) => WriteError(SandboxErrors.Create("DestinationNotAFolder", ErrorCategory.InvalidArgument, target,
        $"Cannot copy several items, or into a path written as a folder, onto '{target}': it is a file. Give a folder as -Destination."));

    static ErrorRecord ExistsError(string target, bool isDirectory) =>
        SandboxErrors.Create("DestinationExists", ErrorCategory.ResourceExists, target,
            isDirectory
                ? $"Cannot copy onto '{target}': it is a directory."
                : $"'{target}' already exists. Use -Force to replace it.");

    /// <summary>
    /// The sandbox's -Destination, asked for once: every item of the command goes there, and
    /// nothing is written while the plan is made.
    /// </summary>
    /// <param name="intoFolder">
    /// Whether the items go into -Destination whatever it is. When not (one item, to a name that
    /// may be a folder: usually one), the item's name in it is asked for alongside, one round trip
    /// instead of two, and let go if -Destination is not a folder.
    /// </param>
    bool TryGetDestination(SandboxClient client, bool intoFolder, out SandboxItem? item)
    {
        if (!_destinationKnown)
        {
            // The names the files take in -Destination, were it a folder (it usually is), are asked
            // for alongside it when they all go at once: in a folder that is not there, or below a
            // file, they find nothing or fail, at no round trip's cost. More go once the folder is
            // known to be there.
            string folder = Destination.Length > 1 ? Destination.TrimEnd('/') : Destination;
            Dictionary<string, Task<SandboxItem?>>? leaves = intoFolder && _localSources.Count + _remoteSources.Count > ThrottleLimit
                ? null
                : StartLeafLookups(client, folder, CancelToken);
            Dictionary<string, Task<IReadOnlyList<SandboxItem>>>? listings = leaves is null ? null : StartLeafListings(client, folder, CancelToken);
            bool found = TryGetRemote(client, Destination, out _destinationItem);
            if (leaves is not null)
            {
                bool wanted = found && _destinationItem is { IsDirectory: true };
                // Ended, wanted or not, before the command goes on: answered about when the folder's was.
                Wait(Task.WhenAll(leaves.Values.Concat<Task>(listings?.Values ?? Enumerable.Empty<Task>()).Select(SideRequest.WaitQuietlyAsync)));
                _leafLookups = wanted ? leaves : null;
                _leafListings = wanted ? listings : null;
            }
            if (!found)
            {
                item = null;
                return false;
            }
            _destinationKnown = true;
        }
        item = _destinationItem;
        return true;
    }

    /// <summary>
    /// What is at <paramref name="path"/> in the existing sandbox folder that files of this command
    /// go into. The first call asks for the names of all of them, -ThrottleLimit at a time, so a
    /// plan of many files waits for one round trip rather than one per file.
    /// </summary>
    /// <returns>False when the check itself failed (the error is written): the copy must not go ahead.</returns>
    bool TryGetLeaf(SandboxClient client, string folder, string path, out SandboxItem? item)
    {
        _leafLookups ??= StartLeafLookups(client, folder, CancelToken);
        return TryGetRemote(_leafLookups.TryGetValue(SandboxPath.GetLeaf(path), out Task<SandboxItem?>? started) ? started : client.Files.TryGetItemAsync(path, CancelToken), path, out item);
    }

    /// <summary>
    /// The lookups of the names the items of this command take in <paramref name="folder"/>, by name:
    /// a file's says whether it would replace something; a directory's, whether its tree copy need
    /// look at and list what is there (not when nothing is).
    /// </summary>
    Dictionary<string, Task<SandboxItem?>> StartLeafLookups(SandboxClient client, string folder, CancellationToken cancel)
    {
        IEnumerable<string> leaves = IsBetweenSessions ? _remoteSources.ConvertAll(item => item.Name) : _localSources.ConvertAll(LocalLeaf);
        var lookups = new Dictionary<string, Task<SandboxItem?>>(StringComparer.Ordinal);
        var window = new LookupWindow(ThrottleLimit);
        foreach (string leaf in leaves)
        {
            if (!lookups.ContainsKey(leaf))
            {
                string path = SandboxPath.Join(folder, leaf);
                lookups[leaf] = window.RunAsync(token => client.Files.TryGetItemInFolderAsync(path, token), cancel);
            }
        }
        return lookups;
    }

    /// <summary>
    /// The recursive listings of the names the local directories of this command take in
    /// <paramref name="folder"/>, by name, asked for alongside the folder: where a directory of that
    /// name is there, its tree copy merges into it from this listing, a round trip sooner. Only when
    /// nothing is asked or said first (<see cref="SilentConsent"/>: a listing may be large, and is
    /// wasted on a copy not made), the copy is not a job, and the folder's path is from the root
    /// once the session knows its home (a listing's entries are then named as the lookups name the
    /// directory); null otherwise. Each is kept by the path it was asked at, which is the path the
    /// name's lookup gives the directory found there.
    /// </summary>
    Dictionary<string, Task<IReadOnlyList<SandboxItem>>>? StartLeafListings(SandboxClient client, string folder, CancellationToken cancel)
    {
        if (IsBetweenSessions || AsJob || !Recurse || !SilentConsent.Holds(this, ConfirmImpact.Medium)
            || !client.Files.TryGetKnownFullPath(folder, out string fullFolder))
        {
            return null;
        }
        var listings = new Dictionary<string, Task<IReadOnlyList<SandboxItem>>>(StringComparer.Ordinal);
        foreach (string local in _localSources.FindAll(Directory.Exists))
        {
            string path = SandboxPath.Join(fullFolder, LocalLeaf(local));
            if (!listings.ContainsKey(path))
            {
                listings[path] = client.Files.GetChildItemsAsync(path, SandboxFileSystem.RecursiveDepth, cancel);
            }
        }
        return listings.Count > 0 ? listings : null;
    }

    /// <returns>False when the check itself failed (the error is written): the copy must not go ahead.</returns>
    bool TryGetRemote(SandboxClient client, string path, out SandboxItem? item) =>
        TryGetRemote(client.Files.TryGetItemAsync(path, CancelToken), path, out item);

    /// <param name="lookup">The lookup of <paramref name="path"/>, null when nothing is there.</param>
    bool TryGetRemote(Task<SandboxItem?> lookup, string path, out SandboxItem? item)
    {
        try
        {
            item = Wait(lookup);
            return true;
        }
        catch (SandboxException e)
        {
            WriteSandboxError(e, path);
            item = null;
            return false;
        }
    }

    // ------------------------------------------------------------ copying (off the pipeline thread)

    /// <summary>
    /// Runs the planned copies in order. Files named on their own run -ThrottleLimit at a time,
    /// whichever way they go, what each writes reaching the sink in plan order; a directory (whose
    /// tree has a window of its own) and a file where an earlier item writes run alone, once those
    /// before them are done. Per-copy failures become errors in the sink; a bad
    /// token or an unreachable agent is thrown, since no further copy could succeed.
    /// </summary>
    async Task CopyAllAsync(SandboxClient client, IReadOnlyList<PlannedCopy> copies, OutputSink sink, bool showProgress, CancellationToken cancel)
    {
        // Disposed on the way out (stopped, or a failure that ends the command): the copies still in
        // flight stop too, removing what they staged, before the command ends.
        using var inFlight = new OrderedBoundedParallel<DeferredSink>(ThrottleLimit, cancel);
        int started = 0;
        foreach (PlannedCopy copy in copies)
        {
            bool sideBySide = !copy.IsDirectory && !copy.OverlapsEarlierCopy && ThrottleLimit > 1;
            while (inFlight.Count > 0 && (!sideBySide || inFlight.IsFull))
            {
                await ReplayOldestAsync(inFlight, cancel).ConfigureAwait(false);
            }
            if (!sideBySide)
            {
                await CopyOneAsync(client, copy, sink, activityId: 1, showProgress, cancel).ConfigureAwait(false);
                continue;
            }
            // Each copy in flight has a progress bar of its own.
            int activityId = 1 + started++ % ThrottleLimit;
            inFlight.Add(async token =>
            {
                var output = new DeferredSink(sink);
                await CopyOneAsync(client, copy, output, activityId, showProgress, token).ConfigureAwait(false);
                return output;
            });
        }
        while (inFlight.Count > 0)
        {
            await ReplayOldestAsync(inFlight, cancel).ConfigureAwait(false);
        }
    }

    static async Task ReplayOldestAsync(OrderedBoundedParallel<DeferredSink> inFlight, CancellationToken cancel)
    {
        DeferredSink output = await inFlight.TakeOldest().ConfigureAwait(false);
        await output.ReplayAsync(cancel).ConfigureAwait(false);
    }

    async Task CopyOneAsync(SandboxClient client, PlannedCopy copy, OutputSink sink, int activityId, bool showProgress, CancellationToken cancel)
    {
        var progress = new TransferProgressReporter(sink, activityId, copy.Upload ? "Copying to sandbox" : "Copying from sandbox", showProgress);
        try
        {
            if (copy.MakeParent)
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(copy.Destination)!);
            }
            if (copy.IsDirectory)
            {
                await CopyTreeAsync(client, copy, sink, progress, cancel).ConfigureAwait(false);
            }
            else
            {
                await CopyFileAsync(client, copy, sink, progress, cancel).ConfigureAwait(false);
            }
        }
        catch (SandboxException e) when (!SandboxErrors.IsFatal(e))
        {
            await sink.WriteErrorAsync(SandboxErrors.ToErrorRecord(e, copy.Source), cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            await sink.WriteErrorAsync(LocalFileError(e, copy.Upload, copy.Source, copy.Destination), cancel).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            await sink.WriteErrorAsync(new ErrorRecord(e, "InvalidDestination", ErrorCategory.InvalidArgument, copy.Destination), cancel).ConfigureAwait(false);
        }
        finally
        {
            progress.Complete();
        }
    }

    async Task CopyFileAsync(SandboxClient client, PlannedCopy copy, OutputSink sink, TransferProgressReporter progress, CancellationToken cancel)
    {
        IProgress<long> bytes = progress.ForFile(copy.Source, copy.Length);
        if (copy.Upload)
        {
            SandboxClient target = copy.ToOtherSandbox ?? client;
            if (!Force && copy.OverlapsEarlierCopy && await target.Files.ExistsAsync(copy.Destination, cancel).ConfigureAwait(false))
            {
                await sink.WriteErrorAsync(ExistsError(copy.Destination, isDirectory: false), cancel).ConfigureAwait(false);
                return;
            }
            SandboxUploadResult uploaded = copy.BegunUpload is { } begun
                ? await client.Transfer.UploadFileAsync(begun, bytes, cancel).ConfigureAwait(false)
                : copy.ToOtherSandbox is null
                ? await client.Transfer.UploadFileAsync(copy.Source, copy.Destination, bytes, cancel).ConfigureAwait(false)
                : await client.Transfer.CopyToAsync(copy.Source, target, copy.Destination, bytes, cancel).ConfigureAwait(false);
            await sink.WriteVerboseAsync($"Copied {copy.Source} to {uploaded.Path} ({uploaded.Length} bytes).", cancel).ConfigureAwait(false);
            if (PassThru)
            {
                // The agent's answer to the rename, when whole, saves asking for the item again.
                await sink.WriteObjectAsync(uploaded.Item ?? await target.Files.GetItemAsync(uploaded.Path, cancel).ConfigureAwait(false), cancel).ConfigureAwait(false);
            }
        }
        else
        {
            SandboxDownloadResult downloaded = copy.BegunDownload is { } begun
                ? await client.Transfer.DownloadFileAsync(begun, copy.Destination, Force, null, bytes, cancel).ConfigureAwait(false)
                : await client.Transfer.DownloadFileAsync(copy.Source, copy.Destination, Force, null, bytes, cancel).ConfigureAwait(false);
            string resumed = downloaded.ResumeCount > 0 ? $", resumed {downloaded.ResumeCount} time(s)" : string.Empty;
            await sink.WriteVerboseAsync($"Copied {copy.Source} to {copy.Destination} ({downloaded.Length} bytes{resumed}).", cancel).ConfigureAwait(false);
            if (PassThru)
            {
                await sink.WriteLocalItemAsync(copy.Destination, isDirectory: false, cancel).ConfigureAwait(false);
            }
        }
    }

    async Task CopyTreeAsync(SandboxClient client, PlannedCopy copy, OutputSink sink, TransferProgressReporter progress, CancellationToken cancel)
    {
        var options = new SandboxTreeCopyOptions
        {
            Overwrite = Force,
            MaxParallelFiles = ThrottleLimit,
            Packing = Packing,
            Exclude = _excluded,
            IncludeItems = PassThru,
            // The plan's lookup found nothing there, and no earlier copy of this command has written there since.
            DestinationMissing = copy.Upload && copy.TargetMissing && !copy.OverlapsEarlierCopy,
        };
        IAsyncEnumerable<SandboxTransferOutcome> outcomes = copy.ToOtherSandbox is not null
            ? client.Transfer.CopyDirectoryToAsync(copy.Source, copy.ToOtherSandbox, copy.Destination, options, cancel)
            : copy is { Listed: { } listed }
            ? copy.Upload
                ? client.Transfer.UploadDirectoryAsync(copy.Source, listed.Directory, await listed.Listing.ConfigureAwait(false), options, progress.ForTree(), cancel)
                : client.Transfer.DownloadDirectoryAsync(listed.Directory, await listed.Listing.ConfigureAwait(false), copy.Destination, options, progress.ForTree(), cancel)
            : copy.Upload
            ? client.Transfer.UploadDirectoryAsync(copy.Source, copy.Destination, options, progress.ForTree(), cancel)
            : client.Transfer.DownloadDirectoryAsync(copy.Source, copy.Destination, options, progress.ForTree(), cancel);

        await foreach (SandboxTransferOutcome outcome in outcomes.WithCancellation(cancel).ConfigureAwait(false))
        {
            switch (outcome.Status)
            {
                case SandboxTransferStatus.Skipped:
                    await sink.WriteWarningAsync($"Skipped {outcome.Source}: {outcome.Reason}", cancel).ConfigureAwait(false);
                    break;
                case SandboxTransferStatus.Failed:
                    await sink.WriteErrorAsync(ToErrorRecord(outcome, copy.Upload), cancel).ConfigureAwait(false);
                    break;
                default:
                    if (PassThru && copy.Upload)
                    {
                        SandboxClient target = copy.ToOtherSandbox ?? client;
                        await sink.WriteObjectAsync(outcome.Item ?? await target.Files.GetItemAsync(outcome.Destination, cancel).ConfigureAwait(false), cancel).ConfigureAwait(false);
                    }
                    else if (PassThru)
                    {
                        await sink.WriteLocalItemAsync(outcome.Destination, outcome.Kind == SandboxItemType.Directory, cancel).ConfigureAwait(false);
                    }
                    break;
            }
        }
    }

    static ErrorRecord ToErrorRecord(SandboxTransferOutcome outcome, bool upload)
    {
        if (outcome.ReasonCode == SandboxTransferReason.AlreadyExists)
        {
            return ExistsError(outcome.Destination, isDirectory: false);
        }
        if (outcome.Exception is SandboxException sandbox)
        {
            return SandboxErrors.ToErrorRecord(sandbox, outcome.Source);
        }
        if (outcome.Exception is IOException or UnauthorizedAccessException)
        {
            return LocalFileError(outcome.Exception, upload, outcome.Source, outcome.Destination);
        }
        string message = $"Failed to copy {outcome.Source}: {outcome.Reason ?? outcome.Exception?.Message}";
        return SandboxErrors.Create("CopyFailed", ErrorCategory.WriteError, outcome.Source, message, outcome.Exception);
    }

    /// <summary>
    /// The local side of a copy failed, alone or in a tree: an upload's source could not be read, or a
    /// download's target written. The message names the file the user gave: .NET's own may name the
    /// hidden temporary file beside it.
    /// </summary>
    static ErrorRecord LocalFileError(Exception error, bool upload, string source, string destination) => upload
        ? SandboxErrors.Create("LocalFileError", ErrorCategory.ReadError, source, $"Cannot read '{source}': {error.Message}", error)
        : SandboxErrors.Create("LocalFileError", ErrorCategory.WriteError, destination, $"Cannot write '{destination}': {error.Message}", error);

    /// <summary>A sandbox directory as a lookup found it, with its recursive listing asked for at that path.</summary>
    sealed class ListedDirectory
    {
        public ListedDirectory(SandboxItem directory, Task<IReadOnlyList<SandboxItem>> listing)
        {
            Directory = directory;
            Listing = listing;
        }

        public SandboxItem Directory { get; }

        public Task<IReadOnlyList<SandboxItem>> Listing { get; }
    }

    /// <summary>One top-level copy decided on the pipeline thread (after ShouldProcess) and run later.</summary>
    sealed class PlannedCopy
    {
        public PlannedCopy(bool upload, string source, string destination, bool isDirectory, long length)
        {
            Upload = upload;
            Source = source;
            Destination = destination;
            IsDirectory = isDirectory;
            Length = length;
        }

        public bool Upload { get; }

        /// <summary>Set when the item comes from the session's sandbox and goes to this other one.</summary>
        public SandboxClient? ToOtherSandbox { get; set; }

        /// <summary>
        /// An earlier copy of the same command writes to this path, inside it or above it: this one
        /// runs once the earlier ones are done, and a copy into a sandbox asks again right before
        /// writing whether the destination exists. Otherwise the plan's check stands, and the copy
        /// saves that round trip (a download checks its local target itself).
        /// </summary>
        public bool OverlapsEarlierCopy { get; set; }

        /// <summary>Into a sandbox: the plan's lookup found nothing at the destination, so nothing is at this copy's either.</summary>
        public bool TargetMissing { get; set; }

        /// <summary>
        /// A tree's sandbox end with its recursive listing, asked for alongside the plan's lookups:
        /// the existing directory a tree is merged into, or the directory a tree is copied out of.
        /// </summary>
        public ListedDirectory? Listed { get; set; }

        /// <summary>The local folder the item goes into does not exist yet: make it first.</summary>
        public bool MakeParent { get; set; }

        /// <summary>The download's first request, sent alongside the lookup of its path.</summary>
        public SandboxDownloadRequest? BegunDownload { get; set; }

        /// <summary>The upload's post to its staging name, sent alongside the lookups of its destination.</summary>
        public SandboxUploadRequest? BegunUpload { get; set; }

        public string Source { get; }

        public string Destination { get; }

        public bool IsDirectory { get; }

        public long Length { get; }
    }
}
