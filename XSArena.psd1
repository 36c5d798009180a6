@{
    RootModule           = 'XSArena.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5f3c7a2e-8d41-4c8b-9b6e-2a7d1e0c9f34'
    Author               = 'XSArena contributors'
    Description          = 'Generates long documents (books, manuals) with an LLM, chunk by chunk, as durable PowerShell background jobs.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.6'
    CmdletsToExport      = @('Start-XSBook', 'Get-XSJob', 'Get-XSJobEvent', 'Watch-XSJob', 'Suspend-XSJob', 'Resume-XSJob',
                             'Stop-XSJob', 'Send-XSJobHint', 'Copy-XSJob', 'Remove-XSJob', 'Test-XSBackend', 'Get-XSConfig', 'Start-XSWorker',
                             'Set-XSJob')
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{ PSData = @{ Tags = @('LLM', 'Books', 'Jobs', 'OpenRouter', 'Ollama') } }
}
