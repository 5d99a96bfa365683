using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Renkei.Core.Cards;
using Renkei.Core.Json;
using Renkei.Jlis.Contracts;

namespace Renkei.Jlis.Tests.Cards;

public class CardLifecycleTests
{
    private static readonly DateOnly Adult = new(1980, 1, 15);

    [Theory]
    [MemberData(nameof(Renkei.TestSupport.TestDatabase.Providers), MemberType = typeof(Renkei.TestSupport.TestDatabase))]
    public async Task Application_issuance_and_handover_give_an_active_card_with_both_certificates(string provider)
    {
        await using var h = await CardHarness.StartAsync(provider);

        var (holder, card) = await h.IssueCardAsync(Adult);
        var status = await h.Cards.StatusAsync(new CardStatusRequest(card.Number, null));

        Assert.Equal(CardState.Active, status.State);
        Assert.Equal(new DateOnly(2026, 1, 5), status.IssuedOn);
        Assert.Equal(new DateOnly(2035, 1, 15), status.CardExpires); // the 10th birthday after issuance (the first is 2026-01-15)
        Assert.Equal(new DateOnly(2030, 1, 15), status.UserCertificate!.Expires);
        Assert.Equal(status.UserCertificate.Expires, status.SigningCertificate!.Expires);
        Assert.Equal(CertificateStatus.Good, status.UserCertificate.Status);
        Assert.Equal(CertificateStatus.Good, status.SigningCertificate.Status);
        Assert.Equal(["applied", "issued", "handed-over"], status.Events.Select(e => e.Event));
        var handover = status.Events.Last();
        Assert.Equal("shinagawa-clerk-07", handover.Operator);
        Assert.Contains("\"document\":\"driversLicence\"", handover.Detail);
        Assert.Contains("\"notificationCardCollected\":true", handover.Detail);

        // The card holds certificates for its own keys, and the number and facts signed by J-LIS.
        Assert.Equal(status.UserCertificate.SerialNumber, card.Certificate(CardPinKind.UserAuthentication)!.SerialNumber);
        var textEntry = card.ReadTextEntrySupport(CardHarness.Pin(CardPinKind.TextEntrySupport, CardHarness.TextPin));
        Assert.Equal(holder.IndividualNumber, textEntry.IndividualNumber);
        var keys = await h.Cards.KeysAsync();
        using var jlisKey = ECDsa.Create();
        jlisKey.ImportSubjectPublicKeyInfo(Convert.FromBase64String(keys.DataSigningKey), out _);
        Assert.True(textEntry.Verify(jlisKey));

        // The holder's number finds the same card.
        Assert.Equal(card.Number, (await h.Cards.StatusAsync(new CardStatusRequest(null, holder.IndividualNumber))).CardNumber);
    }

    [Theory]
    [MemberData(nameof(Renkei.TestSupport.TestDatabase.Providers), MemberType = typeof(Renkei.TestSupport.TestDatabase))]
    public async Task Suspension_by_phone_puts_certificates_on_hold_and_resumption_at_the_counter_makes_them_good(string provider)
    {
        await using var h = await CardHarness.StartAsync(provider);
        var (holder, card) = await h.IssueCardAsync(Adult);
        h.Clock.Now = new DateTimeOffset(2026, 3, 1, 3, 12, 0, TimeSpan.FromHours(9)); // 3:12 at night

        var suspended = await h.Cards.SuspendAsync(new SuspendCardRequest(Guid.NewGuid(), null, holder.IndividualNumber,
            SuspensionReason.Lost, SuspensionChannel.Phone, "call-centre-03"));

        Assert.Equal(CardState.Suspended, suspended.State);
        foreach (var kind in new[] { JpkiCertificateKind.UserAuthentication, JpkiCertificateKind.Signing })
        {
            var serial = kind == JpkiCertificateKind.Signing ? suspended.SigningCertificate!.SerialNumber : suspended.UserCertificate!.SerialNumber;
            Assert.Equal(CertificateStatus.Suspended, (await h.Pki.StatusAsync(new CertificateStatusRequest(kind, serial))).Status);
        }
        Assert.Equal("call-centre-03", suspended.Events.Last().Operator);

        var refused = await Assert.ThrowsAsync<JlisException>(() => h.Cards.ResumeAsync(new ResumeCardRequest(Guid.NewGuid(), card.Number, null, "clerk")));
        Assert.Equal("identity-check-required", refused.Code);

        var resumed = await h.Cards.ResumeAsync(new ResumeCardRequest(Guid.NewGuid(), card.Number, CardHarness.Identity, "shinagawa-clerk-07"));

        Assert.Equal(CardState.Active, resumed.State);
        Assert.Equal(CertificateStatus.Good, (await h.Pki.StatusAsync(new CertificateStatusRequest(JpkiCertificateKind.UserAuthentication,
            resumed.UserCertificate!.SerialNumber))).Status);
        Assert.Equal(CertificateStatus.Good, resumed.SigningCertificate!.Status);
    }

