using System.Globalization;
using System.Text;

namespace XSArena.FakeLlm;

/// <summary>One parsed HTTP/1.1 request.</summary>
public sealed record MiniHttpRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>Just enough HTTP/1.1 for the fake server: one request per connection, responses always
/// <c>Connection: close</c>, so the socket's end tells the server exactly when the client left.</summary>
internal static class MiniHttp
{
    private const int MaxHeaderBytes = 64 * 1024;

    /// <summary>The request, or null when the client closed before sending one.</summary>
    public static async Task<MiniHttpRequest?> ReadRequestAsync(Stream stream, CancellationToken token)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int headerEnd;
        while ((headerEnd = IndexOfHeaderEnd(buffer)) < 0)
        {
            if (buffer.Length > MaxHeaderBytes) return null;
            var read = await stream.ReadAsync(chunk, token).ConfigureAwait(false);
            if (read == 0) return null;
            buffer.Write(chunk, 0, read);
        }

        var all = buffer.ToArray();
        var head = Encoding.ASCII.GetString(all, 0, headerEnd).Split("\r\n");
        var requestLine = head[0].Split(' ');
        if (requestLine.Length < 2) return null;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in head.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var existing) ? existing + ", " + value : value;
        }

        var pending = new Queue<byte>(all.Skip(headerEnd + 4));
        byte[] body;
        if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            body = await ReadChunkedAsync(stream, pending, token).ConfigureAwait(false);
        else
        {
            var length = headers.TryGetValue("Content-Length", out var cl) ? int.Parse(cl, CultureInfo.InvariantCulture) : 0;
            body = await ReadExactlyAsync(stream, pending, length, token).ConfigureAwait(false);
        }
        var path = requestLine[1];
        var query = path.IndexOf('?');
        return new MiniHttpRequest(requestLine[0].ToUpperInvariant(), query < 0 ? path : path[..query], headers, body);
    }

    public static async Task WriteHeadAsync(Stream stream, int status, string contentType, long? contentLength,
        IEnumerable<(string Name, string Value)>? extraHeaders, CancellationToken token)
    {
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {Reason(status)}\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Content-Type: {contentType}\r\n");
        head.Append(contentLength is { } length
            ? string.Create(CultureInfo.InvariantCulture, $"Content-Length: {length}\r\n")
            : "Transfer-Encoding: chunked\r\n");
        head.Append("Cache-Control: no-cache\r\nConnection: close\r\n");
        foreach (var (name, value) in extraHeaders ?? [])
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), token).ConfigureAwait(false);
        await stream.FlushAsync(token).ConfigureAwait(false);
    }

    /// <summary>A complete response with a body of known length.</summary>
    public static async Task WriteFullAsync(Stream stream, int status, string contentType, string body,
        IEnumerable<(string Name, string Value)>? extraHeaders, CancellationToken token)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        await WriteHeadAsync(stream, status, contentType, bytes.Length, extraHeaders, token).ConfigureAwait(false);
        await stream.WriteAsync(bytes, token).ConfigureAwait(false);
        await stream.FlushAsync(token).ConfigureAwait(false);
    }

    /// <summary>One chunk of a chunked body.</summary>
    public static async Task WriteChunkAsync(Stream stream, ReadOnlyMemory<byte> data, CancellationToken token)
    {
        if (data.Length == 0) return;
        var prefix = Encoding.ASCII.GetBytes(data.Length.ToString("X", CultureInfo.InvariantCulture) + "\r\n");
        var frame = new byte[prefix.Length + data.Length + 2];
        prefix.CopyTo(frame, 0);
        data.CopyTo(frame.AsMemory(prefix.Length));
        frame[^2] = (byte)'\r';
        frame[^1] = (byte)'\n';
        await stream.WriteAsync(frame, token).ConfigureAwait(false);
        await stream.FlushAsync(token).ConfigureAwait(false);
    }

    public static async Task WriteLastChunkAsync(Stream stream, CancellationToken token)
    {
        await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), token).ConfigureAwait(false);
        await stream.FlushAsync(token).ConfigureAwait(false);
    }

    private static int IndexOfHeaderEnd(MemoryStream buffer)
    {
        var span = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        return span.IndexOf("\r\n\r\n"u8);
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, Queue<byte> pending, int length, CancellationToken token)
    {
        var body = new byte[length];
        var filled = 0;
        while (filled < length && pending.Count > 0)
            body[filled++] = pending.Dequeue();
        if (filled < length)
            await stream.ReadExactlyAsync(body.AsMemory(filled), token).ConfigureAwait(false);
        return body;
    }

    private static async Task<byte[]> ReadChunkedAsync(Stream stream, Queue<byte> pending, CancellationToken token)
    {
        var body = new MemoryStream();
        while (true)
        {
            var sizeLine = await ReadLineAsync(stream, pending, token).ConfigureAwait(false);
            var semicolon = sizeLine.IndexOf(';');
            var size = int.Parse(semicolon < 0 ? sizeLine : sizeLine[..semicolon], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                while ((await ReadLineAsync(stream, pending, token).ConfigureAwait(false)).Length > 0) { }
                return body.ToArray();
            }
            body.Write(await ReadExactlyAsync(stream, pending, size, token).ConfigureAwait(false));
            await ReadLineAsync(stream, pending, token).ConfigureAwait(false);
        }
    }

    private static async Task<string> ReadLineAsync(Stream stream, Queue<byte> pending, CancellationToken token)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            byte b;
            if (pending.Count > 0) b = pending.Dequeue();
            else
            {
                if (await stream.ReadAsync(one, token).ConfigureAwait(false) == 0) throw new EndOfStreamException();
                b = one[0];
            }
            if (b == '\n') return line.ToString().TrimEnd('\r');
            line.Append((char)b);
        }
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    };
}
