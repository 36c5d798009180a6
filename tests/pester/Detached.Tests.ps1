#Requires -Version 7.6
# Jobs that outlive the terminal: Start-XSBook -Detached, Resume-XSJob -Detached and Start-XSWorker.

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')

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
            $job = Start-XSBook 'Resumed In Background' -Backend openai -BaseUri 'http://127.0.0.1:9/v1' -Chunks 2 -SkipPreflight -Wait -ErrorAction SilentlyContinue
            $job.State | Should -Be 'FAILED'
            $jobFile = Join-Path $job.Folder 'job.json'
            # Point the job at the offline backend so the background run can finish it.
            $record = Get-Content -LiteralPath $jobFile -Raw | ConvertFrom-Json
            $record.backend = 'offline'; $record.run_spec.backend = 'offline'; $record.run_spec.model = 'offline-rehearsal'
            $record | ConvertTo-Json -Depth 20 | Set-Content -LiteralPath $jobFile
            $resumed = Resume-XSJob -InstanceId $job.InstanceId -Detached -SkipPreflight -PassThru
        }
        finally { Pop-Location }
        $resumed.JobId | Should -Be $job.JobId
        $resumed.State | Should -Not -Be 'FAILED' -Because '-PassThru writes the job once the background pwsh has taken it'
        $resumed | Wait-Job -Timeout 120 | Out-Null
        $resumed.State | Should -Be 'DONE' -Because 'Wait-Job on the written object waits for the background run'
        Wait-JobState -Root $root -Id $job.InstanceId -State DONE
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
