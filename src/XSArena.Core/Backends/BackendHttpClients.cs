using System.Collections.Concurrent;

namespace XSArena.Core.Backends;

/// <summary>The process-wide registry of HTTP clients: one per backend profile and base URL, never disposed,
/// so connections are pooled across requests and jobs.</summary>
internal static class BackendHttpClients
{
    private static readonly ConcurrentDictionary<string, HttpClient> Clients = new(StringComparer.OrdinalIgnoreCase);

    public static HttpClient For(string profileName, Uri baseUri) =>
        Clients.GetOrAdd($"{profileName}|{baseUri.GetLeftPart(UriPartial.Authority)}", static _ => Create());

    private static HttpClient Create()
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            // Never drain an abandoned stream for reuse: cancelling must close the connection so the server
            // stops generating (and, on OpenRouter, stops billing).
            MaxResponseDrainSize = 0,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        // Watchdogs per request replace the client-wide timeout, which would kill healthy long streams.
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
