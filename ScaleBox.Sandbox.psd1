@{
    RootModule           = 'ScaleBox.Sandbox.psm1'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Core', 'Desktop')
    GUID                 = '5b0f3c1e-8a4d-4e62-9d7b-2f4a6c9e1b37'
    Author               = 'ScaleBox.Sandbox contributors'
    CompanyName          = 'ScaleBox.Sandbox contributors'
    Copyright            = '(c) ScaleBox.Sandbox contributors. MIT License.'
    Description          = 'Drive ScaleBox sandboxes from PowerShell: files, transfers, processes, code execution on Jupyter kernels and directory watchers in a running sandbox, through its sandbox agent, as cmdlets that stream pipeline objects.'
    PowerShellVersion    = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('ScaleBox.Sandbox.Format.ps1xml')
    TypesToProcess       = @('ScaleBox.Sandbox.Types.ps1xml')
    CmdletsToExport      = @(
        'New-SbxSession'
        'Get-SbxSession'
        'Remove-SbxSession'
        'Test-SbxSession'
        'Get-SbxItem'
        'Get-SbxChildItem'
        'New-SbxItem'
        'Move-SbxItem'
        'Remove-SbxItem'
        'Test-SbxPath'
        'Copy-SbxItem'
        'Get-SbxContent'
        'Set-SbxContent'
        'Add-SbxContent'
        'Get-SbxFileUrl'
        'Start-SbxProcess'
        'Get-SbxProcess'
        'Stop-SbxProcess'
        'Receive-SbxProcess'
        'Wait-SbxProcess'
        'Send-SbxProcessInput'
        'Set-SbxProcessTerminal'
        'Enter-SbxShell'
        'Register-SbxWatcher'
        'Get-SbxWatcherEvent'
        'New-SbxWatcher'
        'Remove-SbxWatcher'
        'Wait-SbxItem'
        'Invoke-SbxCode'
        'New-SbxCodeContext'
        'Get-SbxCodeContext'
        'Remove-SbxCodeContext'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('ScaleBox', 'Sandbox', 'CodeInterpreter', 'gRPC', 'AI', 'Agent', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/scalebox-dev/ScaleBox.Sandbox'
            LicenseUri   = 'https://github.com/scalebox-dev/ScaleBox.Sandbox/blob/main/LICENSE'
            ReleaseNotes = 'First release: sessions (New/Get/Remove/Test-SbxSession); the file system cmdlets Get-SbxItem, Get-SbxChildItem, New-SbxItem, Move-SbxItem, Remove-SbxItem and Test-SbxPath; streamed, resumable transfers (Copy-SbxItem, Get-SbxContent, Set-SbxContent, Get-SbxFileUrl); and processes with pipes and terminals (Start/Get/Stop/Receive/Wait-SbxProcess, Send-SbxProcessInput, Set-SbxProcessTerminal, Enter-SbxShell); code execution (Invoke-SbxCode, New/Get/Remove-SbxCodeContext); directory watchers (Register-SbxWatcher, Get-SbxWatcherEvent, New/Remove-SbxWatcher, Wait-SbxItem). Changed since the preview: Start-SbxProcess and Receive-SbxProcess write lines by default, as a native command (standard error in the error stream, never stopping a script on its own; -AsRecord gives the records); sandbox items have Get-ChildItem''s property names (Mode is Get-ChildItem''s text, the permission bits are UnixFileMode, Length is null for a directory) and listings come in Get-ChildItem''s order; Copy-SbxItem has one -LiteralPath set for both directions; Test-SbxPath -Path takes wildcards. New: Add-SbxContent, Get-SbxContent -Tail and -Wait, Get-SbxChildItem -Include, -Exclude, -Name and -LiteralPath. Networks: New-SbxSession -Protocol Connect and ConnectJson (the protocol of the official SDKs), -Proxy, -ProxyCredential and -ProxyUseDefaultCredentials (and the environment''s proxy for every request), -Certificate and -SkipCertificateCheck. Copy-SbxItem plans a tree once and copies -ThrottleLimit files at a time. Code executions and watches fail within a bounded time on a frozen or dead agent and say what to do. The module''s dependencies (Google.Protobuf, Grpc.*) load in its own load context on PowerShell 7, so other modules'' versions of them do not clash. Get-SbxItem and Test-SbxPath keep -ThrottleLimit lookups of piped paths in flight, output in input order.'
        }
    }
}
