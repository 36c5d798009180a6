using System.Text.Json;
using System.Text.Json.Serialization;

namespace XSArena.Core.Control;

/// <summary>A request dropped into a job's <c>control/</c> folder by any process. Only the lease holder acts on it
/// and acknowledges it (a <c>control_&lt;verb&gt;</c> event carrying <see cref="Id"/>).</summary>
public sealed record ControlRequest
{
    [JsonPropertyName("id")] public string Id { get; init; } = "";
    [JsonPropertyName("verb")] public string Verb { get; init; } = "";
    [JsonPropertyName("text")] public string? Text { get; init; }
    [JsonPropertyName("sender")] public string Sender { get; init; } = "";
    [JsonPropertyName("sent_at")] public string SentAt { get; init; } = "";

    [JsonIgnore] public string Path { get; init; } = "";
}

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(ControlRequest))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;

/// <summary>The job's request folder: senders write whole files and rename them into place under names that sort in
/// send order (per sender strictly, across senders by time); the runner reads them in name order.</summary>
public static class ControlInbox
{
    public const string FolderName = "control";
    private const string Suffix = ".json";
    private static readonly object SequenceGate = new();
    private static long _lastTicks;
    private static long _sequence;

    public static string FolderOf(string jobFolder) => System.IO.Path.Combine(jobFolder, FolderName);

    /// <summary>A request id in the same sortable form, for a command applied by the sender itself.</summary>
    public static string NewLocalId(DateTimeOffset now)
    {
        lock (SequenceGate)
        {
            _lastTicks = Math.Max(_lastTicks + 1, now.UtcTicks);
            _sequence++;
            return $"{_lastTicks:D19}-{Environment.ProcessId:D7}-{_sequence:D9}";
        }
    }

    /// <summary>Writes a request and returns it (its id is what the acknowledgement carries).</summary>
    public static ControlRequest Send(string jobFolder, JobCommand command, string? text, DateTimeOffset now)
    {
        var folder = FolderOf(jobFolder);
        Directory.CreateDirectory(folder);
        // Strictly increasing per process, so one sender's requests sort in the order it sent them.
        var name = NewLocalId(now);
        var request = new ControlRequest
        {
            Id = name,
            Verb = JobTransitions.Verb(command),
            Text = text,
            Sender = $"{Environment.ProcessId}@{Environment.MachineName}",
            SentAt = Store.Timestamps.Format(now),
        };
        var temp = System.IO.Path.Combine(folder, "." + name + ".tmp");
        var target = System.IO.Path.Combine(folder, name + Suffix);
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, request, ControlJsonContext.Default.ControlRequest);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, target);
        return request with { Path = target };
    }

    /// <summary>Requests waiting in the folder, oldest first (called by the lease holder). An unreadable file is
    /// reported and renamed to <c>*.bad</c> so it is reported once, not on every poll.</summary>
    public static List<ControlRequest> ReadPending(string jobFolder, Action<string>? warn = null)
    {
        var folder = FolderOf(jobFolder);
        var requests = new List<ControlRequest>();
        if (!Directory.Exists(folder)) return requests;
        var files = Directory.GetFiles(folder, "*" + Suffix);
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var file in files)
        {
            try
            {
                var request = JsonSerializer.Deserialize(File.ReadAllBytes(file), ControlJsonContext.Default.ControlRequest);
                if (request is not null && request.Id.Length > 0) requests.Add(request with { Path = file });
                else
                {
                    warn?.Invoke($"{file}: not a control request; set aside as .bad.");
                    File.Move(file, file + ".bad", overwrite: true);
                }
            }
            catch (Exception ex) when (ex is JsonException or IOException)
            {
                warn?.Invoke($"{file}: unreadable control request ({ex.Message}); set aside as .bad.");
                try { File.Move(file, file + ".bad", overwrite: true); } catch (IOException) { }
            }
        }
        return requests;
    }

    public static void Delete(ControlRequest request)
    {
        try { File.Delete(request.Path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
