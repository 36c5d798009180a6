using System.Text;
using XSArena.Core.Jobs;

namespace XSArena.Core.Store;

/// <summary>The one writer of a job's events.jsonl. Only the lease holder opens it. Opening cuts a torn last line
/// (a crash mid-write) back to the last newline and keeps the fragment in events.jsonl.corrupt, so the next event is
/// never glued onto garbage.</summary>
public sealed class EventLogWriter : IDisposable
{
    public const string FileName = "events.jsonl";
    public const string CorruptFileName = "events.jsonl.corrupt";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly FileStream _stream;
    private readonly object _gate = new();

    private EventLogWriter(FileStream stream) => _stream = stream;

    public string Path => _stream.Name;

    public static EventLogWriter Open(string jobFolder)
    {
        var path = System.IO.Path.Combine(jobFolder, FileName);
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            CutTornTail(stream, System.IO.Path.Combine(jobFolder, CorruptFileName));
            stream.Seek(0, SeekOrigin.End);
            return new EventLogWriter(stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Writes one event line and hands it to the OS (readers in other processes see it at once).</summary>
    public void Append(JobEvent e)
    {
        var bytes = Utf8.GetBytes(EventSerializer.ToLine(e) + "\n");
        lock (_gate)
        {
            _stream.Write(bytes);
            _stream.Flush();
        }
    }

    /// <summary>Forces the log to stable storage (per chunk and on state changes).</summary>
    public void Sync()
    {
        lock (_gate) _stream.Flush(flushToDisk: true);
    }

    public void Dispose() => _stream.Dispose();

    private static void CutTornTail(FileStream stream, string corruptPath)
    {
        var length = stream.Length;
        if (length == 0) return;
        stream.Seek(length - 1, SeekOrigin.Begin);
        if (stream.ReadByte() == '\n') return;

        var keep = FindLastNewline(stream, length) + 1;
        var fragment = new byte[length - keep];
        stream.Seek(keep, SeekOrigin.Begin);
        stream.ReadExactly(fragment);
        using (var corrupt = new FileStream(corruptPath, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            corrupt.Write(fragment);
            corrupt.WriteByte((byte)'\n');
            corrupt.Flush(flushToDisk: true);
        }
        stream.SetLength(keep);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Offset of the last newline before <paramref name="length"/>, or -1; reads backwards in blocks.</summary>
    internal static long FindLastNewline(FileStream stream, long length)
    {
        var buffer = new byte[8192];
        var end = length;
        while (end > 0)
        {
            var start = Math.Max(0, end - buffer.Length);
            var count = (int)(end - start);
            stream.Seek(start, SeekOrigin.Begin);
            stream.ReadExactly(buffer, 0, count);
            var index = Array.LastIndexOf(buffer, (byte)'\n', count - 1, count);
            if (index >= 0) return start + index;
            end = start;
        }
        return -1;
    }
}

/// <summary>Reads events.jsonl, skipping (with a warning) lines that do not parse — a torn last line included.</summary>
public static class EventLogReader
{
    public static IEnumerable<JobEvent> ReadAll(string jobFolder, Action<string>? warn = null)
    {
        var path = Path.Combine(jobFolder, EventLogWriter.FileName);
        if (!File.Exists(path)) yield break;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            var e = EventSerializer.TryParse(line, lineNumber);
            if (e is not null) { yield return e; continue; }
            if (string.IsNullOrWhiteSpace(line)) continue;
            var torn = reader.Peek() < 0 ? " (torn last line)" : "";
            warn?.Invoke($"{path}: line {lineNumber} is not a valid event{torn}; skipped.");
        }
    }
}

/// <summary>Follows an events.jsonl from a byte offset, yielding only complete lines (a line still being written
/// is left for the next read).</summary>
public sealed class EventLogTail(string jobFolder)
{
    private readonly string _path = Path.Combine(jobFolder, EventLogWriter.FileName);
    private long _offset;
    private int _line;
    private byte[] _buffer = new byte[64 * 1024];

    public long Offset => _offset;

    /// <summary>Starts following from the current end of the file, reading only its tail: later events are read,
    /// and their <see cref="JobEvent.Line"/> numbers count from here.</summary>
    public void SkipToEnd()
    {
        if (!File.Exists(_path)) return;
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        _offset = EventLogWriter.FindLastNewline(stream, stream.Length) + 1;
        _line = 0;
    }

    public List<JobEvent> ReadNew(Action<string>? warn = null)
    {
        var events = new List<JobEvent>();
        FileStream stream;
        try { stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete); }
        catch (FileNotFoundException) { return events; }
        catch (DirectoryNotFoundException) { return events; }
        using (stream)
        {
            var length = stream.Length;
            if (length < _offset) { _offset = 0; _line = 0; } // the file was cut back: read it again
            if (length == _offset) return events;
            var count = (int)Math.Min(length - _offset, int.MaxValue / 2);
            if (_buffer.Length < count) _buffer = new byte[count];
            stream.Seek(_offset, SeekOrigin.Begin);
            stream.ReadExactly(_buffer, 0, count);
            var start = 0;
            for (var i = 0; i < count; i++)
            {
                if (_buffer[i] != '\n') continue;
                _line++;
                var text = Encoding.UTF8.GetString(_buffer, start, i - start);
                var e = EventSerializer.TryParse(text, _line);
                if (e is not null) events.Add(e);
                else if (!string.IsNullOrWhiteSpace(text)) warn?.Invoke($"{_path}: line {_line} is not a valid event; skipped.");
                start = i + 1;
            }
            _offset += start;
        }
        return events;
    }
}
