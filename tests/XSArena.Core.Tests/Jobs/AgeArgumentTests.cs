using XSArena.Core.Jobs;

namespace XSArena.Core.Tests.Jobs;

public sealed class AgeArgumentTests
{
    public static TheoryData<object, TimeSpan> Accepted => new()
    {
        { 30, TimeSpan.FromDays(30) },
        { 30L, TimeSpan.FromDays(30) },
        { (short)2, TimeSpan.FromDays(2) },
        { 0.5, TimeSpan.FromHours(12) },
        { 0.5f, TimeSpan.FromHours(12) },
        { 1.5m, TimeSpan.FromHours(36) },
        { "30", TimeSpan.FromDays(30) },
        { " 7 ", TimeSpan.FromDays(7) },
        { "0.5", TimeSpan.FromHours(12) },
        { "30.00:00:00", TimeSpan.FromDays(30) },
        { "12:00:00", TimeSpan.FromHours(12) },
        { "1:12:00:00", TimeSpan.FromHours(36) },
        { "00:01:00", TimeSpan.FromMinutes(1) },
        { TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30) },
        { TimeSpan.Zero, TimeSpan.Zero },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Numbers_mean_days_and_text_reads_as_a_number_of_days_or_a_time_span(object input, TimeSpan expected) =>
        Assert.Equal(expected, AgeArgument.Parse(input));

    [Theory]
    [InlineData("de-DE")]
    [InlineData("fr-FR")]
    [InlineData("ar-SA")]
    [InlineData("")]
    public void Text_reads_the_same_under_any_culture(string culture)
    {
        var results = CultureScope.Run(culture, () => new[] { "0.5", "30.00:00:00", "12:00:00", "1:12:00:00", "30" }
            .Select(text => AgeArgument.Parse(text)).ToArray());
        Assert.Equal([TimeSpan.FromHours(12), TimeSpan.FromDays(30), TimeSpan.FromHours(12), TimeSpan.FromHours(36), TimeSpan.FromDays(30)], results);
        Assert.Throws<ArgumentException>(() => CultureScope.Run(culture, () => AgeArgument.Parse("1,5")));
    }

    [Theory]
    [InlineData("00:00:30")]
    [InlineData("0")]
    [InlineData("0.0001")]
    public void Text_under_a_minute_is_refused_and_the_message_says_how_to_mean_it(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => AgeArgument.Parse(text));
        Assert.Contains("under a minute", error.Message);
        Assert.Contains("[TimeSpan]", error.Message);
    }

    [Fact]
    public void Numbers_under_a_minute_are_refused_too()
    {
        Assert.Throws<ArgumentException>(() => AgeArgument.Parse(0));
        Assert.Throws<ArgumentException>(() => AgeArgument.Parse(0.0005));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData("-1")]
    [InlineData("-1.00:00:00")]
    public void Negative_ages_are_refused(object input) =>
        Assert.Contains("negative", Assert.Throws<ArgumentException>(() => AgeArgument.Parse(input)).Message);

    [Fact]
    public void A_negative_TimeSpan_is_refused() =>
        Assert.Contains("negative", Assert.Throws<ArgumentException>(() => AgeArgument.Parse(TimeSpan.FromHours(-1))).Message);

    [Theory]
    [InlineData("thirty")]
    [InlineData("30d")]
    [InlineData("")]
    [InlineData("1e3")]
    [InlineData("../..")]
    public void Text_that_is_no_age_is_refused_with_the_accepted_forms(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => AgeArgument.Parse(text));
        Assert.Contains("number of days", error.Message);
    }

    [Fact]
    public void Other_types_infinities_and_overflows_are_refused()
    {
        Assert.Throws<ArgumentException>(() => AgeArgument.Parse(null));
        Assert.Throws<ArgumentException>(() => AgeArgument.Parse(DateTime.UtcNow));
        Assert.Throws<ArgumentException>(() => AgeArgument.Parse(double.NaN));
        Assert.Throws<ArgumentException>(() => AgeArgument.Parse(double.PositiveInfinity));
        Assert.Contains("too large", Assert.Throws<ArgumentException>(() => AgeArgument.Parse(1e300)).Message);
        Assert.Contains("too large", Assert.Throws<ArgumentException>(() => AgeArgument.Parse(long.MaxValue)).Message);
    }
}
