using Renkei.Cli.Demo;
using Renkei.Core.Numbers;
using Renkei.Core.Pia;
using Renkei.Municipality.Pia;
using Renkei.Municipality.Registry;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests.Demo;

/// <summary>
/// The demo's resident register at full size calls for 全項目評価 (issue 16): <c>renkei demo --residents N</c> splits N across the
/// three wards by <see cref="DemoWard.Share"/> (品川区 0.42 of 1.73), so 品川区's register holds 30万人 or more from
/// N = 1,235,713 on (real size: N = 1,730,000 gives 420,000). In CI a country a hundredth of that size and bands a hundredth of
/// the law's stand for it.
/// </summary>
public sealed class DemoPiaScaleTests
{
    public static TheoryData<string> Providers => TestDatabase.Providers;

    private static readonly AssessmentThresholds Hundredth = new(Basic: 10, Priority: 100, Full: 1_000, AlwaysFull: 3_000, Handlers: 5);

    [Fact]
    public void The_residents_option_counts_the_whole_country_so_400000_give_shinagawa_a_quarter_of_it()
    {
        var at400000 = new DemoCountryGenerator(1, 400_000).ResidentCount(DemoWard.Shinagawa);
        Assert.Equal(97_110, at400000);
        Assert.Equal(AssessmentLevel.Basic, AssessmentThresholds.Law.Decide(at400000, 0, false));

        var realSize = new DemoCountryGenerator(1, 1_730_000).ResidentCount(DemoWard.Shinagawa);
        Assert.Equal(420_000, realSize);
        Assert.Equal(AssessmentLevel.BasicFull, AssessmentThresholds.Law.Decide(realSize, 0, false));
        Assert.Equal(300_000, new DemoCountryGenerator(1, 1_235_713).ResidentCount(DemoWard.Shinagawa));
        Assert.Equal(299_999, new DemoCountryGenerator(1, 1_235_712).ResidentCount(DemoWard.Shinagawa));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void A_generated_register_a_hundredth_of_the_real_size_computes_full_assessment_under_bands_a_hundredth_of_the_laws(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var generator = new DemoCountryGenerator(1, 17_300); // ≙ --residents 1730000
        var register = new ResidentRegister(db.Database, DemoWard.Shinagawa.Code);
        var imported = new RegisterImporter(register).Import(generator.Residents(DemoWard.Shinagawa)
            .Select(r => r with { IndividualNumber = IndividualNumber.FromBody(r.ResidentCode.ToInt64()) }));
        Assert.Equal((4_200, 0), (imported.Imported, imported.Rejected));

        var assessor = new PiaAssessor(db.Database, thresholds: Hundredth);
        var file = assessor.Assess(assessor.Inventory.Find("resident-register")!);

        Assert.Equal((4_200L, AssessmentLevel.BasicFull, "ok"), (file.People, file.Computed, file.FollowUpCode));
        Assert.Equal("基礎項目評価及び全項目評価", file.Computed.Japanese());
    }
}
