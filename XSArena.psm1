# The binary module (NestedModules) registers the job source adapter; this file tells it which project root the
# session starts in, because the adapter cannot read $PWD from inside Get-Job.
[XSArena.PowerShell.ModuleState]::OnImport($ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath)

# Leaving pwsh ends the jobs it runs (they are marked FAILED 'interrupted' and can be resumed later): say so.
$null = Register-EngineEvent -SourceIdentifier PowerShell.Exiting -SupportEvent -Action {
    $live = [XSArena.PowerShell.ModuleState]::LiveJobCount
    if ($live -gt 0) {
        [Console]::Error.WriteLine("WARNING: exiting ends $live running XSArena job(s); they are marked FAILED 'interrupted'. Resume them later with: Get-XSJob | Where-Object State -eq FAILED | Resume-XSJob")
    }
}
