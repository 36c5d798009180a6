using System.Buffers;
using System.Text;
using System.Text.Json;
using XSArena.Core.Jobs;

namespace XSArena.Core.Store;

/// <summary>Finds, in a range of raw events.jsonl bytes, the lines the statistics fold counts, without building an
/// event object per line: one Utf8JsonReader pass per line notes where each top-level field sits, and a line whose
/// type the fold does not count is left unread after its type. It keeps exactly the lines that
/// <see cref="EventSerializer.TryParse"/> accepts among those the fold counts, so both give the same statistics.
/// Scanners of neighbouring ranges can run in parallel; <see cref="FoldInto"/> then applies their lines in order.</summary>
internal sealed class EventLineScanner
{
    private static readonly string[] CountedTypes = [.. JobStatistics.CountedTypes];

    /// <summary>The bytes that end a plain string: its closing quote, or what makes it more than plain — an escape or
    /// a control character, which JSON forbids raw.</summary>
    private static readonly SearchValues<byte> StringStops = SearchValues.Create([.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\']);

    private readonly List<Field> _fields = [];
    private readonly List<CountedLine> _lines = [];
    private byte[] _buffer = [];

    /// <summary>Scans the lines of <paramref name="buffer"/> from <paramref name="start"/> to <paramref name="end"/>;
    /// like StreamReader.ReadLine, \r, \n and \r\n each end a line (the empty line between \r and \n is skipped).</summary>
    public void Scan(byte[] buffer, int start, int end)
    {
        _buffer = buffer;
        while (start < end)
        {
            var length = buffer.AsSpan(start, end - start).IndexOfAny((byte)'\n', (byte)'\r');
            if (length < 0) length = end - start;
            if (length > 0) ScanLine(start, length);
            start += length + 1;
        }
    }

    /// <summary>Applies the counted lines to <paramref name="statistics"/> in file order and forgets them.</summary>
    public JobStatistics FoldInto(JobStatistics statistics)
    {
        var view = new LineView(this);
        foreach (var line in _lines)
        {
            if (line.Parsed is { } parsed) statistics = statistics.Apply(parsed);
            else
            {
                view.Show(line);
                statistics = statistics.Apply(view);
            }
        }
        _lines.Clear();
        _fields.Clear();
        return statistics;
    }

    private void ScanLine(int start, int length)
    {
        var line = _buffer.AsSpan(start, length);
        if (!Ascii.IsValid(line))
        {
            // Decoded as EventLogReader decodes (invalid bytes replaced), so the line counts exactly as there.
            if (EventSerializer.TryParse(Encoding.UTF8.GetString(line), 0) is { } parsed && JobStatistics.CountedTypes.Contains(parsed.Type))
                _lines.Add(new CountedLine(start, length, parsed.Type, 0, 0, parsed));
            return;
        }
        var firstField = _fields.Count;
        var shape = ReadPlainFields(line, start, out var type);
        if (shape == LineShape.Other)
        {
            _fields.RemoveRange(firstField, _fields.Count - firstField);
            try { type = ReadFields(line, start); }
            catch (JsonException) { type = null; }
            catch (InvalidOperationException) { type = null; } // an escaped lone surrogate in a name
        }
        if (type is null || HasDuplicateNames(firstField))
        {
            _fields.RemoveRange(firstField, _fields.Count - firstField);
            return;
        }
        _lines.Add(new CountedLine(start, length, type, firstField, _fields.Count - firstField, null));
    }

    /// <summary>Reads a line of the shape the event writer produces — one object of plain names and plain values,
    /// spaces or tabs between tokens — in one pass, about twice as fast as the JSON reader, which stays the
    /// judge of everything else: <see cref="LineShape.Other"/> for any escape, control character, nesting or token
    /// this pass does not fully check, and the caller then reads the line with <see cref="ReadFields"/>. The type
    /// decides as there: a line is counted only with one string type among the counted ones.</summary>
    private LineShape ReadPlainFields(ReadOnlySpan<byte> line, int lineStart, out string? type)
    {
        type = null;
        if (line.Length < 2 || line[0] != (byte)'{' || line[^1] != (byte)'}') return LineShape.Other;
        var seenType = false;
        var at = SkipBlanks(line, 1);
        while (true)
        {
            if (at >= line.Length || line[at] != (byte)'"') return LineShape.Other;
            var nameLength = line[(at + 1)..].IndexOfAny(StringStops);
            if (nameLength < 0 || line[at + 1 + nameLength] != (byte)'"') return LineShape.Other;
            var field = new Field { NameStart = lineStart + at + 1, NameLength = nameLength };
            at = SkipBlanks(line, at + nameLength + 2);
            if (at >= line.Length || line[at] != (byte)':') return LineShape.Other;
            at = SkipBlanks(line, at + 1);
            if (at >= line.Length) return LineShape.Other;
            field.ValueStart = lineStart + at;
            (field.Kind, at) = PlainValue(line, at);
            if (field.Kind == JsonTokenType.None) return LineShape.Other;

            if (nameLength == 4 && line.Slice(field.NameStart - lineStart, 4).SequenceEqual("type"u8))
            {
                type = seenType || field.Kind != JsonTokenType.String ? null : CountedType(line[(field.ValueStart - lineStart + 1)..(at - 1)]);
                if (type is null) return LineShape.Plain;
                seenType = true;
            }
            _fields.Add(field);

            at = SkipBlanks(line, at);
            if (at >= line.Length) return LineShape.Other;
            if (line[at] == (byte)'}') return at == line.Length - 1 ? LineShape.Plain : LineShape.Other;
            if (line[at] != (byte)',') return LineShape.Other;
            at = SkipBlanks(line, at + 1);
        }
    }

    /// <summary>The kind of the plain value at <paramref name="at"/> and where it ends; <see cref="JsonTokenType.None"/>
    /// when it is not a plain string, a number in JSON's grammar, true, false or null.</summary>
    private static (JsonTokenType Kind, int End) PlainValue(ReadOnlySpan<byte> line, int at)
    {
        switch (line[at])
        {
            case (byte)'"':
                var length = line[(at + 1)..].IndexOfAny(StringStops);
                return length >= 0 && line[at + 1 + length] == (byte)'"' ? (JsonTokenType.String, at + length + 2) : (JsonTokenType.None, at);
            case (byte)'t': return line[at..].StartsWith("true"u8) ? (JsonTokenType.True, at + 4) : (JsonTokenType.None, at);
            case (byte)'f': return line[at..].StartsWith("false"u8) ? (JsonTokenType.False, at + 5) : (JsonTokenType.None, at);
            case (byte)'n': return line[at..].StartsWith("null"u8) ? (JsonTokenType.Null, at + 4) : (JsonTokenType.None, at);
            default:
                var end = NumberEnd(line, at);
                return end > at ? (JsonTokenType.Number, end) : (JsonTokenType.None, at);
        }
    }

    /// <summary>Where a number in JSON's grammar that starts at <paramref name="at"/> ends, or <paramref name="at"/>
    /// when none does: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?</summary>
    private static int NumberEnd(ReadOnlySpan<byte> line, int at)
    {
        var i = at;
        if (i < line.Length && line[i] == (byte)'-') i++;
        if (i >= line.Length || !char.IsAsciiDigit((char)line[i])) return at;
        if (line[i] == (byte)'0') i++;
        else i = Digits(line, i);
        if (i < line.Length && line[i] == (byte)'.')
        {
            var fractionEnd = Digits(line, i + 1);
            if (fractionEnd == i + 1) return at;
            i = fractionEnd;
        }
        if (i < line.Length && (line[i] | 0x20) == (byte)'e')
        {
            i++;
            if (i < line.Length && line[i] is (byte)'+' or (byte)'-') i++;
            var exponentEnd = Digits(line, i);
            if (exponentEnd == i) return at;
            i = exponentEnd;
        }
        return i;
    }

    private static int Digits(ReadOnlySpan<byte> line, int at)
    {
        var count = line[at..].IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        return count < 0 ? line.Length : at + count;
    }

    private static int SkipBlanks(ReadOnlySpan<byte> line, int at)
    {
        while (at < line.Length && line[at] is (byte)' ' or (byte)'\t') at++;
        return at;
    }

    /// <summary>The line's counted type with its fields added to the table; null when the fold need not see the
    /// line: not a JSON object with a string <c>type</c>, or a type the fold does not count.</summary>
    private string? ReadFields(ReadOnlySpan<byte> line, int lineStart)
    {
        var reader = new Utf8JsonReader(line);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        string? type = null;
        var seenType = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = new Field
            {
                NameStart = lineStart + (int)reader.TokenStartIndex + 1,
                NameLength = reader.ValueSpan.Length,
                EscapedName = reader.ValueIsEscaped ? reader.GetString() : null,
            };
            reader.Read();
            field.Kind = reader.TokenType;
            field.ValueStart = lineStart + (int)reader.TokenStartIndex;
            if (field.Kind is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();

            if (NameEquals(field, "type"))
            {
                if (seenType || field.Kind != JsonTokenType.String) return null;
                seenType = true;
                type = CountedType(ref reader);
                if (type is null) return null;
            }
            _fields.Add(field);
        }
        if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0) return null;
        if (reader.Read()) return null; // never true: a second value after the object throws
        return type;
    }

    private static string? CountedType(ref Utf8JsonReader reader)
    {
        foreach (var type in CountedTypes)
        {
            if (reader.ValueTextEquals(type)) return type;
        }
        return null;
    }

    private static string? CountedType(ReadOnlySpan<byte> plainType)
    {
        foreach (var type in CountedTypes)
        {
            if (Ascii.Equals(plainType, type)) return type;
        }
        return null;
    }

    /// <summary>Compares names pairwise only where a cheap signature (length, first and last character) collides.</summary>
    private bool HasDuplicateNames(int firstField)
    {
        ulong seen = 0;
        for (var i = firstField; i < _fields.Count; i++)
        {
            var bit = 1UL << Signature(_fields[i]);
            if ((seen & bit) != 0)
            {
                for (var j = firstField; j < i; j++)
                {
                    if (NamesEqual(_fields[i], _fields[j])) return true;
                }
            }
            seen |= bit;
        }
        return false;
    }

    private int Signature(Field field)
    {
        if (field.EscapedName is { } name) return name.Length == 0 ? 0 : (name.Length * 7 + name[0] + name[^1] * 3) & 63;
        var raw = RawName(field);
        return raw.IsEmpty ? 0 : (raw.Length * 7 + raw[0] + raw[^1] * 3) & 63;
    }

    private bool NamesEqual(Field a, Field b) => a.EscapedName is null && b.EscapedName is null
        ? RawName(a).SequenceEqual(RawName(b))
        : NameEquals(a, b.EscapedName ?? Encoding.ASCII.GetString(RawName(b)));

    private bool NameEquals(Field field, string name) => field.EscapedName is { } escaped
        ? string.Equals(escaped, name, StringComparison.Ordinal)
        : Ascii.Equals(RawName(field), name);

    private ReadOnlySpan<byte> RawName(Field field) => _buffer.AsSpan(field.NameStart, field.NameLength);

    /// <summary>What the plain pass made of a line: read to the end, or left to the JSON reader.</summary>
    private enum LineShape { Plain, Other }

    /// <summary>A counted line: where it is, its type and its fields in the table, or the event parsed from a line
    /// that is not ASCII.</summary>
    private readonly record struct CountedLine(int Start, int Length, string Type, int FirstField, int FieldCount, JobEvent? Parsed);

    private struct Field
    {
        public int NameStart;
        public int NameLength;
        public string? EscapedName;
        public JsonTokenType Kind;
        public int ValueStart;
    }

    /// <summary>One counted line as the fold reads it. Values are parsed only when asked for: the fold reads two or
    /// three of a line's fields.</summary>
    private sealed class LineView(EventLineScanner scanner) : IEventFields
    {
        private CountedLine _line;

        public string Type => _line.Type;

        public void Show(CountedLine line) => _line = line;

        public decimal? GetNumber(string name)
        {
            if (Find(name) is not { Kind: JsonTokenType.Number } field) return null;
            if (PlainDecimal(field.ValueStart) is { } plain) return plain;
            var reader = ValueReader(field);
            if (reader.TryGetDecimal(out var exact)) return exact;
            return EventFields.NumberFrom(false, 0, reader.TryGetDouble(out var approximate), approximate);
        }

        public string? GetString(string name)
        {
            if (Find(name) is not { Kind: JsonTokenType.String } field) return null;
            var reader = ValueReader(field);
            try { return reader.GetString(); }
            catch (InvalidOperationException) { return null; } // as JobEvent.GetString: an undecodable string is no value
        }

        /// <summary>A number of at most 18 digits without sign or exponent, as the JSON reader reads it (the same value
        /// and scale) at a fraction of the cost; null for every other number, which the reader then reads.</summary>
        private decimal? PlainDecimal(int valueStart)
        {
            var digits = scanner._buffer.AsSpan(valueStart, Math.Min(20, _line.Start + _line.Length - valueStart));
            long mantissa = 0;
            var count = 0;
            var scale = -1;
            foreach (var b in digits)
            {
                if (b == (byte)'.' && scale < 0) { scale = 0; continue; }
                if (!char.IsAsciiDigit((char)b)) break;
                mantissa = mantissa * 10 + (b - '0');
                count++;
                if (scale >= 0) scale++;
            }
            var end = valueStart + count + (scale >= 0 ? 1 : 0);
            if (count == 0 || count > 18 || end >= _line.Start + _line.Length || (scanner._buffer[end] | 0x20) == (byte)'e') return null;
            return new decimal((int)mantissa, (int)(mantissa >> 32), 0, false, (byte)Math.Max(scale, 0));
        }

        private Field? Find(string name)
        {
            for (var i = _line.FirstField; i < _line.FirstField + _line.FieldCount; i++)
            {
                if (scanner.NameEquals(scanner._fields[i], name)) return scanner._fields[i];
            }
            return null;
        }

        private Utf8JsonReader ValueReader(Field field)
        {
            var value = scanner._buffer.AsSpan(field.ValueStart, _line.Start + _line.Length - field.ValueStart);
            var reader = new Utf8JsonReader(value, isFinalBlock: false, state: default);
            reader.Read();
            return reader;
        }
    }
}