    [Theory]
    [MemberData(nameof(Renkei.TestSupport.TestDatabase.Providers), MemberType = typeof(Renkei.TestSupport.TestDatabase))]
    public async Task Address_change_revokes_the_signing_certificate_only_and_rewrites_the_card(string provider)
    {
        await using var h = await CardHarness.StartAsync(provider);
        var (_, card) = await h.IssueCardAsync(Adult);
        var before = await h.Cards.StatusAsync(new CardStatusRequest(card.Number, null));
        var textPin = CardHarness.Pin(CardPinKind.TextEntrySupport, CardHarness.TextPin);

        var answer = await h.Counter.ChangeFactsAsync(card, "番号 花子", "東京都品川区大井一丁目14番1号", textPin, null, CardHarness.Identity);

        Assert.Equal(CertificateStatus.Revoked, h.Authority.Status(JpkiCertificateKind.Signing, before.SigningCertificate!.SerialNumber));
        Assert.Equal(CertificateStatus.Good, h.Authority.Status(JpkiCertificateKind.UserAuthentication, before.UserCertificate!.SerialNumber));
        Assert.Null(answer.Card.SigningCertificate);
        Assert.Equal(before.UserCertificate.SerialNumber, answer.Card.UserCertificate!.SerialNumber);
        Assert.Equal("東京都品川区大井一丁目14番1号", card.Face.Address);
        Assert.Equal("東京都品川区大井一丁目14番1号", card.ReadTextEntrySupport(textPin).Address);

        // A new signing certificate with the new facts, ending with the user certificate.
        var renewed = await h.Counter.RenewCertificatesAsync(card, null, CardHarness.Pin(CardPinKind.Signing, "NEWSIGN1"), CardHarness.Identity);
        Assert.Equal(CertificateStatus.Good, renewed.Card.SigningCertificate!.Status);
        Assert.Equal(renewed.Card.UserCertificate!.Expires, renewed.Card.SigningCertificate.Expires);
        Assert.NotEmpty(card.Sign(CardHarness.Pin(CardPinKind.Signing, "NEWSIGN1"), "申請書"u8));
    }

    [Theory]
    [MemberData(nameof(Renkei.TestSupport.TestDatabase.Providers), MemberType = typeof(Renkei.TestSupport.TestDatabase))]
    public async Task Death_revokes_both_certificates_and_ends_the_card(string provider)
    {
        await using var h = await CardHarness.StartAsync(provider);
        var (holder, card) = await h.IssueCardAsync(Adult);

        var ended = await h.Cards.RevokeAsync(new RevokeCardRequest(Guid.NewGuid(), null, holder.IndividualNumber, CardRevocationReason.Death, "shinagawa-clerk-07"));

        Assert.Equal(CardState.Ended, ended.State);
        Assert.Equal(CardEndReason.Death, ended.EndReason);
        Assert.Equal(CertificateStatus.Revoked, ended.UserCertificate!.Status);
        Assert.Equal(CertificateStatus.Revoked, ended.SigningCertificate!.Status);
        var refused = await Assert.ThrowsAsync<JlisException>(() => h.Cards.SuspendAsync(new SuspendCardRequest(Guid.NewGuid(), card.Number, null,
            SuspensionReason.Lost, SuspensionChannel.Phone, "call-centre-03")));
        Assert.Equal("card-ended", refused.Code);
    }

