using System.Net;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Staff;
using Renkei.TestSupport;

namespace Renkei.StaffConsole.Tests;

/// <summary>
/// The administrator's and the auditor's new pages over real HTTP on SQLite and PostgreSQL: each opens for its role only
/// (others get 403, logged), a form without the antiforgery token changes nothing, and an account issued on the page must
/// change its temporary password before any other page opens.
/// </summary>
public class AccountPagesTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Each_page_opens_for_its_role_only_and_forms_need_the_antiforgery_token(string provider)
    {
        await using var ward = await ConsoleWard.StartAsync(provider);
        using (var clerk = new ConsoleClient(ward.BaseAddress))
        {
            await clerk.LoginAsync(ward, ward.Account("jumin01"));
            foreach (var path in new[] { "/accounts", "/account-reviews", "/log-review" })
                Assert.Equal(HttpStatusCode.Forbidden, (await clerk.GetAsync(path)).Status);
            var add = await clerk.PostAsync("/accounts?handler=Add", ("NewId", "kazei02"), ("NewName", "税務課"), ("NewRole", "clerk"));
            Assert.Equal(HttpStatusCode.Forbidden, add.Status);
            Assert.Equal(HttpStatusCode.OK, (await clerk.GetAsync("/password")).Status);
        }
        Assert.Null(ward.Staff.Find(StaffId.Parse("kazei02")));
        Assert.Equal(4, ward.Log.Read(new OperationLogQuery(StaffId: "jumin01")).Count(r => r.Entry is { Action: OperationAction.View, Result: OperationResult.Refused }));

        using var admin = new ConsoleClient(ward.BaseAddress);
        await admin.LoginAsync(ward, ward.Account("admin01"));
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/log-review")).Status);
        Assert.DoesNotContain("href=\"/residents\"", (await admin.GetAsync("/accounts")).Body);
        var forged = await admin.PostAsync("/accounts?handler=Add", [new("NewId", "kazei02"), new("NewName", "税務課 佐藤 次郎"), new("NewRole", "clerk")],
            withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, forged.Status);
        Assert.Null(ward.Staff.Find(StaffId.Parse("kazei02")));
        var forgedReview = await admin.PostAsync("/account-reviews", [new("Confirmed", "admin01")], withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, forgedReview.Status);
        Assert.Empty(ward.Log.Read(new OperationLogQuery(Action: OperationAction.AccountsReviewed)));

        var added = await admin.PostAsync("/accounts?handler=Add", ("NewId", "kazei02"), ("NewName", "税務課 佐藤 次郎"), ("NewRole", "clerk"),
            ("Affairs", "local-tax"));
        Assert.Equal(HttpStatusCode.OK, added.Status);
        Assert.Contains("職員アカウント kazei02 を発行しました", added.Text);
        Assert.True(ward.Staff.Find(StaffId.Parse("kazei02"))!.TemporaryPassword);
        var bad = await admin.PostAsync("/accounts?handler=Disable", ("Target", "kazei02"), ("LeavesOn", "去年"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("退職・異動日の形式が正しくありません", bad.Text);
        Assert.True(ward.Staff.Find(StaffId.Parse("kazei02"))!.Active);

        using var auditor = new ConsoleClient(ward.BaseAddress);
        await auditor.LoginAsync(ward, ward.Account("kansa01"));
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.GetAsync("/accounts")).Status);
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("/log-review")).Status);
        var forgedLog = await auditor.PostAsync("/log-review", [new("Remarks", "問題なし")], withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, forgedLog.Status);
        var badMonth = await auditor.GetAsync("/log-review?month=next-year");
        Assert.Equal(HttpStatusCode.BadRequest, badMonth.Status);
        Assert.DoesNotContain("next-year", badMonth.Text);
        Assert.Empty(ward.Log.Read(new OperationLogQuery(Action: OperationAction.OperationLogReviewed)));
    }
}
