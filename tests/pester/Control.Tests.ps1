#Requires -Version 7.6
# Control from other processes (DESIGN §3.2-3.3): Suspend-, Resume-, Stop-XSJob and Send-XSJobHint sent from the
# test process and from several child pwsh processes at once to a job that child process A runs; acknowledgement
# events, their order per sender, and the state table on finished and orphaned jobs.

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'process-helpers.ps1')

    # Child A: starts the book and keeps running it (through pauses) until it ends.
    function Start-RunnerA {
        param([string] $Root, [string] $BaseUrl, [string] $Subject, [int] $Chunks)
        Start-ChildPwsh -Root $Root -Script (
            "`$j = Start-XSBook '$Subject' -Backend openai -BaseUri '$BaseUrl' -Chunks $Chunks -MinChars 100; " +
            "`$j | Wait-Job -Force -Timeout 150 | Out-Null; 'final: ' + (Get-XSJob -InstanceId `$j.InstanceId).State")
    }

    # Waits until A runs the job and has a request in flight; returns the job folder.
    function Wait-RunnerBusy {
        param([string] $Root, $Server, [int] $ChunksDone = 0)
        Wait-Until { Get-OnlyJobFolder $Root } -TimeoutSeconds 60 -Because 'the job folder'
        $folder = Get-OnlyJobFolder $Root
        Wait-Until { @(Read-JobEvents $folder | Where-Object type -eq chunk_done).Count -ge $ChunksDone -and (Get-FakeLlmStats $Server).active -ge 1 } `
            -TimeoutSeconds 60 -Because "$ChunksDone chunk(s) done and a request in flight"
        $folder
    }

    # A job left RUNNING by a process killed with SIGKILL in the middle of a request.
    function New-InterruptedJob {
        param([string] $Root, $Server, [string] $Subject, [int] $Chunks)
        $child = Start-RunnerA -Root $Root -BaseUrl $Server.BaseUrl -Subject $Subject -Chunks $Chunks
        try {
            $folder = Wait-RunnerBusy -Root $Root -Server $Server -ChunksDone 1
            Stop-ProcessHard (Get-RunnerPid $folder)
            $child.WaitForExit(10000) | Out-Null
            (Read-JobFile $folder).state | Should -Be 'RUNNING' -Because 'a killed runner writes nothing more'
            $folder
        }
        finally { Stop-ChildPwsh $child }
    }
}

Describe 'A job run by another process, controlled from here' {
    BeforeAll {
        $server = Start-FakeLlm -ScriptJson '{"default": {"events": 20, "event_delay_ms": 50, "chars": 1000}}'
    }
    AfterAll {
        Stop-FakeLlm $server
    }
    BeforeEach {
        $root = New-TestRoot
        $child = $null
    }
    AfterEach {
        Stop-ChildPwsh $child
        Pop-Location -ErrorAction SilentlyContinue
        Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue
    }

    It 'pauses after the request in flight, takes a hint while paused, resumes in A with the hint, then stops' {
        $child = Start-RunnerA -Root $root -BaseUrl $server.BaseUrl -Subject 'Linear Maps' -Chunks 10
        $folder = Wait-RunnerBusy -Root $root -Server $server -ChunksDone 1
        $runnerPid = Get-RunnerPid $folder
        $runnerPid | Should -Be $child.Id -Because 'A runs the job'
        Push-Location $root
        $id = (Get-XSJob).InstanceId

        # Suspend: acknowledged at once, effective only after the request in flight.
        $verbose = @(Suspend-XSJob -InstanceId $id -Verbose 4>&1 | ForEach-Object { "$_" })
        $pause = @(Get-ReportedRequest $verbose)
        $pause.Count | Should -Be 1 -Because ($verbose -join "`n")
        $pause[0].How | Should -Be 'acknowledged'
        Wait-Until { Read-JobEvents $folder | Where-Object type -eq job_paused } -TimeoutSeconds 15 -Because 'job_paused'
        $events = @(Read-JobEvents $folder)
        $types = @($events.type)
        $ack = -1
        for ($i = 0; $i -lt $events.Count; $i++) { if ($events[$i].type -eq 'control_pause' -and $events[$i].request_id -eq $pause[0].Id) { $ack = $i } }
        $paused = [array]::IndexOf($types, 'job_paused')
        $ack | Should -BeGreaterOrEqual 0 -Because 'the pause is acknowledged with its request id'
        $events[$ack].sender | Should -BeLike "$PID@*"
        $inFlight = @(for ($i = $ack + 1; $i -lt $paused; $i++) { if ($types[$i] -eq 'request') { $i } })
        $inFlight.Count | Should -Be 1 -Because "the request in flight ends before the pause (events: $($types -join ', '))"
        $events[$paused].request_id | Should -Be $pause[0].Id
        $chunkAtPause = $events[$inFlight[0]].chunk_idx

        # While paused: nothing in flight, PAUSED to a third process.
        $requestsAtPause = (Get-FakeLlmStats $server).requests
        $other = Wait-ChildPwsh (Start-ChildPwsh -Root $root -Script "(Get-XSJob -InstanceId '$id').State") -TimeoutSeconds 60
        $other.ExitCode | Should -Be 0 -Because $other.Errors
        $other.Output.Trim() | Should -Be 'PAUSED'
        (Get-XSJob -InstanceId $id).State | Should -Be 'PAUSED'
        (Get-FakeLlmStats $server).active | Should -Be 0
        (Get-FakeLlmStats $server).requests | Should -Be $requestsAtPause -Because 'a paused job sends nothing'

        # A hint while paused is acknowledged and kept for the next chunk.
        $hintLines = @(Send-XSJobHint -InstanceId $id -Text 'Cover eigenvalues next' -Verbose 4>&1 | ForEach-Object { "$_" })
        $hint = @(Get-ReportedRequest $hintLines)
        $hint[0].How | Should -Be 'acknowledged' -Because ($hintLines -join "`n")

        # Resume: A carries on (same pid), and the next chunk's prompt carries the hint.
        $resumeLines = @(Resume-XSJob -InstanceId $id -Verbose 4>&1 | ForEach-Object { "$_" })
        $resume = @(Get-ReportedRequest $resumeLines)
        $resume[0].How | Should -Be 'acknowledged' -Because ($resumeLines -join "`n")
        Wait-Until { Read-JobEvents $folder | Where-Object type -eq job_resumed } -TimeoutSeconds 10 -Because 'job_resumed'
        (Read-JobEvents $folder | Where-Object type -eq job_resumed).request_id | Should -Be $resume[0].Id
        Get-RunnerPid $folder | Should -Be $child.Id -Because 'the job resumes in the process that ran it'
        $child.HasExited | Should -BeFalse
        Wait-Until { (Get-FakeLlmStats $server).requests -gt $requestsAtPause } -TimeoutSeconds 10 -Because 'the next request'
        $next = @(Get-FakeLlmRequests $server)[$requestsAtPause]
        $next.user | Should -BeLike '*Cover eigenvalues next*'
        $next.user | Should -BeLike "*Part $($chunkAtPause + 1) of 10*"
        $applied = @(Read-JobEvents $folder | Where-Object type -eq next_hint_applied)
        $applied.Count | Should -Be 1
        $applied[0].request_id | Should -Be $hint[0].Id
        $applied[0].chunk_idx | Should -Be ($chunkAtPause + 1)

        # Stop: cancelled at once, the request in flight is dropped and the book stops growing.
        Wait-Until { (Get-FakeLlmStats $server).active -ge 1 } -Because 'a request in flight'
        $abortedBefore = (Get-FakeLlmStats $server).aborted
        $elapsed = Measure-Command { Stop-XSJob -InstanceId $id }
        $elapsed.TotalSeconds | Should -BeLessThan 5
        (Get-XSJob -InstanceId $id).State | Should -Be 'CANCELLED'
        (Read-JobFile $folder).state | Should -Be 'CANCELLED'
        @(Read-JobEvents $folder | Where-Object type -eq job_cancelled).Count | Should -Be 1
        $book = (Get-XSJob -InstanceId $id).OutFile
        $size = (Get-Item $book).Length
        Start-Sleep -Seconds 2
        (Get-Item $book).Length | Should -Be $size
        Wait-Until { (Get-FakeLlmStats $server).aborted -gt $abortedBefore } -TimeoutSeconds 10 -Because 'the server to see the connection close'
        $result = Wait-ChildPwsh $child -TimeoutSeconds 30
        $result.Output | Should -Match 'final: CANCELLED'
    }

    It 'refuses Remove-XSJob of the job A runs, and with -Force stops it through A''s runner, then removes it' {
        $child = Start-RunnerA -Root $root -BaseUrl $server.BaseUrl -Subject 'Removed Elsewhere' -Chunks 30
        $folder = Wait-RunnerBusy -Root $root -Server $server -ChunksDone 1
        $id = [guid] (Read-JobFile $folder).id
        Push-Location $root

        Remove-XSJob $id -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused.Count | Should -Be 1
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'JobIsLive*'
        Join-Path $folder 'job.json' | Should -Exist

        Remove-XSJob $id -Force -Confirm:$false -ErrorVariable forced -InformationAction Ignore
        $forced.Count | Should -Be 0 -Because ($forced | Out-String)
        Test-Path $folder | Should -BeFalse
        Wait-ChildPwsh $child -TimeoutSeconds 60 | Out-Null
        Test-Path $folder | Should -BeFalse -Because 'the stopped runner wrote nothing after the deletion'
        Get-XSJob -InstanceId $id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'acknowledges 50 requests from five processes at once, each once, in each sender''s order' {
        $child = Start-RunnerA -Root $root -BaseUrl $server.BaseUrl -Subject 'Busy Job' -Chunks 40
        $folder = Wait-RunnerBusy -Root $root -Server $server
        $id = (Read-JobFile $folder).id

        # Each sender: 7 hints with distinct texts, a Suspend and two Resumes (10 commands, 50 in all).
        $senders = foreach ($s in 1..5) {
            $commands = foreach ($c in 1..10) {
                $send = switch ($c) {
                    4 { "Suspend-XSJob -InstanceId '$id'" }
                    { $_ -in 7, 10 } { "Resume-XSJob -InstanceId '$id'" }
                    default { "Send-XSJobHint -InstanceId '$id' -Text 'hint from sender $s number $c'" }
                }
                "$send -Verbose 4>&1 | ForEach-Object { 'cmd ${c}: ' + `$_ }"
            }
            Start-ChildPwsh -Root $root -Script ($commands -join '; ')
        }
        try {
            $results = foreach ($sender in $senders) { Wait-ChildPwsh $sender -TimeoutSeconds 120 }
        }
        finally { foreach ($sender in $senders) { Stop-ChildPwsh $sender } }

        Push-Location $root
        Stop-XSJob -InstanceId $id
        (Get-XSJob -InstanceId $id).State | Should -Be 'CANCELLED'
        $events = @(Read-JobEvents $folder)
        $acks = @($events | Where-Object type -like 'control_*')
        $reportedTotal = 0; $noOps = 0
        for ($s = 0; $s -lt 5; $s++) {
            $results[$s].ExitCode | Should -Be 0 -Because $results[$s].Errors
            $lines = @($results[$s].Output -split "`n" | Where-Object { $_ -match '^cmd \d+: ' -and $_ -notmatch 'Performing the operation' })
            $lines.Count | Should -Be 10 -Because "every command reports what it did: $($results[$s].Output)"
            $noOps += @($lines | Where-Object { $_ -match 'nothing to do' }).Count
            $reported = @(Get-ReportedRequest $lines)
            $reportedTotal += $reported.Count
            foreach ($request in $reported) {
                $request.How | Should -Be 'acknowledged'
                @($acks | Where-Object request_id -eq $request.Id).Count | Should -Be 1 -Because "request $($request.Id) is acknowledged exactly once"
            }
            $mine = @($acks | Where-Object { $_.sender -like "$($senders[$s].Id)@*" })
            @($mine.request_id) | Should -Be @($reported.Id) -Because 'one sender''s requests are acknowledged in the order it sent them'
        }
        ($reportedTotal + $noOps) | Should -Be 50
        Write-Host ("control: $reportedTotal of 50 commands became requests, $noOps were no-ops by the state table; " +
            "$(@($events | Where-Object type -eq next_hint_applied).Count) hint applications")
        (Wait-ChildPwsh $child -TimeoutSeconds 30).Output | Should -Match 'final: CANCELLED'
    }
}

