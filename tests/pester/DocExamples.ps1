# The PowerShell examples of the README and the help pages, and what runs the ones marked runnable
# against the local agent. Dot-source it after TestAgent.ps1; it defines functions only.
#
# The marker: an HTML comment line `<!-- runnable -->` right above a ```powershell fence. GitHub
# does not show it; docs/ConvertTo-MamlHelp.ps1 skips HTML comments and build.ps1 removes the
# marker lines before platyPS sees the pages, so Get-Help never shows it either. An example
# without the marker is only parsed; `<!-- not runnable: REASON -->` in the same place says why
# (the test reads only the first kind).
#
# What a runnable example can count on (made fresh for every example, by Reset-ExampleWorld):
# - the default session, to a local agent whose /home/user (its home: relative paths start
#   there), /tmp and /var/log are fresh folders with the files listed in Reset-ExampleWorld
#   (a mount namespace shows them there, to the agent and the processes it starts);
# - a fresh local working folder ($PWD) with the local files listed there;
# - $ErrorActionPreference = 'Stop', no progress, no confirmation prompts.
# It passes when it ends within its time without a terminating error and without writing to
# the error stream. An example that needs a program the machine may lack (make, sqlite3, node,
# pip, pytest) is skipped, saying so, when it is missing (Get-ExampleProgram).
#
# Left parse-only: examples that need a real ScaleBox domain or backend API, several sandboxes
# or sessions made elsewhere, Windows (curl.exe), an interactive console (Enter-SbxShell,
# Read-Host, Get-Credential, -Confirm, $Host's window size), paths outside /home/user, /tmp and
# /var/log (/data, /out, /srv, /etc files they would change), the network (pip install, npm),
# follow or wait until Ctrl+C or a long timeout (-Wait, Wait-Event), continue an earlier example
# (its $w, its running 'train' or 'shell' process) or show an error on purpose.

