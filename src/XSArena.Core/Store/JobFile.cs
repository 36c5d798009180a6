using System.Text.Json;

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

    public static JobRecord Parse(ReadOnlySpan<byte> json, string pathForErrors)
    {
        JobRecord? record;
        try { record = JsonSerializer.Deserialize(json, StoreJsonContext.Default.JobRecord); }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1})" : "";
            throw new JobStoreException($"{pathForErrors} is not a valid job file{where}: {ex.Message}", pathForErrors, ex);
        }
        if (record is null) throw new JobStoreException($"{pathForErrors} is empty or null.", pathForErrors);
        record.RunSpec ??= new RunSpec();
        record.Meta ??= new JobMeta();
        record.Progress ??= new JobProgress();
        record.Artifacts ??= [];
        record.RunSpec.Overlays ??= [];
        record.RunSpec.ExtraFiles ??= [];
        return record;
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

/// <summary>A job folder or file that cannot be read; the message names the file.</summary>
public sealed class JobStoreException(string message, string path, Exception? inner = null) : Exception(message, inner)
{
    public string Path { get; } = path;
}
