using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using XSArena.Core.Jobs;

namespace XSArena.Core.Store;

/// <summary>Turns events into lines in the upstream tool's layout (<c>", "</c> and <c>": "</c> separators, ASCII
/// escapes), because other readers grep raw lines for <c>"type": "chunk_done"</c>.</summary>
public static class EventSerializer
{
    public static string ToLine(JobEvent e)
    {
        var builder = new StringBuilder(256);
        builder.Append('{');
        AppendMember(builder, "ts", JsonValue.Create(Timestamps.Format(e.Timestamp)), first: true);
        AppendMember(builder, "type", JsonValue.Create(e.Type), first: false);
        AppendMember(builder, "job_id", JsonValue.Create(e.JobId), first: false);
        foreach (var (name, value) in e.Fields)
        {
            if (name is "ts" or "type" or "job_id") continue;
            AppendMember(builder, name, value, first: false);
        }
        builder.Append('}');
        return builder.ToString();
    }

    /// <summary>Parses one line; null when the line is not a JSON object with a string <c>type</c> and distinct keys.</summary>
    public static JobEvent? TryParse(string line, int lineNumber)
    {
        if (string.IsNullOrWhiteSpace(line)) return null;
        try { return Parse(line, lineNumber); }
        catch (JsonException) { return null; }
        catch (ArgumentException) { return null; } // a key twice: JsonObject refuses it when first read
    }

    private static JobEvent? Parse(string line, int lineNumber)
    {
        if (JsonNode.Parse(line) is not JsonObject obj) return null;
        if (JobEvent.TextOf(obj["type"]) is not { } type) return null;
        var jobId = JobEvent.TextOf(obj["job_id"]) ?? "";
        var ts = JobEvent.TextOf(obj["ts"]) is { } tsText && Timestamps.TryParse(tsText, out var parsed) ? parsed : DateTimeOffset.MinValue;

        var fields = new JsonObject();
        foreach (var (name, value) in obj.ToList())
        {
            if (name is "ts" or "type" or "job_id") continue;
            obj.Remove(name);
            fields[name] = value;
        }
        return new JobEvent(ts, type, jobId, fields) { Line = lineNumber };
    }

    private static void AppendMember(StringBuilder builder, string name, JsonNode? value, bool first)
    {
        if (!first) builder.Append(", ");
        builder.Append(JsonSerializer.Serialize(name, EventJsonContext.Default.String));
        builder.Append(": ");
        builder.Append(value is null ? "null" : value.ToJsonString());
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class EventJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
