using Renkei.Core.Policy;
using Renkei.Municipality.Affairs;
using Renkei.TestSupport;
using static Renkei.Municipality.Tests.Affairs.PolicyFixtures;

namespace Renkei.Municipality.Tests.Affairs;

public class AffairCatalogueTests
{
    private static readonly DateOnly Day = new(2024, 6, 1);

    [Fact]
    public void Default_catalogue_holds_Shinagawa_tables_1_to_3_and_affairs_without_numbers()
    {
        var catalogue = AffairCatalogue.LoadDefault();
        Assert.Equal("131091-2017.1", catalogue.Version);
        Assert.Contains("品川区", catalogue.Source);
        Assert.Equal("131091", catalogue.Municipality);

        var kinds = catalogue.Affairs.GroupBy(a => a.Kind).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(42, kinds[AffairKind.Beppyo1]);          // table 1's 46 rows; rows 41–44 repeat 31–34 at the health centres
        Assert.Equal(26, kinds[AffairKind.Ordinance]);        // table 2
        Assert.Equal(3, kinds[AffairKind.SpecialArrangement]); // table 3
        Assert.Equal(4, kinds[AffairKind.NonNumber]);           // 図書館, 施設予約, 住民票の写しの一般請求, 印鑑登録
        Assert.Equal(1, kinds[AffairKind.Statute]);           // the resident register
        Assert.All(catalogue.Affairs, a => Assert.Equal(catalogue.Version, a.Version));
        Assert.All(catalogue.Affairs.Where(a => a.Kind == AffairKind.Ordinance), a => Assert.StartsWith("ord-", a.Code));
        Assert.All(catalogue.Affairs.Where(a => a.Kind == AffairKind.SpecialArrangement), a => Assert.StartsWith("sp-", a.Code));
        Assert.All(catalogue.Affairs.Where(a => a.Kind != AffairKind.NonNumber), a => Assert.True(a.NumberUse, a.Code));
    }

    [Fact]
    public void Default_catalogue_describes_local_tax_as_beppyo1_item_16_of_the_residence_tax_system()
    {
        var tax = AffairCatalogue.LoadDefault().Find("local-tax")!;
        Assert.Equal("地方税の賦課及び徴収に関する事務", tax.Name);
        Assert.Equal(AffairKind.Beppyo1, tax.Kind);
        Assert.Equal("16", tax.Beppyo1Item);
        Assert.Contains("別表第一", tax.LegalSource);
        Assert.Equal("individual-residence-tax", tax.System);
        Assert.Equal("税務課", tax.Department);
        Assert.Equal(new DateOnly(2016, 1, 1), tax.EffectiveFrom);
        Assert.Null(tax.EffectiveTo);
        Assert.Equal("個人住民税システム", AffairCatalogue.LoadDefault().FindSystem(tax.System)!.Name);
    }

    [Theory]
    [InlineData("resident-register", true)]
    [InlineData("local-tax", true)]
    [InlineData("child-allowance", true)]
    [InlineData("child-rearing-allowance", true)]
    [InlineData("national-health-insurance", true)]
    [InlineData("nursing-care-insurance", true)]
    [InlineData("public-assistance", true)]
    [InlineData("library", false)]
    [InlineData("facility-booking", false)]
    [InlineData("resident-certificate-general", false)]
    [InlineData("seal-registration", false)]
    public void The_codes_residence_certificates_and_the_CLI_use_keep_their_number_use(string code, bool numberUse)
    {
        var catalogue = AffairCatalogue.LoadDefault();
        Assert.NotNull(catalogue.Find(code));
        Assert.Equal(numberUse, catalogue.IsNumberUse(code, Day));
    }

    [Fact]
    public void Number_use_depends_on_the_day_and_the_affair()
    {
        var catalogue = AffairCatalogue.LoadDefault();
        // 年金生活者支援給付金: from October 2019 (table 1, row 37).
        Assert.False(catalogue.IsNumberUse("pension-recipient-support-benefit", new DateOnly(2019, 9, 30)));
        Assert.True(catalogue.IsNumberUse("pension-recipient-support-benefit", new DateOnly(2019, 10, 1)));
        Assert.False(catalogue.InForce("child-allowance", new DateOnly(2015, 12, 31)));
        Assert.True(catalogue.IsNumberUse("child-allowance", new DateOnly(2016, 1, 1)));
        Assert.True(catalogue.InForce("library", Day));
        Assert.False(catalogue.IsNumberUse("library", Day));
        Assert.False(catalogue.IsNumberUse("no-such-affair", Day));
        Assert.False(catalogue.IsNumberUse(null, Day));
        Assert.True(catalogue.IsNumberUse(" Local-Tax ", Day));
    }

