using Renkei.Core.Text;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Staff;
using Renkei.TestSupport;
using static Renkei.Municipality.Tests.Staff.StaffFixture;

namespace Renkei.Municipality.Tests.Staff;

/// <summary>
/// Accounts as seed 001 asks (around lines 3475–3520): one id per person, disabled from the day the person leaves, passwords
/// changed every three months, privileged ids reviewed monthly and others quarterly, and the monthly operation-log review.
/// </summary>
public class AccountLifecycleTests
{
    private static readonly StaffId Admin = StaffId.Parse("admin01");
    private static readonly StaffId Auditor = StaffId.Parse("kansa01");
    private const string Terminal = "test-terminal";

    private static List<OperationLogEntry> Logged(StaffFixture f, OperationAction action) =>
        f.Log.Read(new OperationLogQuery(Action: action)).Select(r => r.Entry).ToList();

    private static (TotpEnrolment Enrolment, TemporaryPassword Password) AddClerk(StaffFixture f, string id = "kazei02") =>
        f.Directory.Add(Admin, new NewStaffMember(StaffId.Parse(id), "税務課 佐藤 次郎", StaffRole.Clerk, ["local-tax"]), f.Log, Terminal);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void An_id_is_one_persons_generic_ids_are_refused_and_no_id_is_issued_twice(string provider)
    {
        using var f = new StaffFixture(provider);
        f.Create("admin01", StaffRole.Administrator);
        f.Create("jumin01", StaffRole.Clerk, "resident-register");

        foreach (var generic in new[] { "madoguchi01", "kyoyu", "admin02", "staff-1", "ka01" })
        {
            var refused = Assert.Throws<StaffException>(() => AddClerk(f, generic));
            Assert.Equal(StaffException.GenericStaffId, refused.Code);
            Assert.Null(f.Directory.Find(StaffId.Parse(generic)));
        }
        Assert.Equal(StaffException.NotAdministrator, Assert.Throws<StaffException>(() =>
            f.Directory.Add(StaffId.Parse("jumin01"), new NewStaffMember(StaffId.Parse("kazei02"), "税務課", StaffRole.Clerk, []), f.Log, Terminal)).Code);

        var (enrolment, password) = AddClerk(f);
        Assert.Equal(16, password.Value.Length);
        Assert.DoesNotContain(password.Value, password.ToString());
        Assert.True(f.Directory.Find(StaffId.Parse("kazei02"))!.TemporaryPassword);
        var session = f.Directory.Authenticate("kazei02", password.Value, Code(Base32.Decode(enrolment.SecretBase32), Morning), Morning).Session!;
        Assert.True(session.MustChangePassword);
        Assert.Equal("仮パスワードでログインしています。新しいパスワードを設定してください。", session.Password!.Message);

        f.Directory.Disable(Admin, StaffId.Parse("kazei02"), new DateOnly(2024, 6, 3), f.Log, Terminal);
        var again = Assert.Throws<StaffException>(() => AddClerk(f));
        Assert.Equal(StaffException.StaffExists, again.Code);
        Assert.Contains("失効したIDも再利用できません", again.Message);

        var created = Logged(f, OperationAction.AccountCreated);
        Assert.Equal(8, created.Count);
        Assert.Equal("職員アカウント kazei02（税務課 佐藤 次郎、担当者）を発行しました。担当事務: 地方税の賦課及び徴収に関する事務。仮パスワードを交付しました。",
            created.Single(e => e.Result == OperationResult.Success).Detail);
        Assert.All(created, e => Assert.DoesNotContain(password.Value, e.Detail));
        Assert.Equal("職員アカウント kazei02 の発行を拒否しました（既に発行されたIDです）。", created[^1].Detail);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void An_account_is_disabled_from_the_day_the_person_leaves(string provider)
    {
        using var f = new StaffFixture(provider);
        f.Create("admin01", StaffRole.Administrator);
        var secret = f.Create("kazei01", StaffRole.Clerk, "local-tax");
        var session = f.Login("kazei01", secret, Morning);
        var leaving = new DateOnly(2024, 6, 30);

        f.Directory.Disable(Admin, StaffId.Parse("kazei01"), leaving, f.Log, Terminal);

        Assert.True(f.Directory.Find(StaffId.Parse("kazei01"))!.Active); // still working until then
        Assert.NotNull(f.Directory.Refresh(session));
        f.Clock.Advance(TimeSpan.FromDays(26)); // 2024-06-29 09:00 JST
        Assert.True(f.Directory.Find(StaffId.Parse("kazei01"))!.Active);
        f.Clock.Advance(TimeSpan.FromHours(15)); // 2024-06-30 00:00 JST: the leaving day
        var member = f.Directory.Find(StaffId.Parse("kazei01"))!;
        Assert.False(member.Active);
        Assert.Equal(leaving, member.LeavesOn);
        Assert.Null(f.Directory.Refresh(session));
        var at = f.Clock.GetUtcNow();
        Assert.Equal(AuthenticationOutcome.Disabled, f.Directory.Authenticate("kazei01", Password, Code(secret, at), at).Outcome);

        Assert.Equal(StaffException.OwnAccount, Assert.Throws<StaffException>(() => f.Directory.Disable(Admin, Admin, leaving, f.Log, Terminal)).Code);
        var disabled = Logged(f, OperationAction.AccountDisabled);
        Assert.Equal("職員アカウント kazei01 を 令和6年6月30日（退職・異動日）から失効させます。", disabled[0].Detail);
        Assert.Equal(OperationResult.Refused, disabled[1].Result);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Passwords_expire_after_three_months_with_a_warning_two_weeks_ahead_and_are_changed_by_their_owner(string provider)
    {
        using var f = new StaffFixture(provider);
        f.Create("admin01", StaffRole.Administrator);
        var secret = f.Create("kazei01", StaffRole.Clerk, "local-tax");
        var id = StaffId.Parse("kazei01");
        PasswordState State() => f.Directory.PasswordOf(f.Directory.Find(id)!, f.Clock.GetUtcNow());

        Assert.Equal(Morning.AddMonths(3), State().ExpiresAt);
        Assert.False(State().WarnNow);
        f.Clock.Advance(Morning.AddMonths(3).AddDays(-14) - Morning);
        Assert.True(State().WarnNow);
        Assert.False(State().MustChange);
        Assert.Equal("パスワードの有効期限は 令和6年9月3日 です。期限までに変更してください。", State().Message);
        f.Clock.Advance(TimeSpan.FromDays(14));
        Assert.True(State().Expired);
        var session = f.Login("kazei01", secret, f.Clock.GetUtcNow());
        Assert.True(session.MustChangePassword);

        StaffException Refused(string? current, string? replacement) =>
            Assert.Throws<StaffException>(() => f.Directory.ChangeOwnPassword(id, current, replacement, f.Log, Terminal));
        Assert.Equal(StaffException.WrongPassword, Refused("not the password", "a brand new password").Code);
        Assert.Equal(StaffException.WeakPassword, Refused(Password, "short").Code);
        Assert.Equal(StaffException.SamePassword, Refused(Password, Password).Code);
        Assert.True(State().Expired);

        f.Directory.ChangeOwnPassword(id, Password, "a brand new password", f.Log, Terminal);

        Assert.False(State().MustChange);
        Assert.False(State().WarnNow);
        Assert.False(f.Directory.Refresh(session)!.MustChangePassword);
        var changed = Logged(f, OperationAction.PasswordChanged);
        Assert.Equal([OperationResult.Refused, OperationResult.Refused, OperationResult.Refused, OperationResult.Success], changed.Select(e => e.Result));
        Assert.Equal("パスワードを変更しました。", changed[^1].Detail);
        Assert.All(changed, e => Assert.DoesNotContain("brand new", e.Detail));

        // An administrator's reset: a temporary password, the old one stops working, and the next login must change it.
        var temporary = f.Directory.ResetPassword(Admin, id, f.Log, Terminal);
        var at = f.Clock.GetUtcNow().AddMinutes(1);
        Assert.Equal(AuthenticationOutcome.InvalidCredentials, f.Directory.Authenticate("kazei01", "a brand new password", Code(secret, at), at).Outcome);
        Assert.True(f.Directory.Authenticate("kazei01", temporary.Value, Code(secret, at), at).Session!.MustChangePassword);
        Assert.Equal("職員アカウント kazei01 に仮パスワードを再発行しました。次回ログイン時に変更が必要です。",
            Logged(f, OperationAction.PasswordReset).Single().Detail);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Affairs_are_assigned_by_an_administrator_with_before_and_after_in_the_log(string provider)
    {
        using var f = new StaffFixture(provider);
        f.Create("admin01", StaffRole.Administrator);
        f.Create("kazei01", StaffRole.Clerk, "local-tax");

        f.Directory.Assign(Admin, StaffId.Parse("kazei01"), ["local-tax", "resident-register"], f.Log, Terminal);
        Assert.Throws<StaffException>(() => f.Directory.Assign(Admin, StaffId.Parse("kazei01"), ["no-such-affair"], f.Log, Terminal));
        Assert.Throws<StaffException>(() => f.Directory.Assign(StaffId.Parse("kazei01"), StaffId.Parse("kazei01"), [], f.Log, Terminal));

        Assert.Equal(["local-tax", "resident-register"], f.Directory.Find(StaffId.Parse("kazei01"))!.Affairs);
        var assigned = Logged(f, OperationAction.AffairsAssigned);
        Assert.Equal([OperationResult.Success, OperationResult.Refused, OperationResult.Refused], assigned.Select(e => e.Result));
        Assert.StartsWith("職員アカウント kazei01 の担当事務を変更しました。変更前: 地方税の賦課及び徴収に関する事務。変更後: ", assigned[0].Detail);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Privileged_accounts_are_due_for_review_monthly_and_others_quarterly(string provider)
    {
        using var f = new StaffFixture(provider);
        f.Create("admin01", StaffRole.Administrator);
        f.Create("kansa01", StaffRole.Auditor);
        f.Create("kazei01", StaffRole.Clerk, "local-tax");
        var reviews = new AccountReviews(f.Database, f.Directory);
        var today = new DateOnly(2024, 6, 3);

        Assert.Empty(reviews.Due(today));
        var month = reviews.Due(today.AddMonths(1));
        Assert.Equal(["admin01", "kansa01"], month.Select(s => s.Member.Id.Value));
        Assert.All(month, s => Assert.True(s.Privileged));
        Assert.All(month, s => Assert.False(s.Overdue));
        Assert.Equal(["admin01", "kansa01", "kazei01"], reviews.Due(today.AddMonths(3)).Select(s => s.Member.Id.Value));
        Assert.True(reviews.Status(today.AddMonths(1).AddDays(1)).Single(s => s.Member.Id.Value == "admin01").Overdue);

        Assert.Equal(StaffException.NotAdministrator,
            Assert.Throws<StaffException>(() => reviews.Confirm(Auditor, [Admin], f.Log, Terminal)).Code);
        f.Clock.Advance(TimeSpan.FromDays(31));
        var recorded = reviews.Confirm(Admin, [Admin, StaffId.Parse("kansa01")], f.Log, Terminal);

        Assert.Equal(2, recorded.Count);
        var status = reviews.Status(today.AddMonths(1).AddDays(1));
        Assert.All(status.Where(s => s.Privileged), s => Assert.Equal("admin01", s.LastReviewedBy));
        Assert.All(status, s => Assert.False(s.Overdue));
        Assert.Equal(new DateOnly(2024, 8, 4), status.Single(s => s.Member.Id.Value == "admin01").DueOn);
        Assert.Equal(["kansa01", "admin01"], reviews.History().Select(r => r.Staff.Value));
        var logged = Logged(f, OperationAction.AccountsReviewed);
        Assert.Equal([OperationResult.Refused, OperationResult.Success], logged.Select(e => e.Result));
        Assert.Equal("アカウントの棚卸しで admin01、kansa01 の2件の役割と担当事務を確認しました。", logged[1].Detail);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void The_monthly_log_review_lists_unusual_events_and_records_who_reviewed_which_period(string provider)
    {
        using var f = new StaffFixture(provider);
        f.Create("admin01", StaffRole.Administrator);
        f.Create("kansa01", StaffRole.Auditor);
        var review = new OperationLogReviews(f.Database, f.Log, f.Directory, new OperationLogReviewOptions { PersonViewsPerDay = 3 });
        var jst = TimeSpan.FromHours(9);
        void Append(DateTimeOffset at, string staff, OperationAction action, OperationResult result, string detail) =>
            f.Log.Append(new OperationLogEntry(staff, at, Terminal, "resident-register", 1, action, result, detail));
        // Monday 2024-05-13: a number shown at 08:29 and at 17:15 (outside), at 08:30 and 17:14 (inside), a masked view at 22:00.
        Append(new(2024, 5, 13, 8, 29, 0, jst), "jumin01", OperationAction.View, OperationResult.Success, "個人番号を表示 resident-id=19");
        Append(new(2024, 5, 13, 8, 30, 0, jst), "jumin01", OperationAction.View, OperationResult.Success, "個人番号を表示 resident-id=20");
        Append(new(2024, 5, 13, 17, 14, 0, jst), "jumin01", OperationAction.Search, OperationResult.Success, "search by kana; hits=1; numbers=shown; resident-ids=21");
        Append(new(2024, 5, 13, 17, 15, 0, jst), "jumin01", OperationAction.Search, OperationResult.Success, "search by kana; hits=1; numbers=shown; resident-ids=22");
        Append(new(2024, 5, 13, 22, 0, 0, jst), "kazei01", OperationAction.View, OperationResult.Success, "宛名照会（個人番号非表示: affair-not-chosen）");
        // Saturday 2024-05-18, 11:00: inside the hours of a weekday, outside the office's week.
        Append(new(2024, 5, 18, 11, 0, 0, jst), "kazei01", OperationAction.View, OperationResult.Success, "宛名照会（個人番号表示）");
        Append(new(2024, 5, 20, 10, 0, 0, jst), "tosho01", OperationAction.View, OperationResult.Refused, "職員アカウントの管理: 権限がありません");
        Append(new(2024, 5, 21, 10, 0, 0, jst), "kazei01", OperationAction.LoginFailed, OperationResult.Refused, "ログイン失敗: locked");
        Append(new(2024, 6, 1, 10, 0, 0, jst), "tosho01", OperationAction.View, OperationResult.Refused, "next month");

        var findings = review.Analyse(new DateOnly(2024, 5, 1), new DateOnly(2024, 5, 31));

        Assert.Equal(
            [UnusualEventKind.ManyPersonViews, UnusualEventKind.NumberShownOutsideOfficeHours, UnusualEventKind.NumberShownOutsideOfficeHours,
             UnusualEventKind.NumberShownOutsideOfficeHours, UnusualEventKind.Refused, UnusualEventKind.Lockout],
            findings.Select(x => x.Kind));
        Assert.Equal(new DateTimeOffset(2024, 5, 13, 17, 15, 0, jst), findings[2].At);
        Assert.Equal("1日の閲覧・検索が 4 件（基準 3 件）", findings[0].Description);
        Assert.Equal("jumin01", findings[0].StaffId);
        Assert.Equal(new DateTimeOffset(2024, 5, 13, 8, 29, 0, jst), findings[1].At);
        Assert.Equal(new DateTimeOffset(2024, 5, 18, 11, 0, 0, jst), findings[3].At);
        Assert.True(review.LastMonthUnreviewed(new DateOnly(2024, 6, 3)));

        Assert.Equal(StaffException.NotAuditor, Assert.Throws<StaffException>(() =>
            review.Record(Admin, new DateOnly(2024, 5, 1), new DateOnly(2024, 5, 31), "確認しました", Terminal)).Code);
        Assert.Equal(StaffException.InvalidReason, Assert.Throws<StaffException>(() =>
            review.Record(Auditor, new DateOnly(2024, 5, 1), new DateOnly(2024, 5, 31), " ", Terminal)).Code);
        var recorded = review.Record(Auditor, new DateOnly(2024, 5, 1), new DateOnly(2024, 5, 31), "時間外の表示は窓口延長日の対応と確認した", Terminal);

        Assert.Equal(6, recorded.Findings);
        Assert.False(review.LastMonthUnreviewed(new DateOnly(2024, 6, 3)));
        var stored = Assert.Single(review.History());
        Assert.Equal(("kansa01", new DateOnly(2024, 5, 1), new DateOnly(2024, 5, 31), 6), (stored.ReviewedBy, stored.From, stored.To, stored.Findings));
        var logged = Logged(f, OperationAction.OperationLogReviewed);
        Assert.Equal([OperationResult.Refused, OperationResult.Refused, OperationResult.Success], logged.Select(e => e.Result));
        Assert.Equal("操作記録（2024-05-01〜2024-05-31）の検査・分析を行いました。確認が必要な事象 6 件。所見: 時間外の表示は窓口延長日の対応と確認した",
            logged[^1].Detail);
    }
}
