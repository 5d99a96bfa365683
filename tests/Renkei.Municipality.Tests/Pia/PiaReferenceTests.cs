using Renkei.Core.Policy;
using System.Text;
using Renkei.Core.Pia;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Pia;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Tests.Staff;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Pia;

/// <summary>
/// The reference lists (品川区's 表7, seed 000 around line 1244; 板橋区's 44, seed 004 around line 128) as checked data, and the
/// comparison that puts the demo ward's computed levels beside them.
/// </summary>
public class PiaReferenceTests
{
    [Fact]
    public void The_shipped_lists_hold_the_seeds_counts_each_entry_citing_its_line()
    {
        var lists = PiaReferenceList.LoadDefault();
        var (shinagawa, itabashi) = (lists[0], lists[1]);
        Assert.Equal(("shinagawa", "131091", "品川区"), (shinagawa.Key, shinagawa.Municipality, shinagawa.MunicipalityName));
        Assert.Equal((31, 2, 4, 25), (shinagawa.Entries.Count, shinagawa.Count(AssessmentLevel.BasicFull), shinagawa.Count(AssessmentLevel.BasicPriority), shinagawa.Count(AssessmentLevel.Basic)));
        Assert.Equal(("itabashi", "131199", "板橋区"), (itabashi.Key, itabashi.Municipality, itabashi.MunicipalityName));
        Assert.Equal((44, 2, 5, 37), (itabashi.Entries.Count, itabashi.Count(AssessmentLevel.BasicFull), itabashi.Count(AssessmentLevel.BasicPriority), itabashi.Count(AssessmentLevel.Basic)));
        Assert.Equal(Enumerable.Range(1, 44), itabashi.Entries.Select(e => e.Number));
        Assert.All(lists.SelectMany(l => l.Entries), e => Assert.NotNull(e.Citation?.Line));

        var register = shinagawa.Entries.Single(e => e.Affair == "resident-register");
        Assert.Equal(("住民基本台帳に関する事務", AssessmentLevel.BasicFull, "戸籍住民課"), (register.Name, register.Level, register.Department));
        Assert.Equal("seeds/000 l.1252", register.Citation!.Line!.ToString());
        var lightVehicleTax = itabashi.Entries.Single(e => e.Number == 9);
        Assert.Equal(("軽自動車税の賦課に関する事務", AssessmentLevel.Basic, null), (lightVehicleTax.Name, lightVehicleTax.Level, lightVehicleTax.Affair));
        // Itabashi splits 地方税 into three assessments; each maps to the demo's one tax affair.
        Assert.Equal([AssessmentLevel.BasicFull, AssessmentLevel.BasicPriority, AssessmentLevel.Basic], itabashi.Entries.Where(e => e.Affair == "local-tax").Select(e => e.Level));
    }

    private const string Header = "{\n  \"version\": \"t\",\n  \"source\": \"s\",\n  \"key\": \"test\",\n  \"municipality\": \"131091\",\n  \"municipalityName\": \"品川区\",\n"
        + "  \"counts\": [{\"level\": \"basic+full\", \"count\": 1}, {\"level\": \"basic+priority\", \"count\": 0}, {\"level\": \"basic\", \"count\": COUNT}],\n  \"entries\": [\n";

    private const string Good = "{\"no\": 1, \"name\": \"住民基本台帳に関する事務\", \"level\": \"basic+full\", \"department\": \"戸籍住民課\", \"affair\": \"resident-register\", "
        + "\"sourceLine\": \"seeds/000 l.1252\", \"citationChecked\": \"2026-12-06\"}";