Describe 'Control commands on jobs nobody runs' {
    BeforeAll {
        $root = New-TestRoot
        Push-Location $root
    }
    AfterAll {
        Pop-Location
        Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue
    }

    It 'refuses Suspend, Resume and hints on a DONE job with JobFinished; Stop is a no-op' {
        $job = Start-XSBook 'Finished Book' -Backend offline -Chunks 1 -Wait
        $job.State | Should -Be 'DONE'
        $before = @(Read-JobEvents $job.Folder).Count
        foreach ($command in { Suspend-XSJob -InstanceId $job.InstanceId -ErrorAction Stop },
                             { Resume-XSJob -InstanceId $job.InstanceId -ErrorAction Stop },
                             { Send-XSJobHint -InstanceId $job.InstanceId -Text 'too late' -ErrorAction Stop }) {
            $command | Should -Throw -ErrorId 'JobFinished*'
        }
        { Stop-XSJob -InstanceId $job.InstanceId -ErrorAction Stop } | Should -Not -Throw
        (Get-XSJob -InstanceId $job.InstanceId).State | Should -Be 'DONE'
        @(Read-JobEvents $job.Folder).Count | Should -Be $before -Because 'refused and no-op commands change nothing'
    }

    It 'on a FAILED job: Stop is a no-op, a hint is stored and acknowledged by an event' {
        $job = Start-XSBook 'Failed Book' -Backend openai -BaseUri 'http://127.0.0.1:9/v1' -Chunks 2 -Wait -SkipPreflight -ErrorAction SilentlyContinue
        $job = Get-XSJob -Name 'Failed Book'
        $job.State | Should -Be 'FAILED'
        { Stop-XSJob -InstanceId $job.InstanceId -ErrorAction Stop } | Should -Not -Throw
        (Get-XSJob -InstanceId $job.InstanceId).State | Should -Be 'FAILED'
        Read-JobEvents $job.Folder | Where-Object type -eq job_cancelled | Should -BeNullOrEmpty

        $lines = @(Send-XSJobHint -InstanceId $job.InstanceId -Text 'Start with matrices' -Verbose -ErrorAction Stop 4>&1 | ForEach-Object { "$_" })
        $hint = @(Get-ReportedRequest $lines)
        $hint.Count | Should -Be 1 -Because ($lines -join "`n")
        $hint[0].How | Should -Be 'applied here'
        $stored = @(Get-ChildItem (Join-Path $job.Folder 'control') -Filter '*.json')
        $stored.Count | Should -Be 1
        $stored[0].BaseName | Should -Be $hint[0].Id
        (Get-Content -Raw $stored[0].FullName | ConvertFrom-Json).text | Should -Be 'Start with matrices'
        $ack = @(Read-JobEvents $job.Folder | Where-Object type -eq control_next)
        $ack.Count | Should -Be 1
        $ack[0].request_id | Should -Be $hint[0].Id
        $ack[0].sender | Should -BeLike "$PID@*"
        (Get-XSJob -InstanceId $job.InstanceId).State | Should -Be 'FAILED'
    }
}

