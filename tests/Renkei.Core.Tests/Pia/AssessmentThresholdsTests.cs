using Renkei.Core.Pia;

namespace Renkei.Core.Tests.Pia;

/// <summary>The threshold decision at every band edge, with and without 500 handlers and a serious incident (seed 001 資料1-3).</summary>
public class AssessmentThresholdsTests
{
    [Theory]
    // n < 1,000: none, whatever the handlers or incidents.
    [InlineData(0, 0, false, AssessmentLevel.None)]
    [InlineData(999, 500, true, AssessmentLevel.None)]
    // 1,000 ≤ n < 10,000: basic only.
    [InlineData(1_000, 0, false, AssessmentLevel.Basic)]
    [InlineData(1_000, 500, true, AssessmentLevel.Basic)]
    [InlineData(9_999, 500, true, AssessmentLevel.Basic)]
    // 10,000 ≤ n < 100,000: basic, plus priority with 500 handlers or an incident.
    [InlineData(10_000, 0, false, AssessmentLevel.Basic)]
    [InlineData(10_000, 499, false, AssessmentLevel.Basic)]
    [InlineData(10_000, 500, false, AssessmentLevel.BasicPriority)]
    [InlineData(10_000, 0, true, AssessmentLevel.BasicPriority)]
    [InlineData(99_999, 499, false, AssessmentLevel.Basic)]
    [InlineData(99_999, 500, false, AssessmentLevel.BasicPriority)]
    // 100,000 ≤ n < 300,000: priority, or full with 500 handlers or an incident.
    [InlineData(100_000, 0, false, AssessmentLevel.BasicPriority)]
    [InlineData(100_000, 500, false, AssessmentLevel.BasicFull)]
    [InlineData(100_000, 0, true, AssessmentLevel.BasicFull)]
    [InlineData(299_999, 499, false, AssessmentLevel.BasicPriority)]
    [InlineData(299_999, 500, true, AssessmentLevel.BasicFull)]
    // n ≥ 300,000: full.
    [InlineData(300_000, 0, false, AssessmentLevel.BasicFull)]
    [InlineData(400_000, 12, false, AssessmentLevel.BasicFull)]
    public void Each_band_edge_gives_the_level_the_rules_state(long people, long handlers, bool incident, AssessmentLevel expected) =>
        Assert.Equal(expected, AssessmentThresholds.Law.Decide(people, handlers, incident));

    /// <summary>
    /// Every band edge (999/1,000, 9,999/10,000, 99,999/100,000, 299,999/300,000) with each combination of 499 or 500 handlers
    /// and a serious incident or none: the level without the higher-risk signs, and with any of them (seed 001 資料1-3's flow).
    /// </summary>
    public static TheoryData<long, long, bool, AssessmentLevel> EdgeMatrix()
    {
        var edges = new (long People, AssessmentLevel Low, AssessmentLevel High)[]
        {
            (999, AssessmentLevel.None, AssessmentLevel.None),
            (1_000, AssessmentLevel.Basic, AssessmentLevel.Basic),
            (9_999, AssessmentLevel.Basic, AssessmentLevel.Basic),
            (10_000, AssessmentLevel.Basic, AssessmentLevel.BasicPriority),
            (99_999, AssessmentLevel.Basic, AssessmentLevel.BasicPriority),
            (100_000, AssessmentLevel.BasicPriority, AssessmentLevel.BasicFull),
            (299_999, AssessmentLevel.BasicPriority, AssessmentLevel.BasicFull),
            (300_000, AssessmentLevel.BasicFull, AssessmentLevel.BasicFull),
        };
        var data = new TheoryData<long, long, bool, AssessmentLevel>();
        foreach (var (people, low, high) in edges)
        {
            data.Add(people, 499, false, low);
            data.Add(people, 500, false, high);
            data.Add(people, 499, true, high);
            data.Add(people, 500, true, high);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EdgeMatrix))]
    public void Each_band_edge_with_and_without_500_handlers_and_a_serious_incident(long people, long handlers, bool incident, AssessmentLevel expected) =>
        Assert.Equal(expected, AssessmentThresholds.Law.Decide(people, handlers, incident));

    [Fact]
    public void Shifted_bands_stand_for_the_law_in_a_small_test_country()
    {
        var small = new AssessmentThresholds(Basic: 10, Priority: 100, Full: 1_000, AlwaysFull: 3_000, Handlers: 5);
        Assert.Equal(AssessmentLevel.BasicFull, small.Decide(3_000, 0, false));
        Assert.Equal(AssessmentLevel.BasicPriority, small.Decide(2_999, 4, false));
        Assert.Equal(AssessmentLevel.BasicFull, small.Decide(2_999, 5, false));
    }

    [Fact]
    public void Codes_and_names_are_stable_and_negative_figures_are_refused()
    {
        Assert.Equal(["none", "basic", "basic+priority", "basic+full"], Enum.GetValues<AssessmentLevel>().Select(l => l.Code()));
        Assert.Equal("基礎項目評価及び全項目評価", AssessmentLevel.BasicFull.Japanese());
        Assert.Throws<ArgumentOutOfRangeException>(() => AssessmentThresholds.Law.Decide(-1, 0, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => AssessmentThresholds.Law.Decide(0, -1, false));
    }
}
