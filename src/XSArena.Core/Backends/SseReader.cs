using System.Text;

namespace XSArena.Core.Backends;

/// <summary>One server-sent event: its type (null when no <c>event:</c> line) and its joined data lines.</summary>
internal sealed record SseEvent(string? Type, string Data);

/// <summary>A tolerant server-sent-events reader over a raw response stream.</summary>
/// <remarks>
/// Decoding is stateful (a multi-byte character split across network reads is joined), lines end at
/// CR, LF or CRLF, comment lines only count as liveness, and a final event without its blank line is
/// still delivered at end of stream (llama.cpp sends <c>data: [DONE]</c> that way).
/// </remarks>
internal sealed class SseReader(Stream stream, Action onLine) : IDisposable
{
    private readonly StreamReader _reader = new(
        stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), detectEncodingFromByteOrderMarks: false,
        bufferSize: 4096, leaveOpen: true);

    /// <summary>The next event, or null at end of stream.</summary>
    public async Task<SseEvent?> ReadEventAsync(CancellationToken cancellationToken)
    {
        string? type = null;
        StringBuilder? data = null;
        while (true)
        {
            var line = await _reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null)
                return data is null ? null : new SseEvent(type, data.ToString());
            onLine();

            if (line.Length == 0)
            {
                if (data is not null)
                    return new SseEvent(type, data.ToString());
                type = null;
                continue;
            }
            if (line[0] == ':')
                continue;

            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' '))
                value = value[1..];

            switch (field)
            {
                case "data":
                    if (data is null) data = new StringBuilder(value);
                    else data.Append('\n').Append(value);
                    break;
                case "event":
                    type = value;
                    break;
                case "error":
                    // Older llama.cpp builds sent a non-standard "error:" field instead of an error chunk.
                    type = "error";
                    data ??= new StringBuilder(value);
                    break;
            }
        }
    }

    public void Dispose() => _reader.Dispose();
}
