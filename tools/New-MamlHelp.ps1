#Requires -Version 7.4
<#
.SYNOPSIS
    Turns the Markdown help sources in docs/help into one MAML help file.
.DESCRIPTION
    Reads every *.md file in -SourceFolder except README.md (one file per cmdlet, in the format described in
    docs/help/README.md) and writes a MAML file that Get-Help reads for a binary module
    (<Assembly>.dll-Help.xml in the module's culture folder).

    All files are parsed before anything is written. Every problem found is reported as "file:line: message";
    if there is at least one, the script stops with a terminating error that lists them all and writes nothing.
.PARAMETER SourceFolder
    Folder that holds the help sources.
.PARAMETER OutFile
    MAML file to write. Its folder is created when missing; an existing file is replaced.
.PARAMETER PassThru
    Also return the parsed commands (one object per cmdlet), for tests and tooling.
.EXAMPLE
    ./tools/New-MamlHelp.ps1 -SourceFolder docs/help -OutFile out/XSArena/en-US/XSArena.PowerShell.dll-Help.xml
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $SourceFolder,

    [Parameter(Mandatory)]
    [string] $OutFile,

    [switch] $PassThru
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$NsMsh = 'http://msh'
$NsMaml = 'http://schemas.microsoft.com/maml/2004/10'
$NsCommand = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$NsDev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$NsMSHelp = 'http://msdn.microsoft.com/mshelp'

# Level-2 headings that may appear, keyed by their normalized text (lower case, no spaces).
$SectionNames = [ordered]@{
    'synopsis'     = 'Synopsis'
    'description'  = 'Description'
    'parameters'   = 'Parameters'
    'inputs'       = 'Inputs'
    'outputs'      = 'Outputs'
    'notes'        = 'Notes'
    'examples'     = 'Examples'
    'relatedlinks' = 'Related Links'
}

# Field keys a parameter may carry, keyed by their normalized text.
$FieldNames = @{
    'type'            = 'Type'
    'required'        = 'Required'
    'mandatory'       = 'Required'
    'position'        = 'Position'
    'pipeline'        = 'Pipeline'
    'pipelineinput'   = 'Pipeline'
    'aliases'         = 'Aliases'
    'alias'           = 'Aliases'
    'default'         = 'Default'
    'defaultvalue'    = 'Default'
    'wildcards'       = 'Wildcards'
    'acceptswildcards' = 'Wildcards'
    'globbing'        = 'Wildcards'
    'values'          = 'Values'
    'acceptedvalues'  = 'Values'
    'sets'            = 'Sets'
    'parametersets'   = 'Sets'
}

function Get-NormalizedKey([string] $Text) {
    return ($Text -replace '\s+', '').ToLowerInvariant()
}

function Get-DisplayPath([string] $Path) {
    # Relative to the current folder when the file is below it (docs/help/X.md), else the full path.
    $relative = [System.IO.Path]::GetRelativePath((Get-Location).ProviderPath, $Path)
    if ($relative.StartsWith('..') -or [System.IO.Path]::IsPathRooted($relative)) { $relative = $Path }
    return $relative -replace '\\', '/'
}

# ---------------------------------------------------------------------------------------------------------------
# Step 1: split a file into blocks (heading, para, item, code), each with its 1-based line number.
# ---------------------------------------------------------------------------------------------------------------
function Split-MarkdownBlock {
    param([string[]] $Lines, [string] $DisplayPath, [System.Collections.Generic.List[string]] $Errors)

    $blocks = [System.Collections.Generic.List[object]]::new()
    $para = $null          # open paragraph or list item: @{ Kind; Line; Parts }
    $fence = $null         # open code fence: @{ Line; Language; Body }

    $flush = {
        if ($null -ne $para) {
            $blocks.Add([pscustomobject]@{ Kind = $para.Kind; Line = $para.Line; Text = ($para.Parts -join ' '); Level = 0 })
            Set-Variable -Name para -Value $null -Scope 1
        }
    }

    for ($i = 0; $i -lt $Lines.Count; $i++) {
        $line = $Lines[$i]
        $number = $i + 1

        if ($null -ne $fence) {
            if ($line -match '^\s*```\s*$') {
                $body = [System.Collections.Generic.List[string]]::new($fence.Body)
                while ($body.Count -gt 0 -and [string]::IsNullOrWhiteSpace($body[$body.Count - 1])) { $body.RemoveAt($body.Count - 1) }
                while ($body.Count -gt 0 -and [string]::IsNullOrWhiteSpace($body[0])) { $body.RemoveAt(0) }
                $blocks.Add([pscustomobject]@{ Kind = 'code'; Line = $fence.Line; Text = ($body -join "`n"); Level = 0 })
                $fence = $null
            }
            else {
                $fence.Body.Add($line.TrimEnd())
            }
            continue
        }

        if ($line -match '^\s*```\s*([\w.+-]*)\s*$') {
            & $flush
            $fence = @{ Line = $number; Language = $Matches[1]; Body = [System.Collections.Generic.List[string]]::new() }
            continue
        }
        if ($line -match '^\s*```') {
            $Errors.Add("${DisplayPath}:${number}: a code fence line may carry only a language name after the backticks")
            continue
        }
        if ($line -match '^(#{1,6})\s+(.*?)\s*#*\s*$') {
            & $flush
            $blocks.Add([pscustomobject]@{ Kind = 'heading'; Line = $number; Text = $Matches[2]; Level = $Matches[1].Length })
            continue
        }
        if ($line -match '^#{1,6}\S') {
            $Errors.Add("${DisplayPath}:${number}: a heading needs a space after the '#' marks")
            continue
        }
        if ([string]::IsNullOrWhiteSpace($line)) {
            & $flush
            continue
        }
        if ($line -match '^\s{0,3}[-*]\s+(.*)$') {
            & $flush
            $para = @{ Kind = 'item'; Line = $number; Parts = [System.Collections.Generic.List[string]]::new() }
            $para.Parts.Add($Matches[1].Trim())
            continue
        }
        if ($null -eq $para) {
            $para = @{ Kind = 'para'; Line = $number; Parts = [System.Collections.Generic.List[string]]::new() }
        }
        $para.Parts.Add($line.Trim())
    }

    & $flush
    if ($null -ne $fence) {
        $Errors.Add("${DisplayPath}:$($fence.Line): code block is never closed (expected a line with just ``````)")
    }
    return , $blocks
}

# ---------------------------------------------------------------------------------------------------------------
# Step 2: interpret the blocks of one file as a cmdlet help topic.
# ---------------------------------------------------------------------------------------------------------------
function ConvertTo-Bool([string] $Value, [string] $Where, [string] $Field, [System.Collections.Generic.List[string]] $Errors) {
    switch -Regex ($Value.Trim()) {
        '^(true|yes)$' { return $true }
        '^(false|no)$' { return $false }
        default {
            $Errors.Add("${Where}: field '$Field' must be true or false, not '$Value'")
            return $false
        }
    }
}

function Split-List([string] $Value) {
    $items = @($Value -split '\s*,\s*' | ForEach-Object { $_.Trim() } | Where-Object { $_ -and $_ -notmatch '^(none|-)$' })
    return , $items
}

function Set-ParameterField {
    param($Parameter, [string] $Key, [string] $Value, [string] $Where, [System.Collections.Generic.List[string]] $Errors)

    $field = $FieldNames[(Get-NormalizedKey $Key)]
    if (-not $field) {
        $known = ($FieldNames.Values | Sort-Object -Unique) -join ', '
        $Errors.Add("${Where}: unknown parameter field '$Key' (known fields: $known)")
        return
    }
    if ($Parameter.Seen.Contains($field)) {
        $Errors.Add("${Where}: field '$field' is given twice for parameter -$($Parameter.Name)")
        return
    }
    [void] $Parameter.Seen.Add($field)
    $Value = $Value.Trim()

    switch ($field) {
        'Type' {
            if ($Value -notmatch '^[\w.`]+(\[\])?$') {
                $Errors.Add("${Where}: type '$Value' is not a type name such as String, Int32 or Guid[]")
            }
            $Parameter.Type = $Value.Trim('`')
        }
        'Required' { $Parameter.Required = ConvertTo-Bool $Value $Where $field $Errors }
        'Position' {
            if ($Value -match '^(named|none|-)$') { $Parameter.Position = 'named' }
            elseif ($Value -match '^\d+$') { $Parameter.Position = [string][int]$Value }
            else { $Errors.Add("${Where}: field 'Position' must be a number or 'named', not '$Value'") }
        }
        'Pipeline' {
            $Parameter.ByValue = $false
            $Parameter.ByPropertyName = $false
            if ($Value -notmatch '^(false|no|none)$') {
                foreach ($token in ($Value -split '[,\s]+' | Where-Object { $_ })) {
                    switch -Regex ($token) {
                        '^ByValue$' { $Parameter.ByValue = $true }
                        '^ByPropertyName$' { $Parameter.ByPropertyName = $true }
                        default {
                            $Errors.Add("${Where}: field 'Pipeline' must be false, ByValue, ByPropertyName or 'ByValue, ByPropertyName', not '$Value'")
                        }
                    }
                }
            }
        }
        'Aliases' { $Parameter.Aliases = Split-List $Value }
        'Default' { $Parameter.Default = $Value }
        'Wildcards' { $Parameter.Wildcards = ConvertTo-Bool $Value $Where $field $Errors }
        'Values' { $Parameter.Values = Split-List $Value }
        'Sets' { $Parameter.Sets = Split-List $Value }
    }
}

function Read-HelpSource {
    param([string] $Path, [System.Collections.Generic.List[string]] $Errors)

    $display = Get-DisplayPath $Path
    $lines = [System.IO.File]::ReadAllLines($Path)
    $blocks = Split-MarkdownBlock -Lines $lines -DisplayPath $display -Errors $Errors

    $doc = [pscustomobject]@{
        File        = $display
        Name        = $null
        NameLine    = 1
        Synopsis    = $null
        Description = [System.Collections.Generic.List[string]]::new()
        Parameters  = [System.Collections.Generic.List[object]]::new()
        Inputs      = [System.Collections.Generic.List[object]]::new()
        Outputs     = [System.Collections.Generic.List[object]]::new()
        Notes       = [System.Collections.Generic.List[string]]::new()
        Examples    = [System.Collections.Generic.List[object]]::new()
        Links       = [System.Collections.Generic.List[object]]::new()
    }

    $section = $null              # current level-2 section name, or 'Header' after the level-1 heading
    $seenSections = [System.Collections.Generic.HashSet[string]]::new()
    $item = $null                 # current level-3 item (parameter, type or example)
    $inFields = $false            # still reading the field list right after a parameter heading

    foreach ($block in $blocks) {
        $where = "${display}:$($block.Line)"

        if ($block.Kind -eq 'heading') {
            $inFields = $false
            switch ($block.Level) {
                1 {
                    if ($null -ne $doc.Name) {
                        $Errors.Add("${where}: only one '# Cmdlet-Name' heading is allowed per file")
                        continue
                    }
                    if ($null -ne $section -or $doc.Parameters.Count -gt 0) {
                        $Errors.Add("${where}: the '# Cmdlet-Name' heading must come first")
                    }
                    $doc.Name = $block.Text
                    $doc.NameLine = $block.Line
                    if ($block.Text -notmatch '^[A-Za-z]+-[A-Za-z0-9]+$') {
                        $Errors.Add("${where}: '$($block.Text)' is not a cmdlet name of the form Verb-Noun")
                    }
                    $expected = [System.IO.Path]::GetFileNameWithoutExtension($Path)
                    if ($block.Text -ne $expected) {
                        $Errors.Add("${where}: cmdlet name '$($block.Text)' does not match the file name '$expected.md'")
                    }
                    $section = 'Header'
                    $item = $null
                }
                2 {
                    if ($null -eq $doc.Name) {
                        $Errors.Add("${where}: the file must start with a '# Cmdlet-Name' heading")
                    }
                    $name = $SectionNames[(Get-NormalizedKey $block.Text)]
                    if (-not $name) {
                        $Errors.Add("${where}: unknown section '## $($block.Text)' (known sections: $($SectionNames.Values -join ', '))")
                        $section = 'Unknown'
                    }
                    elseif (-not $seenSections.Add($name)) {
                        $Errors.Add("${where}: section '## $name' appears twice")
                        $section = 'Unknown'
                    }
                    else {
                        $section = $name
                    }
                    $item = $null
                }
                3 {
                    $item = $null
                    switch ($section) {
                        'Parameters' {
                            if ($block.Text -notmatch '^-([A-Za-z_][\w]*)$') {
                                $Errors.Add("${where}: a parameter heading must look like '### -Name', not '### $($block.Text)'")
                                $item = [pscustomobject]@{ Name = $block.Text; Line = $block.Line }  # placeholder, dropped
                                $item | Add-Member Seen ([System.Collections.Generic.HashSet[string]]::new())
                                break
                            }
                            $pname = $Matches[1]
                            if ($doc.Parameters | Where-Object Name -eq $pname) {
                                $Errors.Add("${where}: parameter -$pname is described twice")
                            }
                            $item = [pscustomobject]@{
                                Name           = $pname
                                Line           = $block.Line
                                Type           = $null
                                Required       = $false
                                Position       = 'named'
                                ByValue        = $false
                                ByPropertyName = $false
                                Aliases        = @()
                                Default        = $null
                                Wildcards      = $false
                                Values         = @()
                                Sets           = @()
                                Description    = [System.Collections.Generic.List[string]]::new()
                                Seen           = [System.Collections.Generic.HashSet[string]]::new()
                            }
                            $doc.Parameters.Add($item)
                            $inFields = $true
                        }
                        { $_ -in 'Inputs', 'Outputs' } {
                            $item = [pscustomobject]@{
                                Type        = $block.Text.Trim('`')
                                Line        = $block.Line
                                Description = [System.Collections.Generic.List[string]]::new()
                            }
                            $doc.$section.Add($item)
                        }
                        'Examples' {
                            $item = [pscustomobject]@{
                                Title   = $block.Text
                                Line    = $block.Line
                                Code    = $null
                                Remarks = [System.Collections.Generic.List[string]]::new()
                                TextBeforeCode = $null
                            }
                            $doc.Examples.Add($item)
                        }
                        'Unknown' { }
                        default {
                            $Errors.Add("${where}: '### $($block.Text)' is not allowed here; level-3 headings belong only in Parameters, Inputs, Outputs and Examples")
                        }
                    }
                }
                default {
                    $Errors.Add("${where}: headings deeper than '###' are not part of the help format")
                }
            }
            continue
        }

        # Content blocks.
        switch ($section) {
            $null { $Errors.Add("${where}: the file must start with a '# Cmdlet-Name' heading") }
            'Header' { $Errors.Add("${where}: text after the cmdlet name must be inside a section such as '## Synopsis'") }
            'Unknown' { }
            'Synopsis' {
                if ($block.Kind -ne 'para') {
                    $Errors.Add("${where}: the synopsis must be plain text (one short paragraph)")
                }
                elseif ($null -ne $doc.Synopsis) {
                    $Errors.Add("${where}: the synopsis must be a single paragraph")
                }
                else {
                    $doc.Synopsis = $block.Text
                }
            }
            { $_ -in 'Description', 'Notes' } {
                $text = if ($block.Kind -eq 'item') { '- ' + $block.Text } else { $block.Text }
                $doc.$section.Add($text)
            }
            'Parameters' {
                if ($null -eq $item) {
                    $Errors.Add("${where}: text in '## Parameters' must follow a '### -Name' heading")
                    break
                }
                if (-not $item.PSObject.Properties['Description']) { break }   # placeholder for a bad heading
                if ($inFields -and $block.Kind -eq 'item') {
                    if ($block.Text -match '^([^:]+?)\s*:\s*(.*)$') {
                        Set-ParameterField -Parameter $item -Key $Matches[1] -Value $Matches[2] -Where $where -Errors $Errors
                    }
                    else {
                        $Errors.Add("${where}: a parameter field must look like '- Key: Value', not '- $($block.Text)'")
                    }
                    break
                }
                $inFields = $false
                $text = if ($block.Kind -eq 'item') { '- ' + $block.Text } else { $block.Text }
                $item.Description.Add($text)
            }
            { $_ -in 'Inputs', 'Outputs' } {
                if ($null -eq $item) {
                    $Errors.Add("${where}: text in '## $section' must follow a '### TypeName' heading")
                    break
                }
                $text = if ($block.Kind -eq 'item') { '- ' + $block.Text } else { $block.Text }
                $item.Description.Add($text)
            }
            'Examples' {
                if ($null -eq $item) {
                    $Errors.Add("${where}: text in '## Examples' must follow a '### Example title' heading")
                    break
                }
                if ($block.Kind -eq 'code' -and $null -eq $item.Code) {
                    if ([string]::IsNullOrWhiteSpace($block.Text)) {
                        $Errors.Add("${where}: the code block of example '$($item.Title)' is empty")
                    }
                    $item.Code = $block.Text
                }
                elseif ($block.Kind -eq 'code') {
                    $item.Remarks.Add($block.Text)   # further blocks (sample output) go into the remarks verbatim
                }
                else {
                    if ($null -eq $item.Code -and $null -eq $item.TextBeforeCode) {
                        $item.TextBeforeCode = $block.Line
                    }
                    $text = if ($block.Kind -eq 'item') { '- ' + $block.Text } else { $block.Text }
                    $item.Remarks.Add($text)
                }
            }
            'Related Links' {
                if ($block.Kind -ne 'item') {
                    $Errors.Add("${where}: related links must be list items such as '- Get-XSJob' or '- [Title](https://...)'")
                    break
                }
                if ($block.Text -match '^\[([^\]]+)\]\(([^)]*)\)$') {
                    $doc.Links.Add([pscustomobject]@{ Text = $Matches[1]; Uri = $Matches[2] })
                }
                elseif ($block.Text -match '^\[([^\]]+)\]$') {
                    $doc.Links.Add([pscustomobject]@{ Text = $Matches[1]; Uri = '' })
                }
                else {
                    $doc.Links.Add([pscustomobject]@{ Text = $block.Text; Uri = '' })
                }
            }
        }
    }

    # Whole-file checks.
    if ($null -eq $doc.Name) {
        $Errors.Add("${display}:1: the file must start with a '# Cmdlet-Name' heading")
    }
    if ([string]::IsNullOrWhiteSpace($doc.Synopsis)) {
        $Errors.Add("${display}:$($doc.NameLine): missing synopsis (add a '## Synopsis' section with one short paragraph)")
    }
    foreach ($p in $doc.Parameters) {
        if (-not $p.Type) {
            $Errors.Add("${display}:$($p.Line): parameter -$($p.Name) has no '- Type:' field")
        }
        if ($p.Description.Count -eq 0) {
            $Errors.Add("${display}:$($p.Line): parameter -$($p.Name) has no description")
        }
    }
    foreach ($e in $doc.Examples) {
        if ($null -eq $e.Code) {
            $Errors.Add("${display}:$($e.Line): example '$($e.Title)' has no code block")
        }
        elseif ($null -ne $e.TextBeforeCode) {
            $Errors.Add("${display}:$($e.TextBeforeCode): example '$($e.Title)' must start with its code block; put remarks after it")
        }
    }
    return $doc
}

# ---------------------------------------------------------------------------------------------------------------
# Step 3: write MAML.
# ---------------------------------------------------------------------------------------------------------------
function Test-SwitchType([string] $Type) {
    return $Type -match '^(System\.Management\.Automation\.)?(SwitchParameter|switch)$'
}

function Get-PipelineText($Parameter) {
    $kinds = @()
    if ($Parameter.ByValue) { $kinds += 'ByValue' }
    if ($Parameter.ByPropertyName) { $kinds += 'ByPropertyName' }
    if ($kinds.Count -eq 0) { return 'False' }
    return 'True (' + ($kinds -join ', ') + ')'
}

function Write-Para([System.Xml.XmlWriter] $Writer, $Paragraphs) {
    $any = $false
    foreach ($p in $Paragraphs) {
        $Writer.WriteElementString('maml', 'para', $NsMaml, $p)
        $any = $true
    }
    if (-not $any) {
        $Writer.WriteStartElement('maml', 'para', $NsMaml)
        $Writer.WriteEndElement()
    }
}

function Write-Description([System.Xml.XmlWriter] $Writer, [string] $Prefix, [string] $Ns, $Paragraphs) {
    $Writer.WriteStartElement($Prefix, 'description', $Ns)
    Write-Para $Writer $Paragraphs
    $Writer.WriteEndElement()
}

function Write-Parameter([System.Xml.XmlWriter] $Writer, $Parameter, [bool] $InSyntax) {
    $isSwitch = Test-SwitchType $Parameter.Type
    $typeName = if ($isSwitch) { 'SwitchParameter' } else { $Parameter.Type }
    $isArray = $typeName.EndsWith('[]')

    $Writer.WriteStartElement('command', 'parameter', $NsCommand)
    $Writer.WriteAttributeString('required', $Parameter.Required.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', $isArray.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('globbing', $Parameter.Wildcards.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', (Get-PipelineText $Parameter))
    $Writer.WriteAttributeString('position', $Parameter.Position)
    $aliases = if (@($Parameter.Aliases).Count -gt 0) { @($Parameter.Aliases) -join ', ' } else { 'none' }
    $Writer.WriteAttributeString('aliases', $aliases)

    $Writer.WriteElementString('maml', 'name', $NsMaml, $Parameter.Name)
    Write-Description $Writer 'maml' $NsMaml $Parameter.Description

    if (@($Parameter.Values).Count -gt 0) {
        $Writer.WriteStartElement('command', 'parameterValueGroup', $NsCommand)
        foreach ($v in $Parameter.Values) {
            $Writer.WriteStartElement('command', 'parameterValue', $NsCommand)
            $Writer.WriteAttributeString('required', 'false')
            $Writer.WriteAttributeString('command', 'variableLength', $NsCommand, 'false')
            $Writer.WriteString($v)
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }
    if (-not ($InSyntax -and $isSwitch)) {
        $Writer.WriteStartElement('command', 'parameterValue', $NsCommand)
        $Writer.WriteAttributeString('required', (-not $isSwitch).ToString().ToLowerInvariant())
        $Writer.WriteAttributeString('variableLength', $isArray.ToString().ToLowerInvariant())
        $Writer.WriteString($typeName)
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('dev', 'type', $NsDev)
    $Writer.WriteElementString('maml', 'name', $NsMaml, $typeName)
    $Writer.WriteElementString('maml', 'uri', $NsMaml, '')
    $Writer.WriteEndElement()

    $default = if ($Parameter.Default) { $Parameter.Default } elseif ($isSwitch) { 'False' } else { 'None' }
    $Writer.WriteElementString('dev', 'defaultValue', $NsDev, $default)
    $Writer.WriteEndElement()
}

function Get-SyntaxSet($Doc) {
    # One syntax item per named parameter set; parameters without '- Sets:' (or with 'All') are in every set.
    $names = [System.Collections.Generic.List[string]]::new()
    foreach ($p in $Doc.Parameters) {
        foreach ($s in @($p.Sets)) {
            if ($s -notmatch '^\(?all\)?$' -and -not $names.Contains($s)) { $names.Add($s) }
        }
    }
    if ($names.Count -eq 0) { $names.Add('__AllParameterSets') }

    foreach ($set in $names) {
        $members = @($Doc.Parameters | Where-Object {
                $sets = @($_.Sets | Where-Object { $_ -notmatch '^\(?all\)?$' })
                $set -eq '__AllParameterSets' -or $sets.Count -eq 0 -or $sets -contains $set
            })
        $positional = @($members | Where-Object Position -ne 'named' | Sort-Object { [int]$_.Position })
        $named = @($members | Where-Object Position -eq 'named')
        [pscustomobject]@{ Name = $set; Parameters = @($positional + $named) }
    }
}

function Write-Command([System.Xml.XmlWriter] $Writer, $Doc) {
    $verb, $noun = $Doc.Name -split '-', 2

    $Writer.WriteStartElement('command', 'command', $NsCommand)
    $Writer.WriteAttributeString('xmlns', 'maml', $null, $NsMaml)
    $Writer.WriteAttributeString('xmlns', 'command', $null, $NsCommand)
    $Writer.WriteAttributeString('xmlns', 'dev', $null, $NsDev)
    $Writer.WriteAttributeString('xmlns', 'MSHelp', $null, $NsMSHelp)

    $Writer.WriteStartElement('command', 'details', $NsCommand)
    $Writer.WriteElementString('command', 'name', $NsCommand, $Doc.Name)
    $Writer.WriteElementString('command', 'verb', $NsCommand, $verb)
    $Writer.WriteElementString('command', 'noun', $NsCommand, $noun)
    Write-Description $Writer 'maml' $NsMaml @($Doc.Synopsis)
    $Writer.WriteEndElement()

    Write-Description $Writer 'maml' $NsMaml $Doc.Description

    $Writer.WriteStartElement('command', 'syntax', $NsCommand)
    foreach ($set in Get-SyntaxSet $Doc) {
        $Writer.WriteStartElement('command', 'syntaxItem', $NsCommand)
        $Writer.WriteElementString('maml', 'name', $NsMaml, $Doc.Name)
        foreach ($p in $set.Parameters) { Write-Parameter $Writer $p $true }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $NsCommand)
    foreach ($p in $Doc.Parameters) { Write-Parameter $Writer $p $false }
    $Writer.WriteEndElement()

    foreach ($kind in @(
            @{ List = $Doc.Inputs; Outer = 'inputTypes'; Inner = 'inputType' },
            @{ List = $Doc.Outputs; Outer = 'returnValues'; Inner = 'returnValue' })) {
        $Writer.WriteStartElement('command', $kind.Outer, $NsCommand)
        foreach ($t in $kind.List) {
            $Writer.WriteStartElement('command', $kind.Inner, $NsCommand)
            $Writer.WriteStartElement('dev', 'type', $NsDev)
            $Writer.WriteElementString('maml', 'name', $NsMaml, $t.Type)
            $Writer.WriteEndElement()
            Write-Description $Writer 'maml' $NsMaml $t.Description
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('maml', 'alertSet', $NsMaml)
    $Writer.WriteStartElement('maml', 'alert', $NsMaml)
    Write-Para $Writer $Doc.Notes
    $Writer.WriteEndElement()
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'examples', $NsCommand)
    foreach ($e in $Doc.Examples) {
        $Writer.WriteStartElement('command', 'example', $NsCommand)
        $Writer.WriteElementString('maml', 'title', $NsMaml, "---------- $($e.Title) ----------")
        $Writer.WriteElementString('dev', 'code', $NsDev, $e.Code)
        $Writer.WriteStartElement('dev', 'remarks', $NsDev)
        Write-Para $Writer $e.Remarks
        if ($e.Remarks.Count -gt 0) {
            # An empty last paragraph makes Get-Help leave a blank line before the next example.
            $Writer.WriteStartElement('maml', 'para', $NsMaml)
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $NsCommand)
    foreach ($l in $Doc.Links) {
        $Writer.WriteStartElement('maml', 'navigationLink', $NsMaml)
        $Writer.WriteElementString('maml', 'linkText', $NsMaml, $l.Text)
        $Writer.WriteElementString('maml', 'uri', $NsMaml, $l.Uri)
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()   # command:command
}

# ---------------------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------------------
if (-not (Test-Path -LiteralPath $SourceFolder -PathType Container)) {
    throw "New-MamlHelp: source folder '$SourceFolder' does not exist."
}
$sourcePath = (Resolve-Path -LiteralPath $SourceFolder).ProviderPath
$files = @(Get-ChildItem -LiteralPath $sourcePath -Filter '*.md' -File |
        Where-Object Name -ne 'README.md' |
        Sort-Object Name)
if ($files.Count -eq 0) {
    throw "New-MamlHelp: no help sources (*.md other than README.md) in '$SourceFolder'."
}

$errors = [System.Collections.Generic.List[string]]::new()
$docs = [System.Collections.Generic.List[object]]::new()
foreach ($file in $files) {
    $docs.Add((Read-HelpSource -Path $file.FullName -Errors $errors))
}
$dupes = @($docs | Where-Object Name | Group-Object Name | Where-Object Count -gt 1)
foreach ($d in $dupes) {
    $errors.Add("$($d.Group[1].File):$($d.Group[1].NameLine): cmdlet '$($d.Name)' is already described in $($d.Group[0].File)")
}

if ($errors.Count -gt 0) {
    $message = "New-MamlHelp: $($errors.Count) problem(s) in the help sources:`n  " + ($errors -join "`n  ")
    $record = [System.Management.Automation.ErrorRecord]::new(
        [System.FormatException]::new($message), 'MalformedHelpSource',
        [System.Management.Automation.ErrorCategory]::InvalidData, $SourceFolder)
    $PSCmdlet.ThrowTerminatingError($record)
}

$outPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutFile)
$outDir = [System.IO.Path]::GetDirectoryName($outPath)
if ($outDir -and -not (Test-Path -LiteralPath $outDir)) {
    [void] [System.IO.Directory]::CreateDirectory($outDir)
}

$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.IndentChars = '  '
$settings.NewLineChars = "`n"
$settings.NewLineHandling = [System.Xml.NewLineHandling]::Replace
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)

$tempPath = "$outPath.tmp"
$writer = [System.Xml.XmlWriter]::Create($tempPath, $settings)
try {
    $writer.WriteStartDocument()
    $writer.WriteStartElement('helpItems', $NsMsh)
    $writer.WriteAttributeString('schema', 'maml')
    foreach ($doc in $docs) { Write-Command $writer $doc }
    $writer.WriteEndElement()
    $writer.WriteEndDocument()
}
finally {
    $writer.Dispose()
}
Move-Item -LiteralPath $tempPath -Destination $outPath -Force

Write-Verbose "New-MamlHelp: wrote $($docs.Count) command(s) to $outPath"
if ($PassThru) {
    foreach ($doc in $docs) {
        [pscustomobject]@{
            Name       = $doc.Name
            File       = $doc.File
            Synopsis   = $doc.Synopsis
            Parameters = @($doc.Parameters | ForEach-Object Name)
            Examples   = $doc.Examples.Count
        }
    }
}
