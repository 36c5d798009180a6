namespace XSArena.Core.Book;

/// <summary>The resolved size of a book: how many chunks, how long each must be, how many extension passes.</summary>
/// <param name="Chunks">Number of chunks the book is planned to have.</param>
/// <param name="MinChars">A chunk shorter than this is extended.</param>
/// <param name="ExtensionPasses">Most extension requests per chunk.</param>
/// <param name="Length">Length preset name the plan came from.</param>
/// <param name="Span">Span preset name the plan came from.</param>
public sealed record BookPlan(int Chunks, int MinChars, int ExtensionPasses, string Length, string Span);