function Get-DocExample {
    <#
    .SYNOPSIS
        Every ```powershell block of README.md and docs/en-US/*.md: Document, Number (in the
        document), Line (of the fence), Code, and Runnable (the line above is `<!-- runnable -->`).
    #>
    param([string] $Root = (Join-Path $PSScriptRoot '../..'))
    $documents = @(Get-Item -LiteralPath (Join-Path $Root 'README.md')) + @(Get-ChildItem -LiteralPath (Join-Path $Root 'docs/en-US') -Filter *.md | Sort-Object Name)
    foreach ($document in $documents) {
        $text = Get-Content -LiteralPath $document.FullName -Raw
        $number = 0
        foreach ($match in [regex]::Matches($text, '(?ms)^```powershell\r?\n(.*?)^```')) {
            $number++
            $before = $text.Substring(0, $match.Index)
            $lineAbove = ($before.TrimEnd("`r", "`n") -split '\r?\n')[-1]
            [pscustomobject]@{
                Document = $document.Name
                Number   = $number
                Line     = ($before -split '\n').Count
                Code     = $match.Groups[1].Value
                Runnable = $lineAbove -match '^\s*<!--\s*runnable\s*-->\s*$'
            }
        }
    }
}

function Test-MountNamespace {
    <# True when this machine lets the tests make a mount namespace (unshare); otherwise prints why not. #>
    if (-not $IsLinux -or -not (Get-Command unshare -CommandType Application -ErrorAction SilentlyContinue)) {
        Write-Host 'No unshare here (Linux util-linux): the runnable doc examples are skipped.'
        return $false
    }
    # A bind mount of the temp folder onto itself, as Start-ExampleAgent's mounts need.
    $temp = [System.IO.Path]::GetTempPath()
    $output = & unshare @(Get-MountNamespaceOptions) sh -c 'mount --bind "$1" "$1"' sh $temp 2>&1
    if ($LASTEXITCODE -ne 0) {
        Write-Host "This machine does not allow a mount namespace ($output): the runnable doc examples are skipped."
        return $false
    }
    $true
}

function Get-MountNamespaceOptions {
    # root makes a mount namespace as it is; anyone else inside a user namespace of its own.
    $user = if ((& id -u) -eq '0') { @() } else { @('--user', '--map-root-user') }
    $user + @('--mount', '--propagation', 'private')
}

function Start-ExampleAgent {
    <#
    .SYNOPSIS
        The local agent in its own mount namespace, where /home/user, /tmp and /var/log are folders of
        its fresh home folder (home/user, tmp, var/log), so the examples' sandbox paths exist. The
        host is unchanged. Returns Start-TestAgent's object plus Root (that folder).
    #>
    # /tmp is mounted last: the fresh folder itself lives under it. The agent's own files may live
    # under /tmp too (a clone there), so a copy of them (2 MB) is put under the new /home first.
    $agentPath = Get-TestAgentPath
    $agentFolder = (Split-Path -Parent $agentPath).Replace("'", "'\''")
    $mounts = 'set -e; r="$SBX_TEST_AGENT_HOME"; mkdir -p "$r/home/user" "$r/tmp" "$r/var/log" "$r/home/.agent-bin"; ' +
        "cp -a '$agentFolder/.' `"`$r/home/.agent-bin/`"; " +
        'mount --bind "$r/home" /home; mount --bind "$r/var/log" /var/log; mount --bind "$r/tmp" /tmp; exec "$@"'
    $launcher = @('unshare') + @(Get-MountNamespaceOptions) + @('sh', '-c', $mounts, 'sh')
    # Its own upload journal, in its namespace: agents that share one clean up after each other.
    $agent = Start-TestAgent -Launcher $launcher -HomeAs '/home/user' -AgentPath ('/home/.agent-bin/' + (Split-Path -Leaf $agentPath)) `
        -ArgumentList '--state-dir', '/home/.agent-state'
    $agent | Add-Member -NotePropertyName Root -NotePropertyValue $agent.Home -PassThru
}

function Reset-ExampleWorld {
    <#
    .SYNOPSIS
        Empties the example agent's /home/user, /tmp and /var/log and the local folder $Local, and
        puts in them the files the examples name.
    #>
    param([Parameter(Mandatory)] $Agent, [Parameter(Mandatory)] [string] $Local)
    $sandbox = @{
        # /home/user
        'home/user/report.txt'                 = 'quarterly report'
        'home/user/sales.csv'                  = "region,amount`nus,120`neu,80`nap,95"
        'home/user/config.json'                = '{ "debug": false }'
        'home/user/config.new'                 = '{ "debug": true }'
        'home/user/app.yaml'                   = 'name: app'
        'home/user/numbers.txt'                = '0'
        'home/user/.bashrc'                    = '# .bashrc'
        'home/user/train.py'                   = "for epoch in range(1, 4):`n    print(f'epoch {epoch}/3 loss {1 / epoch:.3f} val_loss {1.2 / epoch:.3f}', flush=True)"
        'home/user/app/config.json'            = '{ "database": { "host": "db.internal", "port": 5432 } }'
        'home/user/app/.env'                   = 'DEBUG=0'
        'home/user/app/VERSION'                = '1.3.9'
        'home/user/app/requirements.txt'       = ''
        'home/user/project/main.py'            = "print('hello')"
        'home/user/project/util.py'            = 'def add(a, b): return a + b'
        'home/user/project/src/app.py'         = 'import util'
        'home/user/project/README.md'          = '# project'
        'home/user/reports/q1.csv'             = "month,total`n1,10"
        'home/user/reports/q2.csv'             = "month,total`n4,12`n5,13"
        'home/user/reports/q3.csv'             = "month,total`n7,9"
        'home/user/reports/summary.csv'        = "quarter,total`nq1,10"
        'home/user/data/input.csv'             = "id,value`n1,2"
        'home/user/data/run[1].json'           = '{ "run": 1 }'
        'home/user/data/users.csv'             = 'Name,Email'
        'home/user/output/report.pdf'          = '%PDF-1.4'
        'home/user/output/results.csv'         = "id,score`n1,0.9"
        'home/user/output/plot1.png'           = 'png'
        'home/user/out/chart.png'              = [byte[]] (0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13)
        'home/user/out/summary.txt'            = 'done'
        'home/user/logs/app.log'               = 'started'
        'home/user/logs/worker.log'            = 'working'
        'home/user/results/a.txt'              = "one`ntwo"
        'home/user/results/b.txt'              = 'three'
        'home/user/results/scores.csv'         = "id,score`n1,3"
        'home/user/results/run1.json'          = '{ "run": 1, "score": 0.7 }'
        'home/user/results/run2.json'          = '{ "run": 2, "score": 0.9 }'
        'home/user/ml/train.py'                = "for epoch in range(1, 6):`n    print(f'epoch {epoch}/5 val_loss {1 / epoch:.3f}', flush=True)"
        'home/user/inbox/a.done'               = 'a'
        'home/user/inbox/b.done'               = 'b'
        'home/user/inbox/c.todo'               = 'c'
        'home/user/build/app.tar.gz'           = 'tarball'
        'home/user/dist/app.tar.gz'            = 'tarball'
        'home/user/dist/app.whl'               = 'wheel'
        'home/user/run-42/metrics.json'        = '{ "loss": 0.1 }'
        'home/user/run-42/logs/train.log'      = 'epoch 1'
        'home/user/www/status.json'            = '{ "ok": true }'
        'home/user/.cache/pip/wheel.txt'       = 'cache'
        'home/user/workspace/notes.txt'        = 'still here'
        'home/user/etl/etl.py'                 = "import sys`nprint('etl', sys.argv[2])"
        'home/user/incoming/waiting.csv'       = 'a,b'
        'home/user/exports/export-1.csv'       = 'a,b'
        'home/user/exports/export-2.csv'       = 'c,d'
        'home/user/migrate.sh'                 = "#!/bin/sh`necho 'migrating: step 1'`necho 'migrating: step 2'"
        'home/user/benchmark.sh'               = "#!/bin/sh`necho 'benchmark: 1 run'"
        'home/user/configure-db.sh'            = "#!/bin/sh`nprintf 'Create the database? [y/N] '`nread -r answer`necho `"answer: `$answer`""
        'home/user/app/build.sh'               = "#!/bin/sh`necho `"building `$1`""
        'home/user/project/Makefile'           = "all:`n`t@echo built > build.txt"
        'home/user/src/Makefile'               = "all:`n`t@echo `"`$(CC) `$(CFLAGS) main.c`""
        # /tmp
        'tmp/build.log'                        = 'build ok'
        'tmp/old.log'                          = 'old'
        'tmp/a.lock'                           = ''
        'tmp/export-1.csv'                     = 'a,b'
        'tmp/export-2.csv'                     = 'c,d'
        'tmp/in/first.txt'                     = 'first'
        # /var/log
        'var/log/app.log'                      = (1..30 | ForEach-Object { "line $_" }) -join "`n"
        'var/log/app/server.log'               = (1..60 | ForEach-Object { if ($_ % 20 -eq 0) { "$_ ERROR failed" } else { "$_ INFO ok" } }) -join "`n"
        'var/log/app/worker.log'               = "1 INFO ok`n2 ERROR Traceback (most recent call last)"
        'var/log/nginx/access.log'             = 'GET /'
    }
    $localFiles = @{
        'myapp/index.js'       = "console.log('myapp')"
        'myapp/lib/util.js'    = 'module.exports = {}'
        'project/report.py'    = "print('report')"
        'data/a.json'          = '{ "a": 1 }'
        'data/b.json'          = '{ "b": 2 }'
        'reports/january.pdf'  = '%PDF-1.4'
        'reports/february.pdf' = '%PDF-1.4'
        'dataset/part-1.csv'   = 'x,y'
        'dataset/part-2.csv'   = 'z,w'
        'new-users.csv'        = "Name,Email`nAda,ada@example.com`nAlan,alan@example.com"
        'customers.csv'        = "Name,Country`nAnna,DE`nBob,US`nCarl,DE"
        'setup.sh'             = "#!/bin/sh`necho setup"
        'logo.png'             = [byte[]] (0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A)
        'config.json'          = '{ "debug": true }'
        'analysis.py'          = "values = [1, 2, 3]`nprint(sum(values) / len(values))"
        'migrate.py'           = "print('migrated')"
        'frame.bin'            = [byte[]] (1, 2, 3, 4)
        'schema.sql'           = "CREATE TABLE users (name TEXT);`nINSERT INTO users VALUES ('ada');"
    }
    $executables = 'home/user/migrate.sh', 'home/user/benchmark.sh', 'home/user/configure-db.sh', 'home/user/app/build.sh'
    foreach ($folder in 'home/user', 'tmp', 'var/log') {
        Get-ChildItem -LiteralPath (Join-Path $Agent.Root $folder) -Force | Remove-Item -Recurse -Force
    }
    Get-ChildItem -LiteralPath $Local -Force -ErrorAction SilentlyContinue | Remove-Item -Recurse -Force
    foreach ($set in @(@{ Base = $Agent.Root; Files = $sandbox }, @{ Base = $Local; Files = $localFiles })) {
        foreach ($name in $set.Files.Keys) {
            $path = Join-Path $set.Base $name
            $null = New-Item -ItemType Directory -Path (Split-Path -Parent $path) -Force
            if ($set.Files[$name] -is [byte[]]) {
                [System.IO.File]::WriteAllBytes($path, $set.Files[$name])
            }
            else {
                [System.IO.File]::WriteAllText($path, $set.Files[$name])
            }
        }
    }
    foreach ($name in $executables) {
        [System.IO.File]::SetUnixFileMode((Join-Path $Agent.Root $name), [System.IO.UnixFileMode] 'UserRead, UserWrite, UserExecute, GroupRead, GroupExecute, OtherRead, OtherExecute')
    }
}

