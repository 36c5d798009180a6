# Shared by the Pester files: imports the built module, starts the fake LLM server and child pwsh processes.
Set-StrictMode -Version Latest

$script:RepoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
$script:ModuleManifest = Join-Path $RepoRoot 'out/XSArena/XSArena.psd1'
$script:FakeLlmDll = Join-Path $RepoRoot 'tests/FakeLlm/bin/Release/net10.0/FakeLlm.dll'
$script:Dotnet = [Environment]::ProcessPath
$script:PwshDll = Join-Path $PSHOME 'pwsh.dll'

Import-Module $ModuleManifest -Force -ErrorAction Stop

# End-to-end tests are about jobs, not retries (Core's fault matrix covers those): failing requests fail at once,
# here and in the child processes that inherit the environment.
$env:XSARENA_MAX_RETRIES = '0'

function New-TestRoot {
    $root = Join-Path ([System.IO.Path]::GetTempPath()) ('xsarena-pester-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $root | Out-Null
    $root
}

function Start-FakeLlm {
    param([string] $ScriptJson)
    $psi = [System.Diagnostics.ProcessStartInfo]::new($Dotnet)
    $psi.ArgumentList.Add($FakeLlmDll)
    if ($ScriptJson) {
        $scriptFile = Join-Path ([System.IO.Path]::GetTempPath()) ('fake-script-' + [guid]::NewGuid().ToString('N') + '.json')
        Set-Content -LiteralPath $scriptFile -Value $ScriptJson
        $psi.ArgumentList.Add('--script'); $psi.ArgumentList.Add($scriptFile)
    }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardInput = $true
    $psi.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($psi)
    $first = $process.StandardOutput.ReadLineAsync()
    if (-not $first.Wait(30000) -or $first.Result -notmatch '^listening (http://\S+)$') {
        $process.Kill($true)
        throw "The fake LLM server did not start: '$($first.Result)'"
    }
    [pscustomobject]@{ Process = $process; BaseUrl = $Matches[1] }
}

function Stop-FakeLlm($Server) {
    if ($Server -and -not $Server.Process.HasExited) {
        $Server.Process.StandardInput.Close()
        if (-not $Server.Process.WaitForExit(5000)) { $Server.Process.Kill($true) }
    }
}

function Get-FakeLlmStats($Server) {
    Invoke-RestMethod -Uri ($Server.BaseUrl -replace '/v1$', '/_stats')
}

function Wait-Until {
    param([scriptblock] $Condition, [double] $TimeoutSeconds = 30, [string] $Because = 'condition')
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (& $Condition)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out after $TimeoutSeconds s waiting for $Because." }
        Start-Sleep -Milliseconds 50
    }
}

# A fresh pwsh process (one process, not the `dotnet pwsh` launcher chain) running $Script in $Root with the
# module imported (-Bare: $Script alone, which imports the module itself). Returns the Process; read its output
# with Wait-ChildPwsh.
function Start-ChildPwsh {
    param([string] $Root, [string] $Script, [hashtable] $Environment = @{}, [switch] $Bare)
    $psi = [System.Diagnostics.ProcessStartInfo]::new($Dotnet)
    $prologue = if ($Bare) { '' } else { "Import-Module '$ModuleManifest'; Set-Location -LiteralPath '$Root'; " }
    foreach ($arg in @($PwshDll, '-NoProfile', '-NonInteractive', '-Command', "`$ErrorActionPreference = 'Stop'; $prologue$Script")) {
        $psi.ArgumentList.Add($arg)
    }
    foreach ($key in $Environment.Keys) { $psi.Environment[$key] = $Environment[$key] }
    $psi.Environment['NO_COLOR'] = '1'
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($psi)
    $process | Add-Member -NotePropertyName StdOut -NotePropertyValue $process.StandardOutput.ReadToEndAsync()
    $process | Add-Member -NotePropertyName StdErr -NotePropertyValue $process.StandardError.ReadToEndAsync()
    $process
}

function Wait-ChildPwsh {
    param($Process, [int] $TimeoutSeconds = 120)
    if (-not $Process.WaitForExit($TimeoutSeconds * 1000)) {
        $Process.Kill($true)
        throw "Child pwsh did not finish within $TimeoutSeconds s."
    }
    $Process.WaitForExit()
    [pscustomobject]@{ ExitCode = $Process.ExitCode; Output = $Process.StdOut.Result; Errors = $Process.StdErr.Result }
}
