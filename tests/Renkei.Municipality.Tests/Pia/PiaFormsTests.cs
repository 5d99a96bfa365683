using Renkei.Core.Policy;
using System.Text;
using Renkei.Core.Dates;
using Renkei.Core.Pia;
using Renkei.Core.Text;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Pia;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Tests.Staff;
using Renkei.Network.Contracts;
using Renkei.Network.Policy;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Pia;

/// <summary>
/// The protection-measure records (研修, 自己点検, 事故の対応, 個人番号利用事務系の分離) and the 重点項目評価書 / 全項目評価書 filled
/// from them. The fixture's day is 2024-06-03 (令和6年度). Bands shifted (10 / 100 / 1,000 / 3,000 people, 5 handlers).
/// </summary>
public class PiaFormsTests
{
    private static readonly AssessmentThresholds Small = new(Basic: 10, Priority: 100, Full: 1_000, AlwaysFull: 3_000, Handlers: 5);

    private static readonly DateOnly Today = new(2024, 6, 3);

    /// <summary>The network's rows in force on <paramref name="day"/>, as the assessment reads them (the CLI maps them the same way).</summary>
    private static IEnumerable<PiaNetworkRow> NetworkRows(DateOnly day)
    {
        var policy = LinkagePolicy.LoadDefault();
        return policy.Rows.Where(r => r.InForceOn(day)).Select(r => new PiaNetworkRow(EventText.Code(r.InquirerClass.ToString()), r.InquirerClass == InstitutionClass.Municipality,
            r.Affair, policy.AffairName(r.Affair) ?? r.Affair, EventText.Code(r.ProviderClass.ToString()), r.ProviderClass == InstitutionClass.Municipality,
            r.Kind, policy.KindName(r.Kind) ?? r.Kind, r.Source));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Training_and_self_inspections_are_recorded_logged_and_read_back_with_the_training_figure(string provider)
    {
        using var staff = new StaffFixture(provider);
        staff.Create("jumin01", StaffRole.Clerk, "resident-register");
        staff.Create("jumin02", StaffRole.Clerk, "resident-register");
        staff.Create("jumin03", StaffRole.Clerk, "resident-register");
        staff.Create("kodomo01", StaffRole.Clerk, "child-allowance");
        var measures = new PiaMeasures(staff.Database, clock: staff.Clock);
        var assessor = new PiaAssessor(staff.Database, thresholds: Small, clock: staff.Clock);

        measures.AddTraining(new PiaTraining("jumin01", "特定個人情報の取扱い研修", new DateOnly(2024, 5, 10)), "admin01", "t", staff.Log);
        measures.AddTraining(new PiaTraining("jumin02", "特定個人情報の取扱い研修", new DateOnly(2024, 3, 29)), "admin01", "t", staff.Log); // last fiscal year
        measures.AddTraining(new PiaTraining("kodomo01", "特定個人情報の取扱い研修", new DateOnly(2024, 4, 1)), "admin01", "t", staff.Log); // not a handler of the register
        measures.AddSelfInspection(new PiaSelfInspection("resident-register", new DateOnly(2023, 6, 1), "戸籍住民課長", "要改善", "操作記録の確認が月1回に満たない"), "admin01", "t", staff.Log);
        measures.AddSelfInspection(new PiaSelfInspection("resident-register", new DateOnly(2024, 5, 20), "戸籍住民課長", "適正", null), "admin01", "t", staff.Log);
        assessor.AddIncident(new PiaIncident("resident-register", new DateOnly(2024, 2, 1), "住民票の写しの誤交付", true, true, "交付前の二名確認を徹底"), "admin01", "t", staff.Log);

        var register = measures.Read(assessor.Inventory.Find("resident-register")!);
        Assert.Equal(new PiaTrainingFigure(new DateOnly(2024, 4, 1), 1, 3), register.Training);
        Assert.Equal(["適正", "要改善"], register.SelfInspections.Select(i => i.Result));
        Assert.Equal("操作記録の確認が月1回に満たない", register.SelfInspections[1].Findings);
        Assert.Equal("交付前の二名確認を徹底", Assert.Single(register.Incidents).Handling);
        Assert.Equal(("個人番号利用事務系", "住民記録システム"), (register.Segment?.Name, register.SystemName));
        Assert.Equal(1, measures.Read(assessor.Inventory.Find("child-allowance")!).Training.Attended);

        var logged = staff.Log.Read().Select(r => r.Entry.Detail!).ToList();
        Assert.Equal(6, logged.Count);
        Assert.Contains(logged, d => d.Contains("職員 jumin01 の研修受講", StringComparison.Ordinal));
        Assert.Contains(logged, d => d.Contains("住民基本台帳ファイルの自己点検（点検日 2024-05-20、結果 適正）", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Bad_measure_records_are_refused_naming_the_field_and_nothing_is_stored(string provider)
    {
        using var staff = new StaffFixture(provider);
        staff.Create("jumin01", StaffRole.Clerk, "resident-register");
        var measures = new PiaMeasures(staff.Database, clock: staff.Clock);
        var assessor = new PiaAssessor(staff.Database, clock: staff.Clock);
        var cases = new (Action Act, string Field)[]
        {
            (() => measures.AddTraining(new PiaTraining("nobody99", "研修", Today), "admin01", "t", staff.Log), "staff"),
            (() => measures.AddTraining(new PiaTraining("jumin01", " ", Today), "admin01", "t", staff.Log), "course"),
            (() => measures.AddTraining(new PiaTraining("jumin01", "研修", Today.AddDays(1)), "admin01", "t", staff.Log), "attendedOn"),
            (() => measures.AddSelfInspection(new PiaSelfInspection("no-such-file", Today, "課長", "適正", null), "admin01", "t", staff.Log), "file"),
            (() => measures.AddSelfInspection(new PiaSelfInspection("resident-register", Today, "", "適正", null), "admin01", "t", staff.Log), "inspector"),
            (() => measures.AddSelfInspection(new PiaSelfInspection("resident-register", Today, "課長", "適正", "  "), "admin01", "t", staff.Log), "findings"),
            (() => measures.AddSelfInspection(new PiaSelfInspection("resident-register", Today.AddDays(1), "課長", "適正", null), "admin01", "t", staff.Log), "inspectedOn"),
            (() => assessor.AddIncident(new PiaIncident("resident-register", Today, "誤送付", false, false, "\u0007"), "admin01", "t", staff.Log), "handling"),
        };
        foreach (var (act, field) in cases)
            Assert.StartsWith(field + ":", Assert.ThrowsAny<ArgumentException>(act).Message);
        var read = measures.Read(assessor.Inventory.Find("resident-register")!);
        Assert.Equal((0L, 0, 0), (read.Training.Attended, read.SelfInspections.Count, read.Incidents.Count));
        Assert.Empty(staff.Log.Read());
    }

    [Fact]
    public void The_full_assessment_reads_back_with_the_files_name_figures_and_measures_from_the_records()
    {
        using var staff = new StaffFixture("sqlite");
        new RegisterImporter(new ResidentRegister(staff.Database, TestData.Shinagawa)).Import(TestData.Records(1_200));
        staff.Create("jumin01", StaffRole.Clerk, "resident-register");
        staff.Create("jumin02", StaffRole.Clerk, "resident-register");
        var assessor = new PiaAssessor(staff.Database, thresholds: Small, clock: staff.Clock);
        var measures = new PiaMeasures(staff.Database, clock: staff.Clock);
        assessor.AddContractor(new PiaContractor("resident-register", "株式会社デモ情報サービス", 7, new DateOnly(2024, 4, 1), new DateOnly(2025, 3, 31)), "admin01", "t", staff.Log);
        measures.AddTraining(new PiaTraining("jumin01", "特定個人情報の取扱い研修", new DateOnly(2024, 5, 10)), "admin01", "t", staff.Log);
        measures.AddSelfInspection(new PiaSelfInspection("resident-register", new DateOnly(2024, 5, 20), "戸籍住民課長", "要改善", "持出し記録の様式が古い"), "admin01", "t", staff.Log);
        assessor.AddIncident(new PiaIncident("resident-register", new DateOnly(2024, 2, 1), "住民票の写しの誤交付", false, false, "交付前の二名確認を徹底"), "admin01", "t", staff.Log);
        var file = assessor.Inventory.Find("resident-register")!;
        var assessment = assessor.Assess(file);

        var text = PdfText.Read(Renkei.Documents.MunicipalPaper.Render(
            PiaDocuments.Full(assessment, measures.Read(file, NetworkRows(Today)), Small, AffairCatalogue.LoadDefault(), "品川区長")));

        foreach (var expected in new[]
                 {
                     "特定個人情報保護評価書（全項目評価書）", "住民基本台帳ファイル", "1,200人（1,000人以上3,000人未満）", "9人（職員2人、外部委託先7人）",
                     "住民記録システム（個人番号利用事務系）", "株式会社デモ情報サービス", "令和6年4月1日～令和7年3月31日",
                     "令和6年度に研修を受講した取扱職員：1人／2人（50%）", "要改善", "持出し記録の様式が古い", "住民票の写しの誤交付", "交付前の二名確認を徹底",
                     "情報提供ネットワークシステム", "住民票関係情報", "庁内連携", "インターネット接続系では本システムのサービスは稼働しない",
                     "Ⅳ　評価実施手続", "住民等からの意見の聴取", PiaDocuments.RecordedWithVersion,
                     "国の機関", // a network row: the register's 住民票関係情報 provided to a national agency (別表第二 第117項)
                 })
            Assert.Contains(expected, text);
        Assert.Matches(@"提供[1-9]\d*行、移転[1-9]\d*行", text); // rows of 別表第二 and of the ward's ordinance (庁内連携) both counted
    }

    [Fact]
    public void The_full_assessment_prints_its_version_s_public_comment_and_third_party_review()
    {
        using var staff = new StaffFixture("sqlite");
        new RegisterImporter(new ResidentRegister(staff.Database, TestData.Shinagawa)).Import(TestData.Records(1_200));
        var assessor = new PiaAssessor(staff.Database, thresholds: Small, clock: staff.Clock);
        var assessments = new PiaAssessments(staff.Database, assessor, clock: staff.Clock);
        var file = assessor.Inventory.Find("resident-register")!;
        var today = Today;
        Render(null); // no version yet: the placeholders

        assessments.Create(file.Code, AssessmentLevel.BasicFull, "admin01", "t", staff.Log);
        Assert.Contains("未実施", Render(assessments.List(file.Code).Single()));
        assessments.RecordCommentPeriod(file.Code, 1, new PiaCommentPeriod(today, today.AddDays(29), "区報・区ホームページ"), "admin01", "t", staff.Log);
        assessments.RecordComment(file.Code, 1, new PiaPublicComment(today.AddDays(3), "委託先の監督方法を具体的に記載すべき", "Ⅲ 委託の項に追記"), "admin01", "t", staff.Log);
        assessments.RecordReview(file.Code, 1, new PiaThirdPartyReview("品川区情報公開・個人情報保護審議会", today, "リスク対策は適切", "適当"), "admin01", "t", staff.Log);

        var text = Render(assessments.List(file.Code).Single());
        foreach (var expected in new[]
                 {
                     "第1版（作成中）", $"{JapaneseEraDate.Format(today)}から{JapaneseEraDate.Format(today.AddDays(29))}まで（30日間、周知：区報・区ホームページ）",
                     "意見1件", "委託先の監督方法を具体的に記載すべき", "Ⅲ 委託の項に追記",
                     $"品川区情報公開・個人情報保護審議会（{JapaneseEraDate.Format(today)}）：リスク対策は適切", "結果：適当",
                 })
            Assert.Contains(expected, text);
        Assert.DoesNotContain(PiaDocuments.RecordedWithVersion, text);

        string Render(PiaAssessmentVersion? version)
        {
            var pdf = PdfText.Read(Renkei.Documents.MunicipalPaper.Render(PiaDocuments.Full(assessor.Assess(file),
                new PiaMeasures(staff.Database, clock: staff.Clock).Read(file, NetworkRows(today)), Small, AffairCatalogue.LoadDefault(), "品川区長", version)));
            if (version is null) Assert.Contains(PiaDocuments.RecordedWithVersion, pdf);
            return pdf;
        }
    }

    [Fact]
    public void The_priority_assessment_has_the_same_sections_without_the_procedure_and_says_when_nothing_is_recorded()
    {
        using var staff = new StaffFixture("sqlite");
        staff.Create("kodomo01", StaffRole.Clerk, "child-allowance");
        var assessor = new PiaAssessor(staff.Database, thresholds: Small, clock: staff.Clock);
        var measures = new PiaMeasures(staff.Database, clock: staff.Clock);
        measures.AddSelfInspection(new PiaSelfInspection("child-allowance", new DateOnly(2024, 5, 1), "子ども家庭支援課長", "適正", null), "admin01", "t", staff.Log);
        var file = assessor.Inventory.Find("child-allowance")!;

        var text = PdfText.Read(Renkei.Documents.MunicipalPaper.Render(
            PiaDocuments.Priority(assessor.Assess(file), measures.Read(file, NetworkRows(Today)), Small, AffairCatalogue.LoadDefault(), "品川区長")));

        foreach (var expected in new[]
                 {
                     "特定個人情報保護評価書（重点項目評価書）", "児童手当ファイル", "0人（10人未満）", "1人（職員1人、外部委託先0人）", "Ⅱ　特定個人情報ファイルの概要",
                     "Ⅲ　リスク対策", "委託していない", "令和6年度に研修を受講した取扱職員：0人／1人（0%）", "直近の点検：令和6年5月1日（適正）", "児童手当の支給に関する事務",
                 })
            Assert.Contains(expected, text);
        Assert.DoesNotContain("Ⅳ", text);
        Assert.DoesNotContain(PiaDocuments.RecordedWithVersion, text);
    }

    [Fact]
    public void The_segment_file_is_checked_against_the_affair_catalogue_naming_file_line_and_entry()
    {
        var shipped = PiaSegments.LoadDefault();
        Assert.Equal("個人番号利用事務系", shipped.NumberUse.Name);
        Assert.All(PiaInventory.LoadDefault().Files, f => Assert.Same(shipped.NumberUse, shipped.Of(f.System)));

        static PolicyFileException Refused(string entries) => Assert.Throws<PolicyFileException>(() => PiaSegments.Parse(Encoding.UTF8.GetBytes(
            "{\n  \"version\": \"t\",\n  \"source\": \"s\",\n  \"segments\": [\n    " + entries + "\n  ]\n}"), "seg-test.json", AffairCatalogue.LoadDefault()));
        const string NumberUse = "{\"code\": \"number-use\", \"name\": \"個人番号利用事務系\", \"numberUse\": true, \"services\": [], \"systems\": [\"resident-register\"]}";
        var wrongSegment = Refused(NumberUse + ",\n    {\"code\": \"lgwan\", \"name\": \"LGWAN接続系\", \"numberUse\": false, \"services\": [], \"systems\": [\"child-allowance\"]}");
        Assert.Equal(("seg-test.json", 6), (wrongSegment.File, wrongSegment.Line));
        Assert.Contains("segments entry 2 (lgwan): systems: child-allowance has affairs that use numbers", wrongSegment.Message);
        Assert.Contains("placed twice", Refused(NumberUse + ",\n    " + NumberUse.Replace("number-use", "other", StringComparison.Ordinal).Replace("true", "false", StringComparison.Ordinal)).Message);
        Assert.Contains("not a system", Refused(NumberUse.Replace("resident-register", "teleportation", StringComparison.Ordinal)).Message);
        Assert.Contains("exactly one", Refused(NumberUse.Replace("true", "false", StringComparison.Ordinal).Replace("[\"resident-register\"]", "[]", StringComparison.Ordinal)).Message);
    }
}
