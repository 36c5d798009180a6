# The binary module (NestedModules) registers the job source adapter; this file tells it which project root the
# session starts in, because the adapter cannot read $PWD from inside Get-Job.
[XSArena.PowerShell.ModuleState]::OnImport($ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath)
