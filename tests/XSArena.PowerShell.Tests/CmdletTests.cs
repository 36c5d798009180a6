using System.Management.Automation;
using System.Reflection;
using System.Text.Json.Nodes;
using EventTypes = XSArena.Core.Jobs.EventTypes;
using SystemClock = XSArena.Core.Jobs.SystemClock;
using XSArena.Core.Runner;
using XSArena.Core.Settings;
using XSArena.Core.Store;
using XSArena.FakeLlm;

namespace XSArena.PowerShell.Tests;

public sealed class CmdletTests : IDisposable
{
    private readonly ModuleHost _host = new();

    public void Dispose() => _host.Dispose();

    private PSObject StartOfflineBook(string subject = "Linear Algebra", int chunks = 3) =>
        _host.Invoke("Start-XSBook $args[0] -Backend offline -Chunks $args[1] -Wait", subject, chunks).Single();

    [Fact]
    public void Start_XSBook_Wait_returns_the_finished_job_that_Get_Job_also_returns()
    {
        var job = StartOfflineBook();
        Assert.IsType<XSJob>(job.BaseObject);
        Assert.Equal("DONE", _host.Invoke("$args[0].State", job).Single().BaseObject);
        Assert.Equal(JobState.Completed, ((XSJob)job.BaseObject).JobStateInfo.State);

        var fromGetJob = _host.Invoke("Get-Job -InstanceId $args[0]", ((XSJob)job.BaseObject).InstanceId).Single();
        Assert.Same(job.BaseObject, fromGetJob.BaseObject);
        var fromGetXSJob = _host.Invoke("Get-XSJob | Where-Object State -eq DONE").Single();
        Assert.Same(job.BaseObject, fromGetXSJob.BaseObject);
        Assert.Equal("XSArenaJob", ((XSJob)job.BaseObject).PSJobTypeName);
    }

    [Fact]
    public void Wait_Job_and_Receive_Job_yield_one_chunk_record_per_chunk()
    {
        var records = _host.Invoke("Start-XSBook 'Receiving' -Backend offline -Chunks 4 | Wait-Job -Timeout 60 | Receive-Job");
        Assert.Equal([1, 2, 3, 4], records.Select(r => (int)r.Properties["ChunkIndex"].Value));
    }

    [Fact]
    public void Listing_and_formatting_a_failed_job_leave_its_chunk_records_on_disk_until_Receive_Job()
    {
        Guid id;
        using (var writer = BookJobs.Create(new JobStore(_host.Root), new BookRequest("Failed late") { Backend = "offline", Chunks = 5 }, new XSSettings(), SystemClock.Instance))
        {
            for (var chunk = 1; chunk <= 3; chunk++) writer.Log(EventTypes.ChunkDone, new JsonObject { ["chunk_idx"] = chunk, ["out_len"] = chunk * 100 });
            writer.SetState(Core.Jobs.JobState.Failed, "auth", "Key rejected");
            id = writer.Job.InstanceId;
        }

        var listed = (XSJob)_host.Invoke("Get-XSJob $args[0]", id).Single().BaseObject;
        _host.Invoke("Get-Job | Out-String; Get-XSJob | Out-String; Get-Job | Format-Table Name, State, HasMoreData | Out-String");
        Assert.True(listed.HasMoreData);
        Assert.Equal(0, BufferedOutput(listed)); // nothing read from the log yet

        var records = _host.Invoke(out var errors, "Receive-Job -InstanceId $args[0]", id);
        Assert.Equal([1, 2, 3], records.Select(r => (int)r.Properties["ChunkIndex"].Value));
        Assert.Contains(errors, e => e.FullyQualifiedErrorId.StartsWith("XSJobFailed", StringComparison.Ordinal));
    }

