<#
.SYNOPSIS
    Converts platyPS-format markdown help pages into MAML XML help and about_*.help.txt topics.

.DESCRIPTION
    A self-contained replacement for platyPS's New-ExternalHelp, used by the build when the
    platyPS module is not available. Runs on PowerShell 7 and Windows PowerShell 5.1.

    Every *.md file in -Path whose YAML front matter contains 'external help file:' is parsed as a
    platyPS (schema 2.0) cmdlet page. All cmdlet pages are written into ONE MAML file,
    <AssemblyFileName>-Help.xml, in -OutputPath.

    Every about_*.md file becomes a plain-text about_<Name>.help.txt file in -OutputPath: the
    front matter is removed, '#'/'##' headings become upper-case lines, fenced code blocks are
    indented by four spaces, and all other text is kept as written.

    Other markdown files (for example the module page) are skipped.

    A malformed page (missing '## SYNOPSIS', a parameter yaml block that does not parse, an
    unknown section, ...) fails the conversion with an error of the form 'file:line: message'.
    All pages are checked before anything is written, and every problem is reported.

.PARAMETER Path
    Folder holding the markdown pages (or a single markdown file).

.PARAMETER OutputPath
    Folder to write the MAML file and the about topics to. Created if missing.

.PARAMETER ModuleName
    Optional. When given, cmdlet pages whose 'Module Name:' front matter differs get a warning.

.PARAMETER AssemblyFileName
    File name of the module's assembly (or root module), e.g. ScaleBox.Sandbox.dll. The MAML file
    is named '<AssemblyFileName>-Help.xml'.

.PARAMETER PassThru
    Output a FileInfo object for every file written.

.EXAMPLE
    ./docs/ConvertTo-MamlHelp.ps1 -Path docs/en-US -OutputPath out/ScaleBox.Sandbox/en-US -ModuleName ScaleBox.Sandbox -AssemblyFileName ScaleBox.Sandbox.dll
#>

#Requires -Version 5.1