function Get-ExampleProgram {
    <# The programs an example runs in the sandbox that a machine may lack, by how the example names them. #>
    param([Parameter(Mandatory)] [string] $Code)
    $patterns = [ordered]@{ make = "'make\b"; sqlite3 = '\bsqlite3\b'; node = '-Language javascript'; pip = "'pip "; pytest = "'pytest\b" }
    foreach ($program in $patterns.Keys) {
        if ($Code -match $patterns[$program]) { $program }
    }
}

function Invoke-DocExample {
    <#
    .SYNOPSIS
        Runs one example in a fresh runspace (module imported, a default session to $Agent, in
        $Local) and waits at most $TimeoutSec. Returns Output, Errors (the error stream and a
        terminating error, as text) and TimedOut.
    #>
    param(
        [Parameter(Mandatory)] [string] $Code,
        [Parameter(Mandatory)] $Agent,
        [Parameter(Mandatory)] [string] $Local,
        [string] $ModulePath = (Get-TestModulePath),
        [int] $TimeoutSec = 60
    )
    $script = "`$ErrorActionPreference = 'Stop'; `$ProgressPreference = 'SilentlyContinue'; `$ConfirmPreference = 'None'`n" +
        "Set-Location -LiteralPath '$($Local.Replace("'", "''"))'`n" +
        # Start-InRunspace's own parameters: an example that names $token or $domain must not get them.
        "Remove-Variable -Name Module, Domain, Token`n" + $Code
    $run = Start-InRunspace -Script $script -ModulePath $ModulePath -Agent $Agent
    $errors = [System.Collections.Generic.List[string]]::new()
    $timedOut = -not $run.Async.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds($TimeoutSec))
    try {
        if ($timedOut) {
            $stop = $run.PowerShell.BeginStop($null, $null)
            $null = $stop.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(10))
            $errors.Add("did not end within $TimeoutSec s")
        }
        else {
            try { $null = $run.PowerShell.EndInvoke($run.Async) }
            catch { $errors.Add("terminating: $($_.Exception.InnerException.Message ?? $_.Exception.Message)") }
        }
        foreach ($record in $run.PowerShell.Streams.Error) {
            $errors.Add("$($record.FullyQualifiedErrorId): $record")
        }
        # What the example left in this runspace: its code contexts (kernels), event subscriptions and jobs.
        $run.PowerShell.Commands.Clear()
        $null = $run.PowerShell.AddScript('$ErrorActionPreference = "SilentlyContinue"; Get-SbxCodeContext | Remove-SbxCodeContext; Get-EventSubscriber | Unregister-Event; Get-Job | Remove-Job -Force')
        $cleanup = $run.PowerShell.BeginInvoke()
        $null = $cleanup.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(30))
    }
    finally {
        $run.PowerShell.Runspace.Dispose()
        $run.PowerShell.Dispose()
    }
    [pscustomobject]@{ Output = @($run.Output); Errors = $errors.ToArray(); TimedOut = $timedOut }
}
