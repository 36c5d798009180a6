using System.Management.Automation;
using System.Text.Json;
using System.Text.Json.Nodes;
using XSArena.Core.Jobs;

namespace XSArena;

/// <summary>One line of a job's event log, as an object.</summary>
public sealed class XSJobEvent
{
    internal XSJobEvent(Guid jobId, JobEvent e)
    {
        JobId = jobId;
        Timestamp = e.Timestamp == DateTimeOffset.MinValue ? DateTime.MinValue : e.Timestamp.LocalDateTime;
        Type = e.Type;
        ChunkIndex = e.ChunkIndex;
        Line = e.Line;
        Data = new PSObject();
        foreach (var (name, value) in e.Fields) Data.Properties.Add(new PSNoteProperty(name, ToClr(value)));
    }

    public Guid JobId { get; }
    public DateTime Timestamp { get; }
    public string Type { get; }
    public int? ChunkIndex { get; }
    /// <summary>The event's own fields (everything but ts, type and job_id).</summary>
    public PSObject Data { get; }
    /// <summary>Line number in events.jsonl (0 when not read from the file).</summary>
    public int Line { get; }

    /// <summary>A one-line description for the default table view.</summary>
    public string Summary => string.Join(", ", Data.Properties
        .Where(p => p.Name != "chunk_idx" && p.Value is not null and not PSObject and not object[])
        .Select(p => $"{p.Name}={p.Value}"));

    private static object? ToClr(JsonNode? node) => node switch
    {
        null => null,
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => value.TryGetValue<long>(out var whole) ? whole
                : value.TryGetValue<double>(out var real) ? real
                : value.GetValue<decimal>(),
            _ => null,
        },
        JsonArray array => array.Select(ToClr).ToArray(),
        JsonObject obj => ToPSObject(obj),
        _ => node.ToJsonString(),
    };

    private static PSObject ToPSObject(JsonObject obj)
    {
        var result = new PSObject();
        foreach (var (name, value) in obj) result.Properties.Add(new PSNoteProperty(name, ToClr(value)));
        return result;
    }
}