[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [string] $Path,

    [Parameter(Mandatory = $true)]
    [string] $OutputPath,

    [string] $ModuleName,

    [Parameter(Mandatory = $true)]
    [string] $AssemblyFileName,

    [switch] $PassThru
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$script:NsMsh = 'http://msh'
$script:NsMaml = 'http://schemas.microsoft.com/maml/2004/10'
$script:NsCommand = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$script:NsDev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$script:NsMsHelp = 'http://msdn.microsoft.com/mshelp'
$script:NsXmlns = 'http://www.w3.org/2000/xmlns/'

# Keys allowed in a parameter's ```yaml block (platyPS schema 2.0). 'Applicable' is accepted and ignored.
$script:ParameterYamlKeys = @(
    'Type', 'Parameter Sets', 'Aliases', 'Accepted values', 'Required', 'Position',
    'Default value', 'Accept pipeline input', 'Accept wildcard characters', 'Applicable'
)
$script:AllParameterSets = '(All)'
$script:Placeholder = [string][char]0xE000
$script:PlaceholderEnd = [string][char]0xE001

#region Errors

function New-HelpPageException {
    param([string] $File, [int] $Line, [string] $Message)
    return [System.FormatException]::new(('{0}:{1}: {2}' -f $File, $Line, $Message))
}

function Write-PageWarning {
    param([string] $File, [int] $Line, [string] $Message)
    Write-Warning ('{0}:{1}: {2}' -f $File, $Line, $Message)
}

#endregion

#region Markdown tokenizer

function ConvertFrom-YamlScalar {
    param([string] $Value)
    $v = $Value.Trim()
    if ($v.Length -ge 2 -and $v.StartsWith("'") -and $v.EndsWith("'")) {
        return $v.Substring(1, $v.Length - 2).Replace("''", "'")
    }
    if ($v.Length -ge 2 -and $v.StartsWith('"') -and $v.EndsWith('"')) {
        return $v.Substring(1, $v.Length - 2).Replace('\"', '"').Replace('\\', '\')
    }
    return $v
}

# Returns @{ Values = <hashtable key -> value>; BodyStart = <index of the first line after the front matter> }
function Read-FrontMatter {
    param([string[]] $Lines, [string] $File)

    $result = @{ Values = @{}; BodyStart = 0 }
    if ($Lines.Count -eq 0 -or $Lines[0].Trim() -ne '---') {
        return $result
    }
    for ($i = 1; $i -lt $Lines.Count; $i++) {
        $line = $Lines[$i]
        $trimmed = $line.Trim()
        if ($trimmed -eq '---' -or $trimmed -eq '...') {
            $result.BodyStart = $i + 1
            return $result
        }
        $m = [regex]::Match($line, '^([^:#\s][^:]*?)\s*:(?:\s+(.*?))?\s*$')
        if ($m.Success) {
            $result.Values[$m.Groups[1].Value.Trim()] = ConvertFrom-YamlScalar $m.Groups[2].Value
        }
    }
    throw (New-HelpPageException $File 1 "the YAML front matter that starts here is not closed by a '---' line")
}

# Splits markdown lines into blocks: Heading (Level, Text), Code (Lang, Lines), Para (Lines).
# Every block carries the 1-based line number it starts on.
function Split-MarkdownBlocks {
    param([string[]] $Lines, [int] $Start, [string] $File)

    $blocks = New-Object System.Collections.Generic.List[object]
    $n = $Lines.Count
    $i = $Start
    while ($i -lt $n) {
        $line = $Lines[$i]
        if ($line -match '^\s*$') {
            $i++
            continue
        }

        $fence = [regex]::Match($line, '^(?<indent> {0,3})(?<fence>`{3,}|~{3,})\s*(?<info>.*?)\s*$')
        if ($fence.Success -and -not ($fence.Groups['fence'].Value[0] -eq '`' -and $fence.Groups['info'].Value.Contains('`'))) {
            $startLine = $i + 1
            $fenceText = $fence.Groups['fence'].Value
            $indent = $fence.Groups['indent'].Value.Length
            $lang = ($fence.Groups['info'].Value -split '\s+')[0]
            $closePattern = '^ {0,3}' + [regex]::Escape([string]$fenceText[0]) + '{' + $fenceText.Length + ',}\s*$'
            $code = New-Object System.Collections.Generic.List[string]
            $closed = $false
            $i++
            while ($i -lt $n) {
                $l = $Lines[$i]
                $i++
                if ($l -match $closePattern) {
                    $closed = $true
                    break
                }
                # drop up to the fence's own indentation from every code line
                $strip = 0
                while ($strip -lt $indent -and $strip -lt $l.Length -and $l[$strip] -eq ' ') { $strip++ }
                $code.Add($l.Substring($strip))
            }
            if (-not $closed) {
                throw (New-HelpPageException $File $startLine "the code block opened here ($fenceText) is never closed")
            }
            $blocks.Add(@{ Kind = 'Code'; Lang = $lang; Lines = $code.ToArray(); Line = $startLine })
            continue
        }

        if ($line -match '^\s*<!--') {
            # HTML comment block: skipped
            $startLine = $i + 1
            while ($i -lt $n -and $Lines[$i] -notmatch '-->') { $i++ }
            if ($i -ge $n) {
                throw (New-HelpPageException $File $startLine 'the HTML comment opened here is never closed')
            }
            $i++
            continue
        }

        $heading = [regex]::Match($line, '^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$')
        if ($heading.Success) {
            $blocks.Add(@{ Kind = 'Heading'; Level = $heading.Groups[1].Value.Length; Text = $heading.Groups[2].Value.Trim(); Line = $i + 1 })
            $i++
            continue
        }

        $startLine = $i + 1
        $para = New-Object System.Collections.Generic.List[string]
        while ($i -lt $n) {
            $l = $Lines[$i]
            if ($l -match '^\s*$' -or $l -match '^ {0,3}#{1,6}(\s|$)' -or $l -match '^ {0,3}(`{3,}|~{3,})' -or $l -match '^\s*<!--') {
                break
            }
            $para.Add($l)
            $i++
        }
        $blocks.Add(@{ Kind = 'Para'; Lines = $para.ToArray(); Line = $startLine })
    }
    return , $blocks.ToArray()
}

#endregion

#region Markdown text -> plain help text

function Test-AbsoluteUri {
    param([string] $Uri)
    return ($Uri -match '^[A-Za-z][A-Za-z0-9+.-]*://\S+$' -or $Uri -match '^mailto:\S+$')
}

# Converts inline markdown to the plain text Get-Help shows: links become 'text (uri)',
# emphasis markers and backslash escapes are removed, `code spans` are kept verbatim.
function ConvertFrom-MarkdownInline {
    param([string] $Text)

    if ([string]::IsNullOrEmpty($Text)) { return '' }

    $store = New-Object System.Collections.Generic.List[string]
    $protect = {
        param([string] $Value)
        $store.Add($Value)
        return $script:Placeholder + ($store.Count - 1) + $script:PlaceholderEnd
    }

    # code spans are literal
    $t = [regex]::Replace($Text, '(`+)(.+?)\1', [System.Text.RegularExpressions.MatchEvaluator] { param($m) & $protect $m.Value })
    # backslash escapes of ASCII punctuation
    $t = [regex]::Replace($t, '\\([!-/:-@\[-`{-~])', [System.Text.RegularExpressions.MatchEvaluator] { param($m) & $protect $m.Groups[1].Value })
    # inline HTML comments and line breaks
    $t = [regex]::Replace($t, '<!--.*?-->', '')
    $t = [regex]::Replace($t, '(?i)<br\s*/?>', "`n")
    # images, then links
    $t = [regex]::Replace($t, '!\[([^\]]*)\]\([^)]*\)', '$1')
    $t = [regex]::Replace($t, '\[([^\]]+)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)', [System.Text.RegularExpressions.MatchEvaluator] {
            param($m)
            $linkText = $m.Groups[1].Value
            $uri = $m.Groups[2].Value
            if (Test-AbsoluteUri $uri) { return '{0} ({1})' -f $linkText, $uri }
            return $linkText
        })
    $t = [regex]::Replace($t, '\[([^\]]+)\]\[[^\]]*\]', '$1')
    $t = [regex]::Replace($t, '<((?:https?|ftp)://[^>\s]+)>', '$1')
    # emphasis
    $t = [regex]::Replace($t, '\*\*(?=\S)(.+?)(?<=\S)\*\*', '$1')
    $t = [regex]::Replace($t, '(?<![\w_])__(?=\S)(.+?)(?<=\S)__(?![\w_])', '$1')
    $t = [regex]::Replace($t, '(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])', '$1')
    $t = [regex]::Replace($t, '(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])', '$1')

    # restore protected text
    $pattern = [regex]::Escape($script:Placeholder) + '(\d+)' + [regex]::Escape($script:PlaceholderEnd)
    $t = [regex]::Replace($t, $pattern, [System.Text.RegularExpressions.MatchEvaluator] { param($m) $store[[int]$m.Groups[1].Value] })
    return $t
}

# One markdown paragraph (lines without blank lines) -> one help paragraph.
# Soft line breaks become spaces; list items and table rows stay on their own lines.
function ConvertFrom-MarkdownParagraph {
    param([string[]] $Lines)

    $itemPattern = '^\s*([-*+]|\d+[.)])\s+|^\s*\|'
    $isList = $false
    foreach ($l in $Lines) {
        if ($l -match $itemPattern) { $isList = $true; break }
    }

    $sb = New-Object System.Text.StringBuilder
    if ($isList) {
        $first = $true
        foreach ($l in $Lines) {
            if ($first) {
                [void]$sb.Append($l.TrimEnd())
            }
            elseif ($l -match $itemPattern) {
                [void]$sb.Append("`n").Append($l.TrimEnd())
            }
            else {
                [void]$sb.Append(' ').Append($l.Trim())
            }
            $first = $false
        }
    }
    else {
        $separator = ''
        foreach ($l in $Lines) {
            $hardBreak = $l.EndsWith('  ') -or ($l.EndsWith('\') -and -not $l.EndsWith('\\'))
            $piece = $l.Trim()
            if ($piece.EndsWith('\') -and $hardBreak) { $piece = $piece.Substring(0, $piece.Length - 1).TrimEnd() }
            [void]$sb.Append($separator).Append($piece)
            if ($hardBreak) { $separator = "`n" } else { $separator = ' ' }
        }
    }
    return (ConvertFrom-MarkdownInline $sb.ToString()).Trim()
}

# Text section blocks -> array of help paragraphs (one per markdown paragraph / code block).
function ConvertTo-HelpParagraphs {
    param([object[]] $Blocks, [string] $File)

    $paras = New-Object System.Collections.Generic.List[string]
    foreach ($b in $Blocks) {
        $text = ''
        if ($b.Kind -eq 'Para') {
            $text = ConvertFrom-MarkdownParagraph $b.Lines
        }
        elseif ($b.Kind -eq 'Code') {
            # kept verbatim (Get-Help indents every line of a paragraph alike)
            $text = ($b.Lines -join "`n").TrimEnd()
        }
        elseif ($b.Kind -eq 'Heading') {
            $text = ConvertFrom-MarkdownInline $b.Text
        }
        if ($text -match '\{\{.*\}\}') {
            Write-PageWarning $File $b.Line 'placeholder text ({{ ... }}) left in the page'
        }
        if ($text.Trim().Length -gt 0) {
            $paras.Add($text)
        }
    }
    return , $paras.ToArray()
}

#endregion

#region Cmdlet page parser

function ConvertFrom-ParameterYaml {
    param($Block, [string] $File, [string] $ParameterName)

    $pairs = @{}
    for ($k = 0; $k -lt $Block.Lines.Count; $k++) {
        $l = $Block.Lines[$k]
        $lineNo = $Block.Line + 1 + $k
        if ($l -match '^\s*$' -or $l -match '^\s*#') { continue }
        $m = [regex]::Match($l, '^\s*([A-Za-z][A-Za-z ]*?)\s*:\s*(.*?)\s*$')
        if (-not $m.Success) {
            throw (New-HelpPageException $File $lineNo ("parameter -{0}: invalid yaml line '{1}' (expected 'Key: value')" -f $ParameterName, $l.Trim()))
        }
        $key = $null
        foreach ($known in $script:ParameterYamlKeys) {
            if ([string]::Equals($known, $m.Groups[1].Value, [System.StringComparison]::OrdinalIgnoreCase)) { $key = $known }
        }
        if ($null -eq $key) {
            throw (New-HelpPageException $File $lineNo ("parameter -{0}: unknown yaml key '{1}' (known keys: {2})" -f $ParameterName, $m.Groups[1].Value, ($script:ParameterYamlKeys -join ', ')))
        }
        if ($pairs.ContainsKey($key)) {
            throw (New-HelpPageException $File $lineNo ("parameter -{0}: yaml key '{1}' appears twice" -f $ParameterName, $key))
        }
        $pairs[$key] = @{ Value = (ConvertFrom-YamlScalar $m.Groups[2].Value); Line = $lineNo }
    }

    $get = {
        param([string] $Key)
        if ($pairs.ContainsKey($Key)) { return $pairs[$Key].Value }
        return ''
    }
    $lineOf = {
        param([string] $Key)
        if ($pairs.ContainsKey($Key)) { return $pairs[$Key].Line }
        return $Block.Line
    }
    $parseBool = {
        param([string] $Key)
        $v = & $get $Key
        if ($v -eq '' -or $v -match '^(?i)false\b') { return $false }
        if ($v -match '^(?i)true\b') { return $true }
        throw (New-HelpPageException $File (& $lineOf $Key) ("parameter -{0}: '{1}' must be True or False, not '{2}'" -f $ParameterName, $Key, $v))
    }
    $splitList = {
        param([string] $Key)
        $v = & $get $Key
        $items = @($v -split ',' | ForEach-Object { $_.Trim() } | Where-Object { $_ -ne '' })
        return , $items
    }

    $type = & $get 'Type'
    if ($type -eq '') {
        throw (New-HelpPageException $File $Block.Line ("parameter -{0}: the yaml block has no 'Type'" -f $ParameterName))
    }

    $position = & $get 'Position'
    if ($position -eq '' -or $position -match '^(?i)named$') {
        $position = 'named'
    }
    elseif ($position -notmatch '^\d+$') {
        throw (New-HelpPageException $File (& $lineOf 'Position') ("parameter -{0}: 'Position' must be a number or Named, not '{1}'" -f $ParameterName, $position))
    }

    $pipeline = & $get 'Accept pipeline input'
    if ($pipeline -eq '') {
        $pipeline = 'False'
    }
    elseif ($pipeline -notmatch '^(?i)(true|false)\b') {
        throw (New-HelpPageException $File (& $lineOf 'Accept pipeline input') ("parameter -{0}: 'Accept pipeline input' must start with True or False, not '{1}'" -f $ParameterName, $pipeline))
    }

    $aliases = & $splitList 'Aliases'
    if ($aliases.Count -eq 1 -and $aliases[0] -eq 'None') { $aliases = @() }

    $sets = & $splitList 'Parameter Sets'
    if ($sets.Count -eq 0) { $sets = @($script:AllParameterSets) }

    return @{
        Type           = $type
        Sets           = $sets
        Aliases        = $aliases
        AcceptedValues = (& $splitList 'Accepted values')
        Required       = (& $parseBool 'Required')
        Position       = $position
        DefaultValue   = (& $get 'Default value')
        PipelineInput  = $pipeline
        Globbing       = (& $parseBool 'Accept wildcard characters')
        Line           = $Block.Line
    }
}

function Format-ExampleTitle {
    param([string] $Title)
    # platyPS pads example titles with dashes to 64 characters for readability
    if ([string]::IsNullOrWhiteSpace($Title) -or $Title.Length -ge 62 -or $Title.StartsWith('-')) {
        return $Title
    }
    $pad = [int][math]::Floor((64 - $Title.Length - 2) / 2)
    $dashes = '-' * $pad
    return '{0} {1} {0}' -f $dashes, $Title
}

function ConvertFrom-RelatedLinks {
    param([object[]] $Blocks, [string] $File)

    $links = New-Object System.Collections.Generic.List[object]
    $linkPattern = '\[((?:\\.|[^\]\\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)'
    foreach ($b in $Blocks) {
        if ($b.Kind -eq 'Heading') {
            throw (New-HelpPageException $File $b.Line ("unexpected heading '{0}' in RELATED LINKS (expected links, one per line)" -f $b.Text))
        }
        if ($b.Kind -eq 'Code') {
            Write-PageWarning $File $b.Line 'code block in RELATED LINKS ignored'
            continue
        }
        foreach ($line in $b.Lines) {
            $t = [regex]::Replace($line.Trim(), '^([-*+]|\d+[.)])\s+', '')
            if ($t -eq '') { continue }
            $matches2 = [regex]::Matches($t, $linkPattern)
            if ($matches2.Count -gt 0) {
                foreach ($m in $matches2) {
                    $uri = $m.Groups[2].Value
                    if (-not (Test-AbsoluteUri $uri)) { $uri = '' }
                    $links.Add(@{ Text = (ConvertFrom-MarkdownInline $m.Groups[1].Value).Trim(); Uri = $uri })
                }
                continue
            }
            $auto = [regex]::Match($t, '^<(\S+)>$')
            if ($auto.Success) {
                $links.Add(@{ Text = $auto.Groups[1].Value; Uri = $auto.Groups[1].Value })
                continue
            }
            $text = (ConvertFrom-MarkdownInline $t).Trim()
            $uri = ''
            if (Test-AbsoluteUri $text) { $uri = $text }
            $links.Add(@{ Text = $text; Uri = $uri })
        }
    }
    return , $links.ToArray()
}

function ConvertFrom-TypeSection {
    param([object[]] $Blocks, [string] $File, [string] $SectionName)

    $entries = New-Object System.Collections.Generic.List[object]
    $current = $null
    $pending = New-Object System.Collections.Generic.List[object]
    foreach ($b in $Blocks) {
        if ($b.Kind -eq 'Heading' -and $b.Level -eq 3) {
            $current = @{ TypeName = (ConvertFrom-MarkdownInline $b.Text).Trim(); Blocks = (New-Object System.Collections.Generic.List[object]) }
            $entries.Add($current)
            continue
        }
        if ($b.Kind -eq 'Heading' -and $b.Level -lt 3) {
            throw (New-HelpPageException $File $b.Line ("unexpected heading level {0} in {1}" -f $b.Level, $SectionName))
        }
        if ($null -eq $current) { $pending.Add($b) } else { $current.Blocks.Add($b) }
    }

    $result = New-Object System.Collections.Generic.List[object]
    if ($pending.Count -gt 0) {
        # text without a '### TypeName' heading: the first line names the type (e.g. 'None')
        $paras = ConvertTo-HelpParagraphs $pending.ToArray() $File
        if ($paras.Count -gt 0) {
            $firstLines = $paras[0] -split "`n", 2
            $rest = New-Object System.Collections.Generic.List[string]
            if ($firstLines.Count -gt 1 -and $firstLines[1].Trim() -ne '') { $rest.Add($firstLines[1].Trim()) }
            for ($k = 1; $k -lt $paras.Count; $k++) { $rest.Add($paras[$k]) }
            $result.Add(@{ TypeName = $firstLines[0].Trim(); Description = $rest.ToArray() })
        }
    }
    foreach ($e in $entries) {
        $result.Add(@{ TypeName = $e.TypeName; Description = (ConvertTo-HelpParagraphs $e.Blocks.ToArray() $File) })
    }
    return , $result.ToArray()
}

function Get-SyntaxParameterOrder {
    param([string] $SyntaxText)
    $names = New-Object System.Collections.Generic.List[string]
    foreach ($m in [regex]::Matches($SyntaxText, '(?<=[\s\[])-([A-Za-z_][\w]*)')) {
        $names.Add($m.Groups[1].Value)
    }
    return , $names.ToArray()
}

function ConvertFrom-CmdletPage {
    param([string] $File, [string[]] $Lines, $FrontMatter)

    $blocks = Split-MarkdownBlocks $Lines $FrontMatter.BodyStart $File

    if ($blocks.Count -eq 0) {
        throw (New-HelpPageException $File 1 "the page is empty (expected '# Verb-Noun', '## SYNOPSIS', ...)")
    }
    $first = $blocks[0]
    if ($first.Kind -ne 'Heading' -or $first.Level -ne 1 -or $first.Text -eq '') {
        throw (New-HelpPageException $File $first.Line "expected the command name heading '# Verb-Noun' here")
    }

    $command = @{
        File         = $File
        Name         = $first.Text.Trim()
        Line         = $first.Line
        Synopsis     = @()
        Description  = @()
        SyntaxSets   = (New-Object System.Collections.Generic.List[object])
        Parameters   = (New-Object System.Collections.Generic.List[object])
        Inputs       = @()
        Outputs      = @()
        Notes        = @()
        Examples     = (New-Object System.Collections.Generic.List[object])
        Links        = @()
    }

    # group blocks into '##' sections
    $sections = New-Object System.Collections.Generic.List[object]
    for ($k = 1; $k -lt $blocks.Count; $k++) {
        $b = $blocks[$k]
        if ($b.Kind -eq 'Heading' -and $b.Level -eq 1) {
            throw (New-HelpPageException $File $b.Line ("a second '# ' heading ('{0}'): one command per page" -f $b.Text))
        }
        if ($b.Kind -eq 'Heading' -and $b.Level -eq 2) {
            $sections.Add(@{ Name = $b.Text.Trim().ToUpperInvariant(); Line = $b.Line; Blocks = (New-Object System.Collections.Generic.List[object]) })
            continue
        }
        if ($sections.Count -eq 0) {
            throw (New-HelpPageException $File $b.Line "unexpected content before the first '## ' section (expected '## SYNOPSIS')")
        }
        $sections[$sections.Count - 1].Blocks.Add($b)
    }

    $known = @('SYNOPSIS', 'SYNTAX', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS')
    $seen = @{}
    foreach ($s in $sections) {
        if ($known -notcontains $s.Name) {
            throw (New-HelpPageException $File $s.Line ("unknown section '## {0}' (expected one of: {1})" -f $s.Name, ($known -join ', ')))
        }
        if ($seen.ContainsKey($s.Name)) {
            throw (New-HelpPageException $File $s.Line ("section '## {0}' appears twice (first on line {1})" -f $s.Name, $seen[$s.Name]))
        }
        $seen[$s.Name] = $s.Line
        $sBlocks = $s.Blocks.ToArray()

        switch ($s.Name) {
            'SYNOPSIS' {
                $command.Synopsis = ConvertTo-HelpParagraphs $sBlocks $File
                if ($command.Synopsis.Count -eq 0) {
                    throw (New-HelpPageException $File $s.Line "the '## SYNOPSIS' section is empty")
                }
            }
            'DESCRIPTION' { $command.Description = ConvertTo-HelpParagraphs $sBlocks $File }
            'NOTES' { $command.Notes = ConvertTo-HelpParagraphs $sBlocks $File }
            'INPUTS' { $command.Inputs = ConvertFrom-TypeSection $sBlocks $File 'INPUTS' }
            'OUTPUTS' { $command.Outputs = ConvertFrom-TypeSection $sBlocks $File 'OUTPUTS' }
            'RELATED LINKS' { $command.Links = ConvertFrom-RelatedLinks $sBlocks $File }
            'SYNTAX' {
                $current = $null
                foreach ($b in $sBlocks) {
                    if ($b.Kind -eq 'Heading') {
                        if ($b.Level -ne 3) {
                            throw (New-HelpPageException $File $b.Line "expected a '### ParameterSetName' heading in SYNTAX")
                        }
                        $setName = $b.Text.Trim()
                        $isDefault = $false
                        if ($setName.EndsWith('(Default)')) {
                            $isDefault = $true
                            $setName = $setName.Substring(0, $setName.Length - '(Default)'.Length).Trim()
                        }
                        $current = @{ Name = $setName; IsDefault = $isDefault; Line = $b.Line; Syntax = '' }
                        $command.SyntaxSets.Add($current)
                    }
                    elseif ($b.Kind -eq 'Code') {
                        if ($null -eq $current) {
                            $current = @{ Name = $script:AllParameterSets; IsDefault = $true; Line = $b.Line; Syntax = '' }
                            $command.SyntaxSets.Add($current)
                        }
                        $current.Syntax = ($current.Syntax + ' ' + ($b.Lines -join ' ')).Trim()
                    }
                    else {
                        Write-PageWarning $File $b.Line 'text in SYNTAX ignored (only ### headings and code blocks are used)'
                    }
                }
            }
            'EXAMPLES' {
                $current = $null
                foreach ($b in $sBlocks) {
                    if ($b.Kind -eq 'Heading' -and $b.Level -eq 3) {
                        $current = @{
                            Title   = (ConvertFrom-MarkdownInline $b.Text).Trim()
                            Line    = $b.Line
                            Code    = (New-Object System.Collections.Generic.List[string])
                            Intro   = (New-Object System.Collections.Generic.List[object])
                            Remarks = (New-Object System.Collections.Generic.List[object])
                        }
                        $command.Examples.Add($current)
                        continue
                    }
                    if ($b.Kind -eq 'Heading' -and $b.Level -lt 3) {
                        throw (New-HelpPageException $File $b.Line ("unexpected heading level {0} in EXAMPLES" -f $b.Level))
                    }
                    if ($null -eq $current) {
                        throw (New-HelpPageException $File $b.Line "expected an example heading '### Example 1: Title' before this")
                    }
                    if ($b.Kind -eq 'Code') {
                        $current.Code.Add((($b.Lines -join "`n").TrimEnd()))
                    }
                    elseif ($current.Code.Count -eq 0) {
                        $current.Intro.Add($b)
                    }
                    else {
                        $current.Remarks.Add($b)
                    }
                }
                foreach ($ex in $command.Examples) {
                    if ($ex.Code.Count -eq 0) {
                        throw (New-HelpPageException $File $ex.Line ("example '{0}' has no code block" -f $ex.Title))
                    }
                }
            }
            'PARAMETERS' {
                $current = $null
                foreach ($b in $sBlocks) {
                    if ($b.Kind -eq 'Heading' -and $b.Level -eq 3) {
                        $name = ($b.Text.Trim() -split '\s+')[0].TrimStart('-')
                        if ($name -eq '') {
                            throw (New-HelpPageException $File $b.Line "expected a parameter heading '### -Name'")
                        }
                        $current = @{
                            Name        = $name
                            Line        = $b.Line
                            IsCommon    = ($name -eq 'CommonParameters' -or $name -eq 'WorkflowParameters')
                            TextBlocks  = (New-Object System.Collections.Generic.List[object])
                            Metadata    = (New-Object System.Collections.Generic.List[object])
                        }
                        if (-not $current.IsCommon) {
                            foreach ($p in $command.Parameters) {
                                if ($p.Name -eq $name) {
                                    throw (New-HelpPageException $File $b.Line ("parameter -{0} is described twice (first on line {1})" -f $name, $p.Line))
                                }
                            }
                            $command.Parameters.Add($current)
                        }
                        continue
                    }
                    if ($b.Kind -eq 'Heading' -and $b.Level -lt 3) {
                        throw (New-HelpPageException $File $b.Line ("unexpected heading level {0} in PARAMETERS" -f $b.Level))
                    }
                    if ($null -eq $current) {
                        throw (New-HelpPageException $File $b.Line "expected a parameter heading '### -Name' before this")
                    }
                    if ($current.IsCommon) { continue }
                    if ($b.Kind -eq 'Code' -and $b.Lang -match '^(?i)ya?ml$') {
                        $current.Metadata.Add((ConvertFrom-ParameterYaml $b $File $current.Name))
                    }
                    elseif ($current.Metadata.Count -gt 0) {
                        throw (New-HelpPageException $File $b.Line ("parameter -{0}: unexpected text after its ``````yaml block (the description goes before it; only further ``````yaml blocks may follow)" -f $current.Name))
                    }
                    else {
                        $current.TextBlocks.Add($b)
                    }
                }
                foreach ($p in $command.Parameters) {
                    if ($p.Metadata.Count -eq 0) {
                        throw (New-HelpPageException $File $p.Line ("parameter -{0} has no ``````yaml block (Type, Parameter Sets, Required, Position, ...)" -f $p.Name))
                    }
                    $p.Description = ConvertTo-HelpParagraphs $p.TextBlocks.ToArray() $File
                }
            }
        }
    }

    if (-not $seen.ContainsKey('SYNOPSIS')) {
        throw (New-HelpPageException $File $command.Line ("command {0}: the '## SYNOPSIS' section is missing" -f $command.Name))
    }

    # cross-check the parameter sets named in SYNTAX and in the parameter yaml blocks
    $syntaxNames = @($command.SyntaxSets | ForEach-Object { $_.Name })
    foreach ($p in $command.Parameters) {
        foreach ($meta in $p.Metadata) {
            foreach ($set in $meta.Sets) {
                if ($set -ne $script:AllParameterSets -and $syntaxNames.Count -gt 0 -and $syntaxNames -notcontains $set) {
                    Write-PageWarning $File $meta.Line ("parameter -{0}: parameter set '{1}' has no '### {1}' entry in SYNTAX" -f $p.Name, $set)
                }
            }
        }
    }
    foreach ($set in $command.SyntaxSets) {
        foreach ($n in (Get-SyntaxParameterOrder $set.Syntax)) {
            $found = $false
            foreach ($p in $command.Parameters) { if ($p.Name -eq $n) { $found = $true } }
            if (-not $found) {
                Write-PageWarning $File $set.Line ("parameter -{0} appears in the syntax but has no '### -{0}' entry in PARAMETERS" -f $n)
            }
        }
    }

    if ($FrontMatter.Values.ContainsKey('online version')) {
        $online = [string]$FrontMatter.Values['online version']
        if (Test-AbsoluteUri $online) {
            $present = $false
            foreach ($l in $command.Links) { if ($l.Uri -eq $online) { $present = $true } }
            if (-not $present) {
                $command.Links = @(@{ Text = 'Online Version:'; Uri = $online }) + @($command.Links)
            }
        }
    }

    return $command
}

# The syntax items: one per parameter set, parameters in syntax-line order (else by position).
function Get-SyntaxItems {
    param($Command)

    $setNames = New-Object System.Collections.Generic.List[string]
    $syntaxBySet = @{}
    foreach ($s in $Command.SyntaxSets) {
        if ($s.Name -ne $script:AllParameterSets -and $setNames -notcontains $s.Name) { $setNames.Add($s.Name) }
        $syntaxBySet[$s.Name] = $s.Syntax
    }
    foreach ($p in $Command.Parameters) {
        foreach ($meta in $p.Metadata) {
            foreach ($set in $meta.Sets) {
                if ($set -ne $script:AllParameterSets -and $setNames -notcontains $set) { $setNames.Add($set) }
            }
        }
    }
    if ($setNames.Count -eq 0) { $setNames.Add($script:AllParameterSets) }

    $items = New-Object System.Collections.Generic.List[object]
    foreach ($set in $setNames) {
        $order = @()
        if ($syntaxBySet.ContainsKey($set)) { $order = Get-SyntaxParameterOrder $syntaxBySet[$set] }
        elseif ($setNames.Count -eq 1 -and $syntaxBySet.ContainsKey($script:AllParameterSets)) { $order = Get-SyntaxParameterOrder $syntaxBySet[$script:AllParameterSets] }

        $entries = New-Object System.Collections.Generic.List[object]
        $index = 0
        foreach ($p in $Command.Parameters) {
            $chosen = $null
            foreach ($meta in $p.Metadata) {
                if ($null -eq $chosen -and ($meta.Sets -contains $set)) { $chosen = $meta }
            }
            if ($null -eq $chosen) {
                foreach ($meta in $p.Metadata) {
                    if ($null -eq $chosen -and ($meta.Sets -contains $script:AllParameterSets)) { $chosen = $meta }
                }
            }
            if ($null -ne $chosen) {
                # sort key: place in the syntax line, then positional by position, then named in page order
                $inLine = [array]::IndexOf([string[]]$order, [string]$p.Name)
                if ($inLine -lt 0) {
                    for ($q = 0; $q -lt $order.Count; $q++) {
                        if ([string]::Equals($order[$q], $p.Name, [System.StringComparison]::OrdinalIgnoreCase)) { $inLine = $q; break }
                    }
                }
                if ($inLine -lt 0) { $inLine = 100000 }
                $pos = 100000
                if ($chosen.Position -ne 'named') { $pos = [int]$chosen.Position }
                $entries.Add([pscustomobject]@{ InLine = $inLine; Pos = $pos; Index = $index; Parameter = $p; Meta = $chosen })
            }
            $index++
        }
        $sorted = @($entries | Sort-Object -Property InLine, Pos, Index)
        $items.Add(@{ Name = $set; Entries = $sorted })
    }
    return , $items.ToArray()
}

#endregion

#region MAML writer

$script:InvalidXmlChars = '[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]'

function Get-XmlSafeText {
    param([string] $Text)
    if ($null -eq $Text) { return '' }
    return [regex]::Replace($Text, $script:InvalidXmlChars, '')
}

function Write-MamlElement {
    param([System.Xml.XmlWriter] $Writer, [string] $Prefix, [string] $Name, [string] $Namespace, [string] $Text)
    $Writer.WriteStartElement($Prefix, $Name, $Namespace)
    if ($Text -ne '') { $Writer.WriteString((Get-XmlSafeText $Text)) }
    $Writer.WriteEndElement()
}

function Write-MamlParas {
    param([System.Xml.XmlWriter] $Writer, [string] $ElementPrefix, [string] $ElementName, [string] $ElementNamespace, [object[]] $Paras)
    $Writer.WriteStartElement($ElementPrefix, $ElementName, $ElementNamespace)
    foreach ($p in $Paras) {
        Write-MamlElement $Writer 'maml' 'para' $script:NsMaml ([string]$p)
    }
    $Writer.WriteEndElement()
}

function Get-MamlTypeName {
    param([string] $Type)
    if ($Type -match '^(?i)(switch|SwitchParameter|System\.Management\.Automation\.SwitchParameter)$') { return 'SwitchParameter' }
    return $Type
}

function Write-MamlParameter {
    param([System.Xml.XmlWriter] $Writer, $Parameter, $Meta, [bool] $InSyntax)

    $type = Get-MamlTypeName $Meta.Type
    $isSwitch = ($type -eq 'SwitchParameter')
    $aliases = 'none'
    if ($Meta.Aliases.Count -gt 0) { $aliases = $Meta.Aliases -join ', ' }

    $Writer.WriteStartElement('command', 'parameter', $script:NsCommand)
    $Writer.WriteAttributeString('required', $Meta.Required.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', 'true')
    $Writer.WriteAttributeString('globbing', $Meta.Globbing.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', (Get-XmlSafeText $Meta.PipelineInput))
    $Writer.WriteAttributeString('position', $Meta.Position.ToLowerInvariant())
    $Writer.WriteAttributeString('aliases', (Get-XmlSafeText $aliases))

    Write-MamlElement $Writer 'maml' 'name' $script:NsMaml $Parameter.Name
    Write-MamlParas $Writer 'maml' 'description' $script:NsMaml $Parameter.Description

    if ($InSyntax -and $Meta.AcceptedValues.Count -gt 0) {
        $Writer.WriteStartElement('command', 'parameterValueGroup', $script:NsCommand)
        foreach ($v in $Meta.AcceptedValues) {
            $Writer.WriteStartElement('command', 'parameterValue', $script:NsCommand)
            $Writer.WriteAttributeString('required', 'false')
            $Writer.WriteAttributeString('variableLength', 'false')
            $Writer.WriteString((Get-XmlSafeText $v))
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }

    # like platyPS: no value type for switches inside <command:syntax>, so they show as [-Name]
    if (-not $InSyntax -or -not $isSwitch) {
        $Writer.WriteStartElement('command', 'parameterValue', $script:NsCommand)
        $Writer.WriteAttributeString('required', (-not $isSwitch).ToString().ToLowerInvariant())
        $Writer.WriteAttributeString('variableLength', 'false')
        $Writer.WriteString((Get-XmlSafeText $type))
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('dev', 'type', $script:NsDev)
    Write-MamlElement $Writer 'maml' 'name' $script:NsMaml $type
    Write-MamlElement $Writer 'maml' 'uri' $script:NsMaml ''
    $Writer.WriteEndElement()

    $default = $Meta.DefaultValue
    if ($isSwitch -and ($default -eq '' -or $default -eq 'None')) { $default = 'False' }
    elseif ($default -eq '') { $default = 'None' }
    Write-MamlElement $Writer 'dev' 'defaultValue' $script:NsDev $default

    $Writer.WriteEndElement()
}

function Write-MamlCommand {
    param([System.Xml.XmlWriter] $Writer, $Command)

    $name = $Command.Name
    $dash = $name.IndexOf('-')
    $verb = $name
    $noun = ''
    if ($dash -ge 0) {
        $verb = $name.Substring(0, $dash)
        $noun = $name.Substring($dash + 1)
    }

    $Writer.WriteStartElement('command', 'command', $script:NsCommand)
    $Writer.WriteAttributeString('xmlns', 'maml', $script:NsXmlns, $script:NsMaml)
    $Writer.WriteAttributeString('xmlns', 'command', $script:NsXmlns, $script:NsCommand)
    $Writer.WriteAttributeString('xmlns', 'dev', $script:NsXmlns, $script:NsDev)
    $Writer.WriteAttributeString('xmlns', 'MSHelp', $script:NsXmlns, $script:NsMsHelp)

    $Writer.WriteStartElement('command', 'details', $script:NsCommand)
    Write-MamlElement $Writer 'command' 'name' $script:NsCommand $name
    Write-MamlElement $Writer 'command' 'verb' $script:NsCommand $verb
    Write-MamlElement $Writer 'command' 'noun' $script:NsCommand $noun
    Write-MamlParas $Writer 'maml' 'description' $script:NsMaml $Command.Synopsis
    $Writer.WriteEndElement()

    Write-MamlParas $Writer 'maml' 'description' $script:NsMaml $Command.Description

    $Writer.WriteStartElement('command', 'syntax', $script:NsCommand)
    foreach ($item in (Get-SyntaxItems $Command)) {
        $Writer.WriteStartElement('command', 'syntaxItem', $script:NsCommand)
        Write-MamlElement $Writer 'maml' 'name' $script:NsMaml $name
        foreach ($e in $item.Entries) {
            Write-MamlParameter $Writer $e.Parameter $e.Meta $true
        }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $script:NsCommand)
    foreach ($p in $Command.Parameters) {
        Write-MamlParameter $Writer $p $p.Metadata[0] $false
    }
    $Writer.WriteEndElement()

    foreach ($kind in @(@('inputTypes', 'inputType', $Command.Inputs), @('returnValues', 'returnValue', $Command.Outputs))) {
        $Writer.WriteStartElement('command', $kind[0], $script:NsCommand)
        foreach ($t in $kind[2]) {
            $Writer.WriteStartElement('command', $kind[1], $script:NsCommand)
            $Writer.WriteStartElement('dev', 'type', $script:NsDev)
            Write-MamlElement $Writer 'maml' 'name' $script:NsMaml $t.TypeName
            $Writer.WriteEndElement()
            Write-MamlParas $Writer 'maml' 'description' $script:NsMaml $t.Description
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('maml', 'alertSet', $script:NsMaml)
    Write-MamlParas $Writer 'maml' 'alert' $script:NsMaml $Command.Notes
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'examples', $script:NsCommand)
    foreach ($ex in $Command.Examples) {
        $Writer.WriteStartElement('command', 'example', $script:NsCommand)
        Write-MamlElement $Writer 'maml' 'title' $script:NsMaml (Format-ExampleTitle $ex.Title)
        Write-MamlElement $Writer 'dev' 'code' $script:NsDev ($ex.Code.ToArray() -join "`n`n")
        $remarkBlocks = @($ex.Intro.ToArray()) + @($ex.Remarks.ToArray())
        Write-MamlParas $Writer 'dev' 'remarks' $script:NsDev (ConvertTo-HelpParagraphs $remarkBlocks $Command.File)
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $script:NsCommand)
    foreach ($link in $Command.Links) {
        $Writer.WriteStartElement('maml', 'navigationLink', $script:NsMaml)
        Write-MamlElement $Writer 'maml' 'linkText' $script:NsMaml $link.Text
        Write-MamlElement $Writer 'maml' 'uri' $script:NsMaml $link.Uri
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()
}

#endregion

#region About topics

function ConvertTo-AboutText {
    param([string] $File, [string[]] $Lines, [int] $BodyStart)

    $out = New-Object System.Collections.Generic.List[string]
    $inCode = $false
    $fenceChar = ''
    $fenceLength = 0
    $codeStart = 0
    for ($i = $BodyStart; $i -lt $Lines.Count; $i++) {
        $line = $Lines[$i]
        if ($inCode) {
            if ($line -match ('^ {0,3}' + [regex]::Escape($fenceChar) + '{' + $fenceLength + ',}\s*$')) {
                $inCode = $false
                continue
            }
            if ($line.Trim() -eq '') { $out.Add('') } else { $out.Add('    ' + $line) }
            continue
        }
        $fence = [regex]::Match($line, '^ {0,3}(`{3,}|~{3,})')
        if ($fence.Success) {
            $inCode = $true
            $fenceChar = [string]$fence.Groups[1].Value[0]
            $fenceLength = $fence.Groups[1].Value.Length
            $codeStart = $i + 1
            continue
        }
        if ($line -match '^\s*<!--.*-->\s*$') {
            # a one-line HTML comment (e.g. a <!-- runnable --> mark): markdown does not show it either
            continue
        }
        $heading = [regex]::Match($line, '^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$')
        if ($heading.Success) {
            $text = $heading.Groups[2].Value.Trim()
            if ($heading.Groups[1].Value.Length -le 2) { $text = $text.ToUpperInvariant() }
            $out.Add($text)
            continue
        }
        $out.Add($line.TrimEnd())
    }
    if ($inCode) {
        throw (New-HelpPageException $File $codeStart 'the code block opened here is never closed')
    }

    # trim leading/trailing blank lines
    while ($out.Count -gt 0 -and $out[0] -eq '') { $out.RemoveAt(0) }
    while ($out.Count -gt 0 -and $out[$out.Count - 1] -eq '') { $out.RemoveAt($out.Count - 1) }
    if ($out.Count -eq 0) {
        throw (New-HelpPageException $File ($BodyStart + 1) 'the about topic has no text')
    }
    return (($out.ToArray() -join "`n") + "`n")
}

#endregion

#region Main

$resolved = Resolve-Path -LiteralPath $Path -ErrorAction SilentlyContinue
if ($null -eq $resolved) {
    throw "ConvertTo-MamlHelp: -Path '$Path' does not exist."
}
$sourcePath = $resolved.ProviderPath
if (Test-Path -LiteralPath $sourcePath -PathType Container) {
    $files = @(Get-ChildItem -LiteralPath $sourcePath -Filter '*.md' -File | Sort-Object -Property Name)
}
else {
    $files = @(Get-Item -LiteralPath $sourcePath)
}
$outDir = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)
$helpFileName = $AssemblyFileName + '-Help.xml'
$utf8 = New-Object System.Text.UTF8Encoding($false)
$utf8Bom = New-Object System.Text.UTF8Encoding($true)

$commands = New-Object System.Collections.Generic.List[object]
$abouts = New-Object System.Collections.Generic.List[object]
$problems = New-Object System.Collections.Generic.List[string]

foreach ($f in $files) {
    $file = $f.FullName
    try {
        $text = [System.IO.File]::ReadAllText($file, $utf8)
        $lines = [regex]::Split($text, '\r\n|\n|\r')
        $front = Read-FrontMatter $lines $file

        if ($f.Name -match '^(?i)about_.+\.md$') {
            $topic = [System.IO.Path]::GetFileNameWithoutExtension($f.Name)
            Write-Verbose "About topic: $file"
            $abouts.Add(@{ Name = $topic; Text = (ConvertTo-AboutText $file $lines $front.BodyStart) })
            continue
        }
        if (-not $front.Values.ContainsKey('external help file')) {
            Write-Verbose "Skipped (no 'external help file' front matter): $file"
            continue
        }

        Write-Verbose "Cmdlet page: $file"
        $declared = [string]$front.Values['external help file']
        if ($declared -ne '' -and -not [string]::Equals($declared, $helpFileName, [System.StringComparison]::OrdinalIgnoreCase)) {
            Write-PageWarning $file 1 ("'external help file: {0}' differs from the file being written ({1})" -f $declared, $helpFileName)
        }
        if ($ModuleName -and $front.Values.ContainsKey('Module Name') -and $front.Values['Module Name'] -ne '' -and $front.Values['Module Name'] -ne $ModuleName) {
            Write-PageWarning $file 1 ("'Module Name: {0}' differs from -ModuleName {1}" -f $front.Values['Module Name'], $ModuleName)
        }
        $cmd = ConvertFrom-CmdletPage $file $lines $front
        foreach ($other in $commands) {
            if ($other.Name -eq $cmd.Name) {
                throw (New-HelpPageException $file $cmd.Line ("command {0} is already described in {1}" -f $cmd.Name, $other.File))
            }
        }
        $commands.Add($cmd)
    }
    catch {
        $message = $_.Exception.Message
        if (-not $message.StartsWith($file)) {
            $message = '{0}: {1} (at script line {2})' -f $file, $message, $_.InvocationInfo.ScriptLineNumber
        }
        $problems.Add($message)
    }
}

if ($problems.Count -gt 0) {
    # one error record per problem (readable in any error view), then a terminating summary
    foreach ($p in $problems) {
        Write-Error -Message $p -Category InvalidData -ErrorId 'MalformedHelpPage' -ErrorAction Continue
    }
    throw ("ConvertTo-MamlHelp: {0} malformed help page(s), nothing written. First problem: {1}" -f $problems.Count, $problems[0])
}

if (($commands.Count + $abouts.Count) -gt 0 -and -not (Test-Path -LiteralPath $outDir -PathType Container)) {
    $null = New-Item -ItemType Directory -Path $outDir -Force
}

$written = New-Object System.Collections.Generic.List[string]

if ($commands.Count -gt 0) {
    $settings = New-Object System.Xml.XmlWriterSettings
    $settings.Indent = $true
    $settings.IndentChars = '  '
    $settings.NewLineChars = "`n"
    $settings.Encoding = $utf8
    $xmlPath = Join-Path $outDir $helpFileName
    $writer = [System.Xml.XmlWriter]::Create($xmlPath, $settings)
    try {
        $writer.WriteStartDocument()
        $writer.WriteStartElement('helpItems', $script:NsMsh)
        $writer.WriteAttributeString('schema', 'maml')
        foreach ($cmd in $commands) {
            Write-MamlCommand $writer $cmd
        }
        $writer.WriteEndElement()
        $writer.WriteWhitespace("`n")
        $writer.WriteEndDocument()
    }
    finally {
        $writer.Dispose()
    }
    $written.Add($xmlPath)
    Write-Verbose ("Wrote {0} ({1} command(s))" -f $xmlPath, $commands.Count)
}
else {
    Write-Warning "ConvertTo-MamlHelp: no cmdlet pages (with 'external help file:' front matter) found in $sourcePath; $helpFileName not written."
}

foreach ($about in $abouts) {
    $aboutPath = Join-Path $outDir ($about.Name + '.help.txt')
    # UTF-8 with BOM so that Windows PowerShell 5.1 reads non-ASCII text correctly
    [System.IO.File]::WriteAllText($aboutPath, $about.Text, $utf8Bom)
    $written.Add($aboutPath)
    Write-Verbose "Wrote $aboutPath"
}

if ($PassThru) {
    foreach ($w in $written) { Get-Item -LiteralPath $w }
}

#endregion
