using System.Management.Automation;
using XSArena.Core.Settings;
using XSArena.PowerShell.Commands;

namespace XSArena.PowerShell.Tests;

/// <summary>Get-XSConfig and Start-XSBook against configuration files in the project root.</summary>
public sealed class ConfigTests : IDisposable
{
    private readonly ModuleHost _host = new();

    public void Dispose() => _host.Dispose();

    private string WriteProjectConfig(string yaml)
    {
        var folder = Path.Combine(_host.Root, ".xsarena");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "config.yml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void Get_XSConfig_lists_every_effective_value_with_its_source()
    {
        var path = WriteProjectConfig("scheduler:\n  default_priority: 7\n  concurrency: { total: 3 }\n");
        var values = _host.Invoke("Get-XSConfig");
        Assert.All(values, v => Assert.Equal(GetXSConfigCommand.TypeName, v.TypeNames[0]));
        var byKey = values.Select(v => (ConfigValue)v.BaseObject).ToDictionary(v => v.Key);
        Assert.Equal(7, byKey["scheduler.default_priority"].Value);
        Assert.Equal($"project:{path}:2", byKey["scheduler.default_priority"].Source);
        Assert.Equal(3, byKey["scheduler.concurrency.total"].Value);
        Assert.Equal("default", byKey["timeouts.total"].Source);
        Assert.Contains("backend", byKey.Keys);
    }

    [Fact]
    public void Get_XSConfig_filters_by_wildcard_name()
    {
        WriteProjectConfig("scheduler:\n  quiet_hours: { enabled: true, start: \"23:00\", end: \"05:00\" }\n");
        var values = _host.Invoke("Get-XSConfig -Name scheduler.quiet*").Select(v => (ConfigValue)v.BaseObject).ToList();
        Assert.Equal(["scheduler.quiet_hours.enabled", "scheduler.quiet_hours.start", "scheduler.quiet_hours.end"], values.Select(v => v.Key));
        Assert.Equal("23:00", values[1].Value);
    }

    [Fact]
    public void Get_XSConfig_notes_ignored_upstream_sections_in_the_verbose_stream()
    {
        WriteProjectConfig("bridge:\n  session_id: x\nbackend: offline\n");
        var output = _host.Invoke("Get-XSConfig -Name backend -Verbose 4>&1");
        Assert.Contains(output.Select(o => o.BaseObject).OfType<VerboseRecord>(), v => v.Message.Contains("bridge") && v.Message.Contains("ignored"));
        Assert.Equal("offline", output.Select(o => o.BaseObject).OfType<ConfigValue>().Single().Value);
    }

    [Fact]
    public void Get_XSConfig_stops_on_a_broken_file()
    {
        WriteProjectConfig("scheduler:\n  concurrency: { total: 1,5 }\n");
        var error = _host.InvokeExpectingTerminatingError("Get-XSConfig");
        Assert.StartsWith("InvalidConfiguration", error.FullyQualifiedErrorId);
    }

    [Fact]
    public void Start_XSBook_with_a_broken_project_config_stops_before_creating_a_job()
    {
        var path = WriteProjectConfig("backend: offline\nscheduler:\n  quiet_hours:\n    enabled: yes\n");
        var error = _host.InvokeExpectingTerminatingError("Start-XSBook 'Broken Config' -Backend offline -Chunks 1 -Wait");
        Assert.StartsWith("InvalidConfiguration", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        var ex = Assert.IsType<ConfigException>(error.Exception);
        Assert.Equal((path, 4, "scheduler.quiet_hours.enabled"), (ex.File, ex.Line, ex.Key));
        var jobs = Path.Combine(_host.Root, ".xsarena", "jobs");
        Assert.True(!Directory.Exists(jobs) || !Directory.EnumerateFileSystemEntries(jobs).Any());
        Assert.False(Directory.Exists(Path.Combine(_host.Root, "books")));
        Assert.Empty(_host.Invoke("Get-XSJob"));
    }

    [Fact]
    public void Start_XSBook_uses_preset_overrides_from_the_project_config()
    {
        WriteProjectConfig("presets:\n  span: { medium: 2 }\n  length: { standard: { min_chars: 10, passes: 0 } }\n");
        var job = (XSJob)_host.Invoke("Start-XSBook 'Configured Presets' -Backend offline -Wait").Single().BaseObject;
        Assert.Equal(2, job.ChunksTotal);
        Assert.Equal("DONE", job.XSState);
    }
}
