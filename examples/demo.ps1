<#
.SYNOPSIS
    A short walk through ScaleBox.Sandbox against a running sandbox agent.
.DESCRIPTION
    `dotnet pwsh ./build.ps1 demo` starts the local agent and runs this script against it. To run it
    against a real sandbox, pass -Domain and -AccessToken (the sandbox_domain and envd_access_token
    of a running sandbox).
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/ScaleBox.Sandbox'),
    [string] $Domain = $env:SBX_DEMO_DOMAIN,
    [string] $AccessToken = $env:SBX_DEMO_TOKEN
)
$ErrorActionPreference = 'Stop'

function Show-Step([string] $Text) { Write-Host "`n# $Text" -ForegroundColor Cyan }

Import-Module $ModulePath

Show-Step 'Create a session; it becomes the default for every Sbx cmdlet in this runspace.'
$session = New-SbxSession -Domain $Domain -AccessToken $AccessToken -Name demo
$session | Format-Table | Out-Host
"Healthy: $(Test-SbxSession)" | Out-Host

Show-Step 'Make directories (parents are created) and list them.'
New-SbxItem -ItemType Directory -Path demo/reports/2026, demo/inbox, demo/archive | Out-Host
Get-SbxChildItem -Path demo -Recurse | Out-Host

Show-Step 'Move a directory into another, then look at it.'
Move-SbxItem -Path demo/inbox -Destination demo/archive -PassThru | Format-List Name, Path, UnixMode, Owner | Out-Host
Get-SbxChildItem demo -Recurse -Directory -Filter 'in*' | Select-Object -ExpandProperty Path | Out-Host

Show-Step 'Write a file, run a process over it, and copy the result back, streamed.'
'alpha', 'beta', 'gamma' | Set-SbxContent -Path demo/reports/words.txt
Start-SbxProcess -Command 'sort -r words.txt | tee sorted.txt' -WorkingDirectory (Get-SbxItem demo/reports).Path -AsText | Out-Host
$local = Join-Path ([System.IO.Path]::GetTempPath()) ('sbx-demo-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $local | Out-Null
Copy-SbxItem -Path demo/reports/sorted.txt -Destination $local -FromSandbox -PassThru | Select-Object Name, Length | Out-Host
Remove-Item -LiteralPath $local -Recurse -Force

Show-Step 'Run code in the sandbox''s interpreters; state persists in a context.'
$shell = New-SbxCodeContext -Language bash -WorkingDirectory (Get-SbxItem demo/reports).Path
Invoke-SbxCode 'count=$(wc -l < words.txt)' -Context $shell
Invoke-SbxCode 'echo "words.txt has $count lines"' -Context $shell | Out-Host
$python = New-SbxCodeContext -Language python -ErrorAction SilentlyContinue -ErrorVariable noKernel
if ($python) {
    Invoke-SbxCode "import statistics`nstatistics.mean([3, 1, 4, 1, 5])" -Context $python | Out-Host
}
else {
    "Python needs a Jupyter kernel in the sandbox: $($noKernel[0].Exception.Message)" | Out-Host
}
Get-SbxCodeContext | Remove-SbxCodeContext

Show-Step 'Watch a directory: wait for a file that a process makes later.'
$null = Start-SbxProcess -Command 'sleep 1; echo done > demo/reports/ready.txt' -Background
Wait-SbxItem -Path demo/reports/ready.txt -TimeoutSec 30 | Select-Object Name, Length | Out-Host

Show-Step 'Errors are ordinary PowerShell errors: categories, targets, -ErrorAction.'
Get-SbxItem -Path demo/missing -ErrorAction SilentlyContinue -ErrorVariable failure
"ErrorId: $($failure[0].FullyQualifiedErrorId)" | Out-Host
"Category: $($failure[0].CategoryInfo.Category), target: $($failure[0].TargetObject)" | Out-Host
try {
    Start-SbxProcess -Command 'exit 3' -AsText -CheckExitCode -ErrorAction Stop
}
catch {
    "A failing process: $($_.FullyQualifiedErrorId): $($_.Exception.Message)" | Out-Host
}
try {
    Remove-SbxItem -Path demo -ErrorAction Stop
}
catch {
    "Refused without -Recurse: $($_.Exception.Message)" | Out-Host
}
$wrong = New-SbxSession -Domain $Domain -AccessToken 'not-the-token' -Name wrong
try {
    Get-SbxItem -Path / -Session $wrong
}
catch {
    "A wrong token: $($_.CategoryInfo.Category): $($_.Exception.Message)" | Out-Host
}
Remove-SbxSession -Session $wrong

Show-Step 'Remove what the demo made; -WhatIf shows first.'
Remove-SbxItem -Path demo -Recurse -WhatIf
Get-SbxChildItem demo | Remove-SbxItem -Recurse
Remove-SbxItem -Path demo
"demo exists: $(Test-SbxPath demo)" | Out-Host
Remove-SbxSession -Session $session
