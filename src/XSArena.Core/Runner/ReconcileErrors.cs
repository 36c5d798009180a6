namespace XSArena.Core.Runner;

/// <summary>Which check of the book against the log failed.</summary>
public enum BookMismatchKind
{
    /// <summary>The book file does not exist.</summary>
    Missing,

    /// <summary>The book is shorter than the log recorded after the last chunk.</summary>
    Shorter,

    /// <summary>The bytes ending at the recorded length do not hash to the recorded tail hash.</summary>
    TailMismatch,
}

/// <summary>The book no longer matches what the job's log recorded: it was shortened, edited or replaced. Resume
/// stops rather than continue a book it did not write; <c>-Force</c> cuts back to the last chunk that still
/// matches.</summary>
public sealed class BookMismatchException : Exception
{
    public BookMismatchException(string bookPath, long recordedLength, long? actualLength, BookMismatchKind kind, int lastChunk)
        : base(Describe(bookPath, recordedLength, actualLength, kind, lastChunk))
    {
        BookPath = bookPath;
        RecordedLength = recordedLength;
        ActualLength = actualLength;
        Kind = kind;
        LastChunk = lastChunk;
    }

    public const string ErrorIdText = "BookMismatch";

    public string ErrorId => ErrorIdText;

    public string BookPath { get; }

    /// <summary>The book's byte length recorded after the last chunk.</summary>
    public long RecordedLength { get; }

    /// <summary>The book's byte length on disk; null when the file is missing.</summary>
    public long? ActualLength { get; }

    public BookMismatchKind Kind { get; }

    /// <summary>The index of the last recorded chunk, whose end was checked.</summary>
    public int LastChunk { get; }

    private static string Describe(string bookPath, long recordedLength, long? actualLength, BookMismatchKind kind, int lastChunk)
    {
        var actual = actualLength is { } length ? $"{length} bytes" : "missing";
        var check = kind switch
        {
            BookMismatchKind.Missing => "the book file does not exist",
            BookMismatchKind.Shorter => "the book is shorter than recorded",
            _ => $"the last 4 KiB before byte {recordedLength} do not match the recorded tail hash (the text was edited or replaced)",
        };
        return $"The book '{bookPath}' does not match the job's log: recorded length after chunk {lastChunk} is "
            + $"{recordedLength} bytes, actual length is {actual}; {check}. "
            + "Resume with -Force to cut the book back to the last chunk that still matches and regenerate from there.";
    }
}

/// <summary>A job written by the upstream tool (no recorded book length) whose book holds fewer characters than its
/// recorded chunks add up to, so the point to resume from cannot be found. <c>-Force</c> keeps the last chunk that
/// fits.</summary>
public sealed class UpstreamJobNotReconcilableException : Exception
{
    public UpstreamJobNotReconcilableException(string bookPath, long recordedCharacters, long? actualCharacters, int lastChunk)
        : base(Describe(bookPath, recordedCharacters, actualCharacters, lastChunk))
    {
        BookPath = bookPath;
        RecordedCharacters = recordedCharacters;
        ActualCharacters = actualCharacters;
        LastChunk = lastChunk;
    }

    public const string ErrorIdText = "UpstreamJobNotReconcilable";

    public string ErrorId => ErrorIdText;

    public string BookPath { get; }

    /// <summary>The characters the recorded chunks and their separators add up to.</summary>
    public long RecordedCharacters { get; }

    /// <summary>The characters in the book file; null when the file is missing.</summary>
    public long? ActualCharacters { get; }

    public int LastChunk { get; }

    private static string Describe(string bookPath, long recordedCharacters, long? actualCharacters, int lastChunk)
    {
        var actual = actualCharacters is { } count ? $"{count} characters" : "missing";
        return $"{ErrorIdText}: the book '{bookPath}' of this upstream job holds fewer characters than its log records "
            + $"(chunks 1-{lastChunk} with separators: {recordedCharacters} characters; book: {actual}). "
            + "Resume with -Force to keep the last chunk that fits the book and regenerate from there.";
    }
}
