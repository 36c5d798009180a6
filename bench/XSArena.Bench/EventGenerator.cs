using System.Text;
using System.Text.Json.Nodes;
using XSArena.Core.Jobs;
using XSArena.Core.Store;

namespace XSArena.Bench;

/// <summary>Writes events.jsonl files shaped like a real book job: per chunk a request, a next hint and a chunk_done,
/// with an occasional retry, in the serializer's own layout.</summary>
public static class EventGenerator
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes <paramref name="lines"/> events and returns the statistics they must fold to.</summary>
    public static JobStatistics Write(string path, string jobId, int lines, int seed)
    {
        var random = new Random(seed);
        var time = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
        var expected = JobStatistics.Empty;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = new StreamWriter(stream, Utf8);
        var written = 0;
        var chunk = 0;
        long outLength = 0;

        void Emit(string type, JsonObject fields)
        {
            if (written >= lines) return;
            time = time.AddMilliseconds(random.Next(5, 900));
            var e = new JobEvent(time, type, jobId, fields);
            writer.Write(EventSerializer.ToLine(e));
            writer.Write('\n');
            expected = expected.Apply(e);
            written++;
        }

        Emit(EventTypes.JobSubmitted, new JsonObject { ["subject"] = "Introduction to Linear Algebra", ["chunks"] = 40 });
        Emit(EventTypes.JobStarted, new JsonObject { ["backend"] = "openai", ["model"] = "gpt-4o-mini", ["pid"] = 4242 });
        while (written < lines)
        {
            chunk++;
            if (random.Next(20) == 0)
            {
                Emit(EventTypes.Retry, new JsonObject
                {
                    ["chunk_idx"] = chunk, ["attempt"] = 1, ["error_code"] = "server_error",
                    ["error"] = "HTTP 502: upstream connect error", ["delay_s"] = 2.5,
                });
            }
            var chars = random.Next(5200, 7800);
            Emit(EventTypes.Request, new JsonObject
            {
                ["chunk_idx"] = chunk, ["pass"] = 0, ["attempt"] = 0, ["model"] = "gpt-4o-mini",
                ["prompt_tokens"] = random.Next(900, 1400), ["completion_tokens"] = chars / 4,
                ["cost"] = Math.Round(random.NextDouble() / 1000, 6), ["elapsed_ms"] = random.Next(8000, 40000),
                ["chars"] = chars, ["finish_reason"] = "stop",
            });
            Emit(EventTypes.NextHint, new JsonObject
            {
                ["chunk_idx"] = chunk, ["hint"] = "Continue with eigenvalues of symmetric matrices and the spectral theorem.",
            });
            outLength += chars + 2;
            Emit(EventTypes.ChunkDone, new JsonObject
            {
                ["chunk_idx"] = chunk, ["chars"] = chars, ["out_len"] = outLength,
                ["sha256"] = Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64())) + "9f2c4e1a7b3d5f60",
                ["tail_hash"] = "3b7e1f0a", ["extension_passes"] = 0,
            });
        }
        return expected;
    }
}
