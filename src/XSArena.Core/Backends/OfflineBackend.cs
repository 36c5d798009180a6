using System.Text.RegularExpressions;

namespace XSArena.Core.Backends;

/// <summary>A built-in backend with no network, for rehearsals, demos and tests. Its text says plainly that it
/// is rehearsal text, depends only on the request, and deliberately exercises the runner: chunks 3 and 7 come
/// back short (so extension passes run), chunk 7's extension nearly repeats the chunk's own tail (so the
/// repetition guard stops it), and chunk 10's first attempt nearly copies chunk 9 (so the cross-chunk repeat
/// check asks again).</summary>
public sealed partial class OfflineBackend : IChatBackend
{
    public const string DefaultName = "offline";
    public const string Kind = "offline";
    public const string DefaultModel = "offline-rehearsal";

    public const int MainLength = 4800;
    public const int ShortLength = 2000;
    public const int ExtensionLength = 2600;
    public const int RepeatedTailLength = 600;

    /// <summary>Chunks whose main reply is deliberately short.</summary>
    public static IReadOnlyList<int> ShortChunks { get; } = [3, 7];

    /// <summary>The chunk whose extension nearly repeats its own tail.</summary>
    public const int RepeatingExtensionChunk = 7;

    /// <summary>The chunk whose first attempt nearly copies the chunk before it.</summary>
    public const int RepeatingChunk = 10;

    private readonly TimeSpan _perRequestDelay;

    public OfflineBackend(TimeSpan perRequestDelay = default)
        : this(DefaultName, perRequestDelay)
    {
    }

    public OfflineBackend(string name, TimeSpan perRequestDelay = default)
    {
        Name = string.IsNullOrWhiteSpace(name) ? DefaultName : name;
        _perRequestDelay = perRequestDelay;
    }

    public string Name { get; }

    public async Task<ChatResult> CompleteAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        if (_perRequestDelay > TimeSpan.Zero)
            await Task.Delay(_perRequestDelay, cancellationToken).ConfigureAwait(false);

        var text = Compose(request);
        var model = string.IsNullOrWhiteSpace(request.Model) ? DefaultModel : request.Model;
        var promptTokens = (request.System.Length + request.User.Length) / 4;
        return new ChatResult(text, "stop", model, promptTokens, text.Length / 4, 0m);
    }

    /// <summary>The reply for a request; a pure function of the request's fields.</summary>
    public static string Compose(ChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var subject = SubjectOf(request.System);
        var chunk = request.ChunkIndex;

        if (request.Pass >= 1)
        {
            if (chunk == RepeatingExtensionChunk)
                return WithNext(NearRepeatOfTail(subject, chunk), subject, chunk);
            var heading = $"Rehearsal text (offline backend) for {subject}, part {chunk}, continued (pass {request.Pass}).";
            var extension = RehearsalProse.Write(subject, heading, RehearsalProse.Seed(subject, chunk, request.Pass, request.Attempt), ExtensionLength);
            return WithNext(extension, subject, chunk);
        }

        if (chunk == RepeatingChunk && request.Attempt == 0)
        {
            var copy = MainProse(subject, chunk - 1, 0).Replace($"part {chunk - 1}.", $"part {chunk}.", StringComparison.Ordinal);
            return WithNext(RehearsalProse.Perturb(copy, RehearsalProse.Seed(subject, chunk, "copy"), every: 25), subject, chunk);
        }

        return WithNext(MainProse(subject, chunk, request.Attempt), subject, chunk);
    }

    /// <summary>The subject from a system-prompt line <c>SUBJECT: ...</c>, or "the subject".</summary>
    public static string SubjectOf(string systemPrompt)
    {
        var match = SubjectLine().Match(systemPrompt ?? "");
        return match.Success && match.Groups[1].Value.Trim() is { Length: > 0 } subject ? subject : "the subject";
    }

    private static string MainProse(string subject, int chunk, int attempt)
    {
        var length = ShortChunks.Contains(chunk) ? ShortLength : MainLength;
        var heading = $"Rehearsal text (offline backend) for {subject}, part {chunk}.";
        return RehearsalProse.Write(subject, heading, RehearsalProse.Seed(subject, chunk, 0, attempt), length);
    }

    private static string NearRepeatOfTail(string subject, int chunk)
    {
        var prose = MainProse(subject, chunk, 0);
        var start = Math.Max(0, prose.Length - RepeatedTailLength);
        var wordStart = prose.IndexOf(' ', start);
        var tail = wordStart < 0 ? prose[start..] : prose[(wordStart + 1)..];
        return RehearsalProse.Perturb(tail, RehearsalProse.Seed(subject, chunk, "tail"), every: 18);
    }

    private static string WithNext(string prose, string subject, int chunk) =>
        $"{prose}\n\nNEXT: [{RehearsalProse.Topic(subject, RehearsalProse.Seed(subject, chunk + 1, "topic"))}]";

    [GeneratedRegex(@"^\s*SUBJECT:\s*(.+?)\s*$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex SubjectLine();
}
