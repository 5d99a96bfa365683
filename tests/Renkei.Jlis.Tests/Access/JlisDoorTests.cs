using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Institutions;
using Renkei.Jlis.Numbering;
using Renkei.Jlis.Tests.Cards;
using Renkei.TestSupport;
using static Renkei.Jlis.Tests.JlisHarness;

namespace Renkei.Jlis.Tests.Access;

/// <summary>
/// Issue 12's findings at J-LIS's numbering doors, replayed over HTTP against the real service: a ward acts only for its
/// own municipality code and its own residents; anyone else is refused before anything is read or changed.
/// </summary>
public sealed class NumberingDoorTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Derive_refuses_another_wards_resident_and_a_caller_J_LIS_does_not_know(string provider)
    {
        await using var jlis = await StartAsync(provider);
        var code = RandomCodes(1, 31)[0];
        var number = (await jlis.Client.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), Shinagawa, code))).IndividualNumber;
        var records = jlis.Store.Counts().RequestRecords;
        var ota = jlis.ClientFor(Ota);

        // 大田区 asks, in its own name, for 品川区's resident's number: refused, nothing echoed, nothing stored.
        var foreign = await Assert.ThrowsAsync<JlisException>(() => ota.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), Ota, code)));
        Assert.Equal((HttpStatusCode.Forbidden, NumberingService.OtherMunicipalityCode), (foreign.Status, foreign.Code));
        Assert.DoesNotContain(number.Digits, foreign.Message);
        Assert.DoesNotContain(code.Digits, foreign.Message);
        // … or claiming to be 品川区.
        var claimed = await Assert.ThrowsAsync<JlisException>(() => ota.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), Shinagawa, code)));
        Assert.Equal((HttpStatusCode.Forbidden, "caller-not-permitted"), (claimed.Status, claimed.Code));
        Assert.Equal(records, jlis.Store.Counts().RequestRecords);

        // Nobody identified: 401; an unregistered key: 401; a registered institution that is no ward: 403.
        var body = new DeriveNumberRequest(Guid.NewGuid(), Shinagawa, code);
        using (var anonymous = await jlis.Anonymous().PostAsJsonAsync(JlisRoutes.DeriveNumber, body, JsonDefaults.Options))
            await AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized, "unsigned-request", number);
        using (var stranger = JlisCallers.Client(jlis.Host.BaseAddress, "131199", jlis.WardKeys(LocalGovernmentCode.ParseOrThrow("131199"))))
        using (var response = await stranger.PostAsJsonAsync(JlisRoutes.DeriveNumber, body, JsonDefaults.Options))
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unknown-institution", number);
        JlisCallers.Register(jlis.Database, "PORTAL", JlisRoles.Portal, jlis.WardKeys(LocalGovernmentCode.ParseOrThrow("131199")));
        using (var portal = JlisCallers.Client(jlis.Host.BaseAddress, "PORTAL", jlis.WardKeys(LocalGovernmentCode.ParseOrThrow("131199"))))
        using (var response = await portal.PostAsJsonAsync(JlisRoutes.DeriveNumber, body, JsonDefaults.Options))
            await AssertProblemAsync(response, HttpStatusCode.Forbidden, "caller-not-permitted", number);
        Assert.Equal(records, jlis.Store.Counts().RequestRecords);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Verify_is_no_lookup_but_an_arrival_with_code_and_number_moves_the_resident(string provider)
    {
        await using var jlis = await StartAsync(provider);
        var codes = RandomCodes(2, 32);
        var number = (await jlis.Client.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), Shinagawa, codes[0]))).IndividualNumber;
        var other = (await jlis.Client.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), Shinagawa, codes[1]))).IndividualNumber;
        var ota = jlis.ClientFor(Ota);

        // Guessing numbers for another ward's resident tells 大田区 nothing.
        var guess = await Assert.ThrowsAsync<JlisException>(() => ota.VerifyNumberAsync(new VerifyNumberRequest(codes[0], other)));
        Assert.Equal((HttpStatusCode.Forbidden, NumberingService.OtherMunicipalityCode), (guess.Status, guess.Code));
        Assert.Equal(Shinagawa, jlis.Store.MunicipalityOf(codes[0]));

        // The arrival (転入): 大田区 holds code and number from the moving-out certificate; J-LIS records the move.
        Assert.Equal(NumberVerificationOutcome.Matches, (await ota.VerifyNumberAsync(new VerifyNumberRequest(codes[0], number))).Outcome);
        Assert.Equal(Ota, jlis.Store.MunicipalityOf(codes[0]));
        Assert.Equal(number, (await ota.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), Ota, codes[0]))).IndividualNumber);
        // From now on the old ward acts for the resident no more.
        var old = await Assert.ThrowsAsync<JlisException>(() =>
            jlis.Client.ChangeNumberAsync(new ChangeNumberRequest(Guid.NewGuid(), Shinagawa, codes[0], NumberChangeReason.HolderRequest)));
        Assert.Equal(NumberingService.OtherMunicipalityCode, old.Code);
        Assert.Equal(number, jlis.Store.FindCurrent(codes[0])!.IndividualNumber);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Change_batch_and_code_issue_claiming_another_municipality_are_refused_and_change_nothing(string provider)
    {
        await using var jlis = await StartAsync(provider);
        var codes = RandomCodes(3, 33);
        var number = (await jlis.Client.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), Shinagawa, codes[0]))).IndividualNumber;
        var ota = jlis.ClientFor(Ota);
        var before = jlis.Store.Counts();

        var claimed = await Assert.ThrowsAsync<JlisException>(() =>
            ota.ChangeNumberAsync(new ChangeNumberRequest(Guid.NewGuid(), Shinagawa, codes[0], NumberChangeReason.HolderRequest)));
        Assert.Equal((HttpStatusCode.Forbidden, "caller-not-permitted"), (claimed.Status, claimed.Code));
        var own = await Assert.ThrowsAsync<JlisException>(() =>
            ota.ChangeNumberAsync(new ChangeNumberRequest(Guid.NewGuid(), Ota, codes[0], NumberChangeReason.HolderRequest)));
        Assert.Equal(NumberingService.OtherMunicipalityCode, own.Code);
        var issue = await Assert.ThrowsAsync<JlisException>(() =>
            ota.IssueResidentCodeAsync(new IssueResidentCodeRequest(Guid.NewGuid(), Shinagawa, ResidentCodeIssueReason.Birth)));
        Assert.Equal("caller-not-permitted", issue.Code);
        Assert.Equal(before, jlis.Store.Counts());
        Assert.Equal(number, jlis.Store.FindCurrent(codes[0])!.IndividualNumber);

        // A batch naming another ward's resident numbers the rest and refuses that code without its number.
        var file = await ota.RequestBatchAsync(new NumberingBatchRequest(Guid.NewGuid(), Ota, codes));
        Assert.Equal(codes[1..].Select(c => c.ToInt64()), file.Assignments.Select(a => a.ResidentCode.ToInt64()));
        var refused = Assert.Single(file.Refused);
        Assert.Equal(codes[0], refused.ResidentCode);
        Assert.Contains("another municipality", refused.Reason);
        Assert.DoesNotContain(file.Assignments, a => a.IndividualNumber == number);
        Assert.Equal(Shinagawa, jlis.Store.MunicipalityOf(codes[0]));
        Assert.Equal(Ota, jlis.Store.MunicipalityOf(codes[1]));
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code, IndividualNumber? secret = null)
    {
        Assert.Equal(status, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var problem = System.Text.Json.JsonSerializer.Deserialize<ProblemBody>(text, JsonDefaults.Options)!;
        Assert.Equal(code, problem.Code);
        Assert.DoesNotMatch(new Regex(@"\d{11}"), text);
        if (secret is { } number) Assert.DoesNotContain(number.Digits, text);
    }
}

