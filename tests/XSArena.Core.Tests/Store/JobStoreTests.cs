using System.Text.Json.Nodes;
using XSArena.Core.Jobs;
using XSArena.Core.Store;

namespace XSArena.Core.Tests.Store;

public sealed class JobStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Job_file_round_trip_keeps_unknown_keys_everywhere()
    {
        var folder = Directory.CreateDirectory(_dir.Combine("job")).FullName;
        File.WriteAllText(Path.Combine(folder, "job.json"), """
            {"id": "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b", "name": "n", "state": "RUNNING", "future": {"a": [1, 2]},
             "run_spec": {"subject": "s", "brand_new_field": "x"},
             "meta": {"other_tool": true}, "progress": {"their_counter": 7}}
            """);
        var record = JobFile.Read(folder);
        record.State = "DONE";
        JobFile.Write(folder, record);

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "job.json")))!.AsObject();
        Assert.Equal("DONE", (string?)json["state"]);
        Assert.Equal(2, json["future"]!["a"]!.AsArray().Count);
        Assert.Equal("x", (string?)json["run_spec"]!["brand_new_field"]);
        Assert.True((bool)json["meta"]!["other_tool"]!);
        Assert.Equal(7, (int)json["progress"]!["their_counter"]!);
    }

    [Fact]
    public void Write_is_atomic_and_leaves_no_temp_files()
    {
        var folder = Directory.CreateDirectory(_dir.Combine("job")).FullName;
        var record = new JobRecord { Id = Guid.NewGuid().ToString(), Name = "x", Schema = 1 };
        for (var i = 0; i < 5; i++) { record.Retries = i; JobFile.Write(folder, record); }
        Assert.Equal(["job.json"], Directory.GetFiles(folder).Select(Path.GetFileName));
        Assert.Equal(4, JobFile.Read(folder).Retries);
    }

    [Fact]
    public void A_listed_job_has_everything_but_the_system_prompt_and_cannot_be_written_back()
    {
        var store = new JobStore(_dir.Path);
        var folder = store.CreateFolder(Guid.NewGuid());
        JobFile.Write(folder, new JobRecord
        {
            Id = Path.GetFileName(folder), Name = "listed", State = "DONE", Schema = 1, CreatedAt = "2026-01-02T03:04:05.000000Z",
            RunSpec = new RunSpec { Subject = "Topology", Model = "m" },
            Meta = new JobMeta { SystemText = new string('s', 5000), Chunks = 4, Error = "e" },
            Progress = new JobProgress { ChunksDone = 3, Requests = 5, Cost = 0.25m },
        });
        var before = File.ReadAllText(Path.Combine(folder, "job.json"));

        var listed = store.TryLoad(folder)!;
        Assert.Equal(("listed", "Topology", "m", 4, "e"), (listed.Record.Name, listed.Record.RunSpec.Subject, listed.Record.RunSpec.Model, listed.Record.Meta.Chunks, listed.Record.Meta.Error));
        Assert.Equal((3, 5, 0.25m), (listed.Statistics.ChunksDone, listed.Statistics.Requests, listed.Statistics.Cost));
        Assert.True(listed.Record.Meta.IsSystemTextSkipped);
        Assert.Throws<InvalidOperationException>(() => listed.Record.Meta.SystemText);
        Assert.ThrowsAny<Exception>(() => JobFile.Write(folder, listed.Record));
        Assert.Equal(before, File.ReadAllText(Path.Combine(folder, "job.json")));
        Assert.Equal(["job.json"], Directory.GetFiles(folder).Select(Path.GetFileName));

        var full = JobFile.Read(folder);
        Assert.False(full.Meta.IsSystemTextSkipped);
        Assert.Equal(5000, full.Meta.SystemText!.Length);
    }

    [Theory]
    [InlineData("""{"id": "x", "meta": {"chunks": 2}}""")]
    [InlineData("""{"id": "x", "meta": {"system_text": null}}""")]
    public void A_listed_job_without_a_system_prompt_reads_as_one_without(string json)
    {
        var folder = Directory.CreateDirectory(_dir.Combine("job")).FullName;
        File.WriteAllText(Path.Combine(folder, "job.json"), json);
        var record = JobFile.ReadListed(folder, out _);
        Assert.False(record.Meta.IsSystemTextSkipped);
        Assert.Null(record.Meta.SystemText);
    }

    [Theory]
    [InlineData("""{"id": "x"}""")]
    [InlineData("""{"id": "x", "run_spec": null, "meta": null, "progress": null, "artifacts": null}""")]
    [InlineData("""{"id": "x", "run_spec": {"overlays": null, "extra_files": null}}""")]
    public void Missing_or_null_parts_of_a_job_read_as_empty_ones(string json)
    {
        foreach (var record in new[] { JobFile.Parse(System.Text.Encoding.UTF8.GetBytes(json), "job.json"), ReadListed(json) })
        {
            Assert.Empty(record.RunSpec.Overlays);
            Assert.Empty(record.RunSpec.ExtraFiles);
            Assert.Equal("standard", record.RunSpec.Length);
            Assert.Null(record.Meta.Chunks);
            Assert.Equal(0, record.Progress.ChunksDone);
            Assert.Empty(record.Artifacts);
        }
    }

    private JobRecord ReadListed(string json)
    {
        var folder = Directory.CreateDirectory(_dir.Combine(Guid.NewGuid().ToString())).FullName;
        File.WriteAllText(Path.Combine(folder, "job.json"), json);
        return JobFile.ReadListed(folder, out _);
    }

    [Fact]
    public void A_listed_job_comes_with_the_stamp_of_the_file_it_was_read_from()
    {
        var folder = Directory.CreateDirectory(_dir.Combine("job")).FullName;
        JobFile.Write(folder, new JobRecord { Id = Guid.NewGuid().ToString(), Name = "x", Schema = 1 });
        JobFile.ReadListed(folder, out var stamp);
        Assert.Equal(JobFileStamp.Of(folder), stamp);
        Assert.Equal(new FileInfo(Path.Combine(folder, "job.json")).Length, stamp.Length);

        JobFile.Write(folder, new JobRecord { Id = Guid.NewGuid().ToString(), Name = "a longer name", Schema = 1 });
        Assert.NotEqual(stamp, JobFileStamp.Of(folder));
        Assert.Equal(default, JobFileStamp.Of(_dir.Combine("none")));
    }

    [Fact]
    public void Stray_temp_files_are_cleaned_up()
    {
        var folder = Directory.CreateDirectory(_dir.Combine("job")).FullName;
        File.WriteAllText(Path.Combine(folder, "job.json.0123456789abcdef.tmp"), "{half");
        JobFile.CleanStrayTempFiles(folder);
        Assert.Empty(Directory.GetFiles(folder));
    }

    [Fact]
    public void Corrupt_job_is_reported_by_name_and_the_others_still_list()
    {
        var store = new JobStore(_dir.Path);
        var good = store.CreateFolder(Guid.NewGuid());
        JobFile.Write(good, new JobRecord { Id = Path.GetFileName(good), Name = "good", Schema = 1 });
        var bad = store.CreateFolder(Guid.NewGuid());
        File.WriteAllText(Path.Combine(bad, "job.json"), "{\"id\": \"x\", \"name\": ");

        var warnings = new List<string>();
        var jobs = store.List(warnings.Add);

        Assert.Equal(["good"], jobs.Select(j => j.Record.Name));
        var warning = Assert.Single(warnings);
        Assert.Contains(Path.Combine(bad, "job.json"), warning);
    }

    /// <summary>Creates <paramref name="count"/> job folders, each with the record <paramref name="record"/> gives for
    /// its index and folder; returns the folders in creation order.</summary>
    private static List<string> WriteJobs(JobStore store, int count, Func<int, string, JobRecord> record)
    {
        var folders = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var folder = store.CreateFolder(Guid.NewGuid());
            JobFile.Write(folder, record(i, folder));
            folders.Add(folder);
        }
        return folders;
    }

    [Fact]
    public void Many_folders_load_on_every_core_yet_in_folder_order_with_warnings_on_the_callers_thread()
    {
        var store = new JobStore(_dir.Path);
        var folders = WriteJobs(store, 200, (i, folder) => new JobRecord { Id = Path.GetFileName(folder), Name = $"job {i}", Schema = 1 });
        int[] broken = [7, 57, 107, 157];
        foreach (var i in broken) File.WriteAllText(Path.Combine(folders[i], "job.json"), "{\"id\": ");
        var caller = Environment.CurrentManagedThreadId;
        var warnings = new List<(string Message, int Thread)>();

        var loaded = store.LoadAll(folders, message => warnings.Add((message, Environment.CurrentManagedThreadId)));

        var good = Enumerable.Range(0, 200).Where(i => !broken.Contains(i)).ToList();
        Assert.Equal(good.Select(i => $"job {i}"), loaded.Select(job => job.Job.Record.Name));
        Assert.All(loaded, job => Assert.Equal(JobFileStamp.Of(job.Job.Folder), job.Stamp));
        Assert.Equal([7, 57, 107, 157], warnings.Select(w => folders.FindIndex(f => w.Message.Contains(f))));
        Assert.All(warnings, w => Assert.Equal(caller, w.Thread));
        Assert.Equal(good.Count, store.List().Count);
    }

    [Fact]
    public void An_error_reading_many_folders_is_the_error_a_single_read_gives()
    {
        var store = new JobStore(_dir.Path);
        // No xs_schema: upstream jobs, counted from their logs.
        var folders = WriteJobs(store, 100, (i, folder) => new JobRecord { Id = Path.GetFileName(folder), Name = $"upstream {i}" });
        Directory.CreateDirectory(Path.Combine(folders[60], EventLogWriter.FileName)); // a log that cannot be read

        var single = Record.Exception(() => store.TryLoad(folders[60]));
        Assert.NotNull(single);
        Assert.IsNotType<AggregateException>(single);
        Assert.IsType(single.GetType(), Record.Exception(() => store.LoadAll(folders, null)));
    }

    [Fact]
    public void Job_with_a_non_guid_id_and_folder_is_skipped_with_a_warning()
    {
        var store = new JobStore(_dir.Path);
        var folder = Directory.CreateDirectory(Path.Combine(store.JobsFolder, "not-a-guid")).FullName;
        JobFile.Write(folder, new JobRecord { Id = "../../etc", Name = "hostile" });
        var warnings = new List<string>();
        Assert.Empty(store.List(warnings.Add));
        Assert.Contains("not a GUID", Assert.Single(warnings));
    }

    [Fact]
    public void Find_locates_a_job_by_id_in_either_folder_form()
    {
        var store = new JobStore(_dir.Path);
        var id = Guid.NewGuid();
        var folder = Directory.CreateDirectory(Path.Combine(store.JobsFolder, id.ToString("N"))).FullName;
        JobFile.Write(folder, new JobRecord { Id = id.ToString("N"), Name = "clone" });
        Assert.Equal(folder, store.Find(id)!.Folder);
        Assert.Null(store.Find(Guid.NewGuid()));
    }

    [Fact]
    public void Root_is_the_nearest_ancestor_with_an_xsarena_folder()
    {
        Directory.CreateDirectory(_dir.Combine(".xsarena"));
        var deep = Directory.CreateDirectory(_dir.Combine("a", "b")).FullName;
        Assert.Equal(_dir.Path, ProjectRoot.Resolve(null, deep));
        Assert.Equal(deep, ProjectRoot.Resolve(deep, _dir.Path));
        Assert.Equal(deep, ProjectRoot.Resolve(Path.Combine("a", "b"), _dir.Path)); // not from the process's directory
    }

    [Fact]
    public void Root_without_any_xsarena_folder_is_the_location_itself()
    {
        var deep = Directory.CreateDirectory(_dir.Combine("x", "y")).FullName;
        Assert.Equal(deep, ProjectRoot.Resolve("  ", deep));
    }

    [Theory]
    [InlineData("2025-10-21T00:14:25.123456", false)]
    [InlineData("2025-10-21T00:14:25", false)]
    [InlineData("2025-10-21T00:14:25Z", true)]
    [InlineData("2025-10-21T00:14:25.5+02:00", true)]
    public void Timestamps_without_offset_are_local_time(string text, bool hasOffset)
    {
        Assert.True(Timestamps.TryParse(text, out var value));
        var expectedOffset = hasOffset ? value.Offset : TimeZoneInfo.Local.GetUtcOffset(value.DateTime);
        Assert.Equal(expectedOffset, value.Offset);
        Assert.Equal(2025, value.Year);
    }

    [Theory]
    [InlineData("2026-03-04T03:06:07.123456Z")]
    [InlineData("2026-03-04T03:06:07.000000Z")]
    [InlineData("2026-03-04T03:06:07.123456+00:00")]
    [InlineData(" 2026-03-04T03:06:07.123456Z")]
    public void Timestamps_in_the_written_form_parse_as_the_general_parse_does(string text)
    {
        Assert.True(Timestamps.TryParse(text, out var value));
        Assert.True(DateTime.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AllowWhiteSpaces | System.Globalization.DateTimeStyles.RoundtripKind, out var general));
        Assert.Equal(new DateTimeOffset(general.ToUniversalTime(), TimeSpan.Zero), value);
        Assert.Equal(TimeSpan.Zero, value.Offset);
        Assert.Equal(text.Trim(), Timestamps.Format(value) is var written && text.EndsWith('Z') ? written : text.Trim());
    }

    [Fact]
    public void Timestamps_are_written_in_utc_with_z()
    {
        var text = Timestamps.Format(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)));
        Assert.Equal("2026-03-04T03:06:07.000000Z", text);
    }

    [Fact]
    public void A_records_creation_time_follows_its_created_at_text()
    {
        var record = new JobRecord { CreatedAt = "2026-03-04T03:06:07.000000Z" };
        Assert.Equal(new DateTimeOffset(2026, 3, 4, 3, 6, 7, TimeSpan.Zero), record.Created);
        record.CreatedAt = "2027-01-02T00:00:00.000000Z";
        Assert.Equal(new DateTimeOffset(2027, 1, 2, 0, 0, 0, TimeSpan.Zero), record.Created);
        record.CreatedAt = "not a time";
        Assert.Null(record.Created);
        record.CreatedAt = null;
        Assert.Null(record.Created);
        Assert.Null(new JobRecord().Created);
    }
}
