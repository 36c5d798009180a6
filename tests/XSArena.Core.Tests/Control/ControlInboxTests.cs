using XSArena.Core.Control;

namespace XSArena.Core.Tests.Control;

public sealed class ControlInboxTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Requests_read_back_in_send_order_even_within_one_clock_tick()
    {
        var now = DateTimeOffset.UtcNow;
        var sent = Enumerable.Range(0, 20).Select(i => ControlInbox.Send(_dir.Path, JobCommand.Hint, $"h{i}", now)).ToList();
        var read = ControlInbox.ReadPending(_dir.Path);
        Assert.Equal(sent.Select(r => r.Id), read.Select(r => r.Id));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"h{i}"), read.Select(r => r.Text));
        Assert.All(read, r => Assert.Equal("next", r.Verb));
    }

    [Fact]
    public void A_clock_going_backwards_does_not_reorder_one_senders_requests()
    {
        var first = ControlInbox.Send(_dir.Path, JobCommand.Suspend, null, DateTimeOffset.UtcNow);
        var second = ControlInbox.Send(_dir.Path, JobCommand.Resume, null, DateTimeOffset.UtcNow.AddHours(-1));
        Assert.Equal([first.Id, second.Id], ControlInbox.ReadPending(_dir.Path).Select(r => r.Id));
    }

    [Fact]
    public void Unreadable_requests_are_set_aside_once_and_others_still_read()
    {
        ControlInbox.Send(_dir.Path, JobCommand.Stop, null, DateTimeOffset.UtcNow);
        var folder = ControlInbox.FolderOf(_dir.Path);
        File.WriteAllText(Path.Combine(folder, "0000000000000000000-bad.json"), "{not json");
        var warnings = new List<string>();
        var read = ControlInbox.ReadPending(_dir.Path, warnings.Add);
        Assert.Single(read);
        Assert.Single(warnings);
        Assert.True(File.Exists(Path.Combine(folder, "0000000000000000000-bad.json.bad")));
        warnings.Clear();
        ControlInbox.ReadPending(_dir.Path, warnings.Add);
        Assert.Empty(warnings);
    }

    [Fact]
    public void Only_whole_renamed_files_are_requests()
    {
        var folder = Directory.CreateDirectory(ControlInbox.FolderOf(_dir.Path)).FullName;
        File.WriteAllText(Path.Combine(folder, ".0001-half.tmp"), "{\"id\":");
        Assert.Empty(ControlInbox.ReadPending(_dir.Path));
    }
}
