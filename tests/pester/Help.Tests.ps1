#Requires -Version 7.4
# Help: the Markdown sources in docs/help, the converter tools/New-MamlHelp.ps1, and Get-Help on the built module.

BeforeDiscovery {
    $repoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
    $helpSources = @(Get-ChildItem -LiteralPath (Join-Path $repoRoot 'docs/help') -Filter '*.md' -File |
            Where-Object Name -ne 'README.md' |
            ForEach-Object { @{ Name = $_.BaseName; Path = $_.FullName } })

    # The parameters each cmdlet has by its specification; the help must describe exactly these.
    $specified = @(
        @{ Name = 'Start-XSBook'; Parameters = @('Subject', 'Length', 'Span', 'Chunks', 'MinChars', 'OutFile', 'Backend',
                'Model', 'BaseUri', 'Overlay', 'ExtraNote', 'Plan', 'Name', 'Priority', 'Wait', 'Resume', 'Overwrite', 'SkipPreflight', 'Detached') }
        @{ Name = 'Get-XSJob'; Parameters = @('InstanceId', 'InputObject', 'Name', 'State') }
        @{ Name = 'Get-XSJobEvent'; Parameters = @('InstanceId', 'Type', 'Last') }
        @{ Name = 'Watch-XSJob'; Parameters = @('InstanceId', 'InputObject', 'Last') }
        @{ Name = 'Copy-XSJob'; Parameters = @('InstanceId', 'InputObject', 'Name', 'OutFile', 'Start') }
        @{ Name = 'Remove-XSJob'; Parameters = @('InstanceId', 'InputObject', 'OlderThan', 'State', 'IncludeOutput', 'Force', 'PassThru') }
        @{ Name = 'Suspend-XSJob'; Parameters = @('InstanceId', 'InputObject', 'PassThru') }
        @{ Name = 'Resume-XSJob'; Parameters = @('InstanceId', 'InputObject', 'Force', 'SkipPreflight', 'Detached', 'PassThru') }
        @{ Name = 'Start-XSWorker'; Parameters = @('Root') }
        @{ Name = 'Stop-XSJob'; Parameters = @('InstanceId', 'InputObject', 'PassThru') }
        @{ Name = 'Send-XSJobHint'; Parameters = @('InstanceId', 'InputObject', 'Text', 'PassThru') }
        @{ Name = 'Test-XSBackend'; Parameters = @('Backend', 'Model', 'BaseUri') }
        @{ Name = 'Get-XSConfig'; Parameters = @('Name') }
        @{ Name = 'Set-XSJob'; Parameters = @('InstanceId', 'InputObject', 'Priority', 'PassThru') }
    )
}

BeforeAll {
    Set-StrictMode -Version Latest
    $repoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
    $converter = Join-Path $repoRoot 'tools/New-MamlHelp.ps1'
    $moduleManifest = Join-Path $PSScriptRoot '../../out/XSArena/XSArena.psd1'
    $skipReason = "the module is not built ($([System.IO.Path]::GetFullPath($moduleManifest)) is missing); run ./build.ps1 first"

    function New-NamespaceManager([System.Xml.XmlDocument] $Document) {
        $nsm = [System.Xml.XmlNamespaceManager]::new($Document.NameTable)
        $nsm.AddNamespace('msh', 'http://msh')
        $nsm.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
        $nsm.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
        $nsm.AddNamespace('dev', 'http://schemas.microsoft.com/maml/dev/2004/10')
        return , $nsm
    }

    function Read-Maml([string] $Path) {
        # XmlDocument.Load throws on anything that is not well-formed XML.
        $document = [System.Xml.XmlDocument]::new()
        $document.Load($Path)
        return , $document
    }

    # A minimal, valid help source; tests break it in one place at a time.
    function Get-ValidSource([string] $Name = 'Test-Thing') {
        return @"
# $Name

## Synopsis

Tests a thing.

## Parameters

### -Path

- Type: String
- Required: true
- Position: 0

The path of the thing.

## Examples

### Example 1: Test one thing

``````powershell
$Name -Path ./thing
``````

Tests the thing.
"@
    }

    function Invoke-OnSource([string] $Name, [string] $Text) {
        $folder = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $folder | Out-Null
        Set-Content -LiteralPath (Join-Path $folder "$Name.md") -Value $Text -Encoding utf8NoBOM
        $out = Join-Path $folder 'out/help.xml'
        & $converter -SourceFolder $folder -OutFile $out
        return $out
    }
}

