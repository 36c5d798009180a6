#Requires -Version 7.6
# Limits that hold across processes: three pwsh processes start jobs against one fake server; the server's own
# count of concurrent requests shows the limits were never exceeded and were reached.

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')

    function Set-SchedulerConfig([string] $Root, [string] $Concurrency) {
        $folder = New-Item -ItemType Directory -Force (Join-Path $Root '.xsarena')
        Set-Content -LiteralPath (Join-Path $folder 'config.yml') -Value "scheduler:`n  concurrency: $Concurrency`n"
    }

    function Start-Submitter([string] $Root, [string] $BaseUrl, [string] $Prefix, [int] $Jobs) {
        Start-ChildPwsh -Root $Root -Script (
            "1..$Jobs | ForEach-Object { Start-XSBook ""$Prefix-`$_"" -Backend openai -BaseUri '$BaseUrl' -Chunks 3 -SkipPreflight | Out-Null }; " +
            "Get-Job | Wait-Job -Force -Timeout 120 | Out-Null; Get-XSJob | ForEach-Object { `$_.Name + ' ' + `$_.State }")
    }

    function Invoke-ThreeSubmitters([string] $Root, $Server) {
        $null = Invoke-RestMethod -Method Post -Uri ($Server.BaseUrl -replace '/v1$', '/_reset')
        $children = 'A', 'B', 'C' | ForEach-Object { Start-Submitter -Root $Root -BaseUrl $Server.BaseUrl -Prefix $_ -Jobs 2 }
        foreach ($child in $children) {
            $result = Wait-ChildPwsh $child -TimeoutSeconds 150
            $result.ExitCode | Should -Be 0 -Because $result.Errors
        }
        Push-Location $Root
        try { @(Get-XSJob) } finally { Pop-Location }
    }
}

Describe 'Concurrency limits across three processes' {
    BeforeAll {
        $server = Start-FakeLlm -ScriptJson '{"default": {"events": 8, "event_delay_ms": 40, "chars": 800}}'
    }
    AfterAll { Stop-FakeLlm $server }
    BeforeEach { $root = New-TestRoot }
    AfterEach { Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue }

    It 'never runs more than total = 2 jobs of a root at once, and does run 2' {
        Set-SchedulerConfig -Root $root -Concurrency '{ total: 2 }'
        $jobs = Invoke-ThreeSubmitters -Root $root -Server $server
        $jobs.Count | Should -Be 6
        $jobs.State | Sort-Object -Unique | Should -Be 'DONE'
        $stats = Get-FakeLlmStats $server
        $stats.peak_active | Should -Be 2 -Because 'the limit holds (never 3) and is reached (a global mutex would give 1)'
    }

    It 'never runs more than one job on a backend limited to 1, whatever the total' {
        Set-SchedulerConfig -Root $root -Concurrency '{ total: 3, openai: 1 }'
        $jobs = Invoke-ThreeSubmitters -Root $root -Server $server
        $jobs.Count | Should -Be 6
        $jobs.State | Sort-Object -Unique | Should -Be 'DONE'
        (Get-FakeLlmStats $server).peak_active | Should -Be 1
    }
}

Describe 'Slots and order across processes' {
    BeforeAll {
        $server = Start-FakeLlm -ScriptJson '{"default": {"events": 20, "event_delay_ms": 50, "chars": 800}}'
    }
    AfterAll { Stop-FakeLlm $server }
    BeforeEach { $root = New-TestRoot; Set-SchedulerConfig -Root $root -Concurrency '{ total: 1 }' }
    AfterEach { Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue }

    It 'reuses a slot held by a process killed with SIGKILL within 2 s' {
        $holder = Start-ChildPwsh -Root $root -Script "Start-XSBook 'Holder' -Backend openai -BaseUri '$($server.BaseUrl)' -Chunks 20 -SkipPreflight -Wait | Out-Null"
        Push-Location $root
        try {
            Wait-Until { $j = Get-XSJob -Name Holder -ErrorAction SilentlyContinue; $j -and $j.State -eq 'RUNNING' } -TimeoutSeconds 60 -Because 'the holder to run'
            $waiter = Start-ChildPwsh -Root $root -Script "Start-XSBook 'Waiter' -Backend openai -BaseUri '$($server.BaseUrl)' -Chunks 1 -SkipPreflight -Wait | ForEach-Object State"
            Wait-Until { $w = Get-XSJob -Name Waiter -ErrorAction SilentlyContinue; $w -and $w.WaitReason -eq 'slot' } -TimeoutSeconds 60 -Because 'the waiter to queue for the slot'
            $runnerPid = (Get-Content -LiteralPath (Join-Path (Get-XSJob -Name Holder).Folder 'runner.json') -Raw | ConvertFrom-Json).pid
            $killed = [DateTime]::UtcNow
            & kill -9 $runnerPid
            Wait-Until { (Get-XSJob -Name Waiter).State -in 'RUNNING', 'DONE' } -TimeoutSeconds 10 -Because 'the freed slot to be taken'
            $took = ([DateTime]::UtcNow - $killed).TotalSeconds
            Write-Host ("slot reused {0:N2} s after SIGKILL" -f $took)
            $took | Should -BeLessThan 2
            (Wait-ChildPwsh $waiter -TimeoutSeconds 60).Output.Trim() | Should -Be 'DONE'
        }
        finally {
            Pop-Location
            if (-not $holder.HasExited) { $holder.Kill($true) }
        }
    }

    It 'starts the higher priority first, across processes, when the slot frees' {
        $holder = Start-ChildPwsh -Root $root -Script "Start-XSBook 'First' -Backend openai -BaseUri '$($server.BaseUrl)' -Chunks 30 -SkipPreflight -Wait | Out-Null"
        Push-Location $root
        try {
            Wait-Until { $j = Get-XSJob -Name First -ErrorAction SilentlyContinue; $j -and $j.State -eq 'RUNNING' } -TimeoutSeconds 60 -Because 'the first job to run'
            $low = Start-ChildPwsh -Root $root -Script "Start-XSBook 'Low' -Backend openai -BaseUri '$($server.BaseUrl)' -Chunks 1 -SkipPreflight -Wait | Out-Null"
            Wait-Until { $j = Get-XSJob -Name Low -ErrorAction SilentlyContinue; $j -and $j.WaitReason -eq 'slot' } -TimeoutSeconds 60 -Because 'Low to queue'
            $high = Start-ChildPwsh -Root $root -Script "Start-XSBook 'High' -Backend openai -BaseUri '$($server.BaseUrl)' -Chunks 1 -Priority 5 -SkipPreflight -Wait | Out-Null"
            Wait-Until { $j = Get-XSJob -Name High -ErrorAction SilentlyContinue; $j -and $j.WaitReason -eq 'slot' } -TimeoutSeconds 60 -Because 'High to queue behind the running job'
            Stop-XSJob -InstanceId (Get-XSJob -Name First).InstanceId   # the slot frees with both waiting
            foreach ($child in $holder, $low, $high) { $null = Wait-ChildPwsh $child -TimeoutSeconds 120 }
            $firstRequest = @{}
            foreach ($name in 'Low', 'High') {
                $firstRequest[$name] = (Get-XSJobEvent (Get-XSJob -Name $name).InstanceId -Type request | Select-Object -First 1).Timestamp
            }
            $firstRequest['High'] | Should -BeLessThan $firstRequest['Low'] -Because 'larger -Priority starts sooner though it came later'
            (Get-XSJob -Name High).State | Should -Be 'DONE'
            (Get-XSJob -Name Low).State | Should -Be 'DONE'
        }
        finally { Pop-Location }
    }
}
