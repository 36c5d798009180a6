using System.Text;
using System.Text.Json;

namespace XSArena.Core.Backends;

/// <summary>Folds stream chunks (or one non-stream body) into a reply: text, finish reason, model, usage.</summary>
internal sealed class StreamedReply
{
    private readonly StringBuilder _text = new();

    public string? FinishReason { get; private set; }
    public string? Model { get; private set; }
    public int? PromptTokens { get; private set; }
    public int? CompletionTokens { get; private set; }
    public decimal? Cost { get; private set; }

    public int TextLength => _text.Length;

    public string? PartialText => _text.Length == 0 ? null : _text.ToString();

    /// <summary>Reads one chunk. Choices may be missing or empty (a usage-only chunk); usage may come in any chunk.</summary>
    public void Add(JsonElement chunk)
    {
        if (chunk.ValueKind != JsonValueKind.Object)
            return;
        Model = ServerErrorParser.GetString(chunk, "model") ?? Model;
        if (chunk.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            AddUsage(usage);
        if (!chunk.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
            return;

        foreach (var choice in choices.EnumerateArray())
        {
            if (choice.ValueKind != JsonValueKind.Object)
                continue;
            // Only the first choice is ours; servers that send several index them.
            if (choice.TryGetProperty("index", out var index) && index.ValueKind == JsonValueKind.Number && index.TryGetInt32(out var i) && i != 0)
                continue;
            AppendContent(choice, "delta");
            AppendContent(choice, "message");
            if (ServerErrorParser.GetString(choice, "finish_reason") is { Length: > 0 } finish)
                FinishReason = finish;
        }
    }

    public ChatResult ToResult() => new(_text.ToString(), FinishReason, Model, PromptTokens, CompletionTokens, Cost);

    private void AppendContent(JsonElement choice, string member)
    {
        if (choice.TryGetProperty(member, out var part) && part.ValueKind == JsonValueKind.Object
            && ServerErrorParser.GetString(part, "content") is { } content)
            _text.Append(content);
    }

    private void AddUsage(JsonElement usage)
    {
        if (TryInt(usage, "prompt_tokens") is { } prompt) PromptTokens = prompt;
        if (TryInt(usage, "completion_tokens") is { } completion) CompletionTokens = completion;
        if (usage.TryGetProperty("cost", out var cost) && cost.ValueKind == JsonValueKind.Number && cost.TryGetDecimal(out var c))
            Cost = c;
    }

    private static int? TryInt(JsonElement element, string name) =>
        element.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var n) ? n : null;
}
