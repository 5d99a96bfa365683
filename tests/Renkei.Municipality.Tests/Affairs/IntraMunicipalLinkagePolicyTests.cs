using Renkei.Core.Policy;
using Renkei.Municipality.Affairs;
using static Renkei.Municipality.Tests.Affairs.PolicyFixtures;

namespace Renkei.Municipality.Tests.Affairs;

public class IntraMunicipalLinkagePolicyTests
{
    private static readonly DateOnly Day = new(2024, 6, 1);

    [Fact]
    public void Default_rows_let_childcare_fees_use_the_wards_tax_information()
    {
        var policy = IntraMunicipalLinkagePolicy.LoadDefault();
        Assert.Same(AffairCatalogue.LoadDefault(), policy.Affairs);
        var decision = policy.Check("childcare", "ord-preschool-fees", "individual-residence-tax", "local-tax", Day);
        Assert.True(decision.Allowed, decision.Message);
        Assert.Equal(IntraMunicipalLinkageDecision.Allow, decision.ReasonCode);
        Assert.Contains("条例", decision.Rule!.Article);
        Assert.Equal("131091-2017.1", decision.Rule.Version);

        // 障害者福祉手当 uses both resident and tax information (table 5, row 17).
        Assert.True(policy.Check("disability-welfare", "ord-disability-welfare-allowance", "resident-register", "resident-record", Day).Allowed);
        Assert.True(policy.Check("disability-welfare", "ord-disability-welfare-allowance", "individual-residence-tax", "local-tax", Day).Allowed);
    }

    [Theory]
    [InlineData("childcare", "ord-preschool-fees", "resident-register", "resident-record", IntraMunicipalLinkageDecision.NoSuchRow)]
    [InlineData("library", "library", "individual-residence-tax", "local-tax", IntraMunicipalLinkageDecision.NotNumberUse)]
    [InlineData("childcare", "ord-no-such", "individual-residence-tax", "local-tax", IntraMunicipalLinkageDecision.UnknownAffair)]
    [InlineData("childcare", "local-tax", "individual-residence-tax", "local-tax", IntraMunicipalLinkageDecision.AffairOfOtherSystem)]
    [InlineData("parking", "ord-preschool-fees", "individual-residence-tax", "local-tax", IntraMunicipalLinkageDecision.UnknownSystem)]
    [InlineData("childcare", "ord-preschool-fees", "bank", "local-tax", IntraMunicipalLinkageDecision.UnknownSystem)]
    [InlineData("childcare", "ord-preschool-fees", "individual-residence-tax", "income", IntraMunicipalLinkageDecision.UnknownInformationKind)]
    [InlineData("childcare", "ord-preschool-fees", "resident-register", "local-tax", IntraMunicipalLinkageDecision.NotHeldByProvider)]
    public void Anything_without_a_row_is_refused_with_its_reason(string inquirer, string affair, string provider, string kind, string reason)
    {
        var decision = IntraMunicipalLinkagePolicy.LoadDefault().Check(inquirer, affair, provider, kind, Day);
        Assert.False(decision.Allowed);
        Assert.Equal(reason, decision.ReasonCode);
        Assert.Null(decision.Rule);
        Assert.False(string.IsNullOrWhiteSpace(decision.Message));
    }

    [Fact]
    public void Default_rows_refuse_before_the_affair_was_in_force()
    {
        var decision = IntraMunicipalLinkagePolicy.LoadDefault()
            .Check("childcare", "ord-preschool-fees", "individual-residence-tax", "local-tax", new DateOnly(2015, 12, 31));
        Assert.Equal(IntraMunicipalLinkageDecision.AffairNotInForce, decision.ReasonCode);
    }

    [Fact]
    public void A_row_counts_only_on_the_days_it_is_in_force()
    {
        var policy = ParseLinkage(Linkage(
            RuleLine("childcare", "ord-preschool-fees", "tax", "local-tax", from: "2020-04-01", to: "2022-03-31"),
            RuleLine("childcare", "ord-preschool-fees", "tax", "local-tax", from: "2023-04-01")), Basic());
        Assert.Equal(IntraMunicipalLinkageDecision.NotInForce, policy.Check("childcare", "ord-preschool-fees", "tax", "local-tax", new DateOnly(2020, 3, 31)).ReasonCode);
        Assert.True(policy.Check("childcare", "ord-preschool-fees", "tax", "local-tax", new DateOnly(2022, 3, 31)).Allowed);
        Assert.Equal(IntraMunicipalLinkageDecision.NotInForce, policy.Check("childcare", "ord-preschool-fees", "tax", "local-tax", new DateOnly(2022, 4, 1)).ReasonCode);
        Assert.Equal(new DateOnly(2023, 4, 1), policy.Check("childcare", "ord-preschool-fees", "tax", "local-tax", Day).Rule!.EffectiveFrom);
        // An affair that is itself expired refuses even with a row in force.
        var expired = ParseLinkage(Linkage(RuleLine("childcare", "ord-old-aid", "tax", "local-tax")), Basic());
        Assert.Equal(IntraMunicipalLinkageDecision.AffairNotInForce, expired.Check("childcare", "ord-old-aid", "tax", "local-tax", Day).ReasonCode);
    }

    [Theory]
    [InlineData("affair", "unknown affair \"ord-none\"")]
    [InlineData("system", "belongs to childcare, not to the inquirer tax")]
    [InlineData("nonnumber", "may not use numbers")]
    [InlineData("kind", "unknown informationKind \"income\"")]
    [InlineData("holder", "resident-register does not hold local-tax")]
    [InlineData("article", "article is missing")]
    [InlineData("overlap", "overlapping period")]
    [InlineData("self", "does not link with itself")]
    public void A_bad_row_fails_the_load_naming_its_line(string fault, string expected)
    {
        var bad = fault switch
        {
            "affair" => RuleLine("childcare", "ord-none", "tax", "local-tax"),
            "system" => RuleLine("tax", "ord-preschool-fees", "resident-register", "resident-record"),
            "nonnumber" => RuleLine("library", "library", "tax", "local-tax"),
            "kind" => RuleLine("childcare", "ord-preschool-fees", "tax", "income"),
            "holder" => RuleLine("childcare", "ord-preschool-fees", "resident-register", "local-tax"),
            "article" => RuleLine("childcare", "ord-preschool-fees", "tax", "local-tax", article: ""),
            "overlap" => RuleLine("childcare", "ord-preschool-fees", "tax", "local-tax", from: "2020-01-01"),
            "self" => RuleLine("childcare", "ord-preschool-fees", "childcare", "local-tax"),
            _ => throw new ArgumentException(fault),
        };
        var e = Assert.Throws<PolicyFileException>(() => ParseLinkage(Linkage(RuleLine("childcare", "ord-preschool-fees", "tax", "local-tax"), bad), Basic()));
        Assert.Equal("test-linkage.json", e.File);
        Assert.Equal(FirstRuleLine + 1, e.Line);
        Assert.Contains("rules entry 2", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void The_repository_file_is_the_embedded_default()
    {
        var fromFile = IntraMunicipalLinkagePolicy.Load(RepositoryPolicy(IntraMunicipalLinkagePolicy.DefaultFileName), AffairCatalogue.LoadDefault());
        Assert.Equal(IntraMunicipalLinkagePolicy.LoadDefault().Rules, fromFile.Rules);
        Assert.Equal(40, fromFile.Rules.Count);
    }
}
