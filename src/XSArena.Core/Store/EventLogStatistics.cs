using System.Text;
using XSArena.Core.Jobs;

namespace XSArena.Core.Store;

/// <summary>The statistics of a job from its events.jsonl alone (upstream jobs, verification): exactly
/// <c>JobStatistics.Fold(EventLogReader.ReadAll(folder))</c>, without an event object per line, in constant memory.
/// The file is read in rounds of one part per core; a round's parts are scanned in parallel while the caller's
/// thread folds the round before in file order and reads the round after, so reading, scanning and folding overlap.</summary>
public static class EventLogStatistics
{
    private const int PartSize = 1 << 20;
    private const int SmallestParallelRound = 256 * 1024;

    public static JobStatistics Recount(string jobFolder)
    {
        var path = Path.Combine(jobFolder, EventLogWriter.FileName);
        FileStream stream;
        try { stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan); }
        catch (FileNotFoundException) { return JobStatistics.Empty; }
        catch (DirectoryNotFoundException) { return JobStatistics.Empty; }

        using (stream)
        {
            SkipByteOrderMark(stream);
            var parts = Math.Clamp(Environment.ProcessorCount, 1, 4);
            // A small log gets a buffer of its own size; a big one two rounds, one scanned while the other is filled.
            var roundSize = (int)Math.Min((long)PartSize * parts, stream.Length - stream.Position + 1);
            var current = new Round(roundSize, parts);
            current.Fill(stream, null);
            current.StartScan();
            Round? spare = null;
            var statistics = JobStatistics.Empty;
            while (true)
            {
                if (current.AtEnd)
                {
                    current.FinishScan();
                    return current.FoldInto(statistics);
                }
                var next = spare ?? new Round(roundSize, parts);
                next.Fill(stream, current);
                current.FinishScan();
                next.StartScan();
                statistics = current.FoldInto(statistics);
                spare = current;
                current = next;
            }
        }
    }

    /// <summary>One round: a buffer of whole lines (and the start of the next line, carried over to the round after)
    /// and a scanner per part.</summary>
    private sealed class Round(int size, int parts)
    {
        private readonly EventLineScanner[] _scanners = [.. Enumerable.Range(0, parts).Select(_ => new EventLineScanner())];
        private readonly int[] _bounds = new int[parts + 1];
        private byte[] _buffer = new byte[Math.Max(size, 1)];
        private int _filled;
        private int _end;
        private int _partsInUse;
        private Task? _scan;

        public bool AtEnd { get; private set; }

        /// <summary>Takes over the bytes after <paramref name="before"/>'s last line, then reads until the buffer is full
        /// or the file ends; a line longer than the buffer grows it.</summary>
        public void Fill(FileStream stream, Round? before)
        {
            _filled = 0;
            if (before is not null)
            {
                var carried = before._filled - before._end;
                if (carried > _buffer.Length / 2) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, carried * 2));
                Buffer.BlockCopy(before._buffer, before._end, _buffer, 0, carried);
                _filled = carried;
            }
            while (true)
            {
                _filled += ReadFully(stream, _buffer, _filled);
                AtEnd = _filled < _buffer.Length;
                // A round ends after its last line break; at the end of the file the rest is the last line.
                _end = AtEnd ? _filled : _buffer.AsSpan(0, _filled).LastIndexOfAny((byte)'\n', (byte)'\r') + 1;
                if (_end > 0 || AtEnd) return;
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }

        public void StartScan()
        {
            _partsInUse = _end < SmallestParallelRound ? 1 : _scanners.Length;
            _bounds[0] = 0;
            _bounds[_partsInUse] = _end;
            for (var k = 1; k < _partsInUse; k++)
            {
                var from = Math.Max(_bounds[k - 1], (int)((long)_end * k / _partsInUse));
                var lineBreak = _buffer.AsSpan(from, _end - from).IndexOfAny((byte)'\n', (byte)'\r');
                _bounds[k] = lineBreak < 0 ? _end : from + lineBreak + 1;
            }
            if (_partsInUse == 1) _scanners[0].Scan(_buffer, 0, _end);
            else _scan = Task.Run(() => Parallel.For(0, _partsInUse, k => _scanners[k].Scan(_buffer, _bounds[k], _bounds[k + 1])));
        }

        public void FinishScan()
        {
            _scan?.GetAwaiter().GetResult();
            _scan = null;
        }

        public JobStatistics FoldInto(JobStatistics statistics)
        {
            for (var k = 0; k < _partsInUse; k++) statistics = _scanners[k].FoldInto(statistics);
            return statistics;
        }
    }

    private static int ReadFully(FileStream stream, byte[] buffer, int offset)
    {
        var total = 0;
        int read;
        while (offset + total < buffer.Length && (read = stream.Read(buffer, offset + total, buffer.Length - offset - total)) > 0)
            total += read;
        return total;
    }

    /// <summary>EventLogReader's StreamReader drops a UTF-8 byte order mark, so the recount does too.</summary>
    private static void SkipByteOrderMark(FileStream stream)
    {
        Span<byte> start = stackalloc byte[3];
        var read = stream.ReadAtLeast(start, 3, throwOnEndOfStream: false);
        if (read < 3 || !start.SequenceEqual(Encoding.UTF8.Preamble)) stream.Position = 0;
    }
}
