using System.Net;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Staff;
using Renkei.TestSupport;

namespace Renkei.StaffConsole.Tests;

/// <summary>
/// 職員アカウント: the administrator's page listing the accounts with their lockouts and unlocking one early with a reason,
/// through the console's real HTTP endpoints on SQLite and PostgreSQL. The unlock and its reason (or its refusal) are in
/// the ward's operation log as the CLI's <c>renkei staff unlock</c> writes them; a clerk is refused and the attempt logged.
/// </summary>
public class AccountUnlockTests
{
    private static IEnumerable<OperationLogEntry> LogOf(ConsoleWard ward, string staffId) =>
        ward.Log.Read(new OperationLogQuery(StaffId: staffId)).Select(r => r.Entry);

    /// <summary>Fails the account's logins (wrong password) until the directory locks it.</summary>
    private static async Task LockOutAsync(ConsoleWard ward, ConsoleClient client, DemoStaffAccount account)
    {
        for (var i = 0; i < ward.Staff.Options.MaxFailedLogins; i++)
            await client.LoginAsync(account.Id.Value, "not-the-password-1", ward.NextCode(account));
        Assert.True(ward.Staff.Find(account.Id)!.Locked);
        var refused = await client.LoginAsync(account.Id.Value, account.Password, ward.NextCode(account));
        Assert.Contains("一時的にロックされています", refused.Text);
    }

    private static Task<ConsoleResponse> UnlockAsync(ConsoleClient client, string target, string reason) =>
        client.PostAsync("/accounts?handler=Unlock", ("Target", target), ("Reason", reason));

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_administrator_unlocks_a_locked_account_with_a_logged_reason_and_a_clerk_cannot(string provider)
    {
        await using var ward = await ConsoleWard.StartAsync(provider);
        var locked = ward.Account("jumin01");
        using (var someone = new ConsoleClient(ward.BaseAddress))
            await LockOutAsync(ward, someone, locked);

        // A clerk is refused at the door, for the page and for the unlock, and each attempt is logged.
        using (var clerk = new ConsoleClient(ward.BaseAddress))
        {
            await clerk.LoginAsync(ward, ward.Account("kodomo01"));
            var page = await clerk.GetAsync("/accounts");
            Assert.Equal(HttpStatusCode.Forbidden, page.Status);
            Assert.Contains("権限がありません", page.Text);
            Assert.DoesNotContain("jumin01", page.Text);
            Assert.Equal(HttpStatusCode.Forbidden, (await UnlockAsync(clerk, "jumin01", "本人から依頼があったため")).Status);
            Assert.True(ward.Staff.Find(locked.Id)!.Locked);
            Assert.Equal(2, LogOf(ward, "kodomo01").Count(e =>
                e is { Action: OperationAction.View, Result: OperationResult.Refused, Detail: "職員アカウントの管理: 権限がありません" }));
            Assert.DoesNotContain("/accounts", (await clerk.GetAsync("/residents")).Body);
        }

        using var admin = new ConsoleClient(ward.BaseAddress);
        await admin.LoginAsync(ward, ward.Account("admin01"));
        Assert.Contains("href=\"/accounts\"", (await admin.GetAsync("/residents")).Body);
        var list = await admin.GetAsync("/accounts");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.Matches("<tr id=\"account-jumin01\">(?:(?!</tr>).)*ロック中（令和7年6月2日 09:", list.Text.ReplaceLineEndings(" "));
        Assert.Contains("<tr id=\"account-kodomo01\">", list.Text);
        Assert.DoesNotContain(locked.Password, list.Text);

        // No reason, an overlong one, a control character, a number: refused, logged as refused, nothing changes, nothing echoed.
        var number = ward.Register.Find(ward.Residents[0].Id)!.IndividualNumber!.Value.Digits;
        foreach (var reason in new[] { "", "  ", new string('理', StaffDirectory.MaxUnlockReasonLength + 1), "本人確認\u0007済み", "番号 " + number + " の本人" })
        {
            var refused = await UnlockAsync(admin, "jumin01", reason);
            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
            Assert.Contains("解除の理由を1〜200文字の1行で入力してください", refused.Text);
            Assert.True(ward.Staff.Find(locked.Id)!.Locked);
        }
        Assert.Equal(5, LogOf(ward, "admin01").Count(e => e is { Action: OperationAction.AccountUnlocked, Result: OperationResult.Refused }));
        var unknown = await UnlockAsync(admin, "nobody99", "本人確認済み");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Contains("その職員IDのアカウントはありません", unknown.Text);

        var unlocked = await UnlockAsync(admin, "jumin01", "本人確認のうえ、窓口で依頼を受けたため");
        Assert.Equal(HttpStatusCode.OK, unlocked.Status);
        Assert.Contains("職員 jumin01 のロックを解除しました", unlocked.Text);
        Assert.False(ward.Staff.Find(locked.Id)!.Locked);
        var entry = Assert.Single(LogOf(ward, "admin01"), e => e is { Action: OperationAction.AccountUnlocked, Result: OperationResult.Success });
        Assert.Equal("account unlock (ロック解除); staff=jumin01; reason=本人確認のうえ、窓口で依頼を受けたため", entry.Detail);
        Assert.StartsWith("staff-console/", entry.Terminal);
        Assert.Null(entry.AffairCode); // an administrator acts in no affair, as with `renkei staff unlock`
        Assert.DoesNotContain(ward.Log.Read(new OperationLogQuery()), r => (r.Entry.Detail ?? "").Contains(number, StringComparison.Ordinal));

        // The account logs in again.
        using (var again = new ConsoleClient(ward.BaseAddress))
            await again.LoginAsync(ward, locked);
        NumberScan.AssertNoNumber(ward, admin);
    }
}