Describe 'Resuming interrupted jobs from the pipeline' {
    BeforeAll {
        $server = Start-FakeLlm -ScriptJson '{"default": {"events": 10, "event_delay_ms": 40, "chars": 800}}'
    }
    AfterAll {
        Stop-FakeLlm $server
    }
    BeforeEach { $root = New-TestRoot }
    AfterEach { Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue }

    It 'brings a job back with Get-XSJob | Where State -eq FAILED | Resume-XSJob and it ends DONE' {
        $folder = New-InterruptedJob -Root $root -Server $server -Subject 'Interrupted Once' -Chunks 5
        $run = Start-ChildPwsh -Root $root -Script (
            "Get-XSJob | Where-Object State -eq FAILED | ForEach-Object { 'before: ' + `$_.State + ' ' + `$_.ErrorCode }; " +
            "Get-XSJob | Where-Object State -eq FAILED | Resume-XSJob -Verbose 4>&1 | ForEach-Object { 'verbose: ' + `$_ }; " +
            "'object: ' + (Get-XSJob).JobStateInfo.State; " +
            "Get-XSJob | Wait-Job -Timeout 60 | Out-Null; Get-XSJob | ForEach-Object { 'after: ' + `$_.State + ' ' + `$_.ChunksDone }")
        $result = Wait-ChildPwsh $run -TimeoutSeconds 90
        $result.ExitCode | Should -Be 0 -Because $result.Errors
        $result.Output | Should -Match 'before: FAILED interrupted'
        $result.Output | Should -Match 'verbose: .*resumed in this session'
        $result.Output | Should -Match 'object: Running' -Because 'a resumed FAILED job is a new, running job object (DESIGN 3.1), so Wait-Job waits for it'
        $result.Output | Should -Match 'after: DONE 5'
        (Read-JobFile $folder).state | Should -Be 'DONE'
        Read-JobEvents $folder | Where-Object type -eq job_interrupted | Should -Not -BeNullOrEmpty
    }

    It 'gives NotAnXSArenaJob for a ThreadJob in Get-Job | Resume-XSJob and resumes the XSArena job' {
        $folder = New-InterruptedJob -Root $root -Server $server -Subject 'Interrupted Among Others' -Chunks 4
        $run = Start-ChildPwsh -Root $root -Script (
            "`$thread = Start-ThreadJob { Start-Sleep -Seconds 2; 'thread done' }; " +
            "Get-Job | Resume-XSJob -ErrorVariable failures -ErrorAction SilentlyContinue; " +
            "'object: ' + (Get-XSJob).JobStateInfo.State; " +
            "`$failures | ForEach-Object { 'error: ' + `$_.FullyQualifiedErrorId + ' ' + `$_.TargetObject.PSJobTypeName }; " +
            "Get-XSJob | Wait-Job -Timeout 60 | Out-Null; Get-XSJob | ForEach-Object { 'after: ' + `$_.State + ' ' + `$_.ChunksDone }; " +
            "`$thread | Remove-Job -Force")
        $result = Wait-ChildPwsh $run -TimeoutSeconds 90
        $result.ExitCode | Should -Be 0 -Because $result.Errors
        $errors = @($result.Output -split "`n" | Where-Object { $_ -like 'error: *' })
        $errors.Count | Should -Be 1 -Because $result.Output
        $errors[0] | Should -BeLike 'error: NotAnXSArenaJob*ThreadJob*'
        $result.Output | Should -Match 'object: Running' -Because 'a resumed FAILED job is a new, running job object (DESIGN 3.1), so Wait-Job waits for it'
        $result.Output | Should -Match 'after: DONE 4'
        (Read-JobFile $folder).state | Should -Be 'DONE'
    }
}