    [Fact]
    public void Resident_records_are_for_affairs_that_need_them_and_only_the_register_affair_changes_them()
    {
        var catalogue = AffairCatalogue.LoadDefault();
        var all = ResidentRecordUse.Search | ResidentRecordUse.View | ResidentRecordUse.Change;
        Assert.Equal(all, catalogue.Find("resident-register")!.ResidentRecords);
        Assert.Equal(ResidentRecordUse.Search | ResidentRecordUse.View, catalogue.Find("resident-certificate-general")!.ResidentRecords);
        foreach (var code in new[] { "library", "facility-booking", "child-allowance-employees" })
            Assert.Equal(ResidentRecordUse.None, catalogue.Find(code)!.ResidentRecords);
        Assert.Equal(["resident-register"], catalogue.Affairs.Where(a => a.Allows(ResidentRecordUse.Change)).Select(a => a.Code));
        // Every other number-using affair reads the register (search and view) and none changes it.
        Assert.All(catalogue.Affairs.Where(a => a.NumberUse && a.Code is not ("resident-register" or "child-allowance-employees")),
            a => Assert.Equal(ResidentRecordUse.Search | ResidentRecordUse.View, a.ResidentRecords));
        Assert.False(catalogue.Find("library")!.Allows(ResidentRecordUse.None));
    }

    [Fact]
    public void Resident_record_uses_are_checked_at_load()
    {
        var basic = ParseCatalogue(Catalogue(AffairLine("ord-aid", extra: ", \"residentRecords\": [\"view\", \"search\"]"), AffairLine("ord-none")));
        Assert.Equal(ResidentRecordUse.Search | ResidentRecordUse.View, basic.Find("ord-aid")!.ResidentRecords);
        Assert.Equal(ResidentRecordUse.None, basic.Find("ord-none")!.ResidentRecords);

        var unknown = Assert.Throws<PolicyFileException>(() => ParseCatalogue(Catalogue(AffairLine("ord-ok"), AffairLine("ord-aid", extra: ", \"residentRecords\": [\"delete\"]"))));
        Assert.Equal(FirstAffairLine + 1, unknown.Line);
        Assert.Contains("unknown use", unknown.Problem);
        var twice = Assert.Throws<PolicyFileException>(() => ParseCatalogue(Catalogue(AffairLine("ord-aid", extra: ", \"residentRecords\": [\"view\", \"view\"]"))));
        Assert.Contains("listed twice", twice.Problem);
        var change = Assert.Throws<PolicyFileException>(() => ParseCatalogue(Catalogue(AffairLine("ord-aid", extra: ", \"residentRecords\": [\"change\"]"))));
        Assert.Contains("only affairs of the resident-register system may change the register", change.Problem);
        var register = ParseCatalogue(Catalogue(AffairLine("register", kind: "statute", system: "resident-register", legal: "住民基本台帳法",
            extra: ", \"residentRecords\": [\"change\"]")));
        Assert.True(register.Find("register")!.Allows(ResidentRecordUse.Change));
    }

    [Fact]
    public void Check_number_use_gives_a_reason_for_each_refusal()
    {
        var catalogue = Basic();
        Assert.Equal(AffairNumberUseDecision.Allow, catalogue.CheckNumberUse("local-tax", Day).ReasonCode);
        Assert.Equal(AffairNumberUseDecision.AffairRequired, catalogue.CheckNumberUse(" ", Day).ReasonCode);
        Assert.Equal(AffairNumberUseDecision.UnknownAffair, catalogue.CheckNumberUse("nope", Day).ReasonCode);
        Assert.Equal(AffairNumberUseDecision.NotInForce, catalogue.CheckNumberUse("ord-new-aid", Day).ReasonCode);
        Assert.Equal(AffairNumberUseDecision.NotInForce, catalogue.CheckNumberUse("ord-old-aid", Day).ReasonCode);
        Assert.Equal(AffairNumberUseDecision.WithoutNumberUse, catalogue.CheckNumberUse("library", Day).ReasonCode);

        var refused = Assert.Throws<AffairNumberUseRefusedException>(() => catalogue.RequireNumberUse("library", Day));
        Assert.Equal(AffairNumberUseDecision.WithoutNumberUse, refused.Code);
        Assert.Equal("local-tax", catalogue.RequireNumberUse("local-tax", Day).Code);
    }

    [Fact]
    public void Effective_to_is_the_last_day_in_force()
    {
        var catalogue = Basic();
        Assert.True(catalogue.InForce("ord-old-aid", new DateOnly(2019, 9, 30)));
        Assert.False(catalogue.InForce("ord-old-aid", new DateOnly(2019, 10, 1)));
        Assert.Equal("ord-old-aid", catalogue.Find("ord-old-aid")!.Code);      // still known after it expired
        Assert.Null(catalogue.Find("ord-old-aid", new DateOnly(2019, 10, 1)));
    }

    [Fact]
    public void A_code_may_change_definition_over_non_overlapping_periods()
    {
        var catalogue = ParseCatalogue(Catalogue(
            AffairLine("ord-aid", to: "2023-12-31", legal: "旧条例"),
            AffairLine("ord-aid", kind: "beppyo1", from: "2024-01-01", legal: "番号法別表第一（法改正で追加）")));
        Assert.Equal(AffairKind.Ordinance, catalogue.Find("ord-aid", new DateOnly(2023, 12, 31))!.Kind);
        Assert.Equal(AffairKind.Beppyo1, catalogue.Find("ord-aid", new DateOnly(2024, 1, 1))!.Kind);
        Assert.Equal(AffairKind.Beppyo1, catalogue.Find("ord-aid")!.Kind);
        Assert.Equal(2, catalogue.History("ord-aid").Count);
        Assert.Single(catalogue.Codes);
    }

