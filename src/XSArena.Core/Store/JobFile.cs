using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace XSArena.Core.Store;

/// <summary>The one reader and writer of job.json. Writes are atomic: a unique temp file in the job folder, fsync,
/// rename over the old file.</summary>
public static class JobFile
{
    public const string FileName = "job.json";
    private const string TempPrefix = "job.json.";
    private const string TempSuffix = ".tmp";

    public static JobRecord Read(string jobFolder)
    {
        var path = Path.Combine(jobFolder, FileName);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException ex) { throw new JobStoreException($"Cannot read {path}: {ex.Message}", path, ex); }
        catch (UnauthorizedAccessException ex) { throw new JobStoreException($"Cannot read {path}: {ex.Message}", path, ex); }
        return Parse(bytes, path);
    }

    /// <summary>The state job.json records now, read as a listing reads it (an unknown name reads as PENDING, as
    /// <see cref="StoredJob.State"/> does).</summary>
    public static Jobs.JobState ReadState(string jobFolder) =>
        Jobs.JobStates.TryParse(ReadListed(jobFolder, out _).State, out var state) ? state : Jobs.JobState.Pending;

    /// <summary>Reads a job for a listing: everything but <c>meta.system_text</c> (two thirds of a typical job.json,
    /// never shown in a list), through one open handle that also gives the file's <paramref name="stamp"/>, so the
    /// stamp always describes the content read. Thousands of listed jobs stay small in memory, which is most of what
    /// a long listing costs (the garbage collector copies whatever they hold).</summary>
    public static JobRecord ReadListed(string jobFolder, out JobFileStamp stamp)
    {
        var path = Path.Combine(jobFolder, FileName);
        byte[]? buffer = null;
        try
        {
            int length;
            using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                var size = RandomAccess.GetLength(handle);
                if (size > Array.MaxLength) throw new IOException($"{size} bytes is too large for a job file.");
                stamp = new JobFileStamp(File.GetLastWriteTimeUtc(handle), size);
                buffer = ArrayPool<byte>.Shared.Rent((int)size);
                length = ReadAll(handle, buffer.AsSpan(0, (int)size));
            }
            return Parse(buffer.AsSpan(0, length), path, ListedContract.Record);
        }
        catch (IOException ex) { throw new JobStoreException($"Cannot read {path}: {ex.Message}", path, ex); }
        catch (UnauthorizedAccessException ex) { throw new JobStoreException($"Cannot read {path}: {ex.Message}", path, ex); }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static JobRecord Parse(ReadOnlySpan<byte> json, string pathForErrors) =>
        Parse(json, pathForErrors, StoreJsonContext.Default.JobRecord);

    private static JobRecord Parse(ReadOnlySpan<byte> json, string pathForErrors, JsonTypeInfo<JobRecord> contract)
    {
        JobRecord? record;
        try { record = JsonSerializer.Deserialize(json, contract); }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1})" : "";
            throw new JobStoreException($"{pathForErrors} is not a valid job file{where}: {ex.Message}", pathForErrors, ex);
        }
        if (record is null) throw new JobStoreException($"{pathForErrors} is empty or null.", pathForErrors);
        return record; // parts missing or null in the file read as empty ones (JobRecord creates them when read)
    }

    private static int ReadAll(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> buffer)
    {
        var total = 0;
        int read;
        while (total < buffer.Length && (read = RandomAccess.Read(handle, buffer[total..], total)) > 0) total += read;
        return total;
    }

    /// <summary>The job record without meta.system_text: the property's value is skipped, not decoded, and the record
    /// remembers that it was (<see cref="JobMeta.IsSystemTextSkipped"/>). Built on first use.</summary>
    private static class ListedContract
    {
        public static readonly JsonTypeInfo<JobRecord> Record = (JsonTypeInfo<JobRecord>)new JsonSerializerOptions(StoreJsonContext.Default.Options)
        {
            TypeInfoResolver = ((IJsonTypeInfoResolver)StoreJsonContext.Default).WithAddedModifier(SkipSystemText),
        }.GetTypeInfo(typeof(JobRecord));
    }

    private static void SkipSystemText(JsonTypeInfo type)
    {
        if (type.Type != typeof(JobMeta)) return;
        var property = type.Properties.Single(p => p.Name == "system_text");
        property.CustomConverter = new SkippedTextConverter();
        property.Set = (meta, value) =>
        {
            if (value is null) ((JobMeta)meta).SystemText = null;
            else ((JobMeta)meta).MarkSystemTextSkipped();
        };
    }

    /// <summary>Steps over a value without decoding it; any non-null value reads as the same placeholder.</summary>
    private sealed class SkippedTextConverter : JsonConverter<string>
    {
        private const string Skipped = "(skipped)";

        public override bool HandleNull => true;

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null) return null;
            reader.Skip();
            return Skipped;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
            throw new NotSupportedException("A listed job record is never written.");
    }

    public static void Write(string jobFolder, JobRecord record)
    {
        var target = Path.Combine(jobFolder, FileName);
        var temp = Path.Combine(jobFolder, TempPrefix + Guid.NewGuid().ToString("N") + TempSuffix);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, record, StoreJsonContext.Default.JobRecord);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Removes temp files left by a crash between write and rename (called by the lease holder).</summary>
    public static void CleanStrayTempFiles(string jobFolder)
    {
        foreach (var stray in Directory.EnumerateFiles(jobFolder, TempPrefix + "*" + TempSuffix)) TryDelete(stray);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>When job.json was last written and its size: a cheap test of whether it changed since it was read.</summary>
public readonly record struct JobFileStamp(DateTime WriteTimeUtc, long Length)
{
    /// <summary>The stamp of a job folder's job.json now; default when there is none.</summary>
    public static JobFileStamp Of(string jobFolder)
    {
        var info = new FileInfo(Path.Combine(jobFolder, JobFile.FileName));
        return info.Exists ? new JobFileStamp(info.LastWriteTimeUtc, info.Length) : default;
    }
}

/// <summary>A job folder or file that cannot be read; the message names the file.</summary>
public sealed class JobStoreException(string message, string path, Exception? inner = null) : Exception(message, inner)
{
    public string Path { get; } = path;
}
