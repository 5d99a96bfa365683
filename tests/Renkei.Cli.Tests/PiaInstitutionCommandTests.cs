using System.Text.Json;
using Renkei.Core.Pia;
using Renkei.Holders;
using Renkei.Holders.Pia;
using Renkei.Infrastructure.Pia;
using Renkei.Intermediate.Pia;
using Renkei.Jlis.Pia;
using Renkei.Network.Pia;

namespace Renkei.Cli.Tests;

/// <summary>
/// Issue 16, item 1 beyond the wards: <c>renkei pia assess --institution</c> counts J-LIS's, the network's, an intermediate
/// server's and the holders' files in their own databases of a seeded demo (300 residents), and every count each module
/// declares runs on both databases.
/// </summary>
public sealed class PiaInstitutionCommandTests(SeededDemo demo) : IClassFixture<SeededDemo>
{
    public static TheoryData<string> Providers => TestDatabase.Providers;

    private async Task<Dictionary<string, JsonElement>> AssessAsync(string institution)
    {
        var outcome = await CliProcess.RunAsync(demo.Data, "pia", "assess", "--institution", institution, "--json");
        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        using var json = JsonDocument.Parse(outcome.StandardOutput);
        return json.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("file").GetString()!, f => f.Clone());
    }

    private static long People(JsonElement file) => file.GetProperty("people").GetInt64();

    [Fact]
    public async Task Each_institution_counts_its_own_people_and_decides_with_its_declared_handlers()
    {
        var jlis = await AssessAsync("jlis");
        Assert.Equal(["individual-numbers", "identity-information", "card-management"], jlis.Keys);
        // Every generated resident was numbered at initial numbering, and each has a resident code J-LIS knows.
        Assert.Equal(300, People(jlis["individual-numbers"]));
        Assert.Equal(300, People(jlis["identity-information"]));
        Assert.InRange(People(jlis["card-management"]), 1, 300);
        Assert.Equal((800, "none", "basic+full", "above-need"), (jlis["card-management"].GetProperty("handlers").GetInt32(),
            jlis["card-management"].GetProperty("computedLevel").GetString(), jlis["card-management"].GetProperty("declaredLevel").GetString(),
            jlis["card-management"].GetProperty("followUp").GetString()));

        var network = await AssessAsync("network");
        // The network gave every numbered person an id code behind the tokens; provision records name only the people linked.
        Assert.Equal(300, People(network["token-management"]));
        Assert.InRange(People(network["provision-records"]), 1, 299);

        var ward = await CliProcess.RunAsync(demo.Data, "pia", "assess", "--municipality", "131091", "--json");
        using var wardFiles = JsonDocument.Parse(ward.StandardOutput);
        var register = wardFiles.RootElement.EnumerateArray().Single(f => f.GetProperty("file").GetString() == "resident-register").GetProperty("people").GetInt64();
        var intermediate = await AssessAsync("intermediate:131091");
        // The ward's intermediate server holds copies of some of its residents, never more than its register's people.
        Assert.InRange(People(intermediate["copies"]), 1, register);
        Assert.Equal(People(intermediate["copies"]), People(intermediate["tokens"]));

        var pension = await AssessAsync("holder:" + HolderInstitutions.PensionOrganisationCode);
        Assert.InRange(People(pension["pension-records"]), 1, 300);
        Assert.Equal(12_000, pension["pension-records"].GetProperty("handlers").GetInt32());
        var insurer = await AssessAsync("holder:" + HolderInstitutions.DemoInsurerCode);
        Assert.InRange(People(insurer["insurance-qualifications"]), 1, 300);

        var text = await CliProcess.RunAsync(demo.Data, "pia", "assess", "--institution", "jlis");
        Assert.Contains("個人番号生成・管理ファイル", text.StandardOutput);
        Assert.Contains("取扱者数     40人（一覧の宣言）", text.StandardOutput);
    }

    [Theory]
    [InlineData("bogus", "--institution: jlis, network, intermediate:CODE or holder:CODE")]
    [InlineData("holder:ABC123", "--institution: jlis, network, intermediate:CODE or holder:CODE")]
    [InlineData("intermediate:99999999", "--institution: this data directory holds no database")]
    public async Task An_unknown_institution_is_refused_naming_the_option(string institution, string message)
    {
        var outcome = await CliProcess.RunAsync(demo.Data, "pia", "assess", "--institution", institution);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains(message, outcome.StandardError);
        Assert.DoesNotContain(institution, outcome.StandardError.Replace("--institution", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_ward_and_an_institution_together_are_refused()
    {
        var outcome = await CliProcess.RunAsync(demo.Data, "pia", "assess", "--municipality", "131091", "--institution", "jlis");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("give either --municipality or --institution", outcome.StandardError);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_declared_count_runs_on_an_empty_database_and_the_handlers_edge_raises_the_level(string provider)
    {
        InstitutionPia[] all = [JlisPia.Files, NetworkPia.Files, IntermediatePia.Files, HolderPia.Files(HolderKind.PensionOrganisation), HolderPia.Files(HolderKind.HealthInsurer)];
        foreach (var pia in all)
        {
            using var db = TestDatabase.Create(provider);
            var figures = pia.Assess(db.Database);
            Assert.Equal(pia.Inventory.Files.Select(f => f.Code), figures.Select(f => f.File.Code));
            Assert.All(figures, f => Assert.Equal((0L, AssessmentLevel.None), (f.People, f.Computed)));
        }

        // Thresholds shifted so that an empty file sits in the 100,000–300,000 band, where the handlers decide.
        using var empty = TestDatabase.Create(provider);
        var shifted = new AssessmentThresholds(Basic: 0, Priority: 0, Full: 0, AlwaysFull: 1, Handlers: 500);
        var jlis = JlisPia.Files.Assess(empty.Database, shifted).ToDictionary(f => f.File.Code);
        // 800 declared card handlers (≥ 500) call for full, the numbering file's 40 for priority.
        Assert.Equal(AssessmentLevel.BasicFull, jlis["card-management"].Computed);
        Assert.Equal(AssessmentLevel.BasicPriority, jlis["individual-numbers"].Computed);
    }
}