    [Fact]
    public void Jobs_finished_before_this_session_each_hand_out_their_own_chunks_and_failures()
    {
        Guid WriteFinished(string name, Core.Jobs.JobState state, int chunks)
        {
            using var writer = BookJobs.Create(new JobStore(_host.Root), new BookRequest(name) { Backend = "offline", Chunks = chunks }, new XSSettings(), SystemClock.Instance);
            for (var chunk = 1; chunk <= chunks; chunk++) writer.Log(EventTypes.ChunkDone, new JsonObject { ["chunk_idx"] = chunk, ["out_len"] = chunk * 100 });
            if (state == Core.Jobs.JobState.Failed) writer.SetState(state, "auth", "Key rejected");
            else writer.SetState(state);
            return writer.Job.InstanceId;
        }
        var first = WriteFinished("First done", Core.Jobs.JobState.Done, 2);
        var second = WriteFinished("Second done", Core.Jobs.JobState.Done, 3);
        var failed = WriteFinished("Failed", Core.Jobs.JobState.Failed, 1);
        var cancelled = WriteFinished("Cancelled", Core.Jobs.JobState.Cancelled, 1);
        _host.Invoke("$null = Get-XSJob");

        Assert.Equal([1, 2], ChunkIndexes(_host.Invoke("Receive-Job -InstanceId $args[0] -Keep", first)));
        Assert.Equal([1, 2], ChunkIndexes(_host.Invoke("Receive-Job -InstanceId $args[0]", first)));
        Assert.Empty(_host.Invoke("Receive-Job -InstanceId $args[0]", first));
        _host.Invoke("Remove-Job -InstanceId $args[0]", first); // disposes the first job, not streams the others use
        Assert.Equal([1, 2, 3], ChunkIndexes(_host.Invoke("Receive-Job -InstanceId $args[0]", second)));

        Assert.Equal([1], ChunkIndexes(_host.Invoke(out var errors, "Receive-Job -InstanceId $args[0]", failed)));
        Assert.StartsWith("XSJobFailed", Assert.Single(errors).FullyQualifiedErrorId);
        Assert.Equal([1], ChunkIndexes(_host.Invoke(out errors, "Receive-Job -InstanceId $args[0]", cancelled)));
        Assert.Empty(errors); // the failure stays with the failed job

        foreach (var id in new[] { second, failed, cancelled })
        {
            var job = (XSJob)_host.Invoke("Get-Job -InstanceId $args[0]", id).Single().BaseObject;
            Assert.False(job.HasMoreData);
            Assert.False(job.Output.IsOpen);
            Assert.Throws<PSInvalidOperationException>(() => job.Warning.Add(new WarningRecord("a closed stream takes nothing")));
        }
    }

    private static int[] ChunkIndexes(IEnumerable<PSObject> records) => [.. records.Select(r => (int)r.Properties["ChunkIndex"].Value)];

    [Fact]
    public async Task Watch_XSJob_ends_with_a_warning_when_another_process_removes_the_job()
    {
        var job = StoredJobs.Write(_host.Root, "Removed while watched", TimeSpan.Zero, Core.Jobs.JobState.Running, withBook: false);
        using var lease = RunnerLease.TryAcquire(job.Folder, DateTimeOffset.UtcNow); // the job's runner, elsewhere
        var watch = Task.Run(() => _host.Invoke("Watch-XSJob $args[0] -Last 0 3>&1", job.InstanceId));
        await Task.Delay(1500);
        Assert.False(watch.IsCompleted, "a live job is watched until it ends");

        Directory.Delete(job.Folder, recursive: true);
        var output = await watch.WaitAsync(TimeSpan.FromSeconds(20));
        var warning = Assert.IsType<WarningRecord>(Assert.Single(output).BaseObject);
        Assert.Contains("was removed while it was watched", warning.Message);
    }

