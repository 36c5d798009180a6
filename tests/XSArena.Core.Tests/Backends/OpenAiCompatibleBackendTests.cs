using XSArena.Core.Backends;
using XSArena.Core.Settings;
using XSArena.FakeLlm;

namespace XSArena.Core.Tests.Backends;

/// <summary>The streaming client against a real loopback HTTP server; each test owns its server.</summary>
public sealed class OpenAiCompatibleBackendTests
{
    private const string KeyVariable = "XSA_TEST_KEY";
    private const string Key = "sk-test-SECRET-9f8e7d6c";
    private const int TestTimeoutMs = 20000;

    private static readonly ChatRequest Request = new("SUBJECT: Tides", "Write Part 2 of 12 of the book.", "fake-model", 2, 0);

    private static async Task<FakeLlmServer> StartAsync(FakeReply? reply = null)
    {
        var server = new FakeLlmServer(reply is null ? null : FakeScript.Always(reply));
        await server.StartAsync();
        return server;
    }

    private static OpenAiCompatibleBackend Backend(FakeLlmServer server, string kind = "openai", RequestTimeouts? timeouts = null, bool withKey = true)
    {
        var profile = new BackendProfile(kind, kind, server.BaseUrl, KeyVariable, "fake-model");
        var settings = new XSSettings { Timeouts = timeouts ?? new RequestTimeouts(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15)) };
        var environment = new Dictionary<string, string?> { [KeyVariable] = withKey ? Key : null };
        return new OpenAiCompatibleBackend(profile, settings, environment);
    }

    private static CancellationTokenSource Guard() => new(TimeSpan.FromSeconds(15));

    private static async Task<BackendException> FailsAsync(FakeReply reply, RequestTimeouts? timeouts = null)
    {
        await using var server = await StartAsync(reply);
        using var cts = Guard();
        return await Assert.ThrowsAsync<BackendException>(() => Backend(server, timeouts: timeouts).CompleteAsync(Request, cts.Token));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Streamed_events_are_assembled_into_the_full_text()
    {
        await using var server = await StartAsync(new FakeReply { Events = 37 });
        using var cts = Guard();
        var result = await Backend(server).CompleteAsync(Request, cts.Token);

        var expected = FakeReplyText.Compose(Request.System, Request.User, 2, 0, 5000);
        Assert.Equal(expected, result.Text);
        Assert.Contains("Fake part 2", result.Text);
        Assert.EndsWith("NEXT: [Fake topic 3]", result.Text);
        Assert.Equal("stop", result.FinishReason);
        Assert.Equal("fake-model", result.Model);
        Assert.Equal(1, server.Stats.Completed);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Usage_and_cost_are_read_from_the_stream()
    {
        await using var server = await StartAsync();
        using var cts = Guard();
        var result = await Backend(server).CompleteAsync(Request, cts.Token);

        Assert.Equal((Request.System.Length + Request.User.Length) / 4, result.PromptTokens);
        Assert.Equal(result.Text.Length / 4, result.CompletionTokens);
        Assert.Equal(0.0001m, result.Cost);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Keep_alive_comments_are_ignored()
    {
        await using var server = await StartAsync(new FakeReply { KeepaliveComments = true, Text = "Alpha beta gamma.", Events = 5 });
        using var cts = Guard();
        var result = await Backend(server).CompleteAsync(Request, cts.Token);
        Assert.Equal("Alpha beta gamma.", result.Text);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Missing_DONE_after_a_finish_reason_is_accepted()
    {
        await using var server = await StartAsync(new FakeReply { OmitDone = true, Text = "Complete reply." });
        using var cts = Guard();
        var result = await Backend(server).CompleteAsync(Request, cts.Token);
        Assert.Equal("Complete reply.", result.Text);
        Assert.Equal("stop", result.FinishReason);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Finish_reason_length_is_a_normal_result()
    {
        await using var server = await StartAsync(new FakeReply { FinishReason = "length", Text = "Cut short" });
        using var cts = Guard();
        var result = await Backend(server).CompleteAsync(Request, cts.Token);
        Assert.Equal("length", result.FinishReason);
        Assert.Equal("Cut short", result.Text);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task End_of_stream_without_a_finish_reason_is_a_truncated_stream()
    {
        var error = await FailsAsync(new FakeReply { FinishReason = "none", OmitDone = true, Text = "Half a rep", Events = 2 });
        Assert.Equal(BackendErrorCode.TruncatedStream, error.Code);
        Assert.Equal("Half a rep", error.PartialText);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Server_closing_the_connection_mid_stream_is_a_truncated_stream()
    {
        var error = await FailsAsync(new FakeReply { DisconnectAfterEvents = 3, Events = 10 });
        Assert.Equal(BackendErrorCode.TruncatedStream, error.Code);
        Assert.NotNull(error.PartialText);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Multi_byte_characters_split_across_reads_arrive_intact()
    {
        const string text = "Café au lait, 中文字符, emoji 😀🎉 and ümlauts: Ærø — done.";
        await using var server = await StartAsync(new FakeReply { SplitUtf8 = true, Text = text, Events = 4 });
        using var cts = Guard();
        var result = await Backend(server).CompleteAsync(Request, cts.Token);
        Assert.Equal(text, result.Text);
        Assert.DoesNotContain('\uFFFD', result.Text);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Status_429_with_Retry_After_is_rate_limited_and_keeps_the_wait()
    {
        var error = await FailsAsync(new FakeReply { Status = 429, RetryAfter = 7 });
        Assert.Equal(BackendErrorCode.RateLimited, error.Code);
        Assert.Equal(429, error.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
        Assert.Equal("rate_limited", error.CodeName);
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData(401, """{"error":{"code":401,"message":"No auth credentials found"}}""", BackendErrorCode.Auth)]
    [InlineData(403, """{"error":{"code":403,"message":"Forbidden"}}""", BackendErrorCode.Auth)]
    [InlineData(402, """{"error":{"code":402,"message":"Insufficient credits"}}""", BackendErrorCode.Payment)]
    [InlineData(500, """{"error":{"code":500,"message":"Internal error"}}""", BackendErrorCode.ServerError)]
    [InlineData(503, """{"detail":"Userscript client not connected."}""", BackendErrorCode.ServerError)]
    [InlineData(502, "<html><body>Bad gateway</body></html>", BackendErrorCode.ServerError)]
    [InlineData(404, """{"error":{"message":"model \"x\" not found, try pulling it first","type":"not_found_error"}}""", BackendErrorCode.ModelNotFound)]
    [InlineData(400, """{"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error"}}""", BackendErrorCode.ContextTooLong)]
    [InlineData(400, """{"error":"The number of tokens to keep from the initial prompt is greater than the context length"}""", BackendErrorCode.ContextTooLong)]
    [InlineData(400, """{"error":{"code":400,"message":"x is not a valid model ID","metadata":{"error_type":"model_not_found"}}}""", BackendErrorCode.ModelNotFound)]
    [InlineData(400, """{"error":{"code":400,"message":"Session ID/Message ID not configured."}}""", BackendErrorCode.InvalidRequest)]
    public async Task Http_errors_are_classified_by_status_and_body(int status, string body, BackendErrorCode expected)
    {
        var error = await FailsAsync(new FakeReply { Status = status, Body = body });
        Assert.Equal(expected, error.Code);
        Assert.Equal(status, error.StatusCode);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Error_in_a_200_body_is_classified_by_its_code()
    {
        var error = await FailsAsync(new FakeReply { ErrorIn200Body = true, ErrorCode = 429, ErrorMessage = "Rate limit exceeded" });
        Assert.Equal(BackendErrorCode.RateLimited, error.Code);
        Assert.Contains("Rate limit exceeded", error.Message);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Bridge_timeout_error_in_a_200_body_is_a_timeout()
    {
        var error = await FailsAsync(new FakeReply { ErrorIn200Body = true, Body = """{"error":{"type":"timeout","message":"Response timeout after 360 seconds"}}""" });
        Assert.Equal(BackendErrorCode.Timeout, error.Code);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Mid_stream_error_chunk_is_classified_and_keeps_the_partial_text()
    {
        var error = await FailsAsync(new FakeReply { ErrorChunkAfterEvents = 4, Events = 10, ErrorCode = 502, ErrorMessage = "Provider disconnected" });
        Assert.Equal(BackendErrorCode.ServerError, error.Code);
        Assert.Contains("Provider disconnected", error.Message);
        Assert.False(string.IsNullOrEmpty(error.PartialText));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Silence_mid_stream_beyond_the_idle_limit_is_a_stall_and_closes_the_connection()
    {
        await using var server = await StartAsync(new FakeReply { StallAfterEvents = 3, Events = 10 });
        var timeouts = new RequestTimeouts(TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(15));
        using var cts = Guard();
        var error = await Assert.ThrowsAsync<BackendException>(() => Backend(server, timeouts: timeouts).CompleteAsync(Request, cts.Token));

        Assert.Equal(BackendErrorCode.Stall, error.Code);
        Assert.Contains("idle", error.Message);
        Assert.False(string.IsNullOrEmpty(error.PartialText));
        Assert.Equal(1, (await server.WaitForStatsAsync(s => s.Aborted == 1, TimeSpan.FromSeconds(5))).Aborted);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task No_first_byte_within_the_limit_is_a_stall()
    {
        var timeouts = new RequestTimeouts(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15));
        var error = await FailsAsync(new FakeReply { FirstByteDelayMs = 5000 }, timeouts);
        Assert.Equal(BackendErrorCode.Stall, error.Code);
        Assert.Contains("first byte", error.Message);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task A_reply_slower_than_the_total_limit_is_a_timeout()
    {
        var timeouts = new RequestTimeouts(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(500));
        var error = await FailsAsync(new FakeReply { Events = 50, EventDelayMs = 50 }, timeouts);
        Assert.Equal(BackendErrorCode.Timeout, error.Code);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Cancellation_aborts_promptly_and_closes_the_connection()
    {
        await using var server = await StartAsync(new FakeReply { Events = 200, EventDelayMs = 50 });
        using var cts = Guard();
        var backend = Backend(server);
        var call = backend.CompleteAsync(Request, cts.Token);
        await server.WaitForStatsAsync(s => s.Active == 1, TimeSpan.FromSeconds(5));
        await Task.Delay(200);
        var cancelledAt = DateTime.UtcNow;
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(DateTime.UtcNow - cancelledAt < TimeSpan.FromSeconds(2));
        var stats = await server.WaitForStatsAsync(s => s.Aborted == 1, TimeSpan.FromSeconds(5));
        Assert.Equal(1, stats.Aborted);
        Assert.Equal(0, stats.Completed);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task The_key_is_sent_as_Bearer_but_never_appears_in_error_messages()
    {
        await using var server = await StartAsync();
        using var cts = Guard();
        var backend = Backend(server);
        await backend.CompleteAsync(Request, cts.Token);
        var received = Assert.Single(server.Requests);
        Assert.Equal("Bearer", received.AuthScheme);
        Assert.Equal(FakeLlmServer.Sha256(Key), received.AuthTokenSha256);
        Assert.DoesNotContain(received.Headers, h => h.Value.Contains(Key, StringComparison.Ordinal));

        // A server that echoes the rejected key back.
        server.Script = FakeScript.Always(new FakeReply { Status = 401, Body = "{\"error\":{\"code\":401,\"message\":\"Invalid key " + Key + "\"}}" });
        var error = await Assert.ThrowsAsync<BackendException>(() => backend.CompleteAsync(Request, cts.Token));
        Assert.Equal(BackendErrorCode.Auth, error.Code);
        Assert.DoesNotContain(Key, error.Message);
        Assert.DoesNotContain(Key, error.ToString());
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task OpenRouter_sends_attribution_headers_and_requires_a_key()
    {
        await using var server = await StartAsync(new FakeReply { Text = "ok" });
        using var cts = Guard();
        await Backend(server, kind: "openrouter").CompleteAsync(Request, cts.Token);
        var headers = Assert.Single(server.Requests).Headers;
        Assert.Equal("XSArena", headers["x-title"]);
        Assert.True(headers.ContainsKey("http-referer"));

        var missing = Assert.Throws<BackendException>(() => Backend(server, kind: "openrouter", withKey: false));
        Assert.Equal(BackendErrorCode.Configuration, missing.Code);
        Assert.Contains(KeyVariable, missing.Message);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Openai_kind_works_without_a_key()
    {
        await using var server = await StartAsync(new FakeReply { Text = "no key needed" });
        using var cts = Guard();
        var result = await Backend(server, withKey: false).CompleteAsync(Request, cts.Token);
        Assert.Equal("no key needed", result.Text);
        Assert.Null(Assert.Single(server.Requests).AuthScheme);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Rule_with_times_fails_once_then_the_same_request_succeeds()
    {
        var script = new FakeScript
        {
            Rules = [new FakeRule { Match = new FakeMatch { Part = 2 }, Times = 1, Reply = new FakeReply { Status = 500 } }],
        };
        await using var server = new FakeLlmServer(script);
        await server.StartAsync();
        using var cts = Guard();
        var backend = Backend(server);

        var error = await Assert.ThrowsAsync<BackendException>(() => backend.CompleteAsync(Request, cts.Token));
        Assert.Equal(BackendErrorCode.ServerError, error.Code);
        var result = await backend.CompleteAsync(Request, cts.Token);
        Assert.Contains("Fake part 2", result.Text);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Unreachable_server_is_a_network_error()
    {
        var server = await StartAsync();
        var backend = Backend(server);
        await server.DisposeAsync();
        using var cts = Guard();
        var error = await Assert.ThrowsAsync<BackendException>(() => backend.CompleteAsync(Request, cts.Token));
        Assert.Equal(BackendErrorCode.Network, error.Code);
    }
}
