using System.Text;
using Renkei.Core.Pia;
using Renkei.Core.Policy;

namespace Renkei.Core.Tests.Pia;

/// <summary>
/// The inventories of institutions without staff accounts (policy/pia/*.json): refused as a whole with the file, line and entry
/// named, and assessed from the module's own count and the declared handlers.
/// </summary>
public sealed class InstitutionPiaInventoryTests
{
    private static readonly string[] Populations = ["numbered-people", "card-holders"];

    private static string Entry(string code = "individual-numbers", string population = "numbered-people", string handlers = "40", string level = "basic+full",
        string basis = "番号法第8条") =>
        $$"""
            { "code": "{{code}}", "name": "個人番号生成・管理ファイル", "basis": "{{basis}}", "system": "個人番号生成システム", "tables": ["jlis_number_map"],
              "population": "{{population}}", "department": "個人番号センター", "handlers": {{handlers}}, "declaredLevel": "{{level}}" }
        """;

    private static byte[] Inventory(params string[] entries) => Encoding.UTF8.GetBytes(
        "{\n  \"version\": \"t-1\", \"source\": \"test\", \"institution\": \"地方公共団体情報システム機構\",\n  \"files\": [\n" + string.Join(",\n", entries) + "\n  ]\n}\n");

    private static PolicyFileException Refused(params string[] entries) =>
        Assert.Throws<PolicyFileException>(() => InstitutionPiaInventory.Parse(Inventory(entries), "test-pia.json", Populations));

    [Fact]
    public void A_valid_inventory_keeps_every_field()
    {
        var inventory = InstitutionPiaInventory.Parse(Inventory(Entry(), Entry("card-management", "card-holders", "800", "basic")), "test-pia.json", Populations);

        Assert.Equal("地方公共団体情報システム機構", inventory.Institution);
        Assert.Equal(["individual-numbers", "card-management"], inventory.Files.Select(f => f.Code));
        var cards = inventory.Files[1];
        Assert.Equal(("card-holders", 800, AssessmentLevel.Basic, "jlis_number_map"), (cards.Population, cards.Handlers, cards.DeclaredLevel, cards.Tables.Single()));
    }

    [Theory]
    [InlineData("no-such-count", "40", "basic", "番号法第8条", "population: one of numbered-people, card-holders")]
    [InlineData("numbered-people", "-1", "basic", "番号法第8条", "handlers (取扱者数")]
    [InlineData("numbered-people", "40", "everything", "番号法第8条", "declaredLevel:")]
    [InlineData("numbered-people", "40", "basic", " ", "basis (the statute")]
    public void A_bad_entry_refuses_the_file_naming_its_line_and_entry(string population, string handlers, string level, string basis, string problem)
    {
        var refused = Refused(Entry(), Entry("card-management", population, handlers, level, basis));

        Assert.Equal(("test-pia.json", 6), (refused.File, refused.Line));
        Assert.Contains("files entry 2 (card-management)", refused.Problem);
        Assert.Contains(problem, refused.Problem);
    }

    [Fact]
    public void A_repeated_code_and_an_empty_list_are_refused()
    {
        Assert.Contains("duplicate file code", Refused(Entry(), Entry()).Problem);
        Assert.Contains("lists no files", Refused().Problem);
    }

    [Fact]
    public void Assessing_counts_each_population_once_and_decides_with_the_declared_handlers()
    {
        var inventory = InstitutionPiaInventory.Parse(Inventory(Entry(handlers: "40"), Entry("card-management", "card-holders", "500", "basic")), "test-pia.json", Populations);
        var counted = new List<string>();

        var figures = inventory.Assess(p => { counted.Add(p); return 50_000; }, AssessmentThresholds.Law, new DateOnly(2026, 12, 7));

        Assert.Equal(Populations, counted);
        // 50,000 people: basic with 40 handlers, basic plus priority with 500 (the band's handler edge).
        Assert.Equal((AssessmentLevel.Basic, "above-need"), (figures[0].Computed, figures[0].FollowUpCode));
        Assert.Equal((AssessmentLevel.BasicPriority, "reassess", true), (figures[1].Computed, figures[1].FollowUpCode, figures[1].NeedsReassessment));
        Assert.Contains("基礎項目評価及び重点項目評価を実施し", figures[1].FollowUp);
        Assert.Equal("現在の数値では評価の実施は義務付けられません（宣言した評価はそれ以上のため、そのままで問題ありません）。",
            AssessmentLevels.FollowUp(AssessmentLevel.None, AssessmentLevel.Basic));
    }
}
