namespace XSArena.Core.Runner;

/// <summary>One completed chunk, as Receive-Job returns it.</summary>
public sealed record ChunkRecord(
    Guid JobId,
    int ChunkIndex,
    int ChunksTotal,
    int Characters,
    string? Hint,
    long OutLength,
    string OutFile);
