using System.Diagnostics;

namespace XSArena.Core.Runner;

/// <summary>Deterministic places where a test can have the runner's process killed (SIGKILL, no cleanup), to prove
/// that resume is exact whatever moment a crash hits. Off unless the settings name a point.</summary>
public static class CrashPoints
{
    /// <summary>Half the chunk's bytes are on disk, the rest never arrive.</summary>
    public const string MidAppend = "mid-append";
    public const string AfterAppendBeforeLog = "after-append-before-log";
    public const string AfterLogBeforeJobFile = "after-log-before-job-json";
    public const string BeforeRequest = "before-request";
    /// <summary>Not a crash: half the chunk is written, then the write fails as on a full disk.</summary>
    public const string IoErrorMidAppend = "io-error-mid-append";

    public static IReadOnlyList<string> All { get; } = [MidAppend, AfterAppendBeforeLog, AfterLogBeforeJobFile, BeforeRequest, IoErrorMidAppend];

    public static bool Is(Settings.XSSettings settings, string point, int chunk) =>
        settings.CrashPoint is { } configured && configured.Point == point && configured.Chunk == chunk;

    /// <summary>Kills this process at once when <paramref name="point"/> at <paramref name="chunk"/> is the one configured.</summary>
    public static void Hit(Settings.XSSettings settings, string point, int chunk)
    {
        if (!Is(settings, point, chunk)) return;
        using var self = Process.GetCurrentProcess();
        self.Kill(); // SIGKILL on Unix: no finally blocks, no exit handlers, exactly like a crash
        Thread.Sleep(Timeout.Infinite);
    }
}
