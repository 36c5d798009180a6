#Requires -Version 7.6
# What Import-Module and Remove-Module do to a session (DESIGN §3.5), each in a fresh pwsh: the roots Get-Job lists,
# the LocationChangedAction chain, and the work import leaves for later (XSArena.Core, type and format data).

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')

    # A finished one-chunk job named $Name in a new project root; returns the root.
    function New-RootWithJob {
        param([string] $Name)
        $root = New-TestRoot
        Push-Location $root
        try { Start-XSBook $Name -Backend offline -Chunks 1 -Wait | Out-Null }
        finally { Pop-Location }
        $root
    }

    function Invoke-ChildPwsh {
        param([string] $Script, [hashtable] $Environment = @{})
        $result = Wait-ChildPwsh (Start-ChildPwsh -Bare -Script $Script -Environment $Environment)
        $result.ExitCode | Should -Be 0 -Because $result.Errors
        @($result.Output.Trim() -split "`r?`n")
    }
}

Describe 'Importing the module into a session' {
    BeforeAll {
        $first = New-RootWithJob 'First Root Book'
        $second = New-RootWithJob 'Second Root Book'
        $third = New-RootWithJob 'Environment Root Book'
        $plain = New-TestRoot
        New-Item -ItemType Directory (Join-Path $second 'chapters/drafts') | Out-Null
    }
    AfterAll {
        foreach ($folder in $first, $second, $third, $plain) { Remove-Item -Recurse -Force $folder -ErrorAction SilentlyContinue }
    }

    It 'lists with Get-Job the jobs of the root it started in, of XSARENA_PROJECT_ROOT and of every project it entered' {
        $lines = Invoke-ChildPwsh -Environment @{ XSARENA_PROJECT_ROOT = $third } -Script (
            "Set-Location -LiteralPath '$first'; Import-Module '$ModuleManifest'; " +
            "Set-Location -LiteralPath '$second/chapters/drafts'; Set-Location -LiteralPath '$plain'; " +
            "(Get-Job | Where-Object PSJobTypeName -eq XSArenaJob | Sort-Object Name).Name")
        $lines | Should -Be @('Environment Root Book', 'First Root Book', 'Second Root Book')
    }

    It 'refuses a project root that is not a folder instead of starting a new project there' {
        $missing = Join-Path $plain 'no-such-project'
        $lines = Invoke-ChildPwsh -Environment @{ XSARENA_PROJECT_ROOT = $missing } -Script (
            "Import-Module '$ModuleManifest'; " +
            "foreach (`$command in { Get-XSJob }, { Start-XSBook 'Lost' -Backend offline -Chunks 1 -Wait }, { Start-XSWorker }, { Start-XSWorker -Root '$missing-too' }) { " +
            "try { & `$command | Out-Null; 'no error' } catch { `$_.FullyQualifiedErrorId -replace ',.*' } }; " +
            "Test-Path -LiteralPath '$missing'; Test-Path -LiteralPath '$missing-too'")
        $lines | Should -Be @('ProjectRootNotFound', 'ProjectRootNotFound', 'ProjectRootNotFound', 'ProjectRootNotFound', 'False', 'False')
    }

    It 'takes a relative XSARENA_PROJECT_ROOT from the PowerShell location, not from where the process started' {
        $lines = Invoke-ChildPwsh -Environment @{ XSARENA_PROJECT_ROOT = '.' } -Script (
            "Import-Module '$ModuleManifest'; Set-Location -LiteralPath '$first'; (Get-XSJob).Name")
        $lines | Should -Be @('First Root Book')
    }

    It 'keeps a LocationChangedAction set before it, chained once, and Remove-Module puts it back' {
        $lines = Invoke-ChildPwsh -Script (
            "`$global:seen = [System.Collections.Generic.List[string]]::new(); " +
            "`$ExecutionContext.InvokeCommand.LocationChangedAction = { param(`$source, `$e) `$global:seen.Add(`$e.NewPath.ProviderPath) }; " +
            "`$before = `$ExecutionContext.InvokeCommand.LocationChangedAction; " +
            "Import-Module '$ModuleManifest'; Import-Module '$ModuleManifest' -Force; " +
            "'handlers ' + `$ExecutionContext.InvokeCommand.LocationChangedAction.GetInvocationList().Count; " +
            "Set-Location -LiteralPath '$first'; Set-Location -LiteralPath '$plain'; " +
            "'seen ' + (`$global:seen -join '|'); " +
            "'listed ' + (Get-Job | Where-Object PSJobTypeName -eq XSArenaJob).Name; " +
            "Remove-Module XSArena; " +
            "'restored ' + [object]::ReferenceEquals(`$ExecutionContext.InvokeCommand.LocationChangedAction, `$before)")
        $lines | Should -Be @(
            'handlers 2'
            "seen $first|$plain"
            'listed First Root Book'
            'restored True')
    }

    It 'loads neither XSArena.Core nor its type and format data until jobs are first asked for' {
        $lines = Invoke-ChildPwsh -Script (
            "Set-Location -LiteralPath '$first'; Import-Module '$ModuleManifest'; " +
            "function Show { param(`$when) '{0} core={1} types={2} formats={3}' -f `$when, " +
            "([AppDomain]::CurrentDomain.GetAssemblies().GetName().Name -contains 'XSArena.Core'), " +
            "[bool](Get-TypeData XSArena.XSJob), [bool](Get-FormatData XSArena.XSJob) }; " +
            "Show import; `$job = Get-Job | Where-Object PSJobTypeName -eq XSArenaJob; Show get-job; " +
            "'state ' + `$job.State + ' chunks ' + `$job.Chunks; " +
            "(`$job | Out-String -Width 200) -split '\r?\n' | Where-Object { `$_ -match '^\s*Id\s' }")
        $lines[0] | Should -Be 'import core=False types=False formats=False'
        $lines[1] | Should -Be 'get-job core=True types=True formats=True'
        $lines[2] | Should -Be 'state DONE chunks 1/1' -Because 'Types.ps1xml shows the XSArena state as State'
        $lines[3] | Should -Match '^\s*Id\s+Name\s+State\s+Chunks\s+JobId\s*$' -Because 'Format.ps1xml gives jobs their table'
    }
}