    [Fact]
    public void Duplicate_code_with_overlapping_period_fails_naming_both_lines()
    {
        var e = Assert.Throws<PolicyFileException>(() => ParseCatalogue(Catalogue(
            AffairLine("local-tax", kind: "beppyo1", system: "tax", legal: "別表第一"),
            AffairLine("ord-aid"),
            AffairLine("local-tax", kind: "beppyo1", system: "tax", legal: "別表第一", from: "2020-01-01"))));
        Assert.Equal("test-affairs.json", e.File);
        Assert.Equal(FirstAffairLine + 2, e.Line);
        Assert.Contains("duplicate code \"local-tax\"", e.Message);
        Assert.Contains($"line {FirstAffairLine}", e.Problem);
        Assert.StartsWith($"test-affairs.json line {FirstAffairLine + 2}:", e.Message);
    }

    [Theory]
    [InlineData("kind", "unknown kind \"municipal\"")]
    [InlineData("legal", "legalSource is missing")]
    [InlineData("system", "unknown system \"welfare\"")]
    [InlineData("from", "effectiveFrom \"2016/01/01\" is not a date")]
    [InlineData("order", "effectiveTo is before effectiveFrom")]
    [InlineData("nonnumber", "non-number cannot have numberUse true")]
    [InlineData("item", "beppyo1Item is only for affairs of kind beppyo1")]
    [InlineData("beppyo1", "must cite 別表第一")]
    [InlineData("code", "code is missing or not lower-case")]
    [InlineData("typo", "effectivFrom")]
    public void A_bad_entry_fails_the_whole_load_naming_file_and_line(string fault, string expected)
    {
        var bad = fault switch
        {
            "kind" => AffairLine("ord-x", kind: "municipal"),
            "legal" => AffairLine("ord-x", legal: " "),
            "system" => AffairLine("ord-x", system: "welfare"),
            "from" => AffairLine("ord-x", from: "2016/01/01"),
            "order" => AffairLine("ord-x", from: "2020-01-01", to: "2019-12-31"),
            "nonnumber" => AffairLine("library", kind: "non-number", system: "library", numberUse: true),
            "item" => AffairLine("ord-x", item: "16"),
            "beppyo1" => AffairLine("child", kind: "beppyo1", legal: "児童手当法"),
            "code" => AffairLine("Ord X"),
            "typo" => AffairLine("ord-x", extra: ", \"effectivFrom\": \"2016-01-01\""),
            _ => throw new ArgumentException(fault),
        };
        var e = Assert.Throws<PolicyFileException>(() => ParseCatalogue(Catalogue(AffairLine("ord-ok"), bad)));
        Assert.Equal(FirstAffairLine + 1, e.Line);
        Assert.Contains("affairs entry 2", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Missing_header_or_broken_json_fails_with_the_file_name()
    {
        var noVersion = Catalogue(AffairLine("ord-ok")).Replace("\"version\": \"test-1\",", "", StringComparison.Ordinal);
        var e = Assert.Throws<PolicyFileException>(() => ParseCatalogue(noVersion, "a.json"));
        Assert.Contains("a.json", e.Message);
        Assert.Contains("\"version\"", e.Message);

        var broken = Catalogue(AffairLine("ord-ok"), AffairLine("ord-two")).Replace("\"ord-two\",", "\"ord-two\"", StringComparison.Ordinal);
        var syntax = Assert.Throws<PolicyFileException>(() => ParseCatalogue(broken, "b.json"));
        Assert.Equal(FirstAffairLine + 1, syntax.Line);
        Assert.Contains("not valid JSON", syntax.Message);

        Assert.Throws<PolicyFileException>(() => ParseCatalogue(Catalogue()));
    }

    [Fact]
    public void Load_reads_a_file_and_errors_name_it()
    {
        using var directory = new TempDirectory();
        var path = directory.File("ward-affairs.json");
        File.WriteAllText(path, Catalogue(AffairLine("ord-ok"), AffairLine("ord-x", kind: "other")));
        var e = Assert.Throws<PolicyFileException>(() => AffairCatalogue.Load(path));
        Assert.StartsWith($"ward-affairs.json line {FirstAffairLine + 1}:", e.Message);

        File.WriteAllText(path, Catalogue(AffairLine("ord-ok")));
        Assert.Equal("ward-affairs.json", AffairCatalogue.Load(path).FileName);
    }

    [Fact]
    public void The_repository_file_is_the_embedded_default()
    {
        var fromFile = AffairCatalogue.Load(RepositoryPolicy(AffairCatalogue.DefaultFileName));
        var embedded = AffairCatalogue.LoadDefault();
        Assert.Equal(embedded.Version, fromFile.Version);
        Assert.Equal(embedded.Affairs, fromFile.Affairs);
    }
}
