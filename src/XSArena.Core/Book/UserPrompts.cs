using System.Text;

namespace XSArena.Core.Book;

/// <summary>The user message of each request. Every prompt names its part (<c>Part n of total.</c>) so logs,
/// tests and the offline backend can tell requests apart. Precedence: operator hint over model hint over anchor.</summary>
public static class UserPrompts
{
    private const string DoNotWrapUp = "Do not wrap up or conclude; keep going at full depth.";

    /// <summary>The first request: begin the manual, or write the outline first when a plan was asked for.</summary>
    public static string FirstChunk(int total, bool generatePlan, string? operatorHint)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(total);

        var prompt = new StringBuilder();
        prompt.Append("Part 1 of ").Append(total).Append(".\n");
        prompt.Append(generatePlan
            ? "BEGIN. First write the chapter-by-chapter outline of the whole manual, and end it with the line NEXT: [Begin Chapter 1]."
            : "BEGIN. Write the first part of the manual, starting from the foundations.");
        AppendOperatorHint(prompt, operatorHint, "everything above");
        return prompt.ToString();
    }

    /// <summary>A request for chunk 2 or later: continue exactly after the anchor, steered by the model's own
    /// NEXT hint and, above both, by the operator's hint.</summary>
    public static string Continuation(int chunk, int total, string anchor, string? modelHint, string? operatorHint)
    {
        CheckPart(chunk, total);
        ArgumentNullException.ThrowIfNull(anchor);

        var prompt = new StringBuilder();
        prompt.Append("Part ").Append(chunk).Append(" of ").Append(total).Append(".\n");
        AppendAnchor(prompt, anchor,
            "Continue the manual exactly after the text quoted below. Do not repeat it, do not introduce the subject again, and do not summarise what came before.",
            "The end of the previous part is not available. Continue the manual with the next part; do not introduce the subject again.");

        if (!string.IsNullOrWhiteSpace(modelHint) && !string.Equals(modelHint.Trim(), NextMarker.EndHint, StringComparison.OrdinalIgnoreCase))
        {
            prompt.Append("\nNext topic (from the end of your previous part): ").Append(OneLine(modelHint));
        }

        AppendOperatorHint(prompt, operatorHint, "the next topic and the quoted text");
        prompt.Append('\n').Append(DoNotWrapUp);
        return prompt.ToString();
    }

    /// <summary>A request to lengthen a chunk that came back too short, continuing from the chunk's own tail.</summary>
    public static string Extension(int chunk, int total, int pass, string anchor)
    {
        CheckPart(chunk, total);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pass);
        ArgumentNullException.ThrowIfNull(anchor);

        var prompt = new StringBuilder();
        prompt.Append("Part ").Append(chunk).Append(" of ").Append(total).Append(", extension ").Append(pass).Append(".\n");
        AppendAnchor(prompt, anchor,
            "This part is not long enough yet. Continue it exactly after the text quoted below, without repeating it, introducing the subject again or summarising.",
            "This part is not long enough yet. Continue it without repeating, introducing the subject again or summarising.");
        prompt.Append('\n').Append(DoNotWrapUp);
        return prompt.ToString();
    }

    private static void AppendAnchor(StringBuilder prompt, string anchor, string withAnchor, string withoutAnchor)
    {
        var text = anchor.ReplaceLineEndings("\n").Trim();
        if (text.Length == 0)
        {
            prompt.Append(withoutAnchor);
            return;
        }

        prompt.Append(withAnchor).Append('\n')
            .Append(PromptTexts.AnchorOpen).Append('\n')
            .Append(text).Append('\n')
            .Append(PromptTexts.AnchorClose);
    }

    private static void AppendOperatorHint(StringBuilder prompt, string? operatorHint, string overrides)
    {
        if (string.IsNullOrWhiteSpace(operatorHint))
        {
            return;
        }

        prompt.Append("\nOperator instruction (takes priority over ").Append(overrides).Append("): ")
            .Append(operatorHint.ReplaceLineEndings("\n").Trim());
    }

    private static void CheckPart(int chunk, int total)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(total);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunk);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunk, total);
    }

    private static string OneLine(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
