#Requires -Version 7.6
<#
.SYNOPSIS
    Builds, tests and demonstrates the XSArena module.
.DESCRIPTION
    Build    publishes the module into out/XSArena (dll, manifest, format/type files, MAML help).
    Test     Build, then xunit (dotnet test) and Pester in a fresh pwsh; ends with "total: N passed, M failed".
    UnitTest xunit only.   Pester  Pester only (against out/XSArena).
    Run      Build, then the main job: a 12-chunk book on the offline backend in a scratch root.
    Bench    Build, then the benchmark (bench/XSArena.Bench); prints the figures and writes bench/RESULTS.md.
    Clean    removes build output.
#>
param(
    [ValidateSet('Build', 'Test', 'UnitTest', 'Pester', 'Run', 'Bench', 'Clean')]
    [string] $Task = 'Build',
    [string] $Configuration = 'Release',
    [string] $PesterVersion = '5.7.1'
)

$ErrorActionPreference = 'Stop'
$PSNativeCommandUseErrorActionPreference = $true
Set-StrictMode -Version Latest
Set-Location $PSScriptRoot

$ModuleOut = Join-Path $PSScriptRoot 'out/XSArena'

function Invoke-Build {
    if (Test-Path $ModuleOut) { Remove-Item -Recurse -Force $ModuleOut }
    dotnet build tests/FakeLlm -c $Configuration --nologo -v quiet | Out-Host
    dotnet publish src/XSArena.PowerShell -c $Configuration -o $ModuleOut --nologo -v quiet | Out-Host
    Get-ChildItem $ModuleOut -Filter '*.deps.json' | Remove-Item
    foreach ($file in 'XSArena.psd1', 'XSArena.Format.ps1xml', 'XSArena.Types.ps1xml') {
        Copy-Item (Join-Path $PSScriptRoot $file) $ModuleOut
    }
    $helpDir = New-Item -ItemType Directory -Force (Join-Path $ModuleOut 'en-US')
    & (Join-Path $PSScriptRoot 'tools/New-MamlHelp.ps1') -SourceFolder (Join-Path $PSScriptRoot 'docs/help') `
        -OutFile (Join-Path $helpDir 'XSArena.PowerShell.dll-Help.xml')
    Write-Host "module: $ModuleOut"
}

function Invoke-UnitTest {
    $PSNativeCommandUseErrorActionPreference = $false
    dotnet test XSArena.slnx -c $Configuration --nologo 2>&1 | Tee-Object -Variable lines | Out-Host
    $code = $LASTEXITCODE
    $passed = 0; $failed = 0
    foreach ($line in $lines) {
        if ("$line" -match 'Failed:\s+(\d+), Passed:\s+(\d+)') { $failed += [int]$Matches[1]; $passed += [int]$Matches[2] }
    }
    if ($code -ne 0 -and $failed -eq 0) { $failed = 1 }
    [pscustomobject]@{ Passed = $passed; Failed = $failed }
}

function Invoke-PesterTests {
    $pesterModule = Join-Path $PSScriptRoot ".tools/packages/pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $pesterModule)) {
        dotnet restore tools/pester.proj -p:PesterVersion=$PesterVersion --nologo -v quiet | Out-Host
    }
    $script = @"
Import-Module '$pesterModule'
`$c = New-PesterConfiguration
`$c.Run.Path = '$PSScriptRoot/tests/pester'
`$c.Run.PassThru = `$true
`$c.Output.Verbosity = 'Detailed'
`$c.Output.RenderMode = 'Plaintext'
`$r = Invoke-Pester -Configuration `$c
'pester: {0} passed, {1} failed' -f `$r.PassedCount, (`$r.FailedCount + `$r.FailedBlocksCount + `$r.FailedContainersCount)
exit [int](`$r.Result -ne 'Passed')
"@
    $PSNativeCommandUseErrorActionPreference = $false
    dotnet pwsh -NoProfile -NonInteractive -Command $script 2>&1 | Tee-Object -Variable lines | Out-Host
    $code = $LASTEXITCODE
    $summary = $lines | Where-Object { "$_" -match '^pester: (\d+) passed, (\d+) failed' } | Select-Object -Last 1
    if ($summary) { $passed = [int]$Matches[1]; $failed = [int]$Matches[2] } else { $passed = 0; $failed = 1 }
    if ($code -ne 0 -and $failed -eq 0) { $failed = 1 }
    [pscustomobject]@{ Passed = $passed; Failed = $failed }
}

function Invoke-MainJob {
    $scratch = Join-Path $PSScriptRoot '.scratch/main-job'
    if (Test-Path $scratch) { Remove-Item -Recurse -Force $scratch }
    New-Item -ItemType Directory -Force $scratch | Out-Null
    $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ModuleOut/XSArena.psd1'
Set-Location '$scratch'
`$job = Start-XSBook 'Introduction to Linear Algebra' -Backend offline -Span medium -Wait
`$job | Get-XSJob | Format-List Name, JobId, State, Backend, ChunksDone, ChunksTotal, Retries, Stalls, OutFile, Created, Updated
'events:'
Get-XSJobEvent -InstanceId `$job.InstanceId | Group-Object Type | Sort-Object Name | Format-Table Count, Name -AutoSize
"book: {0} ({1:N0} characters)" -f `$job.OutFile, (Get-Item `$job.OutFile).Length
if (`$job.State -ne 'DONE') { exit 1 }
"@
    dotnet pwsh -NoProfile -NonInteractive -Command $script
}

switch ($Task) {
    'Clean' {
        foreach ($dir in 'out', '.scratch') { if (Test-Path $dir) { Remove-Item -Recurse -Force $dir } }
        Get-ChildItem -Recurse -Directory -Include bin, obj | Remove-Item -Recurse -Force
    }
    'Build' { Invoke-Build }
    'Run' { Invoke-Build; Invoke-MainJob }
    'Bench' { Invoke-Build; dotnet run -c $Configuration --project bench/XSArena.Bench -- $PSScriptRoot }
    'UnitTest' { $u = Invoke-UnitTest; "total: $($u.Passed) passed, $($u.Failed) failed"; exit [int]($u.Failed -gt 0) }
    'Pester' { $p = Invoke-PesterTests; "total: $($p.Passed) passed, $($p.Failed) failed"; exit [int]($p.Failed -gt 0) }
    'Test' {
        Invoke-Build
        $u = Invoke-UnitTest
        $p = Invoke-PesterTests
        $passed = $u.Passed + $p.Passed; $failed = $u.Failed + $p.Failed
        "total: $passed passed, $failed failed"
        exit [int]($failed -gt 0)
    }
}
