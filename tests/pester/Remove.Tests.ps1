#Requires -Version 7.6
# Remove-XSJob and Copy-XSJob in a real pwsh against the built module: selection by age from the recorded
# timestamps, ShouldProcess, books kept.

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')

    # A finished job whose job.json says it was last updated $Days days ago.
    function New-AgedJob([string] $Name, [double] $Days) {
        $job = Start-XSBook $Name -Backend offline -Chunks 1 -Wait
        $file = Join-Path $job.Folder 'job.json'
        $stamp = [DateTime]::UtcNow.AddDays(-$Days).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", [cultureinfo]::InvariantCulture)
        $text = [System.IO.File]::ReadAllText($file) -replace '"updated_at": "[^"]*"', ('"updated_at": "' + $stamp + '"')
        [System.IO.File]::WriteAllText($file, $text)
        $job
    }
}

Describe 'Remove-XSJob -OlderThan' {
    BeforeEach {
        $root = New-TestRoot
        Push-Location $root
        $old = New-AgedJob 'Forty Days Old' 40
        $young = New-AgedJob 'Ten Days Old' 10
    }
    AfterEach {
        Pop-Location
        Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue
    }

    It 'removes exactly the jobs older than 30 days with -Confirm:$false and keeps their books' {
        $removed = Remove-XSJob -OlderThan 30 -Confirm:$false -PassThru -InformationVariable said
        $removed.InstanceId | Should -Be $old.InstanceId
        $said.MessageData | Should -BeLike "*'Forty Days Old'*"
        $said.Tags | Should -Contain 'PSHOST'
        (Get-XSJob).Name | Should -Be 'Ten Days Old'
        Test-Path $old.Folder | Should -BeFalse
        $old.OutFile | Should -Exist
        Get-Job -InstanceId $old.InstanceId -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'changes nothing with -WhatIf' {
        Remove-XSJob -OlderThan 30 -IncludeOutput -WhatIf
        @(Get-XSJob).Count | Should -Be 2
        Join-Path $old.Folder 'job.json' | Should -Exist
        $old.OutFile | Should -Exist
    }

    It 'refuses an age under a minute given as text' {
        { Remove-XSJob -OlderThan '00:00:30' -Confirm:$false } | Should -Throw -ErrorId 'ParameterArgumentTransformationError*'
        @(Get-XSJob).Count | Should -Be 2
    }

    It 'deletes the book as well with -IncludeOutput' {
        $old | Remove-XSJob -IncludeOutput -Confirm:$false
        $old.OutFile | Should -Not -Exist
        $young.OutFile | Should -Exist
    }
}

Describe 'Copy-XSJob' {
    BeforeAll {
        $root = New-TestRoot
        Push-Location $root
    }
    AfterAll {
        Pop-Location
        Remove-Item -Recurse -Force $root -ErrorAction SilentlyContinue
    }

    It 'creates a pending job with a fresh id and its own book, which Get-Job lists' {
        $original = Start-XSBook 'Copied Book' -Backend offline -Chunks 2 -Wait
        $copy = $original | Copy-XSJob
        $copy.State | Should -Be 'PENDING'
        $copy.Name | Should -Be 'Copied Book (copy)'
        $copy.InstanceId | Should -Not -Be $original.InstanceId
        $copy.OutFile | Should -Not -Be $original.OutFile
        $copy.ChunksTotal | Should -Be 2
        (Get-Job -InstanceId $copy.InstanceId).InstanceId | Should -Be $copy.InstanceId
        (Get-XSJobEvent $copy.InstanceId).Type | Should -Be 'job_submitted'
    }
}