/// <summary>
/// Issue 12's findings at J-LIS's card and certificate-status doors: card status and history only for the resident's
/// ward (or the call centre); suspension and resumption by the resident's ward, or by the call centre with the four
/// facts; certificate status for approved verifiers; the CA certificates and CRLs stay public.
/// </summary>
public sealed class CardDoorTests
{
    private static readonly DateOnly Adult = new(1980, 1, 15);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Card_status_by_number_is_refused_to_another_ward_and_to_nobody(string provider)
    {
        await using var h = await CardHarness.StartAsync(provider);
        var (holder, card) = await h.IssueCardAsync(Adult);
        var serial = (await h.Cards.StatusAsync(new CardStatusRequest(card.Number, null))).UserCertificate!.SerialNumber;
        var ota = h.ClientAs(CardHarness.Ota.Digits, JlisRoles.Municipality);
        var verifier = h.ClientAs("VERIF1", JlisRoles.Verifier);

        foreach (var request in new[] { new CardStatusRequest(null, holder.IndividualNumber), new CardStatusRequest(card.Number, null) })
        {
            using (var response = await ota.PostAsJsonAsync(CardRoutes.Status, request, JsonDefaults.Options))
            {
                await NumberingDoorTests.AssertProblemAsync(response, HttpStatusCode.Forbidden, NumberingService.OtherMunicipalityCode, holder.IndividualNumber);
                Assert.DoesNotContain(serial, await response.Content.ReadAsStringAsync());
            }
            using (var response = await h.Anonymous().PostAsJsonAsync(CardRoutes.Status, request, JsonDefaults.Options))
                await NumberingDoorTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unsigned-request", holder.IndividualNumber);
            // A verifier may ask a certificate's status, not read a card's history.
            using (var response = await verifier.PostAsJsonAsync(CardRoutes.Status, request, JsonDefaults.Options))
                await NumberingDoorTests.AssertProblemAsync(response, HttpStatusCode.Forbidden, "caller-not-permitted", holder.IndividualNumber);
        }
        // The resident's own ward reads it.
        Assert.Equal(card.Number, (await h.Cards.StatusAsync(new CardStatusRequest(null, holder.IndividualNumber))).CardNumber);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Suspend_and_resume_by_another_ward_are_refused_and_the_call_centre_needs_the_four_facts(string provider)
    {
        await using var h = await CardHarness.StartAsync(provider);
        var (holder, card) = await h.IssueCardAsync(Adult);
        var ota = new CardHttpClient(h.ClientAs(CardHarness.Ota.Digits, JlisRoles.Municipality));
        var madeUp = new IdentityCheck("someone", IdentityDocument.Passport);

        var suspend = await Assert.ThrowsAsync<JlisException>(() => ota.SuspendAsync(new SuspendCardRequest(Guid.NewGuid(), card.Number, null,
            SuspensionReason.Lost, SuspensionChannel.Counter, "ota-clerk")));
        Assert.Equal((HttpStatusCode.Forbidden, NumberingService.OtherMunicipalityCode), (suspend.Status, suspend.Code));
        var byNumber = await Assert.ThrowsAsync<JlisException>(() => ota.SuspendAsync(new SuspendCardRequest(Guid.NewGuid(), null, holder.IndividualNumber,
            SuspensionReason.Stolen, SuspensionChannel.Phone, "ota-clerk")));
        Assert.Equal(NumberingService.OtherMunicipalityCode, byNumber.Code);
        Assert.Equal(CardState.Active, (await h.Cards.StatusAsync(new CardStatusRequest(card.Number, null))).State);

        await h.Cards.SuspendAsync(new SuspendCardRequest(Guid.NewGuid(), card.Number, null, SuspensionReason.Lost, SuspensionChannel.Counter, "shinagawa-clerk-07"));
        var resume = await Assert.ThrowsAsync<JlisException>(() => ota.ResumeAsync(new ResumeCardRequest(Guid.NewGuid(), card.Number, madeUp, "ota-clerk")));
        Assert.Equal(NumberingService.OtherMunicipalityCode, resume.Code);
        Assert.Equal(CardState.Suspended, (await h.Cards.StatusAsync(new CardStatusRequest(card.Number, null))).State);

        // The call centre (a J-LIS role) may act for any card, once the caller gave the four facts of its holder.
        var callCentre = new CardHttpClient(h.ClientAs(CardHarness.CallCentre, JlisRoles.CardCallCentre));
        var facts = new FourFacts(holder.Name, holder.Address, holder.BirthDate, holder.Sex);
        var none = await Assert.ThrowsAsync<JlisException>(() => callCentre.ResumeAsync(new ResumeCardRequest(Guid.NewGuid(), card.Number, madeUp, "cc-01")));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-request"), (none.Status, none.Code));
        var wrong = await Assert.ThrowsAsync<JlisException>(() => callCentre.ResumeAsync(new ResumeCardRequest(Guid.NewGuid(), card.Number, madeUp, "cc-01",
            facts with { BirthDate = facts.BirthDate.AddDays(1) })));
        Assert.Equal((HttpStatusCode.Forbidden, "four-facts-mismatch"), (wrong.Status, wrong.Code));
        Assert.Equal(CardState.Suspended, (await h.Cards.StatusAsync(new CardStatusRequest(card.Number, null))).State);

        var resumed = await callCentre.ResumeAsync(new ResumeCardRequest(Guid.NewGuid(), card.Number, madeUp, "cc-01",
            facts with { Name = holder.Name.Replace(" ", "　", StringComparison.Ordinal) }));
        Assert.Equal(CardState.Active, resumed.State);
        var suspended = await callCentre.SuspendAsync(new SuspendCardRequest(Guid.NewGuid(), null, holder.IndividualNumber, SuspensionReason.Stolen,
            SuspensionChannel.Phone, "cc-01", facts));
        Assert.Equal(CardState.Suspended, suspended.State);
        Assert.Equal("cc-01", suspended.Events.Last().Operator);
        // The call centre does nothing else with cards.
        var revoke = await Assert.ThrowsAsync<JlisException>(() =>
            callCentre.RevokeAsync(new RevokeCardRequest(Guid.NewGuid(), card.Number, null, CardRevocationReason.Lost, "cc-01")));
        Assert.Equal((HttpStatusCode.Forbidden, "caller-not-permitted"), (revoke.Status, revoke.Code));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Certificate_status_is_for_approved_verifiers_and_CA_certificates_and_CRLs_stay_public(string provider)
    {
        await using var h = await CardHarness.StartAsync(provider);
        var (_, card) = await h.IssueCardAsync(Adult);
        var serial = (await h.Cards.StatusAsync(new CardStatusRequest(card.Number, null))).UserCertificate!.SerialNumber;
        var request = new CertificateStatusRequest(JpkiCertificateKind.UserAuthentication, serial);

        using (var response = await h.Anonymous().PostAsJsonAsync(PkiRoutes.Status, request, JsonDefaults.Options))
            await NumberingDoorTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unsigned-request");
        foreach (var (code, role) in new[] { ("VERIF1", JlisRoles.Verifier), ("PORTAL", JlisRoles.Portal), (CardHarness.Ota.Digits, JlisRoles.Municipality) })
            Assert.Equal(CertificateStatus.Good, (await new JpkiHttpClient(h.ClientAs(code, role)).StatusAsync(request)).Status);

        var anonymous = new JpkiHttpClient(h.Anonymous());
        using var root = await anonymous.RootCertificateAsync();
        foreach (var kind in Enum.GetValues<JpkiCertificateKind>())
        {
            using var ca = await anonymous.CaCertificateAsync(kind);
            Assert.NotEmpty(await anonymous.CrlAsync(kind));
        }
        using var keys = await h.Anonymous().GetAsync(CardRoutes.Keys);
        Assert.Equal(HttpStatusCode.OK, keys.StatusCode);
    }
}
