using System.Management.Automation;
using XSArena.Core.Backends;
using XSArena.Core.Settings;

namespace XSArena.PowerShell.Commands;

/// <summary>Checks on demand whether a backend can serve: the same preflight Start-XSBook and Resume-XSJob run.</summary>
[Cmdlet(VerbsDiagnostic.Test, "XSBackend")]
[OutputType(typeof(PreflightResult))]
public sealed class TestXSBackendCommand : XSCmdletBase
{
    /// <summary>offline, openai, openrouter, bridge or another configured backend (default from settings).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completion.BackendCompleter))]
    public string? Backend { get; set; }

    /// <summary>The model to look up (default: the backend's model from settings).</summary>
    [Parameter]
    public string? Model { get; set; }

    /// <summary>Base URL to check instead of the backend's configured one.</summary>
    [Parameter]
    public Uri? BaseUri { get; set; }

    private readonly CancellationTokenSource _stop = new();

    protected override void ProcessRecord()
    {
        PreflightResult result;
        try
        {
            var (settings, environment) = SettingsFor.Root(RootResolver.Resolve(this), WriteVerbose);
            var name = string.IsNullOrWhiteSpace(Backend) ? settings.DefaultBackend : Backend.Trim();
            result = Preflight.CheckAsync(name, settings, environment, Model, BaseUri?.ToString(), _stop.Token).GetAwaiter().GetResult();
        }
        catch (ConfigException ex)
        {
            WriteError(new ErrorRecord(ex, "InvalidConfiguration", ErrorCategory.InvalidData, ex.File));
            return;
        }
        catch (Exception ex) when (ex is ArgumentException or BackendException)
        {
            WriteError(ErrorHelper.InvalidArgument(ex, "InvalidBackend", Backend));
            return;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return;
        }
        foreach (var check in result.Checks)
            WriteVerbose($"{result.Backend} {check.Name}: {check.Status} ({check.Detail})");
        WriteObject(result);
    }

    protected override void StopProcessing() => _stop.Cancel();

}
