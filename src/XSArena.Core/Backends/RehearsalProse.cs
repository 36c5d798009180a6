using System.Text;

namespace XSArena.Core.Backends;

/// <summary>Deterministic pseudo-prose for the offline backend. Words are drawn one slot at a time from
/// separate word classes so that two different seeds share almost no 4-grams (otherwise the runner's
/// repetition guards would reject ordinary rehearsal chunks).</summary>
internal static class RehearsalProse
{
    private static readonly string[] Determiners = ["the", "a", "each", "every", "this", "one", "that", "any"];

    private static readonly string[] Adjectives =
    [
        "early", "careful", "central", "hidden", "practical", "simple", "durable", "subtle", "common", "rare",
        "steady", "layered", "formal", "informal", "useful", "modest", "broad", "narrow", "classic", "recent",
        "visible", "quiet", "strong", "gentle", "honest", "precise", "rough", "open", "patient", "familiar",
        "abstract", "concrete", "fragile", "robust", "tangled", "orderly", "vivid", "muted", "brisk", "sluggish",
        "shallow", "profound", "awkward", "elegant", "clumsy", "nimble", "crooked", "straight", "partial", "complete",
        "regional", "global", "ancient", "modern", "seasonal", "nightly", "humble", "grand", "minor", "major",
        "tidy", "messy", "curious", "skeptical", "eager", "reluctant", "frugal", "lavish", "dusty", "polished",
        "bitter", "sweet", "hollow", "solid", "warm", "chilly", "balanced", "lopsided",
    ];

    private static readonly string[] Nouns =
    [
        "principle", "method", "example", "pattern", "question", "habit", "measure", "outline", "detail", "tool",
        "argument", "exercise", "mistake", "signal", "boundary", "model", "sequence", "choice", "trade-off", "rule",
        "reader", "teacher", "draft", "structure", "record", "limit", "source", "step", "story", "practice",
        "experiment", "result", "claim", "term", "picture", "review", "routine", "constraint", "idea", "case",
        "ledger", "compass", "lantern", "bridge", "harvest", "journey", "workshop", "notebook", "garden", "harbor",
        "ladder", "window", "mirror", "orchard", "kitchen", "archive", "margin", "threshold", "signature", "rhythm",
        "fountain", "corridor", "hinge", "lever", "pulley", "circuit", "vessel", "furnace", "texture", "grammar",
        "dialect", "census", "budget", "forecast", "treaty", "verdict", "rehearsal", "inventory", "catalogue", "sketch",
        "blueprint", "riddle", "anecdote", "parable", "caveat", "footnote", "summary", "glossary", "appendix",
    ];

    private static readonly string[] Verbs =
    [
        "shapes", "explains", "connects", "tests", "frames", "supports", "reveals", "limits", "extends", "clarifies",
        "prepares", "anchors", "balances", "questions", "sharpens", "guides", "follows", "echoes", "grounds", "opens",
        "organizes", "challenges", "softens", "replaces", "predicts", "borrows", "measures", "gathers", "sorts", "trims",
        "weighs", "invites", "delays", "hastens", "mirrors", "bends", "lifts", "carries", "tempers", "revisits",
        "dissolves", "kindles", "outlines", "rewards", "punishes", "negotiates", "translates", "compresses", "unpacks", "polishes",
    ];

    private static readonly string[] Prepositions =
    [
        "through", "within", "beside", "across", "beyond", "under", "against", "toward", "after", "before", "around", "behind", "among", "despite", "inside", "alongside",
    ];

    private static readonly string[] Adverbs =
    [
        "quietly", "often", "rarely", "slowly", "clearly", "usually", "gradually", "deliberately", "eventually", "plainly",
        "briefly", "firmly", "openly", "loosely", "sharply", "warmly", "roughly", "neatly", "boldly", "calmly",
        "steadily", "partly", "mostly", "seldom", "suddenly",
    ];

    private static readonly string[] Openers =
    [
        "In practice,", "By contrast,", "Seen this way,", "For a newcomer,", "Over time,", "At first,", "In short,",
        "Later,", "Even so,", "Put simply,",
    ];

    /// <summary>Paragraphs of prose about <paramref name="subject"/>, each starting with <paramref name="heading"/>,
    /// until at least <paramref name="targetChars"/> characters.</summary>
    public static string Write(string subject, string heading, ulong seed, int targetChars)
    {
        var random = new SplitMix64(seed);
        var text = new StringBuilder(targetChars + 200);
        while (text.Length < targetChars)
        {
            if (text.Length > 0)
                text.Append("\n\n");
            text.Append(heading);
            var sentences = 4 + random.Next(4);
            for (var i = 0; i < sentences && text.Length < targetChars; i++)
                text.Append(' ').Append(Sentence(random, subject));
        }
        return text.ToString();
    }

    /// <summary>A short topic phrase for a NEXT marker.</summary>
    public static string Topic(string subject, ulong seed)
    {
        var random = new SplitMix64(seed ^ 0x5EED);
        var adjective = Pick(random, Adjectives);
        return $"{char.ToUpperInvariant(adjective[0])}{adjective[1..]} {Pick(random, Nouns)}s in {subject}";
    }

    /// <summary>The same text with about one word in <paramref name="every"/> swapped for another word.</summary>
    public static string Perturb(string text, ulong seed, int every)
    {
        var random = new SplitMix64(seed);
        var words = text.Split(' ');
        for (var i = every / 2; i < words.Length; i += every)
        {
            var word = words[i];
            if (word.Length > 0 && char.IsLower(word[0]) && word.All(char.IsLetter))
                words[i] = Pick(random, Nouns);
        }
        return string.Join(' ', words);
    }

    public static ulong Seed(params object[] parts)
    {
        // FNV-1a: stable across processes and runtimes, unlike string.GetHashCode.
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(string.Join('\u001f', parts)))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return hash;
    }

    private static string Sentence(SplitMix64 random, string subject)
    {
        var words = new List<string>(16);
        if (random.Next(3) == 0)
            words.Add(Pick(random, Openers));
        words.Add(Pick(random, Determiners));
        words.Add(Pick(random, Adjectives));
        words.Add(Pick(random, Nouns));
        if (random.Next(2) == 0)
            words.Add(Pick(random, Adverbs));
        words.Add(Pick(random, Verbs));
        words.Add(Pick(random, Determiners));
        if (random.Next(2) == 0)
            words.Add(Pick(random, Adjectives));
        words.Add(Pick(random, Nouns));
        words.Add(Pick(random, Prepositions));
        words.Add(Pick(random, Determiners));
        words.Add(Pick(random, Nouns));
        if (random.Next(3) == 0)
        {
            words.Add("of");
            words.Add(subject);
        }
        var sentence = string.Join(' ', words);
        return char.ToUpperInvariant(sentence[0]) + sentence[1..] + ".";
    }

    private static string Pick(SplitMix64 random, string[] words) => words[random.Next(words.Length)];

    /// <summary>A tiny seeded generator: identical output on every platform and runtime.</summary>
    private sealed class SplitMix64(ulong state)
    {
        public int Next(int exclusiveMax)
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z % (ulong)exclusiveMax);
        }
    }
}
