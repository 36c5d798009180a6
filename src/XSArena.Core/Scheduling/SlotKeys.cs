using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace XSArena.Core.Scheduling;

/// <summary>What a job asks the scheduler for: its place in the queue and the backend slot it needs.</summary>
/// <param name="JobId">The job; one waiting ticket per job and root.</param>
/// <param name="Priority">Larger starts sooner.</param>
/// <param name="Backend">The backend name the limits are keyed by (<c>scheduler.concurrency.&lt;name&gt;</c>).</param>
/// <param name="BaseUrl">The backend's base URL; an endpoint-bound backend (bridge, a local server) is limited per URL.</param>
public sealed record SlotRequest(Guid JobId, int Priority, string Backend, string? BaseUrl = null);

/// <summary>Names of slot and ticket files.</summary>
public static class SlotKeys
{
    /// <summary>The marker a ticket carries when its backend has no limit of its own.</summary>
    public const string NoEndpoint = "none";

    /// <summary>The machine-wide key of a backend's slots: the backend name for a remote service, a hash of the
    /// normalized base URL for an endpoint-bound one (the bridge, or any server on this machine), so every root that
    /// talks to one browser tab or one local server shares its limit. Only letters, digits and '_' appear.</summary>
    public static string EndpointKey(string backend, string? baseUrl)
    {
        if (baseUrl is not null && Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri)
            && (string.Equals(backend, "bridge", StringComparison.OrdinalIgnoreCase) || IsLocal(uri)))
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Normalize(uri)));
            return "ep" + Convert.ToHexStringLower(hash)[..24];
        }
        return Sanitize(backend);
    }

    /// <summary>Scheme, host and port in lower case, the path without a trailing slash; query and fragment dropped.</summary>
    public static string Normalize(Uri uri) =>
        $"{uri.Scheme.ToLowerInvariant()}://{uri.IdnHost.ToLowerInvariant()}:{uri.Port}{uri.AbsolutePath.TrimEnd('/')}";

    private static bool IsLocal(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    private static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant()) builder.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        var text = builder.ToString();
        return text.Length == 0 || text == NoEndpoint ? "_" + text : text;
    }
}

/// <summary>One waiting job's ticket as its file name says: <c>&lt;inverted priority:D10&gt;-&lt;enqueue ticks:D19&gt;-&lt;job id:N&gt;-&lt;endpoint key&gt;-&lt;endpoint limit&gt;.ticket</c>.
/// Ordinal name order is queue order: larger priority first, then earlier arrival, then job id.</summary>
public sealed record SlotTicket(string Path, int Priority, long EnqueuedTicks, Guid JobId, string EndpointKey, int EndpointLimit)
{
    public const string Extension = ".ticket";

    public string Name => System.IO.Path.GetFileName(Path);

    public bool HasEndpoint => EndpointKey != SlotKeys.NoEndpoint && EndpointLimit > 0;

    public static string FileName(int priority, long ticks, Guid jobId, string endpointKey, int endpointLimit) =>
        $"{(long)int.MaxValue - priority:D10}-{ticks:D19}-{jobId:N}-{endpointKey}-{endpointLimit}{Extension}";

    public static SlotTicket? TryParse(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        if (!name.EndsWith(Extension, StringComparison.Ordinal)) return null;
        var parts = name[..^Extension.Length].Split('-');
        if (parts.Length != 5) return null;
        if (!long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var inverted)) return null;
        if (!long.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)) return null;
        if (!Guid.TryParseExact(parts[2], "N", out var id)) return null;
        if (!int.TryParse(parts[4], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit)) return null;
        var priority = (long)int.MaxValue - inverted;
        if (priority is < int.MinValue or > int.MaxValue) return null;
        return new SlotTicket(path, (int)priority, ticks, id, parts[3], limit);
    }
}
