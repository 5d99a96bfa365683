using System.Runtime.CompilerServices;
using System.Text.Json;
using Renkei.Network.Contracts;
using Renkei.Network.Policy;
using static Renkei.Network.Contracts.InstitutionClass;

namespace Renkei.Network.Tests.Policy;

/// <summary>The shipped policy (policy/network/*.json, embedded) and the decisions <see cref="LinkagePolicy.Check"/> makes.</summary>
public sealed class LinkagePolicyTests
{
    private static readonly LinkagePolicy Default = LinkagePolicy.LoadDefault();

    /// <summary>A day on which the demo policy's open rows are all in force (the project's demo date).</summary>
    private static readonly DateOnly InForce = new(2026, 11, 22);

    [Fact]
    public void The_default_policy_loads_with_at_least_twenty_rows()
    {
        Assert.False(string.IsNullOrWhiteSpace(Default.Version));
        Assert.True(Default.Rows.Count >= 20, $"{Default.Rows.Count} rows");
        Assert.Equal("policy/network/" + LinkagePolicy.CatalogueFileName, Default.Files[0]);
        Assert.True(Default.Files.Count >= 3, string.Join(", ", Default.Files));
        Assert.Same(Default, LinkagePolicy.LoadDefault());
        Assert.All(Default.Rows, r =>
        {
            Assert.NotNull(Default.FindAffair(r.Affair));
            Assert.NotNull(Default.FindKind(r.Kind));
            Assert.False(string.IsNullOrWhiteSpace(r.Source));
            Assert.StartsWith("policy/network/", r.DefinedIn, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void The_embedded_policy_is_the_policy_folder_of_the_repository()
    {
        var fromFolder = LinkagePolicy.Load(Path.Combine(RepositoryRoot(), "policy", "network"));
        Assert.Equal(Default.Version, fromFolder.Version);
        Assert.Equal(Default.Rows.Select(r => r with { DefinedIn = Path.GetFileName(r.DefinedIn) }),
            fromFolder.Rows.Select(r => r with { DefinedIn = Path.GetFileName(r.DefinedIn) }));
    }

    [Fact]
    public void The_default_policy_covers_the_pension_organisation_insurers_and_national_agencies_as_inquirers_and_providers()
    {
        foreach (var inquirer in new[] { Municipality, Prefecture, NationalAgency, PensionOrganisation, HealthInsurer })
            Assert.Contains(Default.Rows, r => r.InquirerClass == inquirer);
        foreach (var provider in new[] { Municipality, PensionOrganisation, HealthInsurer })
            Assert.Contains(Default.Rows, r => r.ProviderClass == provider);
        Assert.DoesNotContain(Default.Rows, r => r.InquirerClass is NumberingAuthority or Portal || r.ProviderClass is NumberingAuthority or Portal);
    }

    [Fact]
    public void Every_information_kind_is_one_the_intermediate_servers_keep()
    {
        using var kinds = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(RepositoryRoot(), "policy", "intermediate", "information-kinds.json")));
        var intermediate = kinds.RootElement.GetProperty("kinds").EnumerateArray().Select(k => k.GetProperty("code").GetString()).ToHashSet();
        Assert.All(Default.Kinds, k => Assert.Contains(k.Code, intermediate));
    }

    [Fact]
    public void Municipal_affair_codes_are_the_wards_catalogue_codes()
    {
        using var affairs = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(RepositoryRoot(), "policy", "municipality", "affairs-shinagawa.json")));
        var ward = affairs.RootElement.GetProperty("affairs").EnumerateArray().Select(a => a.GetProperty("code").GetString()).ToHashSet();
        var municipal = Default.Rows.Where(r => r.InquirerClass == Municipality).Select(r => r.Affair).Distinct().ToList();
        Assert.NotEmpty(municipal);
        Assert.All(municipal, code => Assert.Contains(code, ward));
    }

    /// <summary>The linkages of issue 5's attachment-omission workflows: inquirer class, affair, provider class, kind.</summary>
    public static TheoryData<string, InstitutionClass, string, InstitutionClass, string> AttachmentOmissionLinkages => new()
    {
        { "児童手当 認定請求: 前住所地の住民票", Municipality, "child-allowance", Municipality, "resident-record" },
        { "児童手当 認定請求: 前住所地の税", Municipality, "child-allowance", Municipality, "local-tax" },
        { "介護保険 転入者の保険料段階", Municipality, "nursing-care-insurance", Municipality, "local-tax" },
        { "国民健康保険 資格取得: 被用者保険の喪失", Municipality, "national-health-insurance", HealthInsurer, "health-insurance-qualification" },
        { "児童扶養手当: 年金", Municipality, "child-rearing-allowance", PensionOrganisation, "pension-benefit" },
        { "児童扶養手当: 税", Municipality, "child-rearing-allowance", Municipality, "local-tax" },
        { "生活保護 調査: 税", Municipality, "public-assistance", Municipality, "local-tax" },
        { "生活保護 調査: 年金", Municipality, "public-assistance", PensionOrganisation, "pension-benefit" },
        { "生活保護 調査: 医療保険資格", Municipality, "public-assistance", HealthInsurer, "health-insurance-qualification" },
        { "生活保護 調査: 児童手当", Municipality, "public-assistance", Municipality, "child-allowance" },
        { "生活保護 調査: 介護保険", Municipality, "public-assistance", Municipality, "nursing-care-insurance" },
        { "生活保護 調査: 国民健康保険", Municipality, "public-assistance", Municipality, "national-health-insurance" },
        { "品川区児童育成手当: 税", Municipality, "ord-child-upbringing-allowance", Municipality, "local-tax" },
    };

