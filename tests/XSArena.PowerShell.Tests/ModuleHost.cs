using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using PS = System.Management.Automation.PowerShell;

namespace XSArena.PowerShell.Tests;

/// <summary>A runspace with the module imported the way users import it (the job source adapter registers only
/// through module import), located in a scratch project root that is removed afterwards.</summary>
public sealed class ModuleHost : IDisposable
{
    private readonly Runspace _runspace;

    public ModuleHost()
    {
        // These tests are about cmdlets and jobs, not retries (the fault matrix in Core covers those): a request
        // that fails here should fail at once rather than back off for half a minute.
        Environment.SetEnvironmentVariable("XSARENA_MAX_RETRIES", "0");
        Directory.CreateDirectory(Root);
        var iss = InitialSessionState.CreateDefault2();
        iss.ImportPSModule(Path.Combine(AppContext.BaseDirectory, "XSArena.psd1"));
        _runspace = RunspaceFactory.CreateRunspace(iss);
        _runspace.Open();
        Invoke("Set-Location -LiteralPath $args[0]", Root);
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "xsarena-ps-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>Runs a script; positional arguments are $args. Errors are collected, not thrown.</summary>
    public Collection<PSObject> Invoke(string script, params object?[] args) => Invoke(out _, script, args);

    public Collection<PSObject> Invoke(out IReadOnlyList<ErrorRecord> errors, string script, params object?[] args)
    {
        using var ps = PS.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        foreach (var arg in args) ps.AddArgument(arg);
        var result = ps.Invoke();
        errors = [.. ps.Streams.Error];
        return result;
    }

    /// <summary>Runs a script that must stop with a terminating error (try/catch catches only those); returns it.</summary>
    public ErrorRecord InvokeExpectingTerminatingError(string script, params object?[] args)
    {
        var output = Invoke("try { " + script + " ; 'no terminating error' } catch { $_ }", args);
        var record = Assert.Single(output).BaseObject;
        return Assert.IsType<ErrorRecord>(record);
    }

    public void Dispose()
    {
        Invoke("Get-Job | Where-Object PSJobTypeName -eq 'XSArenaJob' | Where-Object { $_.Root -eq $args[0] } | Stop-Job", Root);
        _runspace.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
