#Requires -Version 7.6
# Sessions ending (DESIGN §3.4, §3.6): Wait-Job here on a job another process runs, when that process finishes the
# job, is killed with SIGKILL, or exits while the job runs; a new process noticing a dead runner.

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'process-helpers.ps1')

    function Start-RunnerChild {
        param([string] $Root, [string] $BaseUrl, [string] $Subject, [int] $Chunks, [string] $Then = "`$j | Wait-Job -Force -Timeout 150 | Out-Null")
        Start-ChildPwsh -Root $Root -Script (
            "`$j = Start-XSBook '$Subject' -Backend openai -BaseUri '$BaseUrl' -Chunks $Chunks -MinChars 100; $Then")
    }

    function Wait-RequestInFlight {
        param([string] $Root, $Server, [int] $ChunksDone = 1)
        Wait-Until { Get-OnlyJobFolder $Root } -TimeoutSeconds 60 -Because 'the job folder'
        $folder = Get-OnlyJobFolder $Root
        Wait-Until { @(Read-JobEvents $folder | Where-Object type -eq chunk_done).Count -ge $ChunksDone -and (Get-FakeLlmStats $Server).active -ge 1 } `
            -TimeoutSeconds 60 -Because "$ChunksDone chunk(s) done and a request in flight"
        $folder
    }
}

Describe 'Waiting here for a job another process runs' {
    BeforeAll {
        $fast = Start-FakeLlm -ScriptJson '{"default": {"events": 5, "event_delay_ms": 40, "chars": 600}}'
        $slow = Start-FakeLlm -ScriptJson '{"default": {"events": 20, "event_delay_ms": 50, "chars": 1000}}'
    }
    AfterAll {
        Stop-FakeLlm $fast
        Stop-FakeLlm $slow
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

    It 'Wait-Job returns within 1 s of the other process finishing the job' {
        $child = Start-RunnerChild -Root $root -BaseUrl $fast.BaseUrl -Subject 'Finished Elsewhere' -Chunks 6
        Wait-Until { Get-OnlyJobFolder $root } -TimeoutSeconds 60 -Because 'the job folder'
        $folder = Get-OnlyJobFolder $root
        Push-Location $root
        $job = Get-XSJob -InstanceId (Read-JobFile $folder).id
        $job.State | Should -BeIn 'PENDING', 'RUNNING'
        $waited = $job | Wait-Job -Timeout 60
        $returnedAt = [DateTimeOffset]::UtcNow
        $waited | Should -Not -BeNullOrEmpty -Because 'Wait-Job returns the job, not a timeout'
        $job.State | Should -Be 'DONE'
        $ended = @(Read-JobEvents $folder | Where-Object type -eq job_ended)[-1]
        $latency = ($returnedAt - (Get-EventTime $ended)).TotalMilliseconds
        Write-Host ("Wait-Job after the other process finished the job: returned {0:N0} ms after job_ended" -f $latency)
        $latency | Should -BeLessThan 1000
        (Wait-ChildPwsh $child -TimeoutSeconds 30).ExitCode | Should -Be 0
    }

    It 'Wait-Job returns within 2 s of the runner being killed, and the job is FAILED interrupted' {
        $child = Start-RunnerChild -Root $root -BaseUrl $slow.BaseUrl -Subject 'Killed Elsewhere' -Chunks 20
        $folder = Wait-RequestInFlight -Root $root -Server $slow
        $runnerPid = Get-RunnerPid $folder
        $runnerPid | Should -Be $child.Id
        Push-Location $root
        $job = Get-XSJob -InstanceId (Read-JobFile $folder).id
        $job.State | Should -Be 'RUNNING'
        $killer = Start-ThreadJob -ArgumentList $runnerPid -ScriptBlock {
            param($target)
            Start-Sleep -Milliseconds 800
            & kill -9 $target
            [DateTimeOffset]::UtcNow
        }
        try {
            $waited = $job | Wait-Job -Timeout 60
            $returnedAt = [DateTimeOffset]::UtcNow
            $killedAt = $killer | Receive-Job -Wait
        }
        finally { $killer | Remove-Job -Force }
        $waited | Should -Not -BeNullOrEmpty -Because 'Wait-Job returns the job, not a timeout'
        $latency = ($returnedAt - $killedAt).TotalMilliseconds
        Write-Host ("Wait-Job after SIGKILL of the runner: returned {0:N0} ms after the kill" -f $latency)
        $latency | Should -BeLessThan 2000
        $job.State | Should -Be 'FAILED'
        $job.ErrorCode | Should -Be 'interrupted'
        $interrupted = @(Read-JobEvents $folder | Where-Object type -eq job_interrupted)
        $interrupted.Count | Should -Be 1
        $interrupted[0].noticed_by | Should -BeLike "$PID@*"
    }

    It 'shows a job left RUNNING by a killed process as FAILED interrupted in a new process' {
        $child = Start-RunnerChild -Root $root -BaseUrl $slow.BaseUrl -Subject 'Left Running' -Chunks 20
        $folder = Wait-RequestInFlight -Root $root -Server $slow
        Stop-ProcessHard (Get-RunnerPid $folder)
        $child.WaitForExit(10000) | Should -BeTrue
        (Read-JobFile $folder).state | Should -Be 'RUNNING' -Because 'a killed runner writes nothing'

        $look = Start-ChildPwsh -Root $root -Script "`$j = Get-XSJob; `$j.State + ' ' + `$j.ErrorCode"
        $result = Wait-ChildPwsh $look -TimeoutSeconds 60
        $result.ExitCode | Should -Be 0 -Because $result.Errors
        $result.Output.Trim() | Should -Be 'FAILED interrupted'
        (Read-JobFile $folder).state | Should -Be 'FAILED'
        $interrupted = @(Read-JobEvents $folder | Where-Object type -eq job_interrupted)
        $interrupted.Count | Should -Be 1
        $interrupted[0].reason | Should -Be 'runner_gone'
        $interrupted[0].noticed_by | Should -BeLike "$($look.Id)@*"
        @(Read-JobEvents $folder)[-1].type | Should -Be 'job_ended'
    }
}

