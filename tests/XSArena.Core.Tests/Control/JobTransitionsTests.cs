using XSArena.Core.Control;
using XSArena.Core.Jobs;

namespace XSArena.Core.Tests.Control;

/// <summary>Every cell of the DESIGN §3.2 state table.</summary>
public sealed class JobTransitionsTests
{
    [Theory]
    [InlineData(JobState.Pending, JobCommand.Suspend, CommandOutcome.Apply, JobState.Paused)]
    [InlineData(JobState.Pending, JobCommand.Resume, CommandOutcome.NoOp, JobState.Pending)]
    [InlineData(JobState.Pending, JobCommand.Stop, CommandOutcome.Apply, JobState.Cancelled)]
    [InlineData(JobState.Pending, JobCommand.Hint, CommandOutcome.Apply, JobState.Pending)]
    [InlineData(JobState.Running, JobCommand.Suspend, CommandOutcome.Apply, JobState.Paused)]
    [InlineData(JobState.Running, JobCommand.Resume, CommandOutcome.Apply, JobState.Running)]
    [InlineData(JobState.Running, JobCommand.Stop, CommandOutcome.Apply, JobState.Cancelled)]
    [InlineData(JobState.Running, JobCommand.Hint, CommandOutcome.Apply, JobState.Running)]
    [InlineData(JobState.Paused, JobCommand.Suspend, CommandOutcome.NoOp, JobState.Paused)]
    [InlineData(JobState.Paused, JobCommand.Resume, CommandOutcome.Apply, JobState.Running)]
    [InlineData(JobState.Paused, JobCommand.Stop, CommandOutcome.Apply, JobState.Cancelled)]
    [InlineData(JobState.Paused, JobCommand.Hint, CommandOutcome.Apply, JobState.Paused)]
    [InlineData(JobState.Done, JobCommand.Suspend, CommandOutcome.RefusedFinished, JobState.Done)]
    [InlineData(JobState.Done, JobCommand.Resume, CommandOutcome.RefusedFinished, JobState.Done)]
    [InlineData(JobState.Done, JobCommand.Stop, CommandOutcome.NoOp, JobState.Done)]
    [InlineData(JobState.Done, JobCommand.Hint, CommandOutcome.RefusedFinished, JobState.Done)]
    [InlineData(JobState.Failed, JobCommand.Suspend, CommandOutcome.RefusedState, JobState.Failed)]
    [InlineData(JobState.Failed, JobCommand.Resume, CommandOutcome.Apply, JobState.Running)]
    [InlineData(JobState.Failed, JobCommand.Stop, CommandOutcome.NoOp, JobState.Failed)]
    [InlineData(JobState.Failed, JobCommand.Hint, CommandOutcome.Apply, JobState.Failed)]
    [InlineData(JobState.Cancelled, JobCommand.Suspend, CommandOutcome.RefusedState, JobState.Cancelled)]
    [InlineData(JobState.Cancelled, JobCommand.Resume, CommandOutcome.Apply, JobState.Running)]
    [InlineData(JobState.Cancelled, JobCommand.Stop, CommandOutcome.NoOp, JobState.Cancelled)]
    [InlineData(JobState.Cancelled, JobCommand.Hint, CommandOutcome.Apply, JobState.Cancelled)]
    public void State_table_cell(JobState state, JobCommand command, CommandOutcome outcome, JobState after)
    {
        Assert.Equal(outcome, JobTransitions.Decide(state, command));
        var resulting = outcome == CommandOutcome.Apply ? JobTransitions.Target(state, command) : state;
        Assert.Equal(after, resulting);
    }

    [Theory]
    [InlineData(JobCommand.Suspend, "pause")]
    [InlineData(JobCommand.Resume, "resume")]
    [InlineData(JobCommand.Stop, "cancel")]
    [InlineData(JobCommand.Hint, "next")]
    public void Verbs_are_upstream_control_names_and_round_trip(JobCommand command, string verb)
    {
        Assert.Equal(verb, JobTransitions.Verb(command));
        Assert.True(JobTransitions.TryParseVerb(verb, out var parsed));
        Assert.Equal(command, parsed);
        Assert.False(JobTransitions.TryParseVerb("explode", out _));
    }
}