    private static PiaReferenceList Parse(string entries, int basic = 0) =>
        PiaReferenceList.Parse(Encoding.UTF8.GetBytes(Header.Replace("COUNT", basic.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            + "    " + entries + "\n  ]\n}"), "pia-reference-test.json", AffairCatalogue.LoadDefault());

    [Fact]
    public void A_bad_entry_refuses_the_file_naming_file_line_and_entry()
    {
        Assert.Single(Parse(Good).Entries);
        var second = Good.Replace("\"no\": 1", "\"no\": 2", StringComparison.Ordinal).Replace("basic+full", "basic", StringComparison.Ordinal);

        var unknownAffair = Assert.Throws<PolicyFileException>(() => Parse(Good + ",\n    " + second.Replace("resident-register", "teleportation", StringComparison.Ordinal), basic: 1));
        Assert.Equal(("pia-reference-test.json", 10), (unknownAffair.File, unknownAffair.Line));
        Assert.Contains("entries entry 2 (no 2): affair", unknownAffair.Message);

        var cases = new (string Entries, int Basic, string Expected)[]
        {
            (Good.Replace("basic+full", "none", StringComparison.Ordinal), 0, "level is one of"),
            (Good.Replace("\"no\": 1", "\"no\": 0", StringComparison.Ordinal), 0, "no is missing"),
            (Good.Replace("\"name\": \"住民基本台帳に関する事務\"", "\"name\": \" \"", StringComparison.Ordinal), 0, "name is missing"),
            (Good.Replace(", \"sourceLine\": \"seeds/000 l.1252\", \"citationChecked\": \"2026-12-06\"", "", StringComparison.Ordinal), 0, "every reference entry cites"),
            (Good.Replace("\"affair\"", "\"affairCode\"", StringComparison.Ordinal), 0, "entries entry 1"),
            (Good + ",\n    " + Good, 0, "no 1 is listed twice"),
            (Good + ",\n    " + second, 0, "counts: basic is declared 0 but the entries list 1"),
        };
        foreach (var (entries, basic, expected) in cases)
            Assert.Contains(expected, Assert.Throws<PolicyFileException>(() => Parse(entries, basic)).Message);
        Assert.Equal(2, Parse(Good + ",\n    " + second, basic: 1).Entries.Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void The_comparison_puts_the_demos_live_levels_beside_the_published_ones_with_a_note_where_they_differ(string provider)
    {
        using var staff = new StaffFixture(provider);
        Assert.Equal(1_200, new RegisterImporter(new ResidentRegister(staff.Database, TestData.Shinagawa)).Import(TestData.Records(1_200)).Imported);
        staff.Create("jumin01", StaffRole.Clerk, "resident-register");
        var lists = PiaReferenceList.LoadDefault();
        var small = new AssessmentThresholds(Basic: 10, Priority: 100, Full: 1_000, AlwaysFull: 3_000, Handlers: 5);
        var rows = PiaComparison.Compare(lists, new PiaAssessor(staff.Database, thresholds: small, clock: staff.Clock).AssessAll(), AffairCatalogue.LoadDefault());

        // One row per mapped demo affair, one per entry the demo does not run; every reference entry appears exactly once.
        Assert.Equal(lists.Sum(l => l.Entries.Count), rows.Sum(r => r.Published.Sum(p => p.Entries.Count)));
        Assert.Equal(rows.Count(r => r.Affair is not null), rows.Where(r => r.Affair is not null).Select(r => r.Affair).Distinct().Count());

        // 1,200 people and one clerk: 重点項目評価 under the shifted bands, below the 全項目評価 both wards publish.
        var register = rows.Single(r => r.Affair == "resident-register");
        Assert.Equal(("住民基本台帳に関する事務", 1_200L, 1L, AssessmentLevel.BasicPriority), (register.Name, register.Demo!.People, register.Demo.Handlers, register.Demo.Computed));
        Assert.Equal([AssessmentLevel.BasicFull, AssessmentLevel.BasicFull], register.Published.Select(p => p.Highest!.Value));
        Assert.True(register.Differs);
        Assert.Contains("対象人数1,200人・取扱者数1人のため「基礎項目評価及び重点項目評価」となり、公表されている「基礎項目評価及び全項目評価」より低い区分です", register.Note);

        // Itabashi's three tax assessments sit on the demo's one tax affair, and the note says so.
        var tax = rows.Single(r => r.Affair == "local-tax");
        Assert.Equal("individual-residence-tax", tax.Demo!.File.Code);
        Assert.Equal(3, tax.Published.Single(p => p.List.Key == "itabashi").Entries.Count);
        Assert.Contains("板橋区はこの事務を3件の評価", tax.Note);

        // The wards disagree on 児童手当 (品川区 基礎, 板橋区 重点); an affair the demo runs without a file; one it does not run.
        Assert.Contains("品川区は「基礎項目評価」、板橋区は「基礎項目評価及び重点項目評価」を公表しています", rows.Single(r => r.Affair == "child-allowance").Note);
        var pension = rows.Single(r => r.Affair == "national-pension");
        Assert.Null(pension.Demo);
        Assert.Contains("評価の対象に登録していない", pension.Note);
        var lightVehicleTax = rows.Single(r => r.Affair is null && r.Name == "軽自動車税の賦課に関する事務");
        Assert.Equal((null, "itabashi"), (lightVehicleTax.Demo, lightVehicleTax.Published.Single(p => p.Entries.Count > 0).List.Key));
        Assert.Contains("扱っていない", lightVehicleTax.Note);

        // Where the live figures call for what both wards publish, the row agrees and carries no note.
        var full = new AssessmentThresholds(Basic: 10, Priority: 100, Full: 1_000, AlwaysFull: 1_100, Handlers: 5);
        var agreeing = PiaComparison.Compare(lists, new PiaAssessor(staff.Database, thresholds: full, clock: staff.Clock).AssessAll(), AffairCatalogue.LoadDefault())
            .Single(r => r.Affair == "resident-register");
        Assert.Equal((AssessmentLevel.BasicFull, false, null), (agreeing.Demo!.Computed, agreeing.Differs, agreeing.Note));
    }
}