Describe 'New-MamlHelp on docs/help' {
    BeforeAll {
        $out = Join-Path $TestDrive 'en-US/XSArena.PowerShell.dll-Help.xml'
        & $converter -SourceFolder (Join-Path $repoRoot 'docs/help') -OutFile $out
        $maml = Read-Maml $out
        $nsm = New-NamespaceManager $maml
        $sourceCount = @(Get-ChildItem -LiteralPath (Join-Path $repoRoot 'docs/help') -Filter '*.md' -File |
                Where-Object Name -ne 'README.md').Count
    }

    It 'writes well-formed MAML with a helpItems root' {
        $maml.DocumentElement.LocalName | Should -Be 'helpItems'
        $maml.DocumentElement.NamespaceURI | Should -Be 'http://msh'
        $maml.DocumentElement.GetAttribute('schema') | Should -Be 'maml'
    }

    It 'has one command per source file' {
        $names = @($maml.SelectNodes('/msh:helpItems/command:command/command:details/command:name', $nsm) |
                ForEach-Object InnerText)
        $names.Count | Should -Be $sourceCount
        $names | Should -Be @($names | Sort-Object -Unique)
    }

    Context '<Name>' -ForEach $helpSources {
        BeforeAll {
            $command = $maml.SelectSingleNode("/msh:helpItems/command:command[command:details/command:name='$Name']", $nsm)
            # Parameter headings read straight from the source, outside code blocks.
            $inCode = $false
            $sourceParameters = foreach ($line in [System.IO.File]::ReadAllLines($Path)) {
                if ($line -match '^\s*```') { $inCode = -not $inCode; continue }
                if (-not $inCode -and $line -match '^###\s+-(\w+)\s*$') { $Matches[1] }
            }
            $sourceParameters = @($sourceParameters)
        }

        It 'is in the MAML' {
            $command | Should -Not -BeNullOrEmpty
        }

        It 'has a synopsis' {
            $synopsis = $command.SelectSingleNode('command:details/maml:description/maml:para', $nsm).InnerText
            $synopsis | Should -Not -BeNullOrEmpty
        }

        It 'has a description' {
            @($command.SelectNodes('maml:description/maml:para', $nsm) | Where-Object InnerText).Count |
                Should -BeGreaterThan 0
        }

        It 'describes every parameter of its source, with a type and a description' {
            $sourceParameters.Count | Should -BeGreaterThan 0
            $described = @($command.SelectNodes('command:parameters/command:parameter', $nsm))
            @($described | ForEach-Object { $_.SelectSingleNode('maml:name', $nsm).InnerText }) |
                Should -Be $sourceParameters
            foreach ($p in $described) {
                $p.SelectSingleNode('dev:type/maml:name', $nsm).InnerText | Should -Not -BeNullOrEmpty
                $p.SelectSingleNode('maml:description/maml:para', $nsm).InnerText | Should -Not -BeNullOrEmpty
            }
        }

        It 'lists every parameter in at least one syntax item' {
            $items = @($command.SelectNodes('command:syntax/command:syntaxItem', $nsm))
            $items.Count | Should -BeGreaterThan 0
            $inSyntax = @($items | ForEach-Object { $_.SelectNodes('command:parameter/maml:name', $nsm) } |
                    ForEach-Object InnerText | Sort-Object -Unique)
            $inSyntax | Should -Be @($sourceParameters | Sort-Object -Unique)
        }

        It 'has at least two examples, each with code' {
            $examples = @($command.SelectNodes('command:examples/command:example', $nsm))
            $examples.Count | Should -BeGreaterOrEqual 2
            foreach ($e in $examples) {
                $e.SelectSingleNode('maml:title', $nsm).InnerText | Should -Not -BeNullOrEmpty
                $e.SelectSingleNode('dev:code', $nsm).InnerText | Should -Not -BeNullOrEmpty
            }
        }
    }

    Context '<Name> matches its specification' -ForEach $specified {
        It 'describes exactly the specified parameters' {
            $command = $maml.SelectSingleNode("/msh:helpItems/command:command[command:details/command:name='$Name']", $nsm)
            $command | Should -Not -BeNullOrEmpty -Because "docs/help/$Name.md should exist"
            $described = @($command.SelectNodes('command:parameters/command:parameter/maml:name', $nsm) | ForEach-Object InnerText)
            @($described | Sort-Object) | Should -Be @($Parameters | Sort-Object)
        }
    }

    It 'describes -InstanceId of Get-XSJob as positional pipeline input with aliases Id and JobId' {
        $p = $maml.SelectSingleNode("//command:command[command:details/command:name='Get-XSJob']/command:parameters/command:parameter[maml:name='InstanceId']", $nsm)
        $p.GetAttribute('position') | Should -Be '0'
        $p.GetAttribute('pipelineInput') | Should -Be 'True (ByValue, ByPropertyName)'
        $p.GetAttribute('aliases') | Should -Be 'Id, JobId'
    }

    It 'gives Watch-XSJob one syntax item per parameter set' {
        $items = @($maml.SelectNodes("//command:command[command:details/command:name='Watch-XSJob']/command:syntax/command:syntaxItem", $nsm))
        $items.Count | Should -Be 2
        @($items | ForEach-Object { $_.SelectSingleNode('command:parameter/maml:name', $nsm).InnerText }) |
            Should -Be @('InstanceId', 'InputObject')
    }
}

