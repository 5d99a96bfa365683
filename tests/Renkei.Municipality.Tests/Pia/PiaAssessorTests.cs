using Renkei.Core.Policy;
using System.Text;
using Renkei.Core.Pia;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Pia;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Tests.Staff;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Pia;

/// <summary>
/// The live figures of the ward's specific-personal-information files (特定個人情報保護評価): people counted from the register,
/// handlers from the staff with the file's affairs plus contractors, serious incidents in the past year — and the level they
/// call for beside the one declared. Bands shifted (10 / 100 / 1,000 / 3,000 people, 5 handlers) so a small register stands for the law's.
/// </summary>
public class PiaAssessorTests
{
    private static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().ToOffset(TimeSpan.FromHours(9)).DateTime);

    private static readonly AssessmentThresholds Small = new(Basic: 10, Priority: 100, Full: 1_000, AlwaysFull: 3_000, Handlers: 5);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Live_figures_decide_the_level_and_contractors_or_a_serious_incident_raise_it_above_the_declaration(string provider)
    {
        using var staff = new StaffFixture(provider);
        var register = new ResidentRegister(staff.Database, TestData.Shinagawa);
        Assert.Equal(1_200, new RegisterImporter(register).Import(TestData.Records(1_200)).Imported);
        staff.Create("kodomo01", StaffRole.Clerk, "child-allowance");
        staff.Create("kodomo02", StaffRole.Clerk, "child-allowance", "child-rearing-allowance");
        staff.Create("jumin01", StaffRole.Clerk, "resident-register");
        staff.Create("jumin02", StaffRole.Clerk, "resident-register");
        staff.Directory.SetActive(StaffId.Parse("jumin02"), false); // someone who left: not a handler
        var assessor = new PiaAssessor(staff.Database, thresholds: Small, clock: staff.Clock);
        var inventory = assessor.Inventory;

        var registerFile = assessor.Assess(inventory.Find("resident-register")!);
        Assert.Equal((1_200L, 1L, 0L, false), (registerFile.People, registerFile.StaffHandlers, registerFile.ContractorHandlers, registerFile.SeriousIncident));
        Assert.Equal(AssessmentLevel.BasicPriority, registerFile.Computed); // 1,000 ≤ 1,200 < 3,000 and few handlers: priority
        Assert.Equal(AssessmentLevel.BasicFull, registerFile.File.DeclaredLevel); // 表7: 全項目評価
        Assert.Equal("above-need", registerFile.FollowUpCode);

        // With a contractor: 1 clerk + 4 contractor staff = 5 handlers → full.
        assessor.AddContractor(new PiaContractor("resident-register", "株式会社デモ情報サービス", 4, Today(staff.Clock).AddDays(-10), null), "admin01", "test", staff.Log);
        Assert.Equal((5L, AssessmentLevel.BasicFull), (assessor.Assess(inventory.Find("resident-register")!).Handlers, assessor.Assess(inventory.Find("resident-register")!).Computed));

        // 児童手当 (declared basic) has no people in its system yet; a serious incident a year and a day ago does not count, one last month does.
        var childAllowance = inventory.Find("child-allowance")!;
        Assert.Equal((0L, 2L, AssessmentLevel.None), (assessor.Assess(childAllowance).People, assessor.Assess(childAllowance).StaffHandlers, assessor.Assess(childAllowance).Computed));
        assessor.AddIncident(new PiaIncident("child-allowance", Today(staff.Clock).AddYears(-1), "誤送付", Serious: true, Reported: true), "admin01", "test", staff.Log);
        Assert.False(assessor.Assess(childAllowance).SeriousIncident);
        assessor.AddIncident(new PiaIncident("child-allowance", Today(staff.Clock).AddMonths(-1), "通知書の誤送付", Serious: true, Reported: false), "admin01", "test", staff.Log);
        Assert.True(assessor.Assess(childAllowance).SeriousIncident);

        // Each record is in the operation log as a Japanese sentence.
        var logged = staff.Log.Read().Select(r => r.Entry).Where(e => e.StaffId == "admin01").Select(e => e.Detail!).ToList();
        Assert.Equal(3, logged.Count);
        Assert.Contains(logged, d => d.Contains("住民基本台帳ファイルの外部委託先", StringComparison.Ordinal));
        Assert.Contains(logged, d => d.Contains("児童手当ファイルの事故（重大事故", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Exceeding_the_declared_level_asks_for_reassessment(string provider)
    {
        using var staff = new StaffFixture(provider);
        var register = new ResidentRegister(staff.Database, TestData.Shinagawa);
        new RegisterImporter(register).Import(TestData.Records(40));
        var tiny = new AssessmentThresholds(Basic: 1, Priority: 2, Full: 3, AlwaysFull: 4, Handlers: 1);
        var assessor = new PiaAssessor(staff.Database, thresholds: tiny, clock: staff.Clock);

        // 児童手当 is declared basic; its file in the register's stead: every file is assessed, the register one calls for full.
        var all = assessor.AssessAll();
        Assert.Equal(assessor.Inventory.Files.Select(f => f.Code), all.Select(a => a.File.Code));
        var registerFile = all.Single(a => a.File.Code == "resident-register");
        Assert.Equal(AssessmentLevel.BasicFull, registerFile.Computed);
        Assert.Equal("ok", registerFile.FollowUpCode);
        assessor.AddContractor(new PiaContractor("child-allowance", "委託先", 1, Today(staff.Clock), null), "admin01", "test", staff.Log);
        var childAllowance = assessor.Assess(assessor.Inventory.Find("child-allowance")!);
        Assert.Equal(AssessmentLevel.None, childAllowance.Computed); // no people in the system yet
    }

    [Fact]
    public void The_basic_assessment_document_reads_back_with_the_files_name_figures_and_result()
    {
        using var staff = new StaffFixture("sqlite");
        new RegisterImporter(new ResidentRegister(staff.Database, TestData.Shinagawa)).Import(TestData.Records(1_200));
        staff.Create("jumin01", StaffRole.Clerk, "resident-register");
        var assessor = new PiaAssessor(staff.Database, thresholds: Small, clock: staff.Clock);
        assessor.AddContractor(new PiaContractor("resident-register", "委託先", 7, Today(staff.Clock), null), "admin01", "test", staff.Log);
        var assessment = assessor.Assess(assessor.Inventory.Find("resident-register")!);

        var text = PdfText.Read(Renkei.Documents.MunicipalPaper.Render(PiaDocuments.Basic(assessment, Small, AffairCatalogue.LoadDefault(), "品川区長")));

        foreach (var expected in new[] { "特定個人情報保護評価書（基礎項目評価書）", "品川区長", "住民基本台帳ファイル", "戸籍住民課", "住民基本台帳に関する事務",
                     "1,000人以上3,000人未満（1,200人）", "5人以上（職員1人、外部委託先7人）", "発生なし", "基礎項目評価及び全項目評価の実施が義務付けられる。", "令和6年6月3日" })
            Assert.Contains(expected, text);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Bad_records_are_refused_naming_the_field_and_nothing_is_stored(string provider)
    {
        using var staff = new StaffFixture(provider);
        var assessor = new PiaAssessor(staff.Database, clock: staff.Clock);
        var today = Today(staff.Clock);
        var cases = new (Action Act, string Field)[]
        {
            (() => assessor.AddContractor(new PiaContractor("no-such-file", "委託先", 3, today, null), "admin01", "t", staff.Log), "file"),
            (() => assessor.AddContractor(new PiaContractor("resident-register", " ", 3, today, null), "admin01", "t", staff.Log), "company"),
            (() => assessor.AddContractor(new PiaContractor("resident-register", "委託先", 0, today, null), "admin01", "t", staff.Log), "handlers"),
            (() => assessor.AddContractor(new PiaContractor("resident-register", "委託先", 3, today, today.AddDays(-1)), "admin01", "t", staff.Log), "to"),
            (() => assessor.AddIncident(new PiaIncident("resident-register", today.AddDays(1), "未来", true, false), "admin01", "t", staff.Log), "occurredOn"),
            (() => assessor.AddIncident(new PiaIncident("resident-register", today, "", true, false), "admin01", "t", staff.Log), "description"),
        };
        foreach (var (act, field) in cases)
            Assert.StartsWith(field + ":", Assert.ThrowsAny<ArgumentException>(act).Message);
        var registerFile = assessor.Assess(assessor.Inventory.Find("resident-register")!);
        Assert.Equal((0L, false), (registerFile.ContractorHandlers, registerFile.SeriousIncident));
        Assert.Empty(staff.Log.Read());
    }

    [Fact]
    public void The_inventory_is_checked_against_the_affair_catalogue_naming_file_line_and_entry()
    {
        var shipped = PiaInventory.LoadDefault();
        Assert.Equal(6, shipped.Files.Count);
        Assert.All(shipped.Files, f => Assert.NotNull(f.Citation?.Line));

        static PolicyFileException Refused(string entry) => Assert.Throws<PolicyFileException>(() => PiaInventory.Parse(Encoding.UTF8.GetBytes(
            "{\n  \"version\": \"t\",\n  \"source\": \"s\",\n  \"files\": [\n    " + entry + "\n  ]\n}"), "pia-test.json", AffairCatalogue.LoadDefault()));
        const string Good = "\"code\": \"resident-register\", \"name\": \"住民基本台帳ファイル\", \"affairs\": [\"resident-register\"], \"system\": \"resident-register\", "
            + "\"population\": \"resident-register\", \"department\": \"戸籍住民課\", \"declaredLevel\": \"basic+full\", \"sourceLine\": \"seeds/000 l.1252\", \"citationChecked\": \"2026-12-06\"";
        var unknownAffair = Refused("{" + Good.Replace("[\"resident-register\"]", "[\"teleportation\"]", StringComparison.Ordinal) + "}");
        Assert.Equal(("pia-test.json", 5), (unknownAffair.File, unknownAffair.Line));
        Assert.Contains("files entry 1 (resident-register): affairs", unknownAffair.Message);
        Assert.Contains("population", Refused("{" + Good.Replace("\"population\": \"resident-register\"", "\"population\": \"everyone\"", StringComparison.Ordinal) + "}").Message);
        Assert.Contains("declaredLevel", Refused("{" + Good.Replace("basic+full", "maximum", StringComparison.Ordinal) + "}").Message);
        Assert.Contains("duplicate", Refused("{" + Good + "},\n    {" + Good + "}").Message);
    }
}