    [Theory]
    [MemberData(nameof(AttachmentOmissionLinkages))]
    public void Attachment_omission_linkages_are_allowed_on_a_day_in_force(string workflow, InstitutionClass inquirer, string affair, InstitutionClass provider, string kind)
    {
        var decision = Default.Check(inquirer, affair, provider, kind, InForce);

        Assert.True(decision.IsAllowed, $"{workflow}: {decision.Message}");
        Assert.Null(decision.RefusalCode);
        Assert.Equal((inquirer, affair, provider, kind), (decision.Row!.InquirerClass, decision.Row.Affair, decision.Row.ProviderClass, decision.Row.Kind));
        Assert.Contains(decision.Row.Id, decision.Message, StringComparison.Ordinal);
        Assert.Contains(Default.RowsFor(inquirer, affair, InForce), r => r.Id == decision.Row.Id);
    }

    [Fact]
    public void A_closed_row_is_allowed_from_its_first_to_its_last_day_and_not_in_force_around_them()
    {
        var closed = Default.Rows.Where(r => r.EffectiveTo is not null).ToList();
        Assert.NotEmpty(closed);
        Assert.Contains(closed, r => r.EffectiveTo < InForce);
        foreach (var row in closed)
        {
            PolicyDecision On(DateOnly date) => Default.Check(row.InquirerClass, row.Affair, row.ProviderClass, row.Kind, date);
            Assert.Same(row, On(row.EffectiveFrom).Row);
            Assert.Same(row, On(row.EffectiveTo!.Value).Row);
            var before = On(row.EffectiveFrom.AddDays(-1));
            var after = On(row.EffectiveTo.Value.AddDays(1));
            Assert.Equal(RefusalCodes.NotInForce, before.RefusalCode);
            Assert.Equal(RefusalCodes.NotInForce, after.RefusalCode);
            Assert.Contains(row, after.RowsNotInForce);
            Assert.Null(after.Row);
            Assert.False(after.IsAllowed);
            Assert.Contains($"{row.EffectiveTo:yyyy-MM-dd}", after.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_row_that_starts_in_the_future_is_not_in_force_until_its_first_day()
    {
        var future = Default.Rows.Where(r => r.EffectiveFrom > InForce).ToList();
        Assert.NotEmpty(future);
        foreach (var row in future)
        {
            var today = Default.Check(row.InquirerClass, row.Affair, row.ProviderClass, row.Kind, InForce);
            Assert.Equal(RefusalCodes.NotInForce, today.RefusalCode);
            Assert.DoesNotContain(Default.RowsFor(row.InquirerClass, row.Affair, InForce), r => r.Id == row.Id);
            Assert.Equal(RefusalCodes.NotInForce, Default.Check(row.InquirerClass, row.Affair, row.ProviderClass, row.Kind, row.EffectiveFrom.AddDays(-1)).RefusalCode);
            Assert.Same(row, Default.Check(row.InquirerClass, row.Affair, row.ProviderClass, row.Kind, row.EffectiveFrom).Row);
            Assert.Contains(Default.RowsFor(row.InquirerClass, row.Affair, row.EffectiveFrom), r => r.Id == row.Id);
        }
    }

    [Fact]
    public void Boundaries_of_a_period_in_a_written_policy()
    {
        using var fixture = new PolicyFixture();
        var policy = LinkagePolicy.Load(fixture.Write());
        PolicyDecision On(int year, int month, int day) =>
            policy.Check(Municipality, "child-allowance", PensionOrganisation, "pension-benefit", new DateOnly(year, month, day));
        // No row for pension-benefit in the fixture yet: nothing on any day.
        Assert.Equal(RefusalCodes.NoPolicyRow, On(2020, 6, 1).RefusalCode);

        fixture.Rows.Add(PolicyFixture.Row("r-pension", providerClass: "PensionOrganisation", kind: "pension-benefit", from: "2020-04-01", to: "2020-09-30"));
        policy = LinkagePolicy.Load(fixture.Write());
        Assert.Equal(RefusalCodes.NotInForce, On(2020, 3, 31).RefusalCode);
        Assert.Equal("r-pension", On(2020, 4, 1).Row?.Id);
        Assert.Equal("r-pension", On(2020, 9, 30).Row?.Id);
        Assert.Equal(RefusalCodes.NotInForce, On(2020, 10, 1).RefusalCode);
    }

    public static TheoryData<InstitutionClass, string, InstitutionClass, string> UnknownCombinations => new()
    {
        { Municipality, "library", Municipality, "local-tax" },                                   // an affair without numbers
        { Municipality, "child-allowance", Municipality, "public-assistance" },                   // a kind the affair may not ask for
        { HealthInsurer, "child-allowance", Municipality, "local-tax" },                          // the affair of another class
        { Municipality, "child-allowance", PensionOrganisation, "local-tax" },                    // a provider that does not provide the kind
        { Municipality, "no-such-affair", Municipality, "local-tax" },
        { Municipality, "child-allowance", Municipality, "no-such-kind" },
        { Municipality, "Child-Allowance", Municipality, "local-tax" },                           // codes compare exactly
        { Portal, "child-allowance", Municipality, "local-tax" },
        { Municipality, "ord-child-upbringing-allowance", PensionOrganisation, "pension-benefit" },
    };

    [Theory]
    [MemberData(nameof(UnknownCombinations))]
    public void An_unknown_combination_has_no_policy_row(InstitutionClass inquirer, string affair, InstitutionClass provider, string kind)
    {
        var decision = Default.Check(inquirer, affair, provider, kind, InForce);
        Assert.False(decision.IsAllowed);
        Assert.Equal(RefusalCodes.NoPolicyRow, decision.RefusalCode);
        Assert.Null(decision.Row);
        Assert.Empty(decision.RowsNotInForce);
        Assert.Contains("(この照会を認める", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_codes_are_refused_not_thrown()
    {
        Assert.Equal(RefusalCodes.NoPolicyRow, Default.Check(Municipality, null!, Municipality, "local-tax", InForce).RefusalCode);
        Assert.Equal(RefusalCodes.NoPolicyRow, Default.Check(Municipality, "child-allowance", Municipality, null!, InForce).RefusalCode);
        Assert.Empty(Default.RowsFor(Municipality, null!, InForce));
    }

    [Fact]
    public void Decisions_are_made_once_and_shared()
    {
        var first = Default.Check(Municipality, "child-allowance", Municipality, "local-tax", InForce);
        var second = Default.Check(Municipality, new string("child-allowance".ToCharArray()), Municipality, new string("local-tax".ToCharArray()), InForce.AddDays(1));
        Assert.Same(first, second);
        Assert.Same(Default.Check(Municipality, "library", Municipality, "local-tax", InForce), Default.Check(HealthInsurer, "x", Municipality, "y", InForce));
    }

    [Fact]
    public void Rows_for_an_affair_are_what_staff_may_ask_for_that_day()
    {
        var rows = Default.RowsFor(Municipality, "child-allowance", InForce);
        Assert.Equal(["local-tax", "resident-record"], rows.Select(r => r.Kind).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.True(r.InForceOn(InForce)));
        Assert.Empty(Default.RowsFor(Municipality, "child-allowance", new DateOnly(2016, 1, 1)));
        Assert.Empty(Default.RowsFor(HealthInsurer, "child-allowance", InForce));
        Assert.Empty(Default.RowsFor(Municipality, "library", InForce));
    }

    [Fact]
    public void Display_names_come_from_the_catalogue()
    {
        Assert.Equal("地方税関係情報", Default.KindName("local-tax"));
        Assert.Equal("年金給付関係情報", Default.KindName("pension-benefit"));
        Assert.Equal("医療保険資格関係情報", Default.KindName("health-insurance-qualification"));
        Assert.Contains("児童手当", Default.AffairName("child-allowance"), StringComparison.Ordinal);
        Assert.Contains("児童育成手当", Default.AffairName("ord-child-upbringing-allowance"), StringComparison.Ordinal);
        Assert.Null(Default.AffairName("no-such-affair"));
        Assert.Null(Default.KindName("no-such-kind"));
        Assert.All(Default.Affairs, a => Assert.NotEmpty(a.PerformedBy));
    }

    [Fact]
    public void Ordinance_rows_of_shinagawa_and_tokyo_cite_the_commission_rule()
    {
        var independent = Default.Rows.Where(r => r.Affair.StartsWith("ord-", StringComparison.Ordinal) || r.Affair.StartsWith("sp-", StringComparison.Ordinal)).ToList();
        Assert.Contains(independent, r => r.SourceRow?.StartsWith("表5-", StringComparison.Ordinal) == true);
        Assert.Contains(independent, r => r.SourceRow?.StartsWith("表6-", StringComparison.Ordinal) == true);
        Assert.All(independent, r => Assert.Contains("個人情報保護委員会規則", r.Source, StringComparison.Ordinal));
        Assert.All(Default.Rows.Except(independent), r => Assert.Contains("別表第二", r.Source, StringComparison.Ordinal));
    }

    /// <summary>The checkout this test was compiled from (the build output may live elsewhere, e.g. --artifacts-path).</summary>
    private static string RepositoryRoot([CallerFilePath] string here = "")
    {
        for (var directory = new DirectoryInfo(Path.GetDirectoryName(here)!); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Renkei.slnx"))) return directory.FullName;
        throw new InvalidOperationException("the repository root (Renkei.slnx) was not found above " + here);
    }
}
