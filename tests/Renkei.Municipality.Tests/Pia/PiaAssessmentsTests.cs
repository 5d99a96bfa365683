using System.Text;
using System.Text.Json.Nodes;
using Renkei.Core.Pia;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Pia;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Tests.Staff;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Pia;

/// <summary>
/// The assessments themselves (評価書の版) and their workflow — draft → submitted → published, a 全項目評価 only after an ended
/// public-comment period of 30 days or more and a third-party review, versions kept on republishing — and the alerts
/// (reassess, significant-change, five-years, yearly-review), each appearing and disappearing on its condition.
/// </summary>
public class PiaAssessmentsTests
{
    private static readonly AssessmentThresholds Tiny = new(Basic: 1, Priority: 2, Full: 3, AlwaysFull: 4, Handlers: 1);
    private static readonly AssessmentThresholds Small = new(Basic: 10, Priority: 100, Full: 1_000, AlwaysFull: 3_000, Handlers: 5);

    private static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().ToOffset(TimeSpan.FromHours(9)).DateTime);

    private static string Refused(Action act) => Assert.Throws<PiaAssessmentRefusedException>(act).Code;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void A_full_assessment_is_published_only_after_an_ended_comment_period_of_30_days_and_a_third_party_review(string provider)
    {
        using var staff = new StaffFixture(provider);
        new RegisterImporter(new ResidentRegister(staff.Database, TestData.Shinagawa)).Import(TestData.Records(5));
        var assessor = new PiaAssessor(staff.Database, thresholds: Tiny, clock: staff.Clock);
        var assessments = new PiaAssessments(staff.Database, assessor, clock: staff.Clock);
        var today = Today(staff.Clock);

        // Five people over the shifted 30万 band: 全項目評価 is needed; declaring less is refused with a stable code and a Japanese sentence.
        var below = Assert.Throws<PiaAssessmentRefusedException>(() => assessments.Create("resident-register", AssessmentLevel.BasicPriority, "admin01", "t", staff.Log));
        Assert.Equal(PiaAssessments.LevelBelowComputed, below.Code);
        Assert.Contains("基礎項目評価及び全項目評価が必要です", below.Message);
        var draft = assessments.Create("resident-register", null, "admin01", "t", staff.Log);
        Assert.Equal((1, AssessmentLevel.BasicFull, PiaAssessmentStatus.Draft, 5L), (draft.Version, draft.Level, draft.Status, draft.People));
        Assert.Equal(PiaAssessments.VersionOpen, Refused(() => assessments.Create("resident-register", null, "admin01", "t", staff.Log)));

        // Each missing step is named, in order.
        Assert.Equal(PiaAssessments.CommentPeriodMissing, Refused(() => assessments.Submit("resident-register", 1, "admin01", "t", staff.Log)));
        assessments.RecordCommentPeriod("resident-register", 1, new PiaCommentPeriod(today, today.AddDays(28), "区報・区ホームページ"), "admin01", "t", staff.Log);
        Assert.Equal(PiaAssessments.CommentPeriodTooShort, Refused(() => assessments.Submit("resident-register", 1, "admin01", "t", staff.Log)));
        assessments.RecordCommentPeriod("resident-register", 1, new PiaCommentPeriod(today, today.AddDays(29), "区報・区ホームページ"), "admin01", "t", staff.Log);
        Assert.Equal(30, assessments.List("resident-register").Single().CommentPeriod!.Days);
        Assert.Equal(PiaAssessments.CommentPeriodOpen, Refused(() => assessments.Submit("resident-register", 1, "admin01", "t", staff.Log)));
        assessments.RecordComment("resident-register", 1, new PiaPublicComment(today.AddDays(3), "委託先の監督方法を具体的に記載すべき", "Ⅲ 委託の項に追記"), "admin01", "t", staff.Log);
        Assert.Equal(PiaAssessments.CommentOutsidePeriod,
            Refused(() => assessments.RecordComment("resident-register", 1, new PiaPublicComment(today.AddDays(30), "期間後の意見", null), "admin01", "t", staff.Log)));
        Assert.Equal(PiaAssessments.NotSubmitted, Refused(() => assessments.Publish("resident-register", 1, "admin01", "t", staff.Log)));

        staff.Clock.Advance(TimeSpan.FromDays(30)); // the period's last day has passed
        Assert.Equal(PiaAssessments.ReviewMissing, Refused(() => assessments.Submit("resident-register", 1, "admin01", "t", staff.Log)));
        assessments.RecordReview("resident-register", 1, new PiaThirdPartyReview("品川区情報公開・個人情報保護審議会", Today(staff.Clock), "委託先の監督について記載を充実させること", "適当"),
            "admin01", "t", staff.Log);
        var submitted = assessments.Submit("resident-register", 1, "admin01", "t", staff.Log);
        Assert.Equal((PiaAssessmentStatus.Submitted, "admin01"), (submitted.Status, submitted.SubmittedBy));
        // Nothing is changed after submission.
        Assert.Equal(PiaAssessments.NotDraft,
            Refused(() => assessments.RecordReview("resident-register", 1, new PiaThirdPartyReview("審議会", Today(staff.Clock), "追加", null), "admin01", "t", staff.Log)));
        var published = assessments.Publish("resident-register", 1, "admin01", "t", staff.Log);
        Assert.Equal((PiaAssessmentStatus.Published, Today(staff.Clock)), (published.Status, published.PublishedOn));
        Assert.Single(published.Comments);
        Assert.Equal("品川区情報公開・個人情報保護審議会", Assert.Single(published.Reviews).Body);

        // Every step is in the operation log.
        var logged = staff.Log.Read().Select(r => r.Entry.Detail!).ToList();
        foreach (var step in new[] { "第1版（基礎項目評価及び全項目評価）を作成しました", "住民意見聴取期間", "住民意見", "第三者点検", "を提出しました", "を公表しました" })
            Assert.Contains(logged, d => d.Contains(step, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Basic_and_priority_need_no_comment_period_and_publishing_a_new_version_keeps_the_old_one_as_superseded(string provider)
    {
        using var staff = new StaffFixture(provider);
        var assessor = new PiaAssessor(staff.Database, thresholds: Small, clock: staff.Clock);
        var assessments = new PiaAssessments(staff.Database, assessor, clock: staff.Clock);

        // The inventory declares 全項目評価 for the register; nothing is published yet, so that is the declared level.
        Assert.Equal(AssessmentLevel.BasicFull, assessor.Assess(assessor.Inventory.Find("resident-register")!).File.DeclaredLevel);
        Assert.Equal(PiaAssessments.LevelNone, Refused(() => assessments.Create("resident-register", AssessmentLevel.None, "admin01", "t", staff.Log)));
        var first = assessments.Create("resident-register", null, "admin01", "t", staff.Log); // no people: a voluntary 基礎項目評価
        Assert.Equal(AssessmentLevel.Basic, first.Level);
        assessments.Submit("resident-register", 1, "admin01", "t", staff.Log);
        assessments.Publish("resident-register", 1, "admin01", "t", staff.Log);
        Assert.Equal(AssessmentLevel.Basic, assessor.Assess(assessor.Inventory.Find("resident-register")!).File.DeclaredLevel);
        Assert.Equal(PiaAssessments.NotSubmitted, Refused(() => assessments.Publish("resident-register", 1, "admin01", "t", staff.Log)));

        staff.Clock.Advance(TimeSpan.FromDays(1));
        var second = assessments.Create("resident-register", AssessmentLevel.BasicPriority, "admin02", "t", staff.Log); // more than needed: allowed
        Assert.Equal(2, second.Version);
        Assert.Equal(PiaAssessments.NotSubmitted, Refused(() => assessments.Publish("resident-register", 2, "admin01", "t", staff.Log)));
        assessments.Submit("resident-register", 2, "admin02", "t", staff.Log);
        assessments.Publish("resident-register", 2, "admin02", "t", staff.Log);

        var versions = assessments.List("resident-register");
        Assert.Equal([(1, PiaAssessmentStatus.Superseded, AssessmentLevel.Basic), (2, PiaAssessmentStatus.Published, AssessmentLevel.BasicPriority)],
            versions.Select(v => (v.Version, v.Status, v.Level)));
        Assert.Equal("admin01", versions[0].PublishedBy);
        Assert.Equal(2, assessments.Published("resident-register")!.Version);
        Assert.Equal(AssessmentLevel.BasicPriority, assessor.Assess(assessor.Inventory.Find("resident-register")!).File.DeclaredLevel);
        Assert.Empty(assessments.List("child-allowance"));
        Assert.Throws<ArgumentException>(() => assessments.List("no-such-file"));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Reassess_and_significant_change_alerts_appear_on_their_condition_and_go_with_a_new_published_version(string provider)
    {
        using var staff = new StaffFixture(provider);
        new RegisterImporter(new ResidentRegister(staff.Database, TestData.Shinagawa)).Import(TestData.Records(150));
        var assessor = new PiaAssessor(staff.Database, thresholds: Small, clock: staff.Clock);
        // The linkage table as it stood before child-allowance's row asking the register (so that row "appears" afterwards).
        var shippedJson = File.ReadAllText(RepositoryFiles.Path("policy", "municipality", "intra-linkage-shinagawa.json"));
        var before = JsonNode.Parse(shippedJson)!;
        var rules = before["rules"]!.AsArray();
        rules.Remove(rules.First(r => (string?)r!["affair"] == "child-allowance" && (string?)r!["providerSystem"] == "resident-register"));
        var oldLinkage = IntraMunicipalLinkagePolicy.Parse(Encoding.UTF8.GetBytes(before.ToJsonString()), "intra-linkage-test.json", AffairCatalogue.LoadDefault());
        var then = new PiaAssessments(staff.Database, assessor, oldLinkage, staff.Clock);
        var now = new PiaAssessments(staff.Database, assessor, clock: staff.Clock);
        var file = assessor.Inventory.Find("resident-register")!;
        string[] Codes(PiaAssessments a) => new PiaAlerts(a).For(assessor.Assess(file)).Select(x => x.Code).ToArray();

        then.Create("resident-register", null, "admin01", "t", staff.Log); // 150 people (the shifted 1万人 band): 基礎項目評価
        then.Submit("resident-register", 1, "admin01", "t", staff.Log);
        then.Publish("resident-register", 1, "admin01", "t", staff.Log);
        Assert.Empty(Codes(then));

        // A linkage row touching the register appeared since: 重要な変更.
        var change = Assert.Single(new PiaAlerts(now).For(assessor.Assess(file)));
        Assert.Equal(PiaAlert.SignificantChange, change.Code);
        Assert.Contains("庁内連携の追加又は変更", change.Message);

        // A contractor with 5 people: the handlers reach the shifted 500, so the figures call for 重点項目評価, and a contractor was added.
        assessor.AddContractor(new PiaContractor("resident-register", "株式会社デモ情報サービス", 5, Today(staff.Clock), null), "admin01", "t", staff.Log);
        Assert.Equal([PiaAlert.Reassess, PiaAlert.SignificantChange], Codes(then));
        Assert.Contains("外部委託先の追加", new PiaAlerts(then).For(assessor.Assess(file)).Single(a => a.Code == PiaAlert.SignificantChange).Message);

        // The file moved to another system (the inventory changed): also a significant change.
        var moved = PiaInventory.Parse(Encoding.UTF8.GetBytes(File.ReadAllText(RepositoryFiles.Path("policy", "municipality", "pia-files-shinagawa.json"))
                .Replace("\"system\": \"resident-register\"", "\"system\": \"individual-residence-tax\"", StringComparison.Ordinal)),
            "pia-files-test.json", AffairCatalogue.LoadDefault());
        var movedAssessor = new PiaAssessor(staff.Database, moved, Small, staff.Clock);
        Assert.Contains("システムの変更", new PiaAlerts(new PiaAssessments(staff.Database, movedAssessor, oldLinkage, staff.Clock))
            .For(movedAssessor.Assess(moved.Find("resident-register")!)).Single(a => a.Code == PiaAlert.SignificantChange).Message);

        // Re-assessed at the level now needed and published: both alerts go.
        now.Create("resident-register", null, "admin01", "t", staff.Log);
        now.Submit("resident-register", 2, "admin01", "t", staff.Log);
        now.Publish("resident-register", 2, "admin01", "t", staff.Log);
        Assert.Equal(AssessmentLevel.BasicPriority, now.Published("resident-register")!.Level);
        Assert.Empty(Codes(now));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Yearly_review_and_five_year_alerts_follow_the_calendar(string provider)
    {
        using var staff = new StaffFixture(provider); // 2024-06-03 JST (令和6年度)
        var assessor = new PiaAssessor(staff.Database, thresholds: Small, clock: staff.Clock);
        var assessments = new PiaAssessments(staff.Database, assessor, clock: staff.Clock);
        var alerts = new PiaAlerts(assessments);
        var file = assessor.Inventory.Find("child-allowance")!;
        PiaAlert[] Alerts() => alerts.For(assessor.Assess(file)).ToArray();
        void AdvanceTo(DateOnly day) => staff.Clock.Advance(day.ToDateTime(new TimeOnly(9, 0)) - Today(staff.Clock).ToDateTime(new TimeOnly(9, 0)));

        Assert.Empty(Alerts()); // nothing published: no yearly review due
        assessments.Create("child-allowance", null, "admin01", "t", staff.Log);
        assessments.Submit("child-allowance", 1, "admin01", "t", staff.Log);
        assessments.Publish("child-allowance", 1, "admin01", "t", staff.Log);

        AdvanceTo(new DateOnly(2024, 12, 1));
        Assert.Empty(Alerts()); // published in this fiscal year: the assessment is this year's review
        AdvanceTo(new DateOnly(2025, 9, 30));
        Assert.Empty(Alerts()); // 令和7年度, first half
        AdvanceTo(new DateOnly(2025, 10, 1));
        var yearly = Assert.Single(Alerts());
        Assert.Equal((PiaAlert.YearlyReview, "child-allowance"), (yearly.Code, yearly.FileCode));
        Assert.Contains("令和7年度", yearly.Message);
        Assert.Contains("令和8年3月31日", yearly.Message);
        Assert.StartsWith("fiscalYear:", Assert.ThrowsAny<ArgumentException>(() =>
            assessments.RecordYearlyReview(new PiaYearlyReview("child-allowance", 2026, Today(staff.Clock), "admin01", "問題なし"), "admin01", "t", staff.Log)).Message);
        assessments.RecordYearlyReview(new PiaYearlyReview("child-allowance", 2025, Today(staff.Clock), "admin01", "評価書の記載と運用に相違なし"), "admin01", "t", staff.Log);
        Assert.Empty(Alerts());
        Assert.Equal(PiaAssessments.YearlyReviewRecorded, Refused(() =>
            assessments.RecordYearlyReview(new PiaYearlyReview("child-allowance", 2025, Today(staff.Clock), "admin01", "再"), "admin01", "t", staff.Log)));

        // Published 2024-06-03: due 2029-06-03 (令和11年6月3日); the alert from 4 years 6 months, 2028-12-03.
        AdvanceTo(new DateOnly(2028, 12, 2));
        Assert.DoesNotContain(Alerts(), a => a.Code == PiaAlert.FiveYears);
        AdvanceTo(new DateOnly(2028, 12, 3));
        var fiveYears = Alerts().Single(a => a.Code == PiaAlert.FiveYears);
        Assert.Contains("令和11年6月3日に5年を経過します", fiveYears.Message);
        AdvanceTo(new DateOnly(2029, 6, 3));
        Assert.Contains("5年を経過しました（令和11年6月3日）", Alerts().Single(a => a.Code == PiaAlert.FiveYears).Message);

        // A new version published: the clock starts again.
        assessments.Create("child-allowance", null, "admin01", "t", staff.Log);
        assessments.Submit("child-allowance", 2, "admin01", "t", staff.Log);
        assessments.Publish("child-allowance", 2, "admin01", "t", staff.Log);
        Assert.Empty(Alerts());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Bad_input_is_refused_naming_the_field_and_nothing_is_written(string provider)
    {
        using var staff = new StaffFixture(provider);
        var assessor = new PiaAssessor(staff.Database, clock: staff.Clock);
        var assessments = new PiaAssessments(staff.Database, assessor, clock: staff.Clock);
        var today = Today(staff.Clock);
        Assert.StartsWith("file:", Assert.ThrowsAny<ArgumentException>(() => assessments.Create("no-such-file", null, "admin01", "t", staff.Log)).Message);
        Assert.Equal(PiaAssessments.NoSuchVersion, Refused(() => assessments.Submit("child-allowance", 1, "admin01", "t", staff.Log)));
        assessments.Create("child-allowance", null, "admin01", "t", staff.Log);
        var entries = staff.Log.Read().Count();
        Assert.StartsWith("to:", Assert.ThrowsAny<ArgumentException>(() => assessments.RecordCommentPeriod("child-allowance", 1,
            new PiaCommentPeriod(today, today.AddDays(-1), "区報"), "admin01", "t", staff.Log)).Message);
        Assert.StartsWith("announced:", Assert.ThrowsAny<ArgumentException>(() => assessments.RecordCommentPeriod("child-allowance", 1,
            new PiaCommentPeriod(today, today.AddDays(40), " "), "admin01", "t", staff.Log)).Message);
        Assert.StartsWith("reviewedOn:", Assert.ThrowsAny<ArgumentException>(() => assessments.RecordReview("child-allowance", 1,
            new PiaThirdPartyReview("審議会", today.AddDays(1), "所見", null), "admin01", "t", staff.Log)).Message);
        Assert.Equal(PiaAssessments.CommentPeriodMissing, Refused(() => assessments.RecordComment("child-allowance", 1,
            new PiaPublicComment(today, "意見", null), "admin01", "t", staff.Log)));
        var draft = Assert.Single(assessments.List("child-allowance"));
        Assert.Null(draft.CommentPeriod);
        Assert.Empty(draft.Reviews);
        Assert.Equal(entries, staff.Log.Read().Count());
    }
}