Describe 'New-MamlHelp on malformed sources' {
    It 'names the file and line when the synopsis is missing' {
        $text = (Get-ValidSource 'Test-Thing') -replace '(?s)## Synopsis\s+Tests a thing\.\s+', ''
        { Invoke-OnSource 'Test-Thing' $text } |
            Should -Throw -ExpectedMessage '*Test-Thing.md:1: missing synopsis*'
    }

    It 'names the file and line of an example without code' {
        $text = (Get-ValidSource 'Test-Thing') + "`n`n### Example 2: No code`n`nOnly words.`n"
        { Invoke-OnSource 'Test-Thing' $text } |
            Should -Throw -ExpectedMessage "*Test-Thing.md:27: example 'Example 2: No code' has no code block*"
    }

    It 'names the file, line and heading of an unknown section' {
        $text = (Get-ValidSource 'Test-Thing') -replace '## Examples', '## Samples'
        { Invoke-OnSource 'Test-Thing' $text } |
            Should -Throw -ExpectedMessage "*Test-Thing.md:17: unknown section '## Samples'*"
    }

    It 'names the file of an unclosed code block' {
        $text = (Get-ValidSource 'Test-Thing') -replace '(?m)^```\s*$', ''
        { Invoke-OnSource 'Test-Thing' $text } |
            Should -Throw -ExpectedMessage '*Test-Thing.md:21: code block is never closed*'
    }

    It 'rejects an unknown parameter field' {
        $text = (Get-ValidSource 'Test-Thing') -replace '- Position: 0', "- Position: 0`n- Colour: blue"
        { Invoke-OnSource 'Test-Thing' $text } |
            Should -Throw -ExpectedMessage "*Test-Thing.md:*: unknown parameter field 'Colour'*"
    }

    It 'rejects a parameter without a type' {
        $text = (Get-ValidSource 'Test-Thing') -replace '- Type: String\r?\n', ''
        { Invoke-OnSource 'Test-Thing' $text } |
            Should -Throw -ExpectedMessage "*Test-Thing.md:9: parameter -Path has no '- Type:' field*"
    }

    It 'names the line of text placed before the code of an example' {
        $text = (Get-ValidSource 'Test-Thing').Replace("### Example 1: Test one thing`n", "### Example 1: Test one thing`n`nToo early.`n")
        { Invoke-OnSource 'Test-Thing' $text } |
            Should -Throw -ExpectedMessage "*Test-Thing.md:21: example 'Example 1: Test one thing' must start with its code block*"
    }

    It 'rejects a cmdlet name that does not match the file name' {
        { Invoke-OnSource 'Test-Other' (Get-ValidSource 'Test-Thing') } |
            Should -Throw -ExpectedMessage "*Test-Other.md:1: cmdlet name 'Test-Thing' does not match*"
    }

    It 'writes nothing when a source is malformed' {
        $folder = Join-Path $TestDrive 'bad'
        New-Item -ItemType Directory -Path $folder -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $folder 'Test-Thing.md') -Value '# Test-Thing' -Encoding utf8NoBOM
        $out = Join-Path $folder 'out.xml'
        { & $converter -SourceFolder $folder -OutFile $out } | Should -Throw
        Test-Path -LiteralPath $out | Should -BeFalse
    }
}

