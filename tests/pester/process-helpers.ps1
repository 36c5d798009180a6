# Helpers for the cross-process Pester files (Control, CrossSession, Crash): read a job's folder straight from
# disk, find the process that runs it, and kill it the way a crash would. Dot-source after common.ps1.
Set-StrictMode -Version Latest

# The folder of the only job in $Root (each test uses a fresh root), or $null while there is none yet.
function Get-OnlyJobFolder {
    param([string] $Root)
    $jobs = Join-Path $Root '.xsarena/jobs'
    if (-not (Test-Path -LiteralPath $jobs)) { return $null }
    $folders = @(Get-ChildItem -LiteralPath $jobs -Directory | Where-Object { Test-Path (Join-Path $_.FullName 'job.json') })
    if ($folders.Count -gt 1) { throw "Expected one job in $Root, found $($folders.Count)." }
    if ($folders.Count -eq 1) { $folders[0].FullName } else { $null }
}

# Every line of events.jsonl as an object; timestamps stay strings (ts is parsed by the caller when needed).
# Throws if a line does not parse, which is itself an assertion the crash tests rely on.
function Read-JobEvents {
    param([string] $Folder)
    $path = Join-Path $Folder 'events.jsonl'
    if (-not (Test-Path -LiteralPath $path)) { return @() }
    $lines = [System.IO.File]::ReadAllLines($path)
    $events = [System.Collections.Generic.List[object]]::new()
    for ($i = 0; $i -lt $lines.Count; $i++) {
        if ($lines[$i].Length -eq 0) { continue }
        try { $events.Add(($lines[$i] | ConvertFrom-Json -DateKind String -ErrorAction Stop)) }
        catch { throw "events.jsonl line $($i + 1) does not parse: '$($lines[$i])' ($_)" }
    }
    $events.ToArray()
}

function Read-JobFile {
    param([string] $Folder)
    Get-Content -Raw -LiteralPath (Join-Path $Folder 'job.json') | ConvertFrom-Json -DateKind String -ErrorAction Stop
}

# The pid the lease holder recorded in runner.json (the real pwsh process, not a launcher).
function Get-RunnerPid {
    param([string] $Folder)
    $path = Join-Path $Folder 'runner.json'
    if (-not (Test-Path -LiteralPath $path)) { return $null }
    try { [int](Get-Content -Raw -LiteralPath $path | ConvertFrom-Json).pid } catch { $null }
}

function Get-EventTime($Record) {
    [DateTimeOffset]::Parse($Record.ts, [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::AssumeUniversal)
}

# SIGKILL, exactly like a crash: no finally blocks, no exit hooks.
function Stop-ProcessHard {
    param([int] $ProcessId)
    & kill -9 $ProcessId 2>$null
}

# The chat requests the server received, in arrival order, one pipeline object each.
function Get-FakeLlmRequests($Server) {
    $all = Invoke-RestMethod -Uri ($Server.BaseUrl -replace '/v1$', '/_requests')
    $all
}

# Kills a child started by Start-ChildPwsh if it is still there (test cleanup).
function Stop-ChildPwsh {
    param($Process)
    if ($Process -and -not $Process.HasExited) {
        try { $Process.Kill($true); $Process.WaitForExit(5000) | Out-Null } catch { }
    }
}

# The request ids a control cmdlet reported with -Verbose ("Request <id> (<verb>) acknowledged ...").
function Get-ReportedRequest {
    param([string[]] $Lines)
    foreach ($line in $Lines) {
        if ($line -match 'Request (\S+) \((\w+)\) (acknowledged|applied here)') {
            [pscustomobject]@{ Id = $Matches[1]; Verb = $Matches[2]; How = $Matches[3] }
        }
    }
}
