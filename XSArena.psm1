# The binary module (NestedModules) registers the job source adapter; this file tells it which project root the
# session starts in, because the adapter cannot read $PWD from inside Get-Job.
[XSArena.PowerShell.ModuleState]::OnImport($ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath)

# Get-Job lists the jobs of every project this session has been in: moving into a folder under a project root
# (one with .xsarena/) makes that root known. Any handler set before is kept and still called.
$previousLocationAction = $ExecutionContext.InvokeCommand.LocationChangedAction
$ExecutionContext.InvokeCommand.LocationChangedAction = {
    param($source, $eventArgs)
    if ($eventArgs.NewPath.Provider.Name -eq 'FileSystem') {
        [XSArena.PowerShell.ModuleState]::OnLocationChanged($eventArgs.NewPath.ProviderPath)
    }
    if ($previousLocationAction) { & $previousLocationAction $source $eventArgs }
}.GetNewClosure()
$ExecutionContext.SessionState.Module.OnRemove = {
    $ExecutionContext.InvokeCommand.LocationChangedAction = $previousLocationAction
}.GetNewClosure()

# Leaving pwsh with jobs running warns: the binary module does that from its exit hook (JobLauncher).
