#Requires -Version 7.6
# End-to-end: Start-XSBook, Get-XSJob, Get-XSJobEvent, Watch-XSJob and the built-in job cmdlets in a real pwsh,
# against the built module, the offline backend and the loopback fake LLM server.

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
}

Describe 'A book job in this session' {
    BeforeAll {
        $root = New-TestRoot
        Push-Location $root
    }
    AfterAll {
        Pop-Location
        Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue
    }

    It 'is the same object in Start-XSBook, Get-Job and Get-XSJob' {
        $job = Start-XSBook 'Same Object' -Backend offline -Chunks 2
        $fromGetJob = Get-Job -InstanceId $job.InstanceId
        [object]::ReferenceEquals($job, $fromGetJob) | Should -BeTrue
        $job | Wait-Job -Timeout 60 | Out-Null
        [object]::ReferenceEquals($job, (Get-XSJob -InstanceId $job.InstanceId)) | Should -BeTrue
        $job.PSJobTypeName | Should -Be 'XSArenaJob'
        $job.JobId | Should -Be $job.InstanceId
    }

    It 'pipes through Wait-Job and Receive-Job, one chunk record per chunk' {
        $records = Start-XSBook 'Piped Book' -Backend offline -Chunks 3 | Wait-Job -Timeout 60 | Receive-Job
        $records.ChunkIndex | Should -Be @(1, 2, 3)
        $records[0].OutFile | Should -Exist
    }

    It 'filters finished jobs with Where State -eq DONE' {
        $job = Start-XSBook 'Filter Me' -Backend offline -Chunks 1 -Wait
        $done = Get-XSJob | Where-Object State -eq DONE
        $done.JobId | Should -Contain $job.JobId
        (Get-XSJob -State DONE -Name 'filter*').JobId | Should -Be $job.JobId
    }

    It 'takes a CSV row with an Id column and a bare GUID string from the pipeline' {
        $job = Start-XSBook 'Csv Input' -Backend offline -Chunks 1 -Wait
        $csv = [pscustomobject]@{ Id = $job.InstanceId.ToString(); Note = 'x' } | ConvertTo-Csv | ConvertFrom-Csv
        ($csv | Get-XSJob).JobId | Should -Be $job.JobId
        ($job.InstanceId.ToString() | Get-XSJob).JobId | Should -Be $job.JobId
        ($csv | Watch-XSJob -Last 1).Type | Should -Be 'job_ended'
        ($job.InstanceId.ToString() | Watch-XSJob -Last 1).Type | Should -Be 'job_ended'
    }

    It 'gives NotAnXSArenaJob for a foreign job and JobNotFound for an unknown id' {
        $thread = Start-ThreadJob { 1 }
        try {
            $thread | Get-XSJob -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'NotAnXSArenaJob*'
        }
        finally { $thread | Remove-Job -Force }
        Get-XSJob ([guid]::NewGuid()) -ErrorVariable missing -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'JobNotFound*'
    }

    It 'writes XSJobFailed with -Wait when the job fails, so -ErrorAction Stop works' {
        { Start-XSBook 'Nobody Home' -Backend openai -BaseUri 'http://127.0.0.1:9/v1' -Chunks 1 -Wait -SkipPreflight -ErrorAction Stop } |
            Should -Throw -ErrorId 'XSJobFailed*'
        (Get-XSJob -Name 'Nobody Home').State | Should -Be 'FAILED'
    }

    It 'stops Start-XSBook with BackendNotReady before any job exists when the server is down' {
        $before = @(Get-XSJob).Count
        { Start-XSBook 'Nobody Answers' -Backend openai -BaseUri 'http://127.0.0.1:9/v1' -Chunks 1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'BackendNotReady*'
        { Get-XSJob -Name 'Nobody Answers' -ErrorAction Stop } | Should -Throw -ErrorId 'JobNameNotFound*'
        Get-XSJob -Name 'Nobody Answers*' | Should -BeNullOrEmpty
        @(Get-XSJob).Count | Should -Be $before
        $check = Test-XSBackend openai -BaseUri 'http://127.0.0.1:9/v1'
        $check.Ok | Should -BeFalse
        $check.Problem | Should -Match 'cannot be reached'
        $check.Advice | Should -Match 'BaseUri'
        (Test-XSBackend offline).Ok | Should -BeTrue
    }

    It 'never lets a copy or a new book write over a finished book or into the job store' {
        $done = Start-XSBook 'Keep My Book' -Backend offline -Chunks 1 -Wait
        $text = Get-Content -Raw -LiteralPath $done.OutFile
        $before = @(Get-XSJob).Count
        { $done | Copy-XSJob -OutFile $done.OutFile -Start -ErrorAction Stop } | Should -Throw -ErrorId 'CopyNotStarted*'
        $store = Join-Path $done.Folder 'job.json'
        { Start-XSBook 'Into The Store' -Backend offline -Chunks 1 -OutFile $store -Overwrite -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidBookRequest*'
        @(Get-XSJob).Count | Should -Be $before
        Get-Content -Raw -LiteralPath $done.OutFile | Should -BeExactly $text
        (Get-XSJob -InstanceId $done.InstanceId).State | Should -Be 'DONE'
    }

    It 'shows help with a synopsis, parameters and an example for every cmdlet' {
        foreach ($name in 'Start-XSBook', 'Get-XSJob', 'Get-XSJobEvent', 'Watch-XSJob', 'Copy-XSJob', 'Remove-XSJob') {
            $help = Get-Help $name -Full
            $help.Synopsis | Should -Not -BeNullOrEmpty
            @($help.Examples.Example).Count | Should -BeGreaterThan 0
            @($help.Parameters.Parameter).Count | Should -BeGreaterThan 0
        }
    }
}

Describe 'Stopping a slow job' {
    BeforeAll {
        $root = New-TestRoot
        Push-Location $root
        $server = Start-FakeLlm -ScriptJson '{"default": {"events": 400, "event_delay_ms": 50}}'
    }
    AfterAll {
        Pop-Location
        Stop-FakeLlm $server
        Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue
    }

    It 'returns promptly, keeps the book from growing and closes the connection' {
        $job = Start-XSBook 'Slow Book' -Backend openai -BaseUri $server.BaseUrl
        Wait-Until { (Get-FakeLlmStats $server).active -eq 1 } -Because 'a request in flight'
        $elapsed = Measure-Command { Stop-Job -Job $job }
        $elapsed.TotalSeconds | Should -BeLessThan 5
        $job.State | Should -Be 'CANCELLED'

        $size = if (Test-Path $job.OutFile) { (Get-Item $job.OutFile).Length } else { 0 }
        Start-Sleep -Seconds 2
        $after = if (Test-Path $job.OutFile) { (Get-Item $job.OutFile).Length } else { 0 }
        $after | Should -Be $size
        Wait-Until { (Get-FakeLlmStats $server).aborted -ge 1 } -TimeoutSeconds 10 -Because 'the server to see the connection close'
        (Get-XSJobEvent $job.InstanceId -Type job_cancelled) | Should -Not -BeNullOrEmpty
    }

    It 'lets Remove-Job -Force stop and remove a running job without hanging' {
        $job = Start-XSBook 'Removed While Running' -Backend openai -BaseUri $server.BaseUrl
        Wait-Until { $job.ChunksDone -ge 0 -and (Get-FakeLlmStats $server).active -ge 1 } -Because 'a request in flight'
        $elapsed = Measure-Command { $job | Remove-Job -Force }
        $elapsed.TotalSeconds | Should -BeLessThan 5
        Test-Path $job.Folder | Should -BeFalse
        Get-Job -InstanceId $job.InstanceId -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Jobs across processes' {
    BeforeAll {
        $root = New-TestRoot
        $server = Start-FakeLlm -ScriptJson '{"default": {"events": 5, "event_delay_ms": 40, "chars": 4500}}'
    }
    AfterAll {
        Stop-FakeLlm $server
        Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue
    }

    It 'lists in a second fresh pwsh the job written by the first' {
        $first = Start-ChildPwsh -Root $root -Script "(Start-XSBook 'Written Elsewhere' -Backend offline -Chunks 2 -Wait).JobId.ToString()"
        $result = Wait-ChildPwsh $first
        $result.ExitCode | Should -Be 0 -Because $result.Errors
        $id = $result.Output.Trim()

        $second = Start-ChildPwsh -Root $root -Script "Get-XSJob | Select-Object @{n='JobId';e={`$_.JobId.ToString()}}, State, ChunksDone | ConvertTo-Json -Compress; (Get-Job | Where-Object PSJobTypeName -eq XSArenaJob).InstanceId.ToString()"
        $listed = Wait-ChildPwsh $second
        $listed.ExitCode | Should -Be 0 -Because $listed.Errors
        $lines = $listed.Output.Trim() -split "`n"
        $job = $lines[0] | ConvertFrom-Json
        $job.JobId | Should -Be $id
        $job.State | Should -Be 'DONE'
        $job.ChunksDone | Should -Be 2
        $lines[1].Trim() | Should -Be $id -Because 'Get-Job in a new session lists jobs on disk'
    }

    It 'watches a job run by another process with p95 latency under 150 ms and ends with it' {
        $child = Start-ChildPwsh -Root $root -Script "Start-XSBook 'Watched From Afar' -Backend openai -BaseUri '$($server.BaseUrl)' -Chunks 24 -Wait | Out-Null"
        try {
            Push-Location $root
            Wait-Until { Get-XSJob -Name 'Watched From Afar' -ErrorAction SilentlyContinue } -Because 'the job to appear' -TimeoutSeconds 60
            $job = Get-XSJob -Name 'Watched From Afar'
            $latencies = [System.Collections.Generic.List[double]]::new()
            $types = [System.Collections.Generic.List[string]]::new()
            $job | Watch-XSJob -Last 0 | ForEach-Object {
                $latencies.Add(([DateTime]::Now - $_.Timestamp).TotalMilliseconds)
                $types.Add($_.Type)
            }
            Pop-Location
            $types[-1] | Should -Be 'job_ended'
            $latencies.Count | Should -BeGreaterOrEqual 50
            $sorted = $latencies | Sort-Object
            $p95 = $sorted[[int][math]::Floor(0.95 * ($sorted.Count - 1))]
            Write-Host ("watch latency over {0} events: median {1:N1} ms, p95 {2:N1} ms" -f $sorted.Count, $sorted[[int]($sorted.Count / 2)], $p95)
            $p95 | Should -BeLessOrEqual 150
        }
        finally {
            (Wait-ChildPwsh $child).ExitCode | Should -Be 0
        }
    }

    It 'still follows by polling alone when the file watcher is switched off' {
        $child = Start-ChildPwsh -Root $root -Script "Start-XSBook 'Polled' -Backend openai -BaseUri '$($server.BaseUrl)' -Chunks 6 -Wait | Out-Null"
        $env:XSARENA_NO_WATCHER = '1'
        try {
            Push-Location $root
            Wait-Until { Get-XSJob -Name 'Polled' -ErrorAction SilentlyContinue } -Because 'the job to appear' -TimeoutSeconds 60
            $events = Get-XSJob -Name 'Polled' | Watch-XSJob -Last 0
            Pop-Location
            $events[-1].Type | Should -Be 'job_ended'
            ($events | Where-Object Type -eq chunk_done).Count | Should -BeGreaterThan 0
        }
        finally {
            Remove-Item Env:XSARENA_NO_WATCHER
            (Wait-ChildPwsh $child).ExitCode | Should -Be 0
        }
    }
}

Describe 'The main job' {
    It 'writes exactly 12 chunks on the offline backend, with an extension pass and a repetition guard' {
        $root = New-TestRoot
        try {
            $run = Start-ChildPwsh -Root $root -Script "`$j = Start-XSBook 'Introduction to Linear Algebra' -Backend offline -Span medium -Wait; `$j.JobId.ToString()"
            $result = Wait-ChildPwsh $run -TimeoutSeconds 60
            $result.ExitCode | Should -Be 0 -Because $result.Errors
            Push-Location $root
            $job = Get-XSJob -InstanceId $result.Output.Trim()
            Pop-Location
            $job.State | Should -Be 'DONE'
            $job.ChunksDone | Should -Be 12
            $job.OutFile | Should -Exist
            $events = Get-XSJobEvent $job.InstanceId
            ($events | Where-Object Type -eq chunk_done).Count | Should -Be 12
            ($events | Where-Object Type -eq extension_pass) | Should -Not -BeNullOrEmpty
            ($events | Where-Object Type -eq repetition_guard) | Should -Not -BeNullOrEmpty
        }
        finally { Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue }
    }
}