Describe 'Closing the process that runs a job' {
    BeforeAll {
        $server = Start-FakeLlm -ScriptJson '{"default": {"events": 20, "event_delay_ms": 50, "chars": 1000}}'
        $root = New-TestRoot
        # One run shared by both tests: start a slow job, let a request begin, then `exit`.
        $child = Start-RunnerChild -Root $root -BaseUrl $server.BaseUrl -Subject 'Closed Session' -Chunks 20 `
            -Then "while ((Invoke-RestMethod '$($server.BaseUrl -replace '/v1$', '/_stats')').active -lt 1) { Start-Sleep -Milliseconds 50 }; exit"
        $exited = Wait-ChildPwsh $child -TimeoutSeconds 60
        $folder = Get-OnlyJobFolder $root
    }
    AfterAll {
        Stop-FakeLlm $server
        Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue
    }

    It 'leaves the job FAILED interrupted (recorded by the exiting process itself)' {
        $exited.ExitCode | Should -Be 0 -Because $exited.Errors
        $record = Read-JobFile $folder
        $record.state | Should -Be 'FAILED' -Because 'the exit hook marks the job before the process ends, without anyone noticing later'
        $interrupted = @(Read-JobEvents $folder | Where-Object type -eq job_interrupted)
        $interrupted.Count | Should -Be 1
        $interrupted[0].reason | Should -Be 'process_exit'
        @(Read-JobEvents $folder)[-1].type | Should -Be 'job_ended'
        Wait-Until { (Get-FakeLlmStats $server).active -eq 0 } -TimeoutSeconds 10 -Because 'the request in flight to be dropped'
    }

    It 'warns on exit that a live job will be interrupted (DESIGN 3.6)' {
        $printed = ($exited.Output + "`n" + $exited.Errors).Trim()
        Write-Host "output of the process that exited with a live job: '$printed'"
        $printed | Should -Match 'WARNING' -Because '`exit` with live jobs warns (DESIGN 3.6)'
    }
}
