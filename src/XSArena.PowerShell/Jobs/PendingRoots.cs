using System.Collections.Concurrent;

namespace XSArena.PowerShell.Jobs;

/// <summary>The roots sessions named at import, as given (an <c>XSARENA_PROJECT_ROOT</c> value and a location), until
/// <see cref="JobRegistry"/> is first used and resolves them. Import stays free of disk access and of XSArena.Core.</summary>
internal static class PendingRoots
{
    private static readonly ConcurrentQueue<(string? EnvironmentRoot, string Location)> Queue = new();

    public static bool IsEmpty => Queue.IsEmpty;

    public static void Add(string? environmentRoot, string location) => Queue.Enqueue((environmentRoot, location));

    public static bool TryTake(out (string? EnvironmentRoot, string Location) pending) => Queue.TryDequeue(out pending);
}