    [Theory]
    [MemberData(nameof(Renkei.TestSupport.TestDatabase.Providers), MemberType = typeof(Renkei.TestSupport.TestDatabase))]
    public async Task Departure_abroad_also_ends_a_card_still_waiting_for_handover(string provider)
    {
        await using var h = await CardHarness.StartAsync(provider);
        var holder = h.NewHolder(Adult);
        var application = await h.Cards.ApplyAsync(new CardApplicationRequest(Guid.NewGuid(), holder.Municipality, holder.IndividualNumber,
            holder.Name, holder.Address, holder.BirthDate, holder.Sex, CardApplicationChannel.Online, "online"));
        var issued = await h.Cards.IssueAsync(new IssueCardRequest(Guid.NewGuid(), application.ApplicationId, "jlis-issuance"));
        Assert.Equal(CardState.AwaitingHandover, issued.State);

        var ended = await h.Cards.RevokeAsync(new RevokeCardRequest(Guid.NewGuid(), null, holder.IndividualNumber, CardRevocationReason.DepartureAbroad, "clerk"));

        Assert.Equal(CardEndReason.DepartureAbroad, ended.EndReason);
        var refused = await Assert.ThrowsAsync<JlisException>(() => h.Cards.HandoverDataAsync(new HandoverDataRequest(issued.CardNumber)));
        Assert.Equal("card-ended", refused.Code);
    }

