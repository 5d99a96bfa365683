using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Security.Cryptography;
using Renkei.Core.Cards;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.ServiceDefaults.Access;
using Renkei.Infrastructure.Signing;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.EApplications;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Service;
using Renkei.Network.Contracts;
using Renkei.TestSupport;
using Renkei.ServiceDefaults.Signing;
using Renkei.ServiceDefaults;

namespace Renkei.StaffConsole.Tests.Linked;

/// <summary>
/// The ward's e-application inbox with the real J-LIS (JPKI authorities, card service), a software card signing the
/// document with its signing key, 品川区's service on loopback and its staff console (SQLite and PostgreSQL): a signed
/// one-stop application is filed as two applications the clerks see with the evidence; a resend returns the same
/// receipt; tampered, suspended, revoked, other-ward, unknown-applicant and unknown-child submissions are refused with
/// their codes and file nothing.
/// </summary>
public class EApplicationInboxTests
{
    private static readonly CardPinSet Pins = new(
        CardPin.Parse(CardPinKind.UserAuthentication, "4821"),
        CardPin.Parse(CardPinKind.Signing, "RENKEI2026"),
        CardPin.Parse(CardPinKind.TextEntrySupport, "7302"),
        CardPin.Parse(CardPinKind.ResidentRegistry, "5519"));

    private static readonly CardPin SigningPin = CardPin.Parse(CardPinKind.Signing, "RENKEI2026");

    /// <summary>The citizen portal's signing key: the ward pins its public half.</summary>
    private static readonly ECDsa PortalKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>
    /// 品川区's service (the inbox) on the linked country's ward database, with the real clock (certificates are issued now),
    /// taking e-applications from the portal whose key is <see cref="PortalKey"/>.
    /// </summary>
    internal static Task<ServiceHost> StartWardServiceAsync(LinkedCountry country) =>
        StartWardServiceAsync(country, new PinnedPortal { Code = PortalRoutes.DemoPortalCode, PublicKey = Convert.ToBase64String(PortalKey.ExportSubjectPublicKeyInfo()) });

    /// <summary>品川区's service on the linked country's ward database taking e-applications from <paramref name="portals"/>.</summary>
    private static Task<ServiceHost> StartWardServiceAsync(LinkedCountry country, params PinnedPortal[] portals) =>
        TestModules.StartWardAsync(country.ShinagawaWard.Database, country.Staff, country.ShinagawaWard.Log, new WardOptions
        {
            Code = LinkedCountry.Shinagawa.Digits, Name = "品川区", JlisAddress = country.Jlis.BaseAddress,
            KeyDirectory = country.WardKeyDirectory(LinkedCountry.Shinagawa), EApplicationPortals = [.. portals],
        });

    /// <summary>The ward's inbox as <paramref name="institution"/> signing with <paramref name="key"/> calls it (the portal by default).</summary>
    private static HttpClient InboxClient(ServiceHost ward, string institution = PortalRoutes.DemoPortalCode, ECDsa? key = null, string audience = "131091") =>
        SigningHandler.CreateClient(ward.BaseAddress, institution, key ?? PortalKey, audience);

    /// <summary>A card for a resident of <paramref name="ward"/>, issued and handed over at J-LIS with the facts of the register.</summary>
    internal static async Task<SoftwareCard> IssueCardAsync(LinkedCountry country, LinkedWard ward, Resident resident, string file)
    {
        var counter = new CardCounter(new CardHttpClient(country.JlisHttpFor(ward.Code)), "test-counter");
        return await counter.IssueNewCardAsync(
            new CardHolderFacts(ward.Code, resident.IndividualNumber!.Value, resident.Name.FamilyName + " " + resident.Name.GivenName, resident.Address,
                resident.BirthDate, resident.Sex),
            new SoftwareCardFile(country.TempPath(file + ".card")), Pins, new IdentityCheck("test-counter", IdentityDocument.DriversLicence));
    }

    internal static EApplicationDocument Document(Guid id, string municipality, params EApplicationChild[] children) => new(
        EApplicationRoutes.DocumentFormat, id, municipality, DateTimeOffset.UtcNow,
        [EApplicationRoutes.ChildAllowance, EApplicationRoutes.NurseryAdmission], children,
        new NurseryRequest(["品川区立西五反田保育園", "品川区立大崎保育園"], new DateOnly(2027, 4, 1), "就労"), "03-5742-6789");