    /// <summary>What the job's Output holds now, read without its getter (which would load the chunk records).</summary>
    private static int BufferedOutput(Job job) =>
        ((PSDataCollection<PSObject>)typeof(Job).GetField("_output", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(job)!).Count;

    [Fact]
    public void Jobs_bind_from_guid_strings_csv_rows_positional_ids_and_job_objects()
    {
        var id = ((XSJob)StartOfflineBook(chunks: 1).BaseObject).InstanceId;
        Assert.Single(_host.Invoke("$args[0].ToString() | Get-XSJob", id));
        Assert.Single(_host.Invoke("[pscustomobject]@{ Id = $args[0].ToString() } | Get-XSJob", id));
        Assert.Single(_host.Invoke("\"Id,Name`n$($args[0]),x\" | ConvertFrom-Csv | Get-XSJob", id));
        Assert.Single(_host.Invoke("Get-XSJob $args[0]", id));
        Assert.Single(_host.Invoke("Get-Job -InstanceId $args[0] | Get-XSJob", id));
        Assert.Single(_host.Invoke("Get-XSJob -JobId $args[0]", id));
    }

    [Fact]
    public void Unknown_ids_and_foreign_jobs_give_clear_non_terminating_errors()
    {
        var unknown = Guid.NewGuid();
        _host.Invoke(out var errors, "Get-XSJob $args[0]", unknown);
        Assert.Equal("JobNotFound,XSArena.PowerShell.Commands.GetXSJobCommand", Assert.Single(errors).FullyQualifiedErrorId);

        _host.Invoke(out errors, "Get-XSJob -InputObject $args[0]", new ForeignJob());
        Assert.StartsWith("NotAnXSArenaJob", Assert.Single(errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void A_job_whose_job_file_is_damaged_is_reported_as_unreadable_not_missing_and_left_as_it_is()
    {
        var stored = StoredJobs.Write(_host.Root, "Damaged", TimeSpan.FromDays(1));
        var jobFile = Path.Combine(stored.Folder, JobFile.FileName);
        var text = File.ReadAllText(jobFile);
        File.WriteAllText(jobFile, text[..(text.Length / 2)]);

        foreach (var command in new[] { "Get-XSJob $args[0]", "Get-XSJobEvent $args[0]", "Resume-XSJob $args[0]" })
        {
            _host.Invoke(out var errors, command, stored.InstanceId);
            var error = Assert.Single(errors, e => e.FullyQualifiedErrorId.StartsWith("JobUnreadable", StringComparison.Ordinal));
            Assert.Equal(ErrorCategory.ReadError, error.CategoryInfo.Category);
            Assert.Contains(jobFile, error.Exception.Message);
        }
        Assert.Equal(text[..(text.Length / 2)], File.ReadAllText(jobFile));
    }

    [Fact]
    public async Task A_job_damaged_after_this_session_read_it_is_unreadable_too_and_a_watch_of_it_ends()
    {
        var job = (XSJob)StartOfflineBook("Damaged Later", chunks: 1).BaseObject;
        var jobFile = Path.Combine(job.Folder, JobFile.FileName);
        var half = File.ReadAllText(jobFile)[..(File.ReadAllText(jobFile).Length / 2)];
        File.WriteAllText(jobFile, half);

        foreach (var command in new[] { "Get-XSJob -InstanceId $args[0].InstanceId", "$args[0] | Resume-XSJob", "Get-XSJobEvent $args[0].InstanceId" })
        {
            _host.Invoke(out var errors, command, job);
            var error = Assert.Single(errors);
            Assert.StartsWith("JobUnreadable", error.FullyQualifiedErrorId);
            Assert.Contains(jobFile, error.Exception.Message);
        }
        var listed = _host.Invoke("Get-XSJob 3>&1");
        Assert.DoesNotContain(listed, item => item.BaseObject is XSJob);
        Assert.Contains(listed, item => item.BaseObject is WarningRecord warning && warning.Message.Contains(jobFile));

        // WaitAsync throws TimeoutException if the watch of a job nobody runs and nobody can read never ends.
        var watched = await Task.Run(() => _host.Invoke("$args[0] | Watch-XSJob -Last 0 3>&1", job)).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Contains(watched, item => item.BaseObject is WarningRecord warning && warning.Message.Contains("cannot be read"));
        Assert.Equal(half, File.ReadAllText(jobFile));
    }

    [Fact]
    public async Task A_watch_of_a_job_left_pending_with_no_process_to_start_it_ends_and_says_so()
    {
        var copy = (XSJob)_host.Invoke("Start-XSBook 'Copied' -Backend offline -Chunks 1 -Wait | Copy-XSJob").Single().BaseObject;
        File.SetLastWriteTimeUtc(Path.Combine(copy.Folder, JobFile.FileName), DateTime.UtcNow.AddMinutes(-5)); // copied a while ago

        // WaitAsync throws TimeoutException if the watch waits for a start that nobody will make.
        var watched = await Task.Run(() => _host.Invoke("$args[0] | Watch-XSJob -Last 0 3>&1", copy)).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Contains(watched, item => item.BaseObject is WarningRecord warning && warning.Message.Contains("PENDING and no process runs it"));
        Assert.Equal("PENDING", ((XSJob)_host.Invoke("Get-XSJob $args[0]", copy.InstanceId).Single().BaseObject).XSState);
    }

    [Fact]
    public void A_blank_hint_and_an_invalid_wildcard_are_refused_in_plain_words()
    {
        var job = StartOfflineBook(chunks: 1);
        var hint = _host.InvokeExpectingTerminatingError("$args[0] | Send-XSJobHint -Text '   '", job);
        Assert.StartsWith("InvalidHint", hint.FullyQualifiedErrorId);

        foreach (var command in new[] { "Get-XSJob -Name '['", "Get-XSConfig '['", "Get-XSJobEvent $args[0].InstanceId -Type '['" })
        {
            var error = _host.InvokeExpectingTerminatingError(command, job);
            Assert.StartsWith("InvalidWildcardPattern", error.FullyQualifiedErrorId);
            Assert.Contains("'['", error.Exception.Message);
        }
    }

    [Fact]
    public void Hostile_ids_are_refused_before_any_file_access()
    {
        var error = _host.InvokeExpectingTerminatingError("Get-XSJob -InstanceId '..'");
        Assert.Contains("InstanceId", error.Exception.Message);
    }

    [Fact]
    public void A_bad_backend_is_a_terminating_error_and_leaves_no_job()
    {
        var error = _host.InvokeExpectingTerminatingError("Start-XSBook 'x' -Backend nonsense");
        Assert.StartsWith("InvalidBookRequest", error.FullyQualifiedErrorId);
        Assert.Contains("offline", error.Exception.Message);
        Assert.Empty(_host.Invoke("Get-XSJob"));
    }

    [Fact]
    public void A_blank_subject_is_refused_before_the_backend_is_asked()
    {
        var error = _host.InvokeExpectingTerminatingError("Start-XSBook '   ' -Backend openai -BaseUri 'http://127.0.0.1:9/v1'");
        Assert.StartsWith("InvalidBookRequest", error.FullyQualifiedErrorId);
        Assert.Equal("The subject is blank; name what the book is about.", error.Exception.Message);
        Assert.Empty(_host.Invoke("Get-XSJob"));
    }

    [Fact]
    public void A_name_that_names_no_job_is_an_error_and_a_pattern_that_matches_none_is_not()
    {
        StoredJobs.Write(_host.Root, "Topology", TimeSpan.FromDays(1));
        StoredJobs.Write(_host.Root, "Notes [draft]", TimeSpan.FromDays(1));

        var found = _host.Invoke(out var errors, "Get-XSJob -Name topology, 'Nowhere', 'No*', 'Notes `[draft`]'");
        Assert.Equal(["Notes [draft]", "Topology"], found.Select(job => ((XSJob)job.BaseObject).Name).Order());
        var error = Assert.Single(errors);
        Assert.Equal("JobNameNotFound,XSArena.PowerShell.Commands.GetXSJobCommand", error.FullyQualifiedErrorId);
        Assert.Contains("'Nowhere'", error.Exception.Message);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
    }

    [Fact]
    public void Hostile_subjects_write_the_book_under_books()
    {
        var job = (XSJob)StartOfflineBook("../../etc/passwd", chunks: 1).BaseObject;
        Assert.Equal(Path.Combine(_host.Root, "books"), Path.GetDirectoryName(job.OutFile));
        Assert.True(File.Exists(job.OutFile));
    }

    [Fact]
    public void Get_XSJobEvent_filters_by_type_and_keeps_the_last()
    {
        var id = ((XSJob)StartOfflineBook(chunks: 4).BaseObject).InstanceId;
        var events = _host.Invoke("Get-XSJobEvent $args[0] -Type chunk_* -Last 2", id);
        Assert.Equal([3, 4], events.Select(e => (int)e.Properties["ChunkIndex"].Value!));
        Assert.All(events, e => Assert.Equal(id, e.Properties["JobId"].Value));
    }

    [Fact]
    public void Watch_XSJob_on_a_finished_job_shows_recent_events_and_ends()
    {
        var id = ((XSJob)StartOfflineBook(chunks: 2).BaseObject).InstanceId;
        var events = _host.Invoke("Watch-XSJob $args[0] -Last 3", id);
        Assert.Equal(["job_completed", "job_ended"], events.TakeLast(2).Select(e => (string)e.Properties["Type"].Value));
        Assert.Equal(3, events.Count);
    }

    [Fact]
    public async Task Stop_Job_cancels_a_running_book_promptly_through_the_backend()
    {
        await using var server = new FakeLlmServer(FakeScript.Always(new FakeReply { Events = 400, EventDelayMs = 50 }));
        await server.StartAsync();
        var job = (XSJob)_host.Invoke("Start-XSBook 'Slow' -Backend openai -BaseUri $args[0]", server.BaseUrl).Single().BaseObject;
        await server.WaitForStatsAsync(s => s.Active == 1, TimeSpan.FromSeconds(30));

        var watch = System.Diagnostics.Stopwatch.StartNew();
        _host.Invoke("Stop-Job -InstanceId $args[0]", job.InstanceId);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"Stop-Job took {watch.Elapsed}");

        Assert.Equal("CANCELLED", job.XSState);
        Assert.Equal(JobState.Stopped, job.JobStateInfo.State);
        var stats = await server.WaitForStatsAsync(s => s.Aborted == 1, TimeSpan.FromSeconds(10));
        Assert.Equal(1, stats.Aborted);
    }

    [Fact]
    public void Remove_Job_deletes_the_job_folder_but_keeps_the_book()
    {
        var job = (XSJob)StartOfflineBook(chunks: 1).BaseObject;
        _host.Invoke("Remove-Job -InstanceId $args[0]", job.InstanceId);
        Assert.False(Directory.Exists(job.Folder));
        Assert.True(File.Exists(job.OutFile));
        Assert.Empty(_host.Invoke("Get-XSJob"));
    }

    [Fact]
    public void A_failed_job_with_Wait_writes_XSJobFailed_and_still_returns_the_job()
    {
        var result = _host.Invoke(out var errors, "Start-XSBook 'Nowhere' -Backend openai -BaseUri 'http://127.0.0.1:9/v1' -Chunks 1 -Wait -SkipPreflight");
        var job = (XSJob)Assert.Single(result).BaseObject;
        Assert.Equal("FAILED", job.XSState);
        Assert.StartsWith("XSJobFailed", Assert.Single(errors).FullyQualifiedErrorId);
        Assert.Equal("network", job.ErrorCode);
    }

    [Fact]
    public void A_second_session_lists_jobs_from_disk_with_their_counters()
    {
        var job = (XSJob)StartOfflineBook(chunks: 2).BaseObject;
        var store = new XSArena.Core.Store.JobStore(_host.Root);
        var fromDisk = store.Find(job.InstanceId)!;
        Assert.Equal(2, fromDisk.Statistics.ChunksDone);
        Assert.Equal("DONE", fromDisk.Record.State);
    }

    /// <summary>A job of another kind, to check that XS cmdlets refuse it politely.</summary>
    private sealed class ForeignJob() : Job("foreign", "foreign")
    {
        public override string StatusMessage => "";
        public override bool HasMoreData => false;
        public override string Location => "here";
        public override void StopJob() { }
    }
}
