#Requires -Version 7.6
# The crash test: a book killed with SIGKILL at each deterministic crash point (XSARENA_CRASH_AT) and at seeded
# random moments while a request is active, then resumed in new processes until DONE, must end byte for byte equal
# to an uninterrupted run, with job.json and every events.jsonl line still parsing.
#
# XSARENA_CRASH_KILLS sets the number of random kills (default 3); XSARENA_CRASH_SEED fixes the seed the kills'
# seeds are drawn from (default: random, printed with every kill) so a failing series can be replayed exactly.

BeforeDiscovery {
    $kills = if ($env:XSARENA_CRASH_KILLS) { [int]$env:XSARENA_CRASH_KILLS } else { 3 }
    $firstSeed = if ($env:XSARENA_CRASH_SEED) { [int]$env:XSARENA_CRASH_SEED } else { Get-Random -Minimum 1 -Maximum 1000000 }
    # Each kill's seed is drawn from the first (consecutive seeds would give System.Random correlated draws).
    $seeds = [System.Random]::new($firstSeed)
    $randomKills = @(for ($i = 0; $i -lt $kills; $i++) { @{ Seed = $seeds.Next(); FirstSeed = $firstSeed; Number = $i + 1 } })
    $crashPoints = @(
        @{ Point = 'mid-append'; Chunk = 3; Cuts = $true }
        @{ Point = 'mid-append'; Chunk = 8; Cuts = $true }
        @{ Point = 'after-append-before-log'; Chunk = 1; Cuts = $true }
        @{ Point = 'after-append-before-log'; Chunk = 6; Cuts = $true }
        @{ Point = 'after-log-before-job-json'; Chunk = 4; Cuts = $false }
        @{ Point = 'before-request'; Chunk = 1; Cuts = $false }
        @{ Point = 'before-request'; Chunk = 5; Cuts = $false }
    )
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'process-helpers.ps1')

    $Subject = 'Crash Subject'
    $Chunks = 8
    # Replies shorter than -MinChars, so every chunk also asks for an extension (which the repetition guard then
    # skips, the fake text being made of few words): 16 requests per book.
    $RequestsPerBook = 16
    $server = Start-FakeLlm -ScriptJson '{"default": {"events": 4, "event_delay_ms": 25, "chars": 900}}'
    $StartBook = "Start-XSBook '$Subject' -Backend openai -BaseUri '$($server.BaseUrl)' -Chunks $Chunks -MinChars 1500"

    # Resumes the job in a new process and keeps that process alive until the run it started has logged
    # job_ended. (It waits on events.jsonl rather than with Wait-Job: right after Resume-XSJob of a FAILED job,
    # Wait-Job returns at once; Control.Tests.ps1 keeps that defect visible.)
    function Resume-InNewProcess {
        param([string] $Root, [int] $Round)
        $resume = if ($Round % 2 -eq 1) { "Resume-XSJob `$job.InstanceId -Verbose" }
                  else { 'Get-XSJob | Where-Object State -eq FAILED | Resume-XSJob -Verbose' }
        $script = @"
`$job = Get-XSJob
'before: ' + `$job.State + ' ' + `$job.ErrorCode
`$log = Join-Path `$job.Folder 'events.jsonl'
`$seen = [System.IO.File]::ReadAllLines(`$log).Count
$resume 4>&1 | ForEach-Object { 'verbose: ' + `$_ }
`$deadline = [DateTime]::UtcNow.AddSeconds(90)
while ([DateTime]::UtcNow -lt `$deadline -and -not ([System.IO.File]::ReadAllLines(`$log) | Select-Object -Skip `$seen | Where-Object { `$_ -like '*"type": "job_ended"*' })) {
    Start-Sleep -Milliseconds 50
}
'after: ' + (Get-Content -Raw (Join-Path `$job.Folder 'job.json') | ConvertFrom-Json).state
"@
        Wait-ChildPwsh (Start-ChildPwsh -Root $Root -Script $script) -TimeoutSeconds 120
    }

    # Resumes until DONE (at most three rounds) and checks the book and the files.
    function Complete-AndCheck {
        param([string] $Root, [string] $Label)
        $folder = Get-OnlyJobFolder $Root
        $folder | Should -Not -BeNullOrEmpty -Because "$Label created a job"
        $transcript = [System.Collections.Generic.List[string]]::new()
        for ($round = 1; $round -le 3 -and (Read-JobFile $folder).state -ne 'DONE'; $round++) {
            $result = Resume-InNewProcess -Root $Root -Round $round
            $transcript.Add("round ${round}: exit $($result.ExitCode)`n$($result.Output)$($result.Errors)")
        }
        $record = Read-JobFile $folder
        $record.state | Should -Be 'DONE' -Because "$Label resumes to the end: $($transcript -join "`n")"
        $events = @(Read-JobEvents $folder)
        $events[-1].type | Should -Be 'job_ended'
        $book = Join-Path $Root $record.run_spec.out_path
        $bytes = [System.IO.File]::ReadAllBytes($book)
        if (-not [System.Linq.Enumerable]::SequenceEqual($bytes, $Reference)) {
            $common = 0
            while ($common -lt [math]::Min($bytes.Length, $Reference.Length) -and $bytes[$common] -eq $Reference[$common]) { $common++ }
            throw "$Label : the book differs from the reference ($($bytes.Length) vs $($Reference.Length) bytes, first difference at byte $common)."
        }
        $events
    }

    $referenceRoot = New-TestRoot
    $reference = Wait-ChildPwsh (Start-ChildPwsh -Root $referenceRoot -Script "$StartBook -Wait | Out-Null") -TimeoutSeconds 120
    if ($reference.ExitCode -ne 0) { throw "The reference run failed: $($reference.Errors)" }
    $referenceFolder = Get-OnlyJobFolder $referenceRoot
    $Reference = [System.IO.File]::ReadAllBytes((Join-Path $referenceRoot (Read-JobFile $referenceFolder).run_spec.out_path))
    $ReferenceRequests = @(Read-JobEvents $referenceFolder | Where-Object type -eq request).Count
}

AfterAll {
    Stop-FakeLlm $server
    Remove-Item -Recurse -Force $referenceRoot -ErrorAction SilentlyContinue
}

Describe 'Resume after a crash is exact' {
    It 'has a reference book of 8 chunks, two requests each' {
        $Reference.Length | Should -BeGreaterThan (8 * 800)
        $ReferenceRequests | Should -Be $RequestsPerBook
        Write-Host "reference book: $($Reference.Length) bytes, $ReferenceRequests requests"
    }

    It 'crash at <Point> in chunk <Chunk>' -ForEach $crashPoints {
        $root = New-TestRoot
        try {
            $crash = Wait-ChildPwsh (Start-ChildPwsh -Root $root -Script "$StartBook -Wait | Out-Null" `
                -Environment @{ XSARENA_CRASH_AT = "$Point@$Chunk" }) -TimeoutSeconds 120
            $crash.ExitCode | Should -Not -Be 0 -Because 'the crash point kills the process'
            $folder = Get-OnlyJobFolder $root
            (Read-JobFile $folder).state | Should -Be 'RUNNING' -Because 'nothing ran after the kill'
            $chunksBefore = @(Read-JobEvents $folder | Where-Object type -eq chunk_done).Count

            $events = Complete-AndCheck -Root $root -Label "$Point@$Chunk"
            $reconciled = @($events | Where-Object type -eq book_reconciled)
            if ($Cuts) {
                $reconciled.Count | Should -BeGreaterOrEqual 1 -Because 'the text after the last recorded chunk is cut back'
                $reconciled[0].bytes_cut | Should -BeGreaterThan 0
            }
            else {
                $reconciled | Should -BeNullOrEmpty -Because 'the book matched its log'
            }
            $expectedBefore = if ($Point -eq 'after-log-before-job-json') { $Chunk } else { $Chunk - 1 }
            $chunksBefore | Should -Be $expectedBefore
        }
        finally { Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue }
    }

    It 'random SIGKILL <Number> (XSARENA_CRASH_SEED=<FirstSeed>), seed <Seed>' -ForEach $randomKills {
        $random = [System.Random]::new($Seed)
        $target = $random.Next(1, $RequestsPerBook + 1)
        $delayMs = $random.Next(0, 90)
        Write-Host "random kill seed ${Seed}: request $target of $RequestsPerBook, $delayMs ms after it is seen active"
        $root = New-TestRoot
        $child = $null
        try {
            $baseline = (Get-FakeLlmStats $server).requests
            $child = Start-ChildPwsh -Root $root -Script "$StartBook -Wait | Out-Null"
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            $killed = $false
            while (-not $child.HasExited -and [DateTime]::UtcNow -lt $deadline) {
                $stats = Get-FakeLlmStats $server
                if ($stats.requests -ge $baseline + $target -and $stats.active -ge 1) {
                    if ($delayMs -gt 0) { Start-Sleep -Milliseconds $delayMs }
                    $folder = Get-OnlyJobFolder $root
                    Get-RunnerPid $folder | Should -Be $child.Id
                    Stop-ProcessHard $child.Id
                    $killed = $true
                    break
                }
                Start-Sleep -Milliseconds 5
            }
            $child.WaitForExit(10000) | Should -BeTrue
            Write-Host ("  killed: $killed; state left: $((Read-JobFile (Get-OnlyJobFolder $root)).state); " +
                "chunks logged: $(@(Read-JobEvents (Get-OnlyJobFolder $root) | Where-Object type -eq chunk_done).Count)")
            Complete-AndCheck -Root $root -Label "seed $Seed" | Out-Null
        }
        finally {
            Stop-ChildPwsh $child
            Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue
        }
    }
}