    /// <summary>The document as compact JSON, signed with the card's signing key.</summary>
    internal static EApplicationSubmission Sign(SoftwareCard card, EApplicationDocument document, Func<string, string>? tamper = null)
    {
        var text = JsonSerializer.Serialize(document, JsonDefaults.Options);
        var signature = card.Sign(SigningPin, Encoding.UTF8.GetBytes(text));
        return new EApplicationSubmission(document.SubmissionId, tamper?.Invoke(text) ?? text, Convert.ToBase64String(signature),
            Convert.ToBase64String(card.Certificate(CardPinKind.Signing)!.RawData));
    }

    private static EApplicationChild Child(Resident r) => new(r.Name.FamilyName + "　" + r.Name.GivenName, r.BirthDate);

    private static async Task LoginAsync(ConsoleClient client, LinkedCountry country, string staffId, string affair)
    {
        var account = country.Account(staffId);
        var login = await client.LoginAsync(staffId, account.Password, country.NextCode(account));
        Assert.EndsWith("/affair", login.RequestUri.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, (await client.ChooseAffairAsync(affair)).Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_signed_one_stop_application_is_filed_as_two_applications_the_clerks_see_with_its_evidence(string provider)
    {
        await using var country = await LinkedCountry.StartAsync(provider, pki: true);
        await using var ward = await StartWardServiceAsync(country);
        using var http = InboxClient(ward);
        var inbox = new EApplicationHttpClient(http);
        var father = country.Resident("鈴木", "大輔");
        var (son, daughter) = (country.Resident("鈴木", "陽太"), country.Resident("鈴木", "さくら"));
        var card = await IssueCardAsync(country, country.ShinagawaWard, father, "suzuki");

        var submission = Sign(card, Document(Guid.NewGuid(), "131091", Child(son), Child(daughter)));
        var receipt = await inbox.SubmitAsync(submission);
        Assert.Equal((submission.SubmissionId, "131091"), (receipt.SubmissionId, receipt.Municipality));
        Assert.Equal(new[] { EApplicationRoutes.ChildAllowance, EApplicationRoutes.NurseryAdmission }, receipt.Applications.Select(a => a.Procedure));

        // A resend (the portal did not see the answer) gets the very same receipt and files nothing more.
        var again = await inbox.SubmitAsync(submission);
        Assert.Equal(JsonSerializer.Serialize(receipt, JsonDefaults.Options), JsonSerializer.Serialize(again, JsonDefaults.Options));
        var store = new ApplicationStore(country.ShinagawaWard.Database);
        var filed = store.List(new ApplicationQuery());
        Assert.Equal(2, filed.Count);
        Assert.All(filed, a => Assert.Equal((ApplicationChannel.EApplication, EApplicationInbox.Actor), (a.Channel, a.OpenedBy)));
        Assert.All(filed, a => Assert.Equal(new[] { country.AddresseeOf(son.Id), country.AddresseeOf(daughter.Id) }, a.Members.Select(m => m.Addressee)));
        Assert.All(filed, a => Assert.Equal(country.AddresseeOf(father.Id), a.Applicant));

        // The family arrived from 大田区 after 1 January: the arrival workflow, asking 大田区; the nursery asks 大田区's tax.
        var arrived = LinkedCountry.ArrivalDate.Year == DateTime.UtcNow.Year;
        var allowance = filed.Single(a => a.Affair == "child-allowance");
        Assert.Equal(arrived ? WorkflowCatalogue.ChildAllowanceArrival : WorkflowCatalogue.ChildAllowance, allowance.Workflow);
        var nursery = filed.Single(a => a.Workflow == WorkflowCatalogue.NurseryAdmission);
        Assert.Equal(arrived ? "131113" : "131091", nursery.Parties.JanuaryFirstMunicipality);
        var evidence = store.EvidenceOf(nursery.Id)!;
        Assert.Equal(JpkiCertificateProfile.SerialOf(card.Certificate(CardPinKind.Signing)!), evidence.CertificateSerial);
        Assert.Equal((submission.Document, submission.Signature, submission.SigningCertificate), (evidence.Document, evidence.Signature, evidence.SigningCertificate));
        Assert.Null(store.EvidenceOf(-1));

        // Filed under the system actor, one change per application; the log names people by addressee number only.
        var entries = country.ShinagawaWard.Log.Read(new OperationLogQuery(StaffId: EApplicationInbox.Actor)).Select(r => r.Entry).ToList();
        Assert.Equal(2, entries.Count(e => e.Action == OperationAction.Change && e.Result == OperationResult.Success));
        Assert.All(entries, e => Assert.Equal(country.AddresseeOf(father.Id).ToInt64(), e.SubjectAddresseeNumber));

        // The child-allowance clerk sees the 電子申請 badge and the evidence; the nursery clerk sees the nursery request.
        using var clerk = new ConsoleClient(country.BaseAddress);
        await LoginAsync(clerk, country, "kodomo01", "child-allowance");
        var list = await clerk.GetAsync("/applications");
        Assert.Contains($"id=\"channel-{allowance.Id}\"", list.Body);
        Assert.Contains("電子申請", list.Text);
        Assert.DoesNotContain($"/applications/{nursery.Id}\"", list.Body);
        var detail = await clerk.GetAsync($"/applications/{allowance.Id}");
        Assert.Equal(HttpStatusCode.OK, detail.Status);
        Assert.Contains("署名検証済み", detail.Text);
        Assert.Contains(evidence.CertificateSerial, detail.Text);
        using var nurseryClerk = new ConsoleClient(country.BaseAddress);
        await LoginAsync(nurseryClerk, country, "hoiku01", "childcare-benefit-certification");
        var nurseryPage = await nurseryClerk.GetAsync($"/applications/{nursery.Id}");
        Assert.Equal(HttpStatusCode.OK, nurseryPage.Status);
        Assert.Contains("品川区立西五反田保育園", nurseryPage.Text);
        Assert.Contains("令和9年4月1日", nurseryPage.Text);
        Assert.Contains("就労", nurseryPage.Text);

        var numbers = country.AllNumbers();
        foreach (var response in clerk.Responses.Concat(nurseryClerk.Responses))
            Assert.False(numbers.Any(n => response.Text.Contains(n, StringComparison.Ordinal)), $"{response.RequestUri.AbsolutePath} holds an individual number");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_applicant_follows_the_status_by_receipt_number_and_inquiry_code_and_a_wrong_code_learns_nothing(string provider)
    {
        await using var country = await LinkedCountry.StartAsync(provider, pki: true);
        await using var ward = await StartWardServiceAsync(country);
        using var http = InboxClient(ward);
        var inbox = new EApplicationHttpClient(http);
        var father = country.Resident("鈴木", "大輔");
        var card = await IssueCardAsync(country, country.ShinagawaWard, father, "suzuki");
        var submission = Sign(card, Document(Guid.NewGuid(), "131091", Child(country.Resident("鈴木", "陽太"))));
        var receipt = await inbox.SubmitAsync(submission);
        var code = receipt.InquiryCode!;
        Assert.Equal(code, EApplicationInquiryCode.Normalise(code));
        Assert.Equal(code, (await inbox.SubmitAsync(submission)).InquiryCode); // a resend keeps the code
        var allowance = receipt.Applications.Single(a => a.Procedure == EApplicationRoutes.ChildAllowance).ApplicationId;

        var status = await inbox.StatusAsync(new EApplicationStatusRequest(allowance, code.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant()));
        Assert.Equal((allowance, EApplicationRoutes.ChildAllowance, EApplicationStates.Received, null), (status.ApplicationId, status.Procedure, status.State, status.Outcome));

        // A wrong code and an unknown number: the same 404, logged as refused.
        var wrong = (code[0] == '7' ? '8' : '7') + code[1..];
        var other = receipt.Applications.Single(a => a.Procedure == EApplicationRoutes.NurseryAdmission).ApplicationId;
        foreach (var question in new[] { new EApplicationStatusRequest(allowance, wrong), new EApplicationStatusRequest(other + 1000, code) })
        {
            var refused = await Assert.ThrowsAsync<EApplicationException>(() => inbox.StatusAsync(question));
            Assert.Equal((404, EApplicationRefusalCodes.StatusNotFound), (refused.Status, refused.Code));
            Assert.DoesNotContain(wrong, refused.Message);
        }
        var malformed = await Assert.ThrowsAsync<EApplicationException>(() => inbox.StatusAsync(new EApplicationStatusRequest(allowance, "not a code")));
        Assert.Equal((400, EApplicationRefusalCodes.BadDocument), (malformed.Status, malformed.Code));
        Assert.Contains("inquiryCode", malformed.Message);
        Assert.DoesNotContain("not a code", malformed.Message);

        // After linkage and the decision at the counter, the same question reports 決定済み with the outcome and the date.
        using var clerk = new ConsoleClient(country.BaseAddress);
        await LoginAsync(clerk, country, "kodomo01", "child-allowance");
        var path = $"/applications/{allowance}";
        Assert.Equal(HttpStatusCode.OK, (await clerk.PostAsync(path + "?handler=Link", ("Mode", "immediate"))).Status);
        Assert.Equal(EApplicationStates.Examining, (await inbox.StatusAsync(new EApplicationStatusRequest(allowance, code))).State);
        Assert.Equal(HttpStatusCode.OK, (await clerk.PostAsync(path + "?handler=Decide", ("Confirmed", "true"))).Status);
        var decided = await inbox.StatusAsync(new EApplicationStatusRequest(allowance, code));
        var stored = new ApplicationStore(country.ShinagawaWard.Database).Find(allowance)!;
        Assert.Equal((EApplicationStates.Decided, "approved", stored.Decision!.DecidedOn), (decided.State, decided.Outcome, decided.DecidedOn));

        var log = country.ShinagawaWard.Log.Read(new OperationLogQuery(StaffId: EApplicationInbox.Actor)).Select(r => r.Entry)
            .Where(e => e.Action == OperationAction.View).ToList();
        Assert.Equal(2, log.Count(e => e.Result == OperationResult.Refused));
        Assert.Equal(3, log.Count(e => e.Result == OperationResult.Success && e.SubjectAddresseeNumber == country.AddresseeOf(father.Id).ToInt64()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Tampered_suspended_revoked_other_ward_unknown_applicant_and_unknown_child_are_refused_and_nothing_is_filed(string provider)
    {
        await using var country = await LinkedCountry.StartAsync(provider, pki: true);
        await using var ward = await StartWardServiceAsync(country);
        using var http = InboxClient(ward);
        var inbox = new EApplicationHttpClient(http);
        var mother = country.Resident("伊藤", "美香");
        var son = country.Resident("伊藤", "蓮");
        var card = await IssueCardAsync(country, country.ShinagawaWard, mother, "ito");

        async Task RefusedAsync(EApplicationSubmission submission, int status, string code)
        {
            var refused = await Assert.ThrowsAsync<EApplicationException>(() => inbox.SubmitAsync(submission));
            Assert.Equal((status, code), (refused.Status, refused.Code));
            Assert.True(Renkei.Core.Text.JapaneseText.HasJapanese(refused.Message), "the detail reached the client, in Japanese");
        }

        // A changed byte after signing: the signature no longer verifies.
        await RefusedAsync(Sign(card, Document(Guid.NewGuid(), "131091", Child(son)), text => text.Replace("就労", "求職", StringComparison.Ordinal)),
            422, EApplicationRefusalCodes.BadSignature);
        // Signed, but addressed to 大田区.
        await RefusedAsync(Sign(card, Document(Guid.NewGuid(), "131113", Child(son))), 422, EApplicationRefusalCodes.WrongMunicipality);
        // A child who is not in the household.
        var stranger = country.Resident("小林", "翼");
        await RefusedAsync(Sign(card, Document(Guid.NewGuid(), "131091", Child(stranger))), 422, EApplicationRefusalCodes.ChildNotFound);
        // Not a signed document of the expected format (signed nonetheless).
        await RefusedAsync(Sign(card, Document(Guid.NewGuid(), "131091", Child(son)) with { Format = "something-else/1" }), 400,
            EApplicationRefusalCodes.BadDocument);
        // A resident of 大田区 (her certificate is good) is nobody in 品川区's register.
        var otaResident = country.OtaWard.Register.Search(new ResidentSearch("中村恵")).Select(s => country.OtaWard.Register.Find(s.ResidentId)!).Single();
        var otaCard = await IssueCardAsync(country, country.OtaWard, otaResident, "nakamura");
        await RefusedAsync(Sign(otaCard, Document(Guid.NewGuid(), "131091", Child(son))), 422, EApplicationRefusalCodes.ApplicantNotFound);

        // The card reported lost: suspended; then revoked.
        var cards = new CardHttpClient(country.JlisHttpFor(LinkedCountry.Shinagawa));
        var signed = Sign(card, Document(Guid.NewGuid(), "131091", Child(son)));
        await cards.SuspendAsync(new SuspendCardRequest(Guid.NewGuid(), card.Number, null, SuspensionReason.Lost, SuspensionChannel.Phone, "test-callcentre"));
        await RefusedAsync(signed, 403, EApplicationRefusalCodes.CertificateSuspended);
        await cards.RevokeAsync(new RevokeCardRequest(Guid.NewGuid(), card.Number, null, CardRevocationReason.Surrendered, "test-counter"));
        await RefusedAsync(signed, 403, EApplicationRefusalCodes.CertificateRevoked);

        // A malformed body names the field, not a value.
        var malformed = await http.PostAsync(EApplicationRoutes.Submit, new StringContent("{\"submissionId\":\"x\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        Assert.Empty(new ApplicationStore(country.ShinagawaWard.Database).List(new ApplicationQuery()));
        var refusals = country.ShinagawaWard.Log.Read(new OperationLogQuery(StaffId: EApplicationInbox.Actor)).Select(r => r.Entry).ToList();
        Assert.Equal(7, refusals.Count(e => e.Result == OperationResult.Refused));
        Assert.DoesNotContain(refusals, e => e.Result == OperationResult.Success);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Only_the_pinned_portal_may_forward_e_applications_and_nothing_is_filed_otherwise(string provider)
    {
        await using var country = await LinkedCountry.StartAsync(provider, pki: true);
        await using var ward = await StartWardServiceAsync(country);
        var mother = country.Resident("伊藤", "美香");
        var son = country.Resident("伊藤", "蓮");
        var card = await IssueCardAsync(country, country.ShinagawaWard, mother, "ito");
        var submission = Sign(card, Document(Guid.NewGuid(), "131091", Child(son)));

        async Task RefusedAsync(HttpClient http, HttpStatusCode status, string code)
        {
            using var response = await http.PostAsJsonAsync(EApplicationRoutes.Submit, submission, JsonDefaults.Options);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(status, response.StatusCode);
            Assert.Contains($"\"code\":\"{code}\"", body);
            Assert.DoesNotContain(submission.Signature, body);
        }

        // Anyone on the host, posting the resident's signed document unsigned (the attacker of issue 12): 401.
        using (var anonymous = new HttpClient { BaseAddress = ward.BaseAddress })
            await RefusedAsync(anonymous, HttpStatusCode.Unauthorized, SignedRequestVerifier.UnsignedRequest);
        // Another institution's key claiming to be the portal: the signature does not verify.
        using (var forged = InboxClient(ward, key: ECDsa.Create(ECCurve.NamedCurves.nistP256)))
            await RefusedAsync(forged, HttpStatusCode.Unauthorized, SignedRequestVerifier.BadSignature);
        // A ward signing as itself: not an institution the inbox knows.
        using (var otherWard = InboxClient(ward, "131113", ECDsa.Create(ECCurve.NamedCurves.nistP256)))
            await RefusedAsync(otherWard, HttpStatusCode.Unauthorized, SignedRequestVerifier.UnknownInstitution);
        // The portal, but the request was signed for 大田区's inbox.
        using (var misdirected = InboxClient(ward, audience: "131113"))
            await RefusedAsync(misdirected, HttpStatusCode.Unauthorized, SignedRequestVerifier.WrongAudience);
        Assert.Empty(new ApplicationStore(country.ShinagawaWard.Database).List(new ApplicationQuery()));

        // The portal itself gets through.
        using var portal = InboxClient(ward);
        var receipt = await new EApplicationHttpClient(portal).SubmitAsync(submission);
        Assert.Equal(submission.SubmissionId, receipt.SubmissionId);
    }

    [Fact]
    public async Task A_ward_with_no_portal_configured_takes_no_e_applications()
    {
        await using var country = await LinkedCountry.StartAsync("sqlite");
        await using var ward = await StartWardServiceAsync(country, portals: []);
        using var portal = InboxClient(ward);
        using var response = await portal.PostAsync(EApplicationRoutes.Submit, new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains(InstitutionAuthentication.NotConfiguredCode, await response.Content.ReadAsStringAsync());
    }
}
