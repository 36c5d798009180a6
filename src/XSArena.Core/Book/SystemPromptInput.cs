namespace XSArena.Core.Book;

/// <summary>Everything the system prompt of a book is built from.</summary>
/// <param name="Subject">What the book is about; becomes the first line <c>SUBJECT: ...</c>.</param>
public sealed record SystemPromptInput(string Subject)
{
    /// <summary>Style overlay names, applied in order (see <see cref="SystemPrompt.OverlayNames"/>).</summary>
    public IReadOnlyList<string> Overlays { get; init; } = [];

    /// <summary>Free-form instructions from the operator, added after the built-in rules.</summary>
    public string? ExtraNote { get; init; }

    /// <summary>Ask for a chapter outline as the first chunk.</summary>
    public bool GeneratePlan { get; init; }

    /// <summary>Texts of extra files, already read, appended at the end in order.</summary>
    public IReadOnlyList<string> ExtraFileTexts { get; init; } = [];

    /// <summary>Overrides for the built-in texts; null uses only the built-in texts.</summary>
    public IDirectiveSource? Directives { get; init; }
}
