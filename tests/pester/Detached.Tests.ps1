#Requires -Version 7.6
# Jobs that outlive the terminal: Start-XSBook -Detached, Resume-XSJob -Detached and Start-XSWorker.

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')

    # A job that failed against a closed port, pointed at the offline backend so that a resumed run can finish it.
    function New-FailedOfflineJob([string] $Subject) {
        $job = Start-XSBook $Subject -Backend openai -BaseUri 'http://127.0.0.1:9/v1' -Chunks 2 -SkipPreflight -Wait -ErrorAction SilentlyContinue
        $job.State | Should -Be 'FAILED'
        $jobFile = Join-Path $job.Folder 'job.json'
        $record = Get-Content -LiteralPath $jobFile -Raw | ConvertFrom-Json
        $record.backend = 'offline'; $record.run_spec.backend = 'offline'; $record.run_spec.model = 'offline-rehearsal'
        $record | ConvertTo-Json -Depth 20 | Set-Content -LiteralPath $jobFile
        $job
    }

    function Wait-JobState([string] $Root, [string] $Id, [string] $State, [int] $TimeoutSeconds = 90) {
        Push-Location $Root
        try {
            Wait-Until { (Get-XSJob -InstanceId $Id).State -eq $State } -TimeoutSeconds $TimeoutSeconds -Because "job $Id to be $State"
        }
        finally { Pop-Location }
    }
}

Describe 'Jobs that outlive the session that started them' {
    BeforeEach { $root = New-TestRoot }
    AfterEach { Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue }

    It 'finishes a detached book DONE after the submitting pwsh has exited' {
        $submit = Start-ChildPwsh -Root $root -Script "(Start-XSBook 'Outlives Its Terminal' -Backend offline -Chunks 4 -Detached).JobId.ToString()"
        $result = Wait-ChildPwsh $submit -TimeoutSeconds 60
        $result.ExitCode | Should -Be 0 -Because $result.Errors
        $id = $result.Output.Trim()
        $submit.HasExited | Should -BeTrue
        Wait-JobState -Root $root -Id $id -State DONE
        Push-Location $root
        try {
            $job = Get-XSJob -InstanceId $id
            $job.ChunksDone | Should -Be 4
            $log = Join-Path $job.Folder 'detached.log'
            # The background pwsh writes its closing line just after the job's own DONE.
            Wait-Until { (Test-Path $log) -and (Get-Content -LiteralPath $log -Raw) -match 'DONE' } -TimeoutSeconds 30 -Because 'the closing log line'
            (Get-Content -LiteralPath (Join-Path $job.Folder 'runner.json') -Raw | ConvertFrom-Json).pid | Should -Not -Be $submit.Id
        }
        finally { Pop-Location }
    }

    It 'resumes a failed job in the background with Resume-XSJob -Detached' {
        Push-Location $root
        try {
            $job = New-FailedOfflineJob 'Resumed In Background'
            $resumed = Resume-XSJob -InstanceId $job.InstanceId -Detached -SkipPreflight -PassThru
        }
        finally { Pop-Location }
        $resumed.JobId | Should -Be $job.JobId
        $resumed.State | Should -Not -Be 'FAILED' -Because '-PassThru writes the job once the background pwsh has taken it'
        $resumed | Wait-Job -Timeout 120 | Out-Null
        $resumed.State | Should -Be 'DONE' -Because 'Wait-Job on the written object waits for the background run'
        Wait-JobState -Root $root -Id $job.InstanceId -State DONE
    }

    It 'resumes in the background a job whose runner is still closing, once that runner lets go of it' {
        Push-Location $root
        try {
            $job = New-FailedOfflineJob 'Runner Still Closing'
            $lockFile = Join-Path $job.Folder 'runner.lock'
            # Another process holds the lease for a moment, as a runner does while it closes after a stop.
            $holder = Start-ChildPwsh -Bare -Script "`$lock = [IO.File]::Open('$lockFile', 'OpenOrCreate', 'ReadWrite', 'None'); Start-Sleep -Milliseconds 1500; `$lock.Dispose()"
            Wait-Until { try { [IO.File]::Open($lockFile, 'Open', 'ReadWrite', 'None').Dispose(); $false } catch { $true } } -Because 'the other process to hold the lease'
            $resumed = Resume-XSJob -InstanceId $job.InstanceId -Detached -SkipPreflight -PassThru
        }
        finally { Pop-Location }
        (Wait-ChildPwsh $holder).ExitCode | Should -Be 0
        $resumed.IsOwnedHere | Should -BeFalse -Because '-Detached runs the job in a background pwsh, never in this session'
        $resumed | Wait-Job -Timeout 120 | Out-Null
        $resumed.State | Should -Be 'DONE'
        Join-Path $job.Folder 'detached.log' | Should -Exist
    }

    It 'leaves stopped a job that was stopped while its background pwsh was still starting' {
        Push-Location $root
        try {
            $copy = Start-XSBook 'Stopped Before Its Start' -Backend offline -Chunks 2 -Wait | Copy-XSJob
            Resume-XSJob -InstanceId $copy.InstanceId -Detached
            Stop-XSJob -InstanceId $copy.InstanceId
            $log = Join-Path $copy.Folder 'detached.log'
            Wait-Until { (Test-Path $log) -and (Get-Content -LiteralPath $log -Raw) -match 'not resumed' } -TimeoutSeconds 60 -Because 'the background pwsh to see the stop'
            (Get-XSJob -InstanceId $copy.InstanceId).State | Should -Be 'CANCELLED'
            Get-XSJobEvent -InstanceId $copy.InstanceId -Type 'job_started' | Should -BeNullOrEmpty
        }
        finally { Pop-Location }
    }

    It 'Start-XSWorker runs the PENDING jobs nobody waits on, then exits' {
        Push-Location $root
        try {
            $source = Start-XSBook 'Worker Source' -Backend offline -Chunks 2 -Wait
            $copies = 1..2 | ForEach-Object { Copy-XSJob -InstanceId $source.InstanceId -Name "Queued $_" }
            $copies.State | Should -Be @('PENDING', 'PENDING')
            $worker = Start-XSWorker
            $worker.ProcessId | Should -BeGreaterThan 0
            foreach ($copy in $copies) { Wait-JobState -Root $root -Id $copy.InstanceId -State DONE }
            Wait-Until { -not (Get-Process -Id $worker.ProcessId -ErrorAction SilentlyContinue) } -TimeoutSeconds 30 -Because 'the worker to exit once the queue is empty'
            $worker.LogPath | Should -FileContentMatch 'DONE'
        }
        finally { Pop-Location }
    }
}
