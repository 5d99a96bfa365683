using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate.Storage;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Notices;
using Renkei.Network.Contracts;
using Renkei.TestSupport;

namespace Renkei.StaffConsole.Tests.Linked;

/// <summary>
/// Push-type notices from the ward (SQLite and PostgreSQL), end to end on the linked country: the console's お知らせ page
/// lists the arrived households with children and no 児童手当 application; a send goes through 品川区's intermediate server
/// to the network, which stores it sealed to the portal (opened here with the portal's key, as the portal would); a
/// resend stores nothing new; a household that applied, one without children and a clerk of another affair get no
/// notice; every attempt is in the operation log.
/// </summary>
public class EligibilityNoticeTests
{
    private static async Task LoginAsync(ConsoleClient client, LinkedCountry country, string staffId, string affair)
    {
        var account = country.Account(staffId);
        var login = await client.LoginAsync(staffId, account.Password, country.NextCode(account));
        Assert.EndsWith("/affair", login.RequestUri.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, (await client.ChooseAffairAsync(affair)).Status);
    }

    /// <summary>The notices the network stores (read from its database as an auditor would): id, sender, portal and the sealed content.</summary>
    private static List<(Guid Id, string Sender, string Portal, SealedPayload Sealed)> StoredNotices(Database network)
    {
        using var connection = network.Open();
        using var command = connection.Command("SELECT notice_id, sender, portal, sealed FROM net_notices ORDER BY sent_at");
        using var reader = command.ExecuteReader();
        var list = new List<(Guid, string, string, SealedPayload)>();
        while (reader.Read())
            list.Add((Guid.Parse(reader.GetString(0)), reader.GetString(1), reader.GetString(2),
                JsonSerializer.Deserialize<SealedPayload>(reader.GetString(3), JsonDefaults.Options)!));
        return list;
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_arrived_family_without_an_application_gets_a_sealed_notice_and_nobody_else_does(string provider)
    {
        await using var country = await LinkedCountry.StartAsync(provider);
        using var portalKeys = InstitutionKeys.LoadOrCreate(country.TempPath("portal-keys"));
        country.Network.Registry.Upsert(new InstitutionInfo(PortalRoutes.DemoPortalCode, "マイナポータル", InstitutionClass.Portal, null,
            portalKeys.SigningPublicKey, portalKeys.SealingPublicKey));
        var networkDatabase = country.NetworkDatabase;
        var suzuki = country.Resident("鈴木", "大輔");
        var ito = country.Resident("伊藤", "美香");
        var takahashi = country.Resident("高橋", "正雄");

        // The page lists the two arrived households with children (鈴木, 伊藤), not 高橋 (no child) nor the families who lived here.
        using var clerk = new ConsoleClient(country.BaseAddress);
        await LoginAsync(clerk, country, "kodomo01", "child-allowance");
        var page = await clerk.GetAsync("/notices");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        var suzukiHead = country.AddresseeOf(suzuki.Id).ToInt64();
        var itoHead = country.AddresseeOf(ito.Id).ToInt64();
        Assert.Contains($"id=\"send-{suzukiHead}\"", page.Body);
        Assert.Contains($"id=\"send-{itoHead}\"", page.Body);
        Assert.DoesNotContain($"id=\"send-{country.AddresseeOf(takahashi.Id).ToInt64()}\"", page.Body);
        Assert.DoesNotContain("小林", page.Text);

        // Sent from the page: stored at the network, sealed to the portal; twice is still one notice.
        var sent = await clerk.PostAsync("/notices?handler=Send", ("Addressee", suzukiHead.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(sent.Status == HttpStatusCode.OK, sent.Text);
        Assert.Contains("送信しました", sent.Text);
        var resent = await clerk.PostAsync("/notices?handler=Send", ("Addressee", suzukiHead.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(resent.Status == HttpStatusCode.OK, resent.Text);
        var stored = Assert.Single(StoredNotices(networkDatabase));
        Assert.Equal(("131091", PortalRoutes.DemoPortalCode), (stored.Sender, stored.Portal));
        var opened = JsonSerializer.Deserialize<NoticeContent>(MessageSealing.Open(portalKeys.Sealing, stored.Sealed,
            MessageSealing.AssociatedData(PushNoticeRequest.SealingContext(stored.Id, "131091"))), JsonDefaults.Options)!;
        Assert.Equal(EligibilityNotices.ChildAllowanceTitle, opened.Title);
        Assert.Contains("15日以内", opened.Body);
        Assert.Equal(LinkedCountry.ArrivalDate.AddDays(15) >= country.Today ? LinkedCountry.ArrivalDate.AddDays(15) : null, opened.RespondBy);
        Assert.DoesNotContain("鈴木", opened.Body + opened.Title);
        Assert.DoesNotContain(country.AllNumbers(), n => opened.Body.Contains(n, StringComparison.Ordinal));
        using (var other = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256))
            Assert.ThrowsAny<CryptographicException>(() => MessageSealing.Open(other, stored.Sealed,
                MessageSealing.AssociatedData(PushNoticeRequest.SealingContext(stored.Id, "131091"))));
        // Nothing the network received from the ward holds the content in clear.
        Assert.DoesNotContain(country.NetworkReceived, body => body.Contains(EligibilityNotices.ChildAllowanceTitle, StringComparison.Ordinal));

        // A nursing-care clerk cannot send it (403), and nothing more reaches the network.
        using var other2 = new ConsoleClient(country.BaseAddress);
        await LoginAsync(other2, country, "kaigo01", "nursing-care-insurance");
        var refused = await other2.PostAsync("/notices?handler=Send", ("Addressee", itoHead.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);

        // From code, as a system actor: 伊藤 gets one; 高橋 (no child) is not eligible.
        var notices = new EligibilityNotices(new ApplicationStore(country.ShinagawaWard.Database), country.ShinagawaWard.Addressees,
            country.ShinagawaWard.Intermediate);
        var toIto = await notices.SendChildAllowanceGuidanceAsync(EligibilityNotices.SystemActor, country.AddresseeOf(ito.Id), country.Today);
        Assert.True(toIto.Sent, toIto.Message);
        var toTakahashi = await notices.SendChildAllowanceGuidanceAsync(EligibilityNotices.SystemActor, country.AddresseeOf(takahashi.Id), country.Today);
        Assert.Equal((false, EligibilityNotices.Codes.NotEligible), (toTakahashi.Sent, toTakahashi.ReasonCode));

        // Once 鈴木 has applied (at the counter), the household is no longer listed and a send is refused.
        var form = $"/applications/new?handler=Open&workflow={WorkflowCatalogue.ChildAllowanceArrival}&resident={suzuki.Id}";
        var son = country.Resident("鈴木", "陽太");
        var opened2 = await clerk.PostAsync(form, [new($"Roles[{son.Id}]", WorkflowCatalogue.ChildRole), new("PreviousMunicipality", "131113"),
            new("JanuaryFirstMunicipality", ""), new("FormerInsurer", "")]);
        Assert.Matches(@"^/applications/\d+$", opened2.RequestUri.AbsolutePath);
        Assert.DoesNotContain(notices.ChildAllowanceCandidates(country.Today), c => c.Head == country.AddresseeOf(suzuki.Id));
        var again = await notices.SendChildAllowanceGuidanceAsync(EligibilityNotices.SystemActor, country.AddresseeOf(suzuki.Id), country.Today);
        Assert.Equal((false, EligibilityNotices.Codes.AlreadyApplied), (again.Sent, again.ReasonCode));
        Assert.Equal(2, StoredNotices(networkDatabase).Count);

        var log = country.ShinagawaWard.Log.Read(new OperationLogQuery()).Select(r => r.Entry).Where(e => e.Action == OperationAction.NoticeSent).ToList();
        Assert.Equal(3, log.Count(e => e.Result == OperationResult.Success)); // the page twice (idempotent at the network), the system actor once
        Assert.Equal(3, log.Count(e => e.Result == OperationResult.Refused)); // another affair, not eligible, already applied
        Assert.Contains(log, e => e.StaffId == EligibilityNotices.SystemActor && e.SubjectAddresseeNumber == itoHead);

        // The ward's intermediate server kept each notice with who sent it: the clerk at the console in the child-allowance
        // affair, the system actor from code; the refused sends reached it not at all.
        var kept = new IntermediateStore(country.ShinagawaWard.IntermediateDatabase).Actions.Read().Where(a => a.Operation == HolderActionLog.Notice).ToList();
        Assert.Contains(kept, a => (a.Staff, a.Affair, a.AddresseeNumber) == ("kodomo01", EligibilityNotices.ChildAllowanceAffair, suzukiHead)
                                   && a.Terminal.StartsWith("staff-console/", StringComparison.Ordinal));
        Assert.Contains(kept, a => (a.Staff, a.AddresseeNumber) == (EligibilityNotices.SystemActor, itoHead));
        Assert.DoesNotContain(kept, a => a.Staff == "kaigo01" || a.AddresseeNumber == country.AddresseeOf(takahashi.Id).ToInt64());
    }
}
