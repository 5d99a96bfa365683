using System.Net;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Staff;
using Renkei.TestSupport;

namespace Renkei.StaffConsole.Tests.Linked;

/// <summary>
/// The application pages through plain HTTP (SQLite and PostgreSQL): an application is opened through the form; a clerk of
/// another affair gets 403 and nothing of it; deciding before linkage and exporting before the decision are refused with
/// the backend's reason; a console without an intermediate server says the pages are unavailable.
/// </summary>
public class ApplicationPagesHttpTests
{
    private static async Task LoginAsync(ConsoleClient client, LinkedCountry country, string staffId, string affair)
    {
        var account = country.Account(staffId);
        var login = await client.LoginAsync(staffId, account.Password, country.NextCode(account));
        Assert.EndsWith("/affair", login.RequestUri.AbsolutePath);
        var chosen = await client.ChooseAffairAsync(affair);
        Assert.Equal(HttpStatusCode.OK, chosen.Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Another_affairs_clerk_gets_nothing_and_steps_out_of_order_are_refused_with_the_reason(string provider)
    {
        await using var country = await LinkedCountry.StartAsync(provider);
        var father = country.Resident("鈴木", "大輔");
        var children = new[] { country.Resident("鈴木", "陽太"), country.Resident("鈴木", "さくら") };

        using var clerk = new ConsoleClient(country.BaseAddress);
        await LoginAsync(clerk, country, "kodomo01", "child-allowance");
        // Finding the applicant: a wildcard-only term is refused with the reason (it once matched the whole register).
        var wildcard = await clerk.PostAsync($"/applications/new?handler=Search&workflow={WorkflowCatalogue.ChildAllowanceArrival}", ("Name", "%"), ("Kana", ""));
        Assert.Equal(HttpStatusCode.OK, wildcard.Status);
        Assert.Contains("記号（%、_ など）だけでは検索できません", wildcard.Text);
        Assert.DoesNotContain("鈴木　", wildcard.Text);
        Assert.Contains(country.ShinagawaWard.Log.Read(), r => r.Entry is { StaffId: "kodomo01", Action: OperationAction.Search, Result: OperationResult.Refused });
        var form = await clerk.GetAsync($"/applications/new?workflow={WorkflowCatalogue.ChildAllowanceArrival}&resident={father.Id}");
        Assert.Equal(HttpStatusCode.OK, form.Status);
        Assert.Contains("value=\"131113\"", form.Body); // 前住所地 from the arrival event
        var opened = await clerk.PostAsync($"/applications/new?handler=Open&workflow={WorkflowCatalogue.ChildAllowanceArrival}&resident={father.Id}",
            [new($"Roles[{children[0].Id}]", WorkflowCatalogue.ChildRole), new($"Roles[{children[1].Id}]", WorkflowCatalogue.ChildRole),
             new("PreviousMunicipality", "131113"), new("JanuaryFirstMunicipality", ""), new("FormerInsurer", "")]);
        Assert.Equal(HttpStatusCode.OK, opened.Status);
        var path = opened.RequestUri.AbsolutePath;
        Assert.Matches(@"^/applications/\d+$", path);
        var stored = Assert.Single(new ApplicationStore(country.ShinagawaWard.Database).List(new ApplicationQuery()));
        Assert.Equal((country.AddresseeOf(father.Id), 2), (stored.Applicant, stored.Members.Count));

        // Deciding before the linkage is refused (409) with the reason; exporting before the decision too (400).
        var early = await clerk.PostAsync(path + "?handler=Decide");
        Assert.Equal(HttpStatusCode.Conflict, early.Status);
        Assert.Contains("必要な情報の連携または添付書類がそろっていません", early.Text);
        var notice = await clerk.GetAsync(path + "/notice");
        Assert.Equal(HttpStatusCode.BadRequest, notice.Status);
        Assert.Contains("まだ決定されていません", notice.Text);

        // A nursing-care clerk: 403 on the page, on linkage and on the decision, and no name of the family in any of them.
        using var other = new ConsoleClient(country.BaseAddress);
        await LoginAsync(other, country, "kaigo01", "nursing-care-insurance");
        var list = await other.GetAsync("/applications");
        Assert.DoesNotContain("鈴木", list.Text);
        var page = await other.GetAsync(path);
        var link = await other.PostAsync(path + "?handler=Link", ("Mode", "immediate"));
        var decide = await other.PostAsync(path + "?handler=Decide");
        foreach (var refused in new[] { page, link, decide })
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
            Assert.Contains("この手続は選択中の事務では扱えません", refused.Text);
            Assert.DoesNotContain("鈴木", refused.Text);
        }
        var refusals = country.ShinagawaWard.Log.Read(new OperationLogQuery(StaffId: "kaigo01")).Select(r => r.Entry)
            .Where(e => e.Result == OperationResult.Refused).ToList();
        Assert.Equal(3, refusals.Count(e => e.Detail!.Contains("affair-mismatch", StringComparison.Ordinal)));
        Assert.Empty(country.NetworkRecords());

        var numbers = country.AllNumbers();
        foreach (var response in clerk.Responses.Concat(other.Responses))
            Assert.False(numbers.Any(n => response.Text.Contains(n, StringComparison.Ordinal)), $"{response.RequestUri.AbsolutePath} holds an individual number");
    }

    [Fact]
    public async Task A_console_without_an_intermediate_server_says_the_application_pages_are_unavailable()
    {
        await using var ward = await ConsoleWard.StartAsync("sqlite");
        using var client = new ConsoleClient(ward.BaseAddress);
        await client.LoginAsync(ward, ward.Account("kodomo01"));
        await client.ChooseAffairAsync("child-allowance");
        foreach (var path in new[] { "/applications", "/dashboard", $"/applications/new?workflow={WorkflowCatalogue.ChildAllowanceArrival}" })
        {
            var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.Status);
            Assert.Contains("中間サーバーが設定されていない", response.Text);
        }
        NumberScan.AssertNoNumber(ward, client);
    }
}