Describe 'New-MamlHelp output' {
    It 'escapes markup characters and keeps code verbatim' {
        $code = "Test-Thing -Path './a&b' | Where-Object { `$_.Size -lt 10 }`n    # second line <done>"
        $text = (Get-ValidSource 'Test-Thing').Replace('The path of the thing.', 'Use <path> & "quotes" here.').
            Replace('Test-Thing -Path ./thing', $code)
        $out = Invoke-OnSource 'Test-Thing' $text
        $maml = Read-Maml $out
        $nsm = New-NamespaceManager $maml
        $maml.SelectSingleNode('//command:parameters/command:parameter/maml:description/maml:para', $nsm).InnerText |
            Should -Be 'Use <path> & "quotes" here.'
        $maml.SelectSingleNode('//dev:code', $nsm).InnerText |
            Should -Be $code
    }

    It 'writes switch parameters without a value in the syntax' {
        $text = (Get-ValidSource 'Test-Thing') -replace '## Examples', "### -Force`n`n- Type: SwitchParameter`n`nForces it.`n`n## Examples"
        $maml = Read-Maml (Invoke-OnSource 'Test-Thing' $text)
        $nsm = New-NamespaceManager $maml
        $inSyntax = $maml.SelectSingleNode("//command:syntaxItem/command:parameter[maml:name='Force']", $nsm)
        $inSyntax.SelectSingleNode('command:parameterValue', $nsm) | Should -BeNullOrEmpty
        $inSyntax.GetAttribute('position') | Should -Be 'named'
    }
}

Describe 'Get-Help on the built module' {
    BeforeAll {
        $built = Test-Path -LiteralPath $moduleManifest
        if ($built) {
            Import-Module $moduleManifest -Force
        }
    }

    It 'shows the synopsis, the Subject parameter and an example for Start-XSBook -Full' {
        if (-not $built) { Set-ItResult -Skipped -Because $skipReason }
        $source = [System.IO.File]::ReadAllText((Join-Path $repoRoot 'docs/help/Start-XSBook.md'))
        $synopsis = [regex]::Match($source, '(?s)## Synopsis\s+(.+?)\r?\n\r?\n').Groups[1].Value -replace '\s+', ' '

        $help = Get-Help Start-XSBook -Full
        $help.Synopsis | Should -Be $synopsis
        $text = $help | Out-String -Width 250
        $text | Should -Match '-Subject <String>'
        $text | Should -Match 'Example 1:'
        $text | Should -Match ([regex]::Escape("Start-XSBook 'Introduction to Linear Algebra' -Backend offline"))
    }

    It 'describes exactly the parameters that <_> has' -ForEach @('Start-XSBook', 'Get-XSJob', 'Get-XSJobEvent', 'Watch-XSJob', 'Copy-XSJob', 'Remove-XSJob',
            'Suspend-XSJob', 'Resume-XSJob', 'Stop-XSJob', 'Send-XSJobHint', 'Test-XSBackend') {
        if (-not $built) { Set-ItResult -Skipped -Because $skipReason }
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters +
            [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $actual = @((Get-Command $_).Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object)
        $described = @((Get-Help $_ -Full).parameters.parameter | ForEach-Object name | Sort-Object)
        $described | Should -Be $actual -Because "docs/help/$_.md should describe the parameters the cmdlet really has"
    }
}
