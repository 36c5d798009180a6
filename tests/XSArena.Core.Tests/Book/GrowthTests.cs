using XSArena.Core.Book;

namespace XSArena.Core.Tests.Book;

public class GrowthTests
{
    [Theory]
    [InlineData(0, 50)]
    [InlineData(300, 50)]
    [InlineData(500, 50)]
    [InlineData(1000, 100)]
    [InlineData(4000, 400)]
    public void Expected_is_at_least_fifty_or_ten_percent_of_extension(int extensionLength, int expected)
    {
        Assert.Equal(expected, Growth.Expected(extensionLength));
    }

    [Fact]
    public void IsLow_when_growth_is_below_expected()
    {
        Assert.True(Growth.IsLow(1000, 1049, 49));
        Assert.False(Growth.IsLow(1000, 1050, 49));
        Assert.True(Growth.IsLow(1000, 1099, 2000));
        Assert.False(Growth.IsLow(1000, 1200, 2000));
    }

    [Fact]
    public void IsLow_when_chunk_did_not_grow_at_all()
    {
        Assert.True(Growth.IsLow(1000, 1000, 0));
    }

    [Fact]
    public void Guard_stops_after_two_consecutive_lows()
    {
        var guard = new LowGrowthGuard();
        guard = guard.Observe(1000, 1010, 10);
        Assert.False(guard.ShouldStop);

        guard = guard.Observe(1010, 1020, 10);

        Assert.True(guard.ShouldStop);
    }

    [Fact]
    public void Guard_resets_streak_after_good_growth()
    {
        var guard = new LowGrowthGuard()
            .Observe(1000, 1010, 10)
            .Observe(1010, 1600, 590)
            .Observe(1600, 1610, 10);

        Assert.Equal(1, guard.LowStreak);
        Assert.False(guard.ShouldStop);
    }
}
