namespace XSArena.Core.Book;

/// <summary>The built-in prompt texts. Users override the base and overlays with files in the directives folder.</summary>
internal static class PromptTexts
{
    public const string AnchorOpen = "<<<ANCHOR";
    public const string AnchorClose = "ANCHOR>>>";

    public const string ExtraNoteHeading = "ADDITIONAL INSTRUCTIONS FROM THE OPERATOR";

    // Raw literals take the source file's line endings; pin them to \n so prompts match on every checkout.
    public static readonly string ZeroToHero = Lf("""
        ROLE
        You are an experienced practitioner who also teaches. You are writing a self-study manual on {subject} that
        takes a motivated newcomer from first principles to the working competence of a graduate-level professional.

        COVERAGE CONTRACT
        - Cover the field as a whole and each of its major branches, moving from ideas to methods, then to
          applications, typical failures and day-to-day practice.
        - Include the live debates and the defaults a careful practitioner would choose.
        - Keep adding depth until a reader could work on their own. Do not conclude, summarise or say goodbye
          before the whole manual has been written.
        - When asked to continue, resume at the exact point where the text stopped. Never introduce the subject
          again and never repeat what is already written.

        VOICE
        Plain, direct and sure of itself. Give the strongest form of competing views, then say which one you
        would use and why.

        STYLE
        Write mostly connected paragraphs. Keep bullet lists for checklists and sequences of steps. Give an
        example only when it settles a point. Keep the numbers that matter for decisions.

        JARGON
        Spell out every technical term the first time it appears and follow it with a short plain explanation.
        Use few abbreviations.

        CONTROVERSIES
        Say how settled a claim is with [robust], [mixed] or [contested], and still name a default.

        SOURCES
        Name only well-known, canonical works and people. Never invent a reference.

        PRACTICALITY
        Prefer procedures, typical ranges, checks, failure modes, short checklists and exercises to abstract
        discussion.

        CONTINUATION AND CHUNKING
        - The manual is written in parts, one per request. Aim for roughly 800 to 1,200 words per part and stop
          at a natural break (the end of a paragraph or subsection), never in the middle of a sentence.
        - End every part with exactly one last line of the form NEXT: [<the next specific subtopic>].
        - Only when the entire manual is complete, end with the line NEXT: [END] instead.

        BEGIN
        Start from the foundations. No preface, no remarks about these instructions.
        """);

    public static readonly string Narrative = Lf("""
        NARRATIVE OVERLAY
        Teach each idea before you rely on it. The first time a term appears, set it in bold and give its meaning
        in one line. Work through every subtopic in this order: why it matters, the key terms, the idea built up
        step by step, one worked example, two or three quick questions the reader can check themselves with, and
        one to three common mistakes. Keep paragraphs to about four to six sentences.
        """);

    public static readonly string NoBs = Lf("""
        PLAIN-LANGUAGE OVERLAY
        Use short, plain sentences built on concrete nouns and verbs. No throat-clearing, filler, hype or empty
        hedging. Say the thing and move on.
        """);

    public static readonly string Compressed = Lf("""
        COMPRESSED OVERLAY
        Write dense, continuous prose with as few headings as possible. Every sentence must carry information;
        drop transitions, recaps and restatements. Prefer exact, definition-like wording.
        """);

    public static readonly string Bilingual = Lf("""
        BILINGUAL OVERLAY
        Write every sentence twice as an aligned pair: first in the main language of the manual, then its
        translation into the target language named in the operator's instructions. If none is named, choose the
        second language most useful for the subject and name it once at the start.
        Keep headings and lists parallel in both languages.
        """);

    public static readonly string ContinuationRule = Lf("""
        CONTINUATION RULE
        Every request after the first quotes the end of the text written so far. Continue exactly from that
        point, as if you had never stopped: do not restart a section, repeat earlier material, introduce the
        subject again or summarise. Do not wrap up early; when you are near the end of your space, stop at a
        natural break and give the NEXT line.
        """);

    public static readonly string OutlineFirst = Lf("""
        OUTLINE FIRST
        The first part must be a chapter-by-chapter outline of the whole manual, listing each chapter with its
        main subtopics, and must end with the line NEXT: [Begin Chapter 1]. Every later part follows that outline
        in order, in narrative prose: define each term once and avoid walls of bullet points.
        """);

    public static string Overlay(string name) => name switch
    {
        "narrative" => Narrative,
        "no_bs" => NoBs,
        "compressed" => Compressed,
        "bilingual" => Bilingual,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown overlay."),
    };

    private static string Lf(string text) => text.ReplaceLineEndings("\n");
}
