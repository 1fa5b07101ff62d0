# A bound on a whole test run. A test that hangs would otherwise hold the run (and a CI job) until
# someone else's limit ends it, and its log would stop mid-file without saying where: here a run
# that outlives its bound has the managed stacks of its .NET processes written out (dotnet-stack,
# a tool of the repository's manifest), then it and everything it started are ended.

function Wait-TestRun {
    <#
    .SYNOPSIS
        Waits for a test run's process; $true if it ended within $Timeout. Otherwise writes the
        stacks of it and of every .NET process under it, ends them all and returns $false.
    #>
    param(
        [Parameter(Mandatory)][System.Diagnostics.Process] $Process,
        [Parameter(Mandatory)][TimeSpan] $Timeout,
        [Parameter(Mandatory)][string] $Name
    )
    if ($Process.WaitForExit([int]$Timeout.TotalMilliseconds)) {
        $Process.WaitForExit() # the parameterless wait also waits for the redirected streams, if any
        return $true
    }
    Write-Host "`n== $Name did not end within $($Timeout.ToString('g')); the stacks of its .NET processes:" -ForegroundColor Red
    foreach ($id in @($Process.Id) + @(Get-DescendantProcessId $Process.Id)) {
        Write-ManagedStack $id
    }
    $Process.Kill($true)
    $Process.WaitForExit()
    $false
}

function Get-DescendantProcessId {
    <# The ids of every process under $ParentId, from /proc (elsewhere: none, and only the run's own stacks are written). #>
    param([Parameter(Mandatory)][int] $ParentId)
    if (-not (Test-Path -LiteralPath '/proc/self/stat')) { return }
    $children = @{}
    foreach ($stat in Get-ChildItem -Path '/proc/[0-9]*/stat' -ErrorAction SilentlyContinue) {
        # "pid (name) state ppid ...": the name may hold spaces and parentheses, so fields are counted after the last ')'.
        $text = Get-Content -LiteralPath $stat.FullName -Raw -ErrorAction SilentlyContinue
        if (-not $text) { continue }
        $parent = [int]$text.Substring($text.LastIndexOf(')') + 2).Split(' ')[1]
        if (-not $children.ContainsKey($parent)) { $children[$parent] = [System.Collections.Generic.List[int]]::new() }
        $children[$parent].Add([int]$stat.Directory.Name)
    }
    $pending = [System.Collections.Generic.Queue[int]]::new()
    $pending.Enqueue($ParentId)
    while ($pending.Count -gt 0) {
        $id = $pending.Dequeue()
        if (-not $children.ContainsKey($id)) { continue }
        foreach ($child in $children[$id]) {
            $child
            $pending.Enqueue($child)
        }
    }
}

function Write-ManagedStack {
    <# Writes the command line and the managed stacks of process $Id, if it is a .NET process that still answers. #>
    param([Parameter(Mandatory)][int] $Id)
    if (-not $IsWindows) {
        # A .NET process listens for diagnostics on a socket named after its id; others are skipped,
        # and so are processes gone since the tree was read (a killed one leaves its socket behind).
        $socket = Get-ChildItem -Path ([System.IO.Path]::GetTempPath()) -Filter "dotnet-diagnostic-$Id-*-socket" -ErrorAction SilentlyContinue
        if (-not $socket -or -not (Test-Path -LiteralPath "/proc/$Id")) { return }
    }
    $commandLine = if (Test-Path -LiteralPath "/proc/$Id/cmdline") {
        (Get-Content -LiteralPath "/proc/$Id/cmdline" -Raw -ErrorAction SilentlyContinue) -replace "`0", ' '
    }
    Write-Host "`n-- process $Id $commandLine" -ForegroundColor Red
    $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in 'tool', 'run', 'dotnet-stack', 'report', '--process-id', "$Id") { $start.ArgumentList.Add($argument) }
    # The tool is found through the repository's manifest.
    $start.WorkingDirectory = $PSScriptRoot
    $start.UseShellExecute = $false
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $reporter = [System.Diagnostics.Process]::Start($start)
    $output = $reporter.StandardOutput.ReadToEndAsync()
    $errors = $reporter.StandardError.ReadToEndAsync()
    # A process too far gone to answer must not hold the report of the others.
    if (-not $reporter.WaitForExit(30000)) {
        $reporter.Kill($true)
        Write-Host '(no answer within 30 seconds)'
        return
    }
    $reporter.WaitForExit()
    Write-Host ($output.Result + $errors.Result).TrimEnd()
}