    [Theory]
    [MemberData(nameof(Renkei.TestSupport.TestDatabase.Providers), MemberType = typeof(Renkei.TestSupport.TestDatabase))]
    public async Task Under_15_the_card_gets_no_signing_certificate(string provider)
    {
        await using var h = await CardHarness.StartAsync(provider);
        var child = h.NewHolder(new DateOnly(2015, 6, 1));
        var application = await h.Cards.ApplyAsync(new CardApplicationRequest(Guid.NewGuid(), child.Municipality, child.IndividualNumber,
            child.Name, child.Address, child.BirthDate, child.Sex, CardApplicationChannel.NotificationLetter, "clerk"));
        var issued = await h.Cards.IssueAsync(new IssueCardRequest(Guid.NewGuid(), application.ApplicationId, "jlis-issuance"));
        Assert.Equal(new DateOnly(2030, 6, 1), issued.CardExpires); // a minor: the 5th birthday

        var data = await h.Cards.HandoverDataAsync(new HandoverDataRequest(issued.CardNumber));
        Assert.False(data.SigningCertificateAllowed);
        using var key = RSA.Create(2048);
        var refused = await Assert.ThrowsAsync<JlisException>(() => h.Cards.HandoverAsync(new HandoverRequest(Guid.NewGuid(), issued.CardNumber,
            CardHarness.Identity, true, Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()), Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()), "clerk")));
        Assert.Equal("signing-under-15", refused.Code);

        var card = await h.Counter.HandOverAsync(issued.CardNumber, h.CardFile("child"), CardHarness.Pins(), CardHarness.Identity, true);

        Assert.False(card.Has(CardPinKind.Signing));
        var status = await h.Cards.StatusAsync(new CardStatusRequest(card.Number, null));
        Assert.Null(status.SigningCertificate);
        Assert.Equal(new DateOnly(2030, 6, 1), status.UserCertificate!.Expires);
    }

    [Theory]
    [MemberData(nameof(Renkei.TestSupport.TestDatabase.Providers), MemberType = typeof(Renkei.TestSupport.TestDatabase))]
    public async Task Counter_unlock_is_refused_without_an_identity_check_and_works_with_one(string provider)
    {
        await using var h = await CardHarness.StartAsync(provider);
        var (_, card) = await h.IssueCardAsync(Adult);
        for (var i = 0; i < 3; i++)
            Assert.Throws<CardPinException>(() => card.Sign(CardHarness.Pin(CardPinKind.UserAuthentication, "0000"), "login"u8));
        Assert.True(card.IsLocked(CardPinKind.UserAuthentication));

        var refused = await Assert.ThrowsAsync<JlisException>(() =>
            h.Counter.UnlockAsync(card, CardHarness.Pin(CardPinKind.UserAuthentication, "2580"), identity: null));
        Assert.Equal("identity-check-required", refused.Code);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.True(card.IsLocked(CardPinKind.UserAuthentication));
        Assert.DoesNotContain((await h.Cards.StatusAsync(new CardStatusRequest(card.Number, null))).Events, e => e.Event == "pin-unlocked");

        await h.Counter.UnlockAsync(card, CardHarness.Pin(CardPinKind.UserAuthentication, "2580"), CardHarness.Identity);

        Assert.False(card.IsLocked(CardPinKind.UserAuthentication));
        Assert.NotEmpty(card.Sign(CardHarness.Pin(CardPinKind.UserAuthentication, "2580"), "login"u8));
        var unlocked = (await h.Cards.StatusAsync(new CardStatusRequest(card.Number, null))).Events.Last();
        Assert.Equal("pin-unlocked", unlocked.Event);
        Assert.Contains("user-authentication", unlocked.Detail);
        Assert.Contains("shinagawa-clerk-07", unlocked.Detail);
    }

    [Theory]
    [MemberData(nameof(Renkei.TestSupport.TestDatabase.Providers), MemberType = typeof(Renkei.TestSupport.TestDatabase))]
    public async Task Another_cards_unlock_request_is_refused(string provider)
    {
        await using var h = await CardHarness.StartAsync(provider);
        var (_, first) = await h.IssueCardAsync(Adult, "first");
        var (_, second) = await h.IssueCardAsync(Adult, "second");

        var refused = await Assert.ThrowsAsync<JlisException>(() => h.Cards.UnlockAsync(new UnlockPinRequest(Guid.NewGuid(), second.Number,
            CardPinKind.UserAuthentication, first.UnlockRequest(CardPinKind.UserAuthentication), CardHarness.Identity, "clerk")));

        Assert.Equal("unlock-request-invalid", refused.Code);
    }

    [Theory]
    [MemberData(nameof(Renkei.TestSupport.TestDatabase.Providers), MemberType = typeof(Renkei.TestSupport.TestDatabase))]
    public async Task Renewal_opens_three_months_before_expiry_and_replaces_the_old_card(string provider)
    {
        await using var h = await CardHarness.StartAsync(provider);
        var (holder, oldCard) = await h.IssueCardAsync(Adult, "old");
        var old = await h.Cards.StatusAsync(new CardStatusRequest(oldCard.Number, null));
        Assert.Equal(new DateOnly(2034, 10, 15), old.RenewalFrom);
        CardApplicationRequest Apply() => new(Guid.NewGuid(), holder.Municipality, holder.IndividualNumber, holder.Name, holder.Address,
            holder.BirthDate, holder.Sex, CardApplicationChannel.Counter, "clerk");

        // The certificates first, at their 5th birthday: renewable from 3 months before, counted from the old expiry.
        var userPin = CardHarness.Pin(CardPinKind.UserAuthentication, "1470");
        var signingPin = CardHarness.Pin(CardPinKind.Signing, "FIVEYEARS5");
        h.Clock.Now = new DateTimeOffset(2029, 10, 14, 12, 0, 0, TimeSpan.FromHours(9));
        Assert.Equal("certificate-not-renewable-yet", (await Assert.ThrowsAsync<JlisException>(() =>
            h.Counter.RenewCertificatesAsync(oldCard, userPin, signingPin, CardHarness.Identity))).Code);
        h.Clock.Now = new DateTimeOffset(2029, 11, 1, 12, 0, 0, TimeSpan.FromHours(9));
        var renewedCertificates = await h.Counter.RenewCertificatesAsync(oldCard, userPin, signingPin, CardHarness.Identity);
        Assert.Equal(new DateOnly(2035, 1, 15), renewedCertificates.Card.UserCertificate!.Expires); // 5 years from 2030-01-15, not past the card
        Assert.Equal(CertificateStatus.Revoked, h.Authority.Status(JpkiCertificateKind.UserAuthentication, old.UserCertificate!.SerialNumber));
        Assert.NotEmpty(oldCard.Sign(userPin, "login"u8));

        // Then the card.
        h.Clock.Now = new DateTimeOffset(2034, 10, 14, 12, 0, 0, TimeSpan.FromHours(9));
        Assert.Equal("card-still-valid", (await Assert.ThrowsAsync<JlisException>(() => h.Cards.ApplyAsync(Apply()))).Code);

        h.Clock.Now = new DateTimeOffset(2034, 11, 1, 12, 0, 0, TimeSpan.FromHours(9));
        var application = await h.Cards.ApplyAsync(Apply());
        Assert.Equal(CardApplicationKind.Renewal, application.Kind);
        var issued = await h.Cards.IssueAsync(new IssueCardRequest(Guid.NewGuid(), application.ApplicationId, "jlis-issuance"));
        Assert.Equal(new DateOnly(2045, 1, 15), issued.CardExpires); // counted from the old card's expiry

        var newCard = await h.Counter.HandOverAsync(issued.CardNumber, h.CardFile("new"), CardHarness.Pins(), CardHarness.Identity, false);

        var replaced = await h.Cards.StatusAsync(new CardStatusRequest(oldCard.Number, null));
        Assert.Equal(CardState.Ended, replaced.State);
        Assert.Equal(CardEndReason.Replaced, replaced.EndReason);
        Assert.Equal(CertificateStatus.Revoked, replaced.UserCertificate!.Status);
        var current = await h.Cards.StatusAsync(new CardStatusRequest(null, holder.IndividualNumber));
        Assert.Equal(newCard.Number, current.CardNumber);
        Assert.Equal(new DateOnly(2040, 1, 15), current.UserCertificate!.Expires);
    }

    [Theory]
    [MemberData(nameof(Renkei.TestSupport.TestDatabase.Providers), MemberType = typeof(Renkei.TestSupport.TestDatabase))]
    public async Task A_lost_card_is_reissued_after_suspension(string provider)
    {
        await using var h = await CardHarness.StartAsync(provider);
        var (holder, lost) = await h.IssueCardAsync(Adult, "lost");
        await h.Cards.SuspendAsync(new SuspendCardRequest(Guid.NewGuid(), lost.Number, null, SuspensionReason.Lost, SuspensionChannel.Phone, "call-centre"));

        var application = await h.Cards.ApplyAsync(new CardApplicationRequest(Guid.NewGuid(), holder.Municipality, holder.IndividualNumber,
            holder.Name, holder.Address, holder.BirthDate, holder.Sex, CardApplicationChannel.Counter, "clerk"));
        Assert.Equal(CardApplicationKind.Reissue, application.Kind);
        var issued = await h.Cards.IssueAsync(new IssueCardRequest(Guid.NewGuid(), application.ApplicationId, "jlis-issuance"));
        await h.Counter.HandOverAsync(issued.CardNumber, h.CardFile("reissued"), CardHarness.Pins(), CardHarness.Identity, false);

        var old = await h.Cards.StatusAsync(new CardStatusRequest(lost.Number, null));
        Assert.Equal(CardState.Ended, old.State);
        Assert.Equal(CertificateStatus.Revoked, old.SigningCertificate!.Status);
    }

    [Theory]
    [MemberData(nameof(Renkei.TestSupport.TestDatabase.Providers), MemberType = typeof(Renkei.TestSupport.TestDatabase))]
    public async Task Requests_are_idempotent_by_request_id(string provider)
    {
        await using var h = await CardHarness.StartAsync(provider);
        var holder = h.NewHolder(Adult);
        var apply = new CardApplicationRequest(Guid.NewGuid(), holder.Municipality, holder.IndividualNumber, holder.Name, holder.Address,
            holder.BirthDate, holder.Sex, CardApplicationChannel.NotificationLetter, "clerk");

        var first = await h.Cards.ApplyAsync(apply);
        var again = await h.Cards.ApplyAsync(apply);
        Assert.Equal(first, again);
        Assert.Equal("request-id-reused", (await Assert.ThrowsAsync<JlisException>(() =>
            h.Cards.ApplyAsync(apply with { Address = "東京都大田区蒲田五丁目13番14号" }))).Code);
        Assert.Equal("application-pending", (await Assert.ThrowsAsync<JlisException>(() =>
            h.Cards.ApplyAsync(apply with { RequestId = Guid.NewGuid() }))).Code);

        var issue = new IssueCardRequest(Guid.NewGuid(), first.ApplicationId, "jlis-issuance");
        var issued = await h.Cards.IssueAsync(issue);
        Assert.Equal(issued.CardNumber, (await h.Cards.IssueAsync(issue)).CardNumber);

        using var key = RSA.Create(2048);
        var handover = new HandoverRequest(Guid.NewGuid(), issued.CardNumber, CardHarness.Identity, true,
            Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()), null, "clerk");
        var handed = await h.Cards.HandoverAsync(handover);
        var retried = await h.Cards.HandoverAsync(handover);
        Assert.Equal(handed.UserCertificate, retried.UserCertificate);
        Assert.Equal(1, h.Authority.Counts()[(JpkiCertificateKind.UserAuthentication, CertificateStatus.Good)]);

        var suspend = new SuspendCardRequest(Guid.NewGuid(), issued.CardNumber, null, SuspensionReason.Stolen, SuspensionChannel.Phone, "call-centre");
        await h.Cards.SuspendAsync(suspend);
        await h.Cards.SuspendAsync(suspend);
        Assert.Single((await h.Cards.StatusAsync(new CardStatusRequest(issued.CardNumber, null))).Events, e => e.Event == "suspended");
    }

    [Theory]
    [MemberData(nameof(Renkei.TestSupport.TestDatabase.Providers), MemberType = typeof(Renkei.TestSupport.TestDatabase))]
    public async Task Bad_requests_are_refused_with_stable_codes_and_no_personal_values(string provider)
    {
        await using var h = await CardHarness.StartAsync(provider);
        var holder = h.NewHolder(Adult);
        var stranger = Renkei.Core.Numbers.IndividualNumber.FromBody(12_345_678_901);

        var unknown = await Assert.ThrowsAsync<JlisException>(() => h.Cards.ApplyAsync(new CardApplicationRequest(Guid.NewGuid(), holder.Municipality,
            stranger, holder.Name, holder.Address, holder.BirthDate, holder.Sex, CardApplicationChannel.Online, "online")));
        Assert.Equal("number-not-current", unknown.Code);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.DoesNotContain(stranger.Digits, unknown.Message);

        var noName = await Assert.ThrowsAsync<JlisException>(() => h.Cards.ApplyAsync(new CardApplicationRequest(Guid.NewGuid(), holder.Municipality,
            holder.IndividualNumber, " ", holder.Address, holder.BirthDate, holder.Sex, CardApplicationChannel.Online, "online")));
        Assert.Equal("invalid-name", noName.Code);

        using var malformed = await h.Http.PostAsync(CardRoutes.Suspend, new StringContent("{\"requestId\":", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        using var badNumber = await h.Http.PostAsJsonAsync(CardRoutes.Status, new { cardNumber = "IIII" }, JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.BadRequest, badNumber.StatusCode);
        Assert.Contains("カード番号", await badNumber.Content.ReadAsStringAsync());

        var missing = await Assert.ThrowsAsync<JlisException>(() => h.Cards.StatusAsync(new CardStatusRequest(CardNumber.NewRandom(), null)));
        Assert.Equal("card-not-found", missing.Code);
    }

    [Theory]
    [MemberData(nameof(Renkei.TestSupport.TestDatabase.Providers), MemberType = typeof(Renkei.TestSupport.TestDatabase))]
    public async Task Card_tables_hold_no_number_and_no_pin(string provider)
    {
        await using var h = await CardHarness.StartAsync(provider);
        var (holder, card) = await h.IssueCardAsync(Adult);
        for (var i = 0; i < 3; i++) Assert.Throws<CardPinException>(() => card.VerifyPin(CardHarness.Pin(CardPinKind.UserAuthentication, "9876")));
        await h.Counter.UnlockAsync(card, CardHarness.Pin(CardPinKind.UserAuthentication, "6543"), CardHarness.Identity);
        await h.Counter.ChangeFactsAsync(card, holder.Name, "東京都品川区北品川三丁目11番22号", CardHarness.Pin(CardPinKind.TextEntrySupport, CardHarness.TextPin),
            null, CardHarness.Identity);

        var stored = h.DumpCardTables();

        Assert.Contains(card.Number.Text, stored);
        Assert.DoesNotContain(holder.IndividualNumber.Digits, stored);
        Assert.DoesNotContain(CardHarness.SigningPin, stored); // four-digit PINs never reach J-LIS either: the counter sends keys, not PINs
        Assert.DoesNotContain(card.UnlockRequest(CardPinKind.UserAuthentication).Ciphertext, stored);
        Assert.Contains("\"dataKey\":\"\"", stored); // the unlock's request record keeps no key
    }
}

public class CardBatchTests
{
    [Theory]
    [MemberData(nameof(Renkei.TestSupport.TestDatabase.Providers), MemberType = typeof(Renkei.TestSupport.TestDatabase))]
    public async Task The_demo_call_issues_a_card_file_per_holder(string provider)
    {
        await using var h = await CardHarness.StartAsync(provider);
        var holders = new[] { h.NewHolder(new DateOnly(1950, 3, 3)), h.NewHolder(new DateOnly(2016, 7, 7), "番号 次郎") };
        var files = new Dictionary<CardHolderFacts, SoftwareCardFile>();
        var progress = new List<int>();

        var numbers = await h.Counter.IssueNewCardsAsync(holders, holder => files[holder] = h.CardFile("demo-" + files.Count),
            CardHarness.Pins(), CardHarness.Identity, new SynchronousProgress(progress));

        Assert.Equal(2, numbers.Distinct().Count());
        Assert.Equal([1, 2], progress);
        var adult = Renkei.Core.Cards.SoftwareCard.Open(files[holders[0]]);
        var child = Renkei.Core.Cards.SoftwareCard.Open(files[holders[1]]);
        Assert.Equal(numbers[0], adult.Number);
        Assert.True(adult.Has(Renkei.Core.Cards.CardPinKind.Signing));
        Assert.False(child.Has(Renkei.Core.Cards.CardPinKind.Signing)); // 9 years old: the signing PIN is not used
        Assert.NotNull(child.Certificate(Renkei.Core.Cards.CardPinKind.UserAuthentication));
        Assert.Equal(holders[1].IndividualNumber,
            child.ReadTextEntrySupport(CardHarness.Pin(Renkei.Core.Cards.CardPinKind.TextEntrySupport, CardHarness.TextPin)).IndividualNumber);
    }

    [Theory]
    [MemberData(nameof(Renkei.TestSupport.TestDatabase.Providers), MemberType = typeof(Renkei.TestSupport.TestDatabase))]
    public async Task A_new_card_after_expiry_replaces_the_expired_one(string provider)
    {
        await using var h = await CardHarness.StartAsync(provider);
        var (holder, old) = await h.IssueCardAsync(new DateOnly(1980, 1, 15), "expired");
        h.Clock.Now = new DateTimeOffset(2035, 3, 1, 12, 0, 0, TimeSpan.FromHours(9)); // the card ended on 2035-01-15

        var application = await h.Cards.ApplyAsync(new CardApplicationRequest(Guid.NewGuid(), holder.Municipality, holder.IndividualNumber,
            holder.Name, holder.Address, holder.BirthDate, holder.Sex, CardApplicationChannel.Online, "online"));
        Assert.Equal(CardApplicationKind.New, application.Kind);
        Assert.True((await h.Cards.StatusAsync(new CardStatusRequest(old.Number, null))).Expired);
        var issued = await h.Cards.IssueAsync(new IssueCardRequest(Guid.NewGuid(), application.ApplicationId, "jlis-issuance"));
        Assert.Equal(new DateOnly(2045, 1, 15), issued.CardExpires);
        await h.Counter.HandOverAsync(issued.CardNumber, h.CardFile("fresh"), CardHarness.Pins(), CardHarness.Identity, false);

        Assert.Equal(CardEndReason.Replaced, (await h.Cards.StatusAsync(new CardStatusRequest(old.Number, null))).EndReason);
        Assert.Equal(issued.CardNumber, (await h.Cards.StatusAsync(new CardStatusRequest(null, holder.IndividualNumber))).CardNumber);
    }

    private sealed class SynchronousProgress(List<int> values) : IProgress<int>
    {
        public void Report(int value) => values.Add(value);
    }
}
