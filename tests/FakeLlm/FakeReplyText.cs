using System.Text;
using System.Text.RegularExpressions;

namespace XSArena.FakeLlm;

/// <summary>The fake server's default reply text: deterministic from the request content, never from arrival order.</summary>
public static partial class FakeReplyText
{
    private static readonly string[] Words =
    [
        "river", "lantern", "method", "harbor", "signal", "garden", "ledger", "copper", "orbit", "meadow",
        "thread", "beacon", "canyon", "fabric", "glacier", "kernel", "mirror", "needle", "pillar", "quarry",
        "saddle", "timber", "valley", "window", "anchor", "basket", "candle", "engine", "falcon", "gravel",
        "slowly", "firmly", "bright", "narrow", "hollow", "steady", "silent", "gentle", "rapid", "sturdy",
        "carries", "measures", "follows", "gathers", "shapes", "lifts", "builds", "tests", "marks", "turns",
    ];

    /// <summary>Part from "Part N of M" and pass from "extension K" in the user message (defaults 1 and 0).</summary>
    public static (int Part, int Pass) ParsePartAndPass(string user)
    {
        var part = PartPattern().Match(user);
        var pass = ExtensionPattern().Match(user);
        return (part.Success ? int.Parse(part.Groups[1].Value) : 1, pass.Success ? int.Parse(pass.Groups[1].Value) : 0);
    }

    /// <summary>About <paramref name="chars"/> characters mentioning "Fake part N", ending with a NEXT line.</summary>
    public static string Compose(string system, string user, int part, int pass, int chars)
    {
        var state = Fnv(system + "\n" + user);
        var next = $"\n\nNEXT: [Fake topic {part + 1}]";
        var target = Math.Max(0, chars - next.Length);
        var text = new StringBuilder(chars + 64);
        while (text.Length < target)
        {
            if (text.Length > 0) text.Append("\n\n");
            text.Append(pass == 0 ? $"Fake part {part}." : $"Fake part {part}, extension {pass}.");
            for (var sentence = 0; sentence < 5 && text.Length < target; sentence++)
            {
                text.Append(' ');
                var length = 8 + (int)(NextRandom(ref state) % 6);
                for (var w = 0; w < length; w++)
                {
                    var word = Words[NextRandom(ref state) % (ulong)Words.Length];
                    text.Append(w == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : " " + word);
                }
                text.Append('.');
            }
        }
        if (text.Length > target)
            text.Length = target;
        return text + next;
    }

    private static ulong Fnv(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return hash;
    }

    private static ulong NextRandom(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    [GeneratedRegex(@"Part\s+(\d+)\s+of\s+\d+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PartPattern();

    [GeneratedRegex(@"extension\s+(\d+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ExtensionPattern();
}
