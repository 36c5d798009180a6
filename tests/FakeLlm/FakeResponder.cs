using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace XSArena.FakeLlm;

/// <summary>Writes one scripted chat reply: an HTTP error, a JSON body, or an SSE stream with the scripted faults.
/// Returns normally when the server finished; throws when the client left first.</summary>
internal sealed class FakeResponder(FakeRequestInfo request, FakeReply reply, TcpClient client, Stream stream, CancellationToken clientGone)
{
    private const string Id = "chatcmpl-fake";
    private readonly string _model = request.Model ?? "fake-model";

    public async Task RunAsync()
    {
        if (reply.FirstByteDelayMs is > 0)
            await Task.Delay(reply.FirstByteDelayMs.Value, clientGone).ConfigureAwait(false);

        if (reply.Status is { } status && status != 200)
        {
            var body = reply.Body ?? ErrorBody(status, reply.ErrorMessage ?? $"Fake error {status}");
            var headers = reply.RetryAfter is { } seconds ? new[] { ("Retry-After", seconds.ToString(CultureInfo.InvariantCulture)) } : null;
            await MiniHttp.WriteFullAsync(stream, status, "application/json", body, headers, clientGone).ConfigureAwait(false);
            return;
        }
        if (reply.ErrorIn200Body == true)
        {
            var body = reply.Body ?? ErrorBody(reply.ErrorCode ?? 502, reply.ErrorMessage ?? "Fake provider error");
            await MiniHttp.WriteFullAsync(stream, 200, "application/json", body, null, clientGone).ConfigureAwait(false);
            return;
        }

        var text = reply.Text ?? FakeReplyText.Compose(request.System, request.User, request.Part, request.Pass, reply.Chars ?? 5000);
        if (!request.Stream)
        {
            await MiniHttp.WriteFullAsync(stream, 200, "application/json", CompletionBody(text), null, clientGone).ConfigureAwait(false);
            return;
        }
        await StreamAsync(text).ConfigureAwait(false);
    }

    private async Task StreamAsync(string text)
    {
        await MiniHttp.WriteHeadAsync(stream, 200, "text/event-stream", null, null, clientGone).ConfigureAwait(false);
        var pieces = Split(text, reply.Events ?? 20);
        for (var sent = 0; ; sent++)
        {
            if (reply.StallAfterEvents == sent)
            {
                // Silence on an open connection until the client gives up.
                await Task.Delay(Timeout.Infinite, clientGone).ConfigureAwait(false);
            }
            if (reply.DisconnectAfterEvents == sent)
            {
                client.Client.Shutdown(SocketShutdown.Both);
                return;
            }
            if (reply.ErrorChunkAfterEvents == sent)
            {
                await EventAsync(ErrorChunk()).ConfigureAwait(false);
                await MiniHttp.WriteLastChunkAsync(stream, clientGone).ConfigureAwait(false);
                return;
            }
            if (sent == pieces.Count)
                break;
            if (reply.KeepaliveComments == true)
                await WriteAsync(": keep-alive\n\n").ConfigureAwait(false);
            await EventAsync(Chunk(pieces[sent], null, null)).ConfigureAwait(false);
            if (reply.EventDelayMs is > 0)
                await Task.Delay(reply.EventDelayMs.Value, clientGone).ConfigureAwait(false);
        }

        var finish = reply.FinishReason ?? "stop";
        if (finish != "none")
        {
            var usage = new { prompt_tokens = (request.System.Length + request.User.Length) / 4, completion_tokens = text.Length / 4, cost = 0.0001m };
            await EventAsync(Chunk(null, finish, usage)).ConfigureAwait(false);
        }
        if (reply.OmitDone != true)
            await WriteAsync("data: [DONE]\n\n").ConfigureAwait(false);
        await MiniHttp.WriteLastChunkAsync(stream, clientGone).ConfigureAwait(false);
    }

    private Task EventAsync(string json) => WriteAsync($"data: {json}\n\n");

    private async Task WriteAsync(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (reply.SplitUtf8 != true)
        {
            await MiniHttp.WriteChunkAsync(stream, bytes, clientGone).ConfigureAwait(false);
            return;
        }
        // Cut inside every multi-byte character, one HTTP chunk per piece, so the client reads them separately.
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            var lead = bytes[i];
            if (lead < 0xC0) continue;
            var cut = i + 1;
            await MiniHttp.WriteChunkAsync(stream, bytes.AsMemory(start, cut - start), clientGone).ConfigureAwait(false);
            await Task.Delay(1, clientGone).ConfigureAwait(false);
            start = cut;
        }
        await MiniHttp.WriteChunkAsync(stream, bytes.AsMemory(start), clientGone).ConfigureAwait(false);
    }

    /// <summary>Roughly equal pieces, never splitting a surrogate pair.</summary>
    private static List<string> Split(string text, int events)
    {
        var pieces = new List<string>();
        if (text.Length == 0) return pieces;
        var size = Math.Max(1, (int)Math.Ceiling(text.Length / (double)Math.Max(1, events)));
        for (var start = 0; start < text.Length;)
        {
            var end = Math.Min(text.Length, start + size);
            if (end < text.Length && char.IsHighSurrogate(text[end - 1])) end++;
            pieces.Add(text[start..end]);
            start = end;
        }
        return pieces;
    }

    private string Chunk(string? content, string? finishReason, object? usage)
    {
        var choice = new Dictionary<string, object?>
        {
            ["index"] = 0,
            ["delta"] = content is null ? new Dictionary<string, object?>() : new Dictionary<string, object?> { ["content"] = content },
            ["finish_reason"] = finishReason,
        };
        var chunk = new Dictionary<string, object?>
        {
            ["id"] = Id,
            ["object"] = "chat.completion.chunk",
            ["created"] = 1700000000,
            ["model"] = _model,
            ["choices"] = new[] { choice },
        };
        if (usage is not null) chunk["usage"] = usage;
        return JsonSerializer.Serialize(chunk);
    }

    private string ErrorChunk() => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["id"] = Id,
        ["object"] = "chat.completion.chunk",
        ["created"] = 1700000000,
        ["model"] = _model,
        ["error"] = new { code = reply.ErrorCode ?? 502, message = reply.ErrorMessage ?? "Fake provider disconnected" },
        ["choices"] = new[] { new { index = 0, delta = new { content = "" }, finish_reason = "error" } },
    });

    private string CompletionBody(string text) => JsonSerializer.Serialize(new
    {
        id = Id,
        @object = "chat.completion",
        created = 1700000000,
        model = _model,
        choices = new[] { new { index = 0, message = new { role = "assistant", content = text }, finish_reason = reply.FinishReason ?? "stop" } },
        usage = new { prompt_tokens = (request.System.Length + request.User.Length) / 4, completion_tokens = text.Length / 4, cost = 0.0001m },
    });

    private static string ErrorBody(int code, string message) =>
        JsonSerializer.Serialize(new { error = new { code, message } });
}
