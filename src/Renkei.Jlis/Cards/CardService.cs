using System.Data.Common;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Renkei.Core.Cards;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Numbering;
using Renkei.Jlis.Pki;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Cards;

/// <summary>
/// J-LIS's card management (個人番号カード管理, seed 001: 全市町村が機構へ委託): applications, card issuance, handover at the
/// counter, suspension by phone at any hour (一時停止) and resumption, revocation (death, departure abroad, surrender,
/// loss), counter PIN unlocks, changes of name or address, and certificate renewal. Validity follows
/// <see cref="CardValidity"/>; certificates come from <see cref="JpkiAuthority"/>.
/// <para>
/// Every operation that changes something is idempotent by request ID and recorded (card_events) with J-LIS's time, the
/// operator and, where the holder had to be present, the identity check (who checked, which kind of document). Refusals
/// are <see cref="RefusalException"/>s with stable codes and messages that carry no personal value.
/// </para>
/// <para>
/// <b>Two stores, one order.</b> The certificate authority commits in its own transactions, the card records in
/// J-LIS's: certificates are issued, suspended or revoked first, then the card's record is written together with the
/// request record. A crash in between leaves certificates suspended or revoked rather than wrongly good (the retry with
/// the same request ID finishes the record; the CA's operations are idempotent towards their target state), and at
/// worst an issued certificate that no card record names, for a key only the half-made card holds.
/// </para>
/// "Today" is J-LIS's date in Japan (UTC+9); certificates end at 23:59:59 Japan time on their last day.
/// </summary>
public sealed class CardService
{
    /// <summary>The directory under <see cref="JpkiOptions.KeyDirectory"/> with J-LIS's card keys (see <see cref="LoadKeys"/>).</summary>
    public const string KeyDirectoryName = "cards";

    public const int MaxOperatorLength = 64;
    public const int MaxPhotoLength = 2_000_000;

    private static readonly TimeSpan JapanOffset = TimeSpan.FromHours(9);

    private readonly CardStore _store;
    private readonly NumberingService _numbering;
    private readonly JpkiAuthority _authority;
    private readonly InstitutionKeys _keys;
    private readonly TimeProvider _clock;

    /// <param name="keys">J-LIS's card keys: <see cref="InstitutionKeys.Signing"/> signs the text-entry-support data,
    /// <see cref="InstitutionKeys.Sealing"/> opens the data keys cards seal for counter unlocks. The caller owns them.</param>
    public CardService(Database database, NumberingService numbering, JpkiAuthority authority, InstitutionKeys keys, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _numbering = numbering ?? throw new ArgumentNullException(nameof(numbering));
        _authority = authority ?? throw new ArgumentNullException(nameof(authority));
        _keys = keys ?? throw new ArgumentNullException(nameof(keys));
        _clock = clock ?? TimeProvider.System;
        _store = new CardStore(database);
        _store.EnsureSchema();
    }

    /// <summary>
    /// J-LIS's card keys in <c>&lt;JPKI key directory&gt;/cards/</c>: <c>signing.key</c> (ECDSA P-256, signs the
    /// text-entry-support data) and <c>sealing.key</c> (ECDH P-256, the unlock key), PKCS#8 PEM, mode 600, made on first use.
    /// </summary>
    public static InstitutionKeys LoadKeys(JpkiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return InstitutionKeys.LoadOrCreate(Path.Combine(options.KeyDirectory, KeyDirectoryName));
    }

    /// <summary>J-LIS's date in Japan.</summary>
    public DateOnly Today => JapanDate(_clock.GetUtcNow());

    public CardKeysResponse Keys() => new(_keys.SigningPublicKey, _keys.SealingPublicKey);

    // ------------------------------------------------------------------ application and issuance

    /// <summary>
    /// Receives an application (交付申請). J-LIS finds the holder by the current number and decides what it is: a new card,
    /// a renewal (from 3 months before the current card's expiry) or a reissue (the current card suspended as lost).
    /// Refused while a card waits for handover, while an application is pending, or while the current card is valid and
    /// not yet renewable.
    /// </summary>
    public CardApplicationResponse Apply(CardApplicationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireId(request.RequestId);
        RequireOperator(request.Operator);
        var name = RequireName(request.Name);
        var address = RequireAddress(request.Address);
        RequireDefined(request.Sex, "sex");
        RequireDefined(request.Channel, "channel");
        if (request.BirthDate > Today || request.BirthDate.Year < 1870)
            throw RefusalException.BadRequest("invalid-birth-date", "birthDate is in the future or implausibly early (生年月日が正しくありません)");
        var photo = RequirePhoto(request.Photo);
        var fingerprint = Fingerprint("apply", request.Municipality.Digits, request.IndividualNumber.Digits, name, address,
            CardStore.FormatDate(request.BirthDate), ((int)request.Sex).ToString(), request.Channel.ToString(), request.Operator, Hash(photo));
        if (Replay<CardApplicationResponse>(request.RequestId, "apply", fingerprint) is { } replay) return replay;
        var code = ResolveHolder(request.IndividualNumber);

        return Commit(request.RequestId, "apply", fingerprint, (c, t, now) =>
        {
            var today = JapanDate(now);
            if (_store.PendingApplications(c, t, code).Count > 0)
                throw RefusalException.Conflict("application-pending",
                    "an application for this person is already waiting to be issued (申請済みで発行待ちです)");
            var live = _store.LiveCards(c, t, code);
            if (live.Any(card => card.State == CardState.AwaitingHandover))
                throw RefusalException.Conflict("card-awaiting-handover",
                    "a card for this person is waiting to be handed over (交付待ちのカードがあります)");
            var current = live.FirstOrDefault(card => card.State is CardState.Active or CardState.Suspended);
            CardApplicationKind kind;
            if (current is null || current.CardExpires < today) kind = CardApplicationKind.New;
            else if (current.State == CardState.Suspended) kind = CardApplicationKind.Reissue;
            else if (today >= CardValidity.RenewalStart(current.CardExpires)) kind = CardApplicationKind.Renewal;
            else
                throw RefusalException.Conflict("card-still-valid",
                    $"the current card may be renewed from {CardStore.FormatDate(CardValidity.RenewalStart(current.CardExpires))} (更新期間前です)");

            var row = new CardApplicationRow(Guid.NewGuid(), code, request.Municipality, name, address, request.BirthDate, request.Sex, photo,
                request.Channel, kind, current?.CardNumber, null, now); // an expired card is replaced too: it ends at the new card's handover
            _store.InsertApplication(c, t, row);
            _store.AddEvent(c, t, null, row.ApplicationId, "applied", now, request.Operator,
                Detail(new { channel = request.Channel, kind, replaces = row.ReplacesCard?.Text }), request.RequestId);
            return new CardApplicationResponse(row.ApplicationId, kind, now);
        });
    }

    /// <summary>
    /// Issues the card for an application (カード発行): a new card number, the face data and the validity from today
    /// (a renewal inside its window counts from the old card's expiry). The card then waits for handover.
    /// </summary>
    public CardStatusResponse Issue(IssueCardRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireId(request.RequestId);
        RequireOperator(request.Operator);
        var fingerprint = Fingerprint("issue", request.ApplicationId.ToString("D"), request.Operator);
        if (Replay<CardStatusResponse>(request.RequestId, "issue", fingerprint) is { } replay) return replay;

        return Commit(request.RequestId, "issue", fingerprint, (c, t, now) =>
        {
            var application = _store.FindApplication(c, t, request.ApplicationId)
                ?? throw NotFound("application-not-found", "there is no such application (申請がありません)");
            if (application.IssuedCard is not null)
                throw RefusalException.Conflict("application-already-issued", "a card was already issued for this application (発行済みです)");
            var today = JapanDate(now);
            var previous = application.ReplacesCard is { } replaced ? _store.FindCard(c, t, replaced) : null;
            CardValidity validity;
            try
            {
                validity = application.Kind == CardApplicationKind.Renewal && previous is not null
                    ? CardValidity.ForRenewal(application.BirthDate, today, previous.CardExpires)
                    : CardValidity.Compute(application.BirthDate, today);
            }
            catch (CardRuleException rule)
            {
                throw RefusalException.BadRequest(rule.Code, rule.Message);
            }

            CardNumber number;
            do number = CardNumber.NewRandom(); while (_store.FindCard(c, t, number) is not null);
            var card = new CardRow(number, application.ApplicationId, application.ResidentCode, application.Municipality, application.Name,
                application.Address, application.BirthDate, application.Sex, application.Photo, today, validity.CardExpires,
                CardState.AwaitingHandover, null, null, null, null, null, null, application.ReplacesCard);
            _store.InsertCard(c, t, card);
            if (!_store.MarkApplicationIssued(c, t, application.ApplicationId, number))
                throw RefusalException.Conflict("application-already-issued", "a card was already issued for this application (発行済みです)");
            _store.AddEvent(c, t, number, null, "issued", now, request.Operator, Detail(new { kind = application.Kind }), request.RequestId);
            return StatusOf(c, t, card, today);
        });
    }

    // ------------------------------------------------------------------ handover

    /// <summary>What the counter terminal writes to the chip: face, signed text-entry-support data, resident-record code, unlock key. Reads only.</summary>
    public HandoverDataResponse HandoverData(HandoverDataRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var c = _store.Database.Open();
        var card = _store.FindCard(c, null, request.CardNumber) ?? throw NoSuchCard();
        var today = Today;
        RequireState(card, CardState.AwaitingHandover);
        RequireNotExpired(card, today);
        var textEntry = SignTextEntry(card);
        return new HandoverDataResponse(card.CardNumber, card.Face, textEntry, card.ResidentCode,
            CardValidity.AgeOn(card.BirthDate, today) >= CardValidity.SigningCertificateMinimumAge, _keys.SealingPublicKey);
    }

    /// <summary>
    /// Handover at the counter (交付): records the identity check and whether the notification card was collected,
    /// certifies the card's public keys (no signing certificate under 15) and activates the card. A renewed or reissued
    /// card replaces the old one: its certificates are revoked (superseded) and it ends.
    /// </summary>
    public CertificatesResponse Handover(HandoverRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireId(request.RequestId);
        RequireOperator(request.Operator);
        var identity = RequireIdentityCheck(request.IdentityCheck);
        using var userKey = ImportKey(request.UserPublicKey, "userPublicKey");
        using var signingKey = request.SigningPublicKey is null ? null : ImportKey(request.SigningPublicKey, "signingPublicKey");
        var fingerprint = Fingerprint("handover", request.CardNumber.Text, IdentityText(identity), request.NotificationCardCollected.ToString(),
            request.UserPublicKey, request.SigningPublicKey ?? "", request.Operator);
        if (Replay<CertificatesResponse>(request.RequestId, "handover", fingerprint) is { } replay) return replay;

        var card = Find(request.CardNumber);
        var today = Today;
        RequireState(card, CardState.AwaitingHandover);
        RequireNotExpired(card, today);
        if (signingKey is not null && CardValidity.AgeOn(card.BirthDate, today) < CardValidity.SigningCertificateMinimumAge)
            throw RefusalException.BadRequest("signing-under-15",
                "no signing certificate is issued to a holder under 15 (15歳未満には署名用電子証明書を発行しません)");
        CardRow? previous = null;
        DateOnly? previousUserExpires = null;
        if (card.ReplacesCard is { } replaced)
        {
            previous = Find(replaced);
            using var c = _store.Database.Open();
            if (_store.FindApplication(c, null, card.ApplicationId)?.Kind == CardApplicationKind.Renewal) previousUserExpires = previous.UserExpires;
        }
        var (userExpires, signingExpires) = CardValidity.Certificates(card.BirthDate, today, card.CardExpires, previousUserExpires);

        var issued = new List<(JpkiCertificateKind Kind, X509Certificate2 Certificate)>();
        try
        {
            issued.Add((JpkiCertificateKind.UserAuthentication, _authority.IssueUserCertificate(userKey, EndOfDay(userExpires))));
            if (signingKey is not null)
                issued.Add((JpkiCertificateKind.Signing, _authority.IssueSigningCertificate(Subject(card), signingKey, EndOfDay(signingExpires!.Value))));
        }
        catch
        {
            Undo(issued);
            throw;
        }
        var user = issued[0].Certificate;
        var signing = signingKey is null ? null : issued[1].Certificate;
        if (previous is not null) RevokeCertificates(previous, X509RevocationReason.Superseded);

        return Commit(request.RequestId, "handover", fingerprint, (c, t, now) =>
        {
            var current = _store.FindCard(c, t, card.CardNumber)!;
            RequireState(current, CardState.AwaitingHandover);
            var active = current with
            {
                State = CardState.Active,
                UserSerial = Serial(user),
                UserExpires = userExpires,
                SigningSerial = signing is null ? null : Serial(signing),
                SigningExpires = signing is null ? null : signingExpires,
                HandedOverAt = now,
            };
            if (!_store.UpdateCard(c, t, active, CardState.AwaitingHandover)) throw ConcurrentChange();
            if (previous is not null && _store.FindCard(c, t, previous.CardNumber) is { State: not CardState.Ended } old)
            {
                _store.UpdateCard(c, t, old with { State = CardState.Ended, EndReason = CardEndReason.Replaced }, old.State);
                _store.AddEvent(c, t, old.CardNumber, null, "replaced", now, request.Operator, Detail(new { by = card.CardNumber.Text }), request.RequestId);
            }
            _store.AddEvent(c, t, card.CardNumber, null, "handed-over", now, request.Operator, Detail(new
            {
                identityCheck = identity,
                notificationCardCollected = request.NotificationCardCollected,
                userCertificate = active.UserSerial,
                signingCertificate = active.SigningSerial,
            }), request.RequestId);
            return new CertificatesResponse(StatusOf(c, t, active, JapanDate(now)), Convert.ToBase64String(user.RawData),
                signing is null ? null : Convert.ToBase64String(signing.RawData));
        }, () => Undo(issued));
    }

    // ------------------------------------------------------------------ suspension, resumption, revocation

    /// <summary>
    /// Suspends the card (一時停止) at any hour, e.g. reported lost by phone: both certificates are put on hold
    /// (certificateHold). Suspending a suspended card only records the call.
    /// </summary>
    public CardStatusResponse Suspend(SuspendCardRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireId(request.RequestId);
        RequireOperator(request.Operator);
        RequireDefined(request.Reason, "reason");
        RequireDefined(request.Channel, "channel");
        var fingerprint = Fingerprint("suspend", request.CardNumber?.Text ?? "", request.IndividualNumber?.Digits ?? "", request.Reason.ToString(),
            request.Channel.ToString(), request.Operator);
        if (Replay<CardStatusResponse>(request.RequestId, "suspend", fingerprint) is { } replay) return replay;

        var card = HeldCard(request.CardNumber, request.IndividualNumber);
        RequireState(card, CardState.Active, CardState.Suspended);
        foreach (var (kind, serial) in Certificates(card))
            if (_authority.Status(kind, serial) is CertificateStatus.Good or CertificateStatus.Suspended) _authority.Suspend(kind, serial);

        return Commit(request.RequestId, "suspend", fingerprint, (c, t, now) =>
        {
            var current = _store.FindCard(c, t, card.CardNumber)!;
            RequireState(current, CardState.Active, CardState.Suspended);
            if (current.State == CardState.Active && !_store.UpdateCard(c, t, current = current with { State = CardState.Suspended }, CardState.Active))
                throw ConcurrentChange();
            _store.AddEvent(c, t, card.CardNumber, null, "suspended", now, request.Operator,
                Detail(new { reason = request.Reason, channel = request.Channel }), request.RequestId);
            return StatusOf(c, t, current, JapanDate(now));
        });
    }

    /// <summary>Lifts a suspension (一時停止解除) at the counter with the holder's identity checked: held certificates are good again.</summary>
    public CardStatusResponse Resume(ResumeCardRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireId(request.RequestId);
        RequireOperator(request.Operator);
        var identity = RequireIdentityCheck(request.IdentityCheck);
        var fingerprint = Fingerprint("resume", request.CardNumber.Text, IdentityText(identity), request.Operator);
        if (Replay<CardStatusResponse>(request.RequestId, "resume", fingerprint) is { } replay) return replay;

        var card = Find(request.CardNumber);
        RequireState(card, CardState.Suspended, CardState.Active);
        RequireNotExpired(card, Today);
        foreach (var (kind, serial) in Certificates(card))
            if (_authority.Status(kind, serial) == CertificateStatus.Suspended) _authority.Resume(kind, serial);

        return Commit(request.RequestId, "resume", fingerprint, (c, t, now) =>
        {
            var current = _store.FindCard(c, t, card.CardNumber)!;
            RequireState(current, CardState.Suspended, CardState.Active);
            if (current.State == CardState.Suspended && !_store.UpdateCard(c, t, current = current with { State = CardState.Active }, CardState.Suspended))
                throw ConcurrentChange();
            _store.AddEvent(c, t, card.CardNumber, null, "resumed", now, request.Operator, Detail(new { identityCheck = identity }), request.RequestId);
            return StatusOf(c, t, current, JapanDate(now));
        });
    }

    /// <summary>
    /// Ends a card and revokes its certificates: death (死亡) and departure abroad (国外転出) as the municipality reports
    /// them, surrender (返納), or loss for good. By number it ends every card of the holder that has not ended (also one
    /// waiting for handover). Ending an ended card is refused.
    /// </summary>
    public CardStatusResponse Revoke(RevokeCardRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireId(request.RequestId);
        RequireOperator(request.Operator);
        RequireDefined(request.Reason, "reason");
        var fingerprint = Fingerprint("revoke", request.CardNumber?.Text ?? "", request.IndividualNumber?.Digits ?? "", request.Reason.ToString(), request.Operator);
        if (Replay<CardStatusResponse>(request.RequestId, "revoke", fingerprint) is { } replay) return replay;

        List<CardRow> cards;
        if (request.CardNumber is { } number && request.IndividualNumber is null)
        {
            var card = Find(number);
            RequireState(card, CardState.AwaitingHandover, CardState.Active, CardState.Suspended);
            cards = [card];
        }
        else
        {
            using var c = _store.Database.Open();
            cards = _store.LiveCards(c, null, ResolveHolder(RequireLookup(request.CardNumber, request.IndividualNumber)));
            if (cards.Count == 0) throw NotFound("no-card", "this person has no card that has not ended (有効なカードがありません)");
        }
        var reason = request.Reason == CardRevocationReason.Lost ? X509RevocationReason.KeyCompromise : X509RevocationReason.CessationOfOperation;
        foreach (var card in cards) RevokeCertificates(card, reason);
        var endReason = request.Reason switch
        {
            CardRevocationReason.Death => CardEndReason.Death,
            CardRevocationReason.DepartureAbroad => CardEndReason.DepartureAbroad,
            CardRevocationReason.Surrendered => CardEndReason.Surrendered,
            _ => CardEndReason.Lost,
        };

        return Commit(request.RequestId, "revoke", fingerprint, (c, t, now) =>
        {
            CardStatusResponse? first = null;
            foreach (var card in cards)
            {
                var current = _store.FindCard(c, t, card.CardNumber)!;
                if (current.State == CardState.Ended) throw CardEnded();
                var ended = current with { State = CardState.Ended, EndReason = endReason };
                if (!_store.UpdateCard(c, t, ended, current.State)) throw ConcurrentChange();
                _store.AddEvent(c, t, card.CardNumber, null, "revoked", now, request.Operator, Detail(new { reason = request.Reason }), request.RequestId);
                first ??= StatusOf(c, t, ended, JapanDate(now));
            }
            return first!;
        });
    }

    // ------------------------------------------------------------------ PIN unlock

    /// <summary>
    /// Unlocks a locked PIN at the counter (暗証番号のロック解除): refused without a recorded identity check; opens the data
    /// key the card sealed to J-LIS for that application and card, and records who unlocked what.
    /// </summary>
    public UnlockPinResponse Unlock(UnlockPinRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireId(request.RequestId);
        RequireOperator(request.Operator);
        RequireDefined(request.PinKind, "pinKind");
        if (request.SealedKey is null) throw RefusalException.BadRequest("invalid-request", "sealedKey is missing (封緘された鍵がありません)");
        var identity = RequireIdentityCheck(request.IdentityCheck);
        var fingerprint = Fingerprint("unlock", request.CardNumber.Text, request.PinKind.ToString(), request.SealedKey.Canonical, IdentityText(identity),
            request.Operator);
        var card = Find(request.CardNumber);
        if (Replay<UnlockPinResponse>(request.RequestId, "unlock", fingerprint) is not null) return Open(card, request);

        RequireState(card, CardState.Active, CardState.Suspended);
        RequireNotExpired(card, Today);
        if (request.PinKind == CardPinKind.Signing && card.SigningSerial is null)
            throw RefusalException.Conflict("no-signing-certificate", "this card has no signing certificate (署名用電子証明書がありません)");
        var answer = Open(card, request);
        Commit(request.RequestId, "unlock", fingerprint, (c, t, now) =>
        {
            RequireState(_store.FindCard(c, t, card.CardNumber)!, CardState.Active, CardState.Suspended);
            _store.AddEvent(c, t, card.CardNumber, null, "pin-unlocked", now, request.Operator,
                Detail(new { pinKind = CardPinRules.Name(request.PinKind), identityCheck = identity }), request.RequestId);
            return answer with { DataKey = "" }; // the request record never holds the key: a retry opens it again
        });
        return answer;
    }

    private UnlockPinResponse Open(CardRow card, UnlockPinRequest request)
    {
        try
        {
            var key = MessageSealing.Open(_keys.Sealing, request.SealedKey, SoftwareCard.UnlockAssociatedData(card.CardNumber, request.PinKind));
            try
            {
                return new UnlockPinResponse(card.CardNumber, request.PinKind, Convert.ToBase64String(key));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }
        catch (CryptographicException)
        {
            throw RefusalException.BadRequest("unlock-request-invalid",
                "the sealed key was not made by this card for this PIN (この カードの解除要求ではありません)");
        }
    }

    // ------------------------------------------------------------------ changes of facts, certificates

    /// <summary>
    /// A change of name or address (記載事項の変更): the card's facts are updated, its signing certificate is revoked (its
    /// content changed) and the user certificate stays; with a new signing key a new signing certificate carries the new
    /// facts. Returns the new text-entry-support data for the chip.
    /// </summary>
    public ChangeFactsResponse ChangeFacts(ChangeFactsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireId(request.RequestId);
        RequireOperator(request.Operator);
        var identity = RequireIdentityCheck(request.IdentityCheck);
        var name = RequireName(request.Name);
        var address = RequireAddress(request.Address);
        using var signingKey = request.SigningPublicKey is null ? null : ImportKey(request.SigningPublicKey, "signingPublicKey");
        var fingerprint = Fingerprint("change-facts", request.CardNumber.Text, name, address, IdentityText(identity), request.SigningPublicKey ?? "",
            request.Operator);
        if (Replay<ChangeFactsResponse>(request.RequestId, "change-facts", fingerprint) is { } replay)
            return replay with { TextEntrySupport = SignTextEntry(Find(request.CardNumber)) };

        var card = Find(request.CardNumber);
        var today = Today;
        RequireState(card, CardState.Active);
        RequireNotExpired(card, today);
        if (signingKey is not null && CardValidity.AgeOn(card.BirthDate, today) < CardValidity.SigningCertificateMinimumAge)
            throw RefusalException.BadRequest("signing-under-15",
                "no signing certificate is issued to a holder under 15 (15歳未満には署名用電子証明書を発行しません)");
        if (signingKey is not null && (card.UserExpires is not { } userExpires || userExpires < today))
            throw RefusalException.Conflict("user-certificate-expired",
                "the signing certificate ends with the user certificate, which has expired: renew both (利用者証明用電子証明書の有効期間が満了しています)");

        if (card.SigningSerial is { } oldSigning && _authority.Status(JpkiCertificateKind.Signing, oldSigning) != CertificateStatus.Revoked)
            _authority.Revoke(JpkiCertificateKind.Signing, oldSigning, X509RevocationReason.AffiliationChanged);
        var changed = card with { Name = name, Address = address };
        var signing = signingKey is null
            ? null
            : _authority.IssueSigningCertificate(Subject(changed), signingKey, EndOfDay(card.UserExpires!.Value));
        List<(JpkiCertificateKind, X509Certificate2)> issued = signing is null ? [] : [(JpkiCertificateKind.Signing, signing)];

        var answer = Commit(request.RequestId, "change-facts", fingerprint, (c, t, now) =>
        {
            var current = _store.FindCard(c, t, card.CardNumber)!;
            RequireState(current, CardState.Active);
            var updated = current with
            {
                Name = name,
                Address = address,
                SigningSerial = signing is null ? null : Serial(signing),
                SigningExpires = signing is null ? null : card.UserExpires,
            };
            if (!_store.UpdateCard(c, t, updated, CardState.Active)) throw ConcurrentChange();
            _store.AddEvent(c, t, card.CardNumber, null, "facts-changed", now, request.Operator, Detail(new
            {
                identityCheck = identity,
                revokedSigningCertificate = card.SigningSerial,
                signingCertificate = updated.SigningSerial,
            }), request.RequestId);
            return new ChangeFactsResponse(StatusOf(c, t, updated, JapanDate(now)), updated.Face, null,
                signing is null ? null : Convert.ToBase64String(signing.RawData));
        }, () => Undo(issued));
        return answer with { TextEntrySupport = SignTextEntry(changed) };
    }

    /// <summary>
    /// New certificates on an active card (電子証明書の更新・発行). The user certificate inside its renewal window (3 months
    /// before expiry) or after it expired or was revoked; the signing certificate likewise, or whenever the card has no
    /// good one (after a change of facts, or at 15 and over), ending with the user certificate. Replaced certificates are
    /// revoked (superseded).
    /// </summary>
    public CertificatesResponse RenewCertificates(CertificatesRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireId(request.RequestId);
        RequireOperator(request.Operator);
        var identity = RequireIdentityCheck(request.IdentityCheck);
        if (request.UserPublicKey is null && request.SigningPublicKey is null)
            throw RefusalException.BadRequest("invalid-request", "give userPublicKey, signingPublicKey or both (公開鍵がありません)");
        using var userKey = request.UserPublicKey is null ? null : ImportKey(request.UserPublicKey, "userPublicKey");
        using var signingKey = request.SigningPublicKey is null ? null : ImportKey(request.SigningPublicKey, "signingPublicKey");
        var fingerprint = Fingerprint("certificates", request.CardNumber.Text, request.UserPublicKey ?? "", request.SigningPublicKey ?? "",
            IdentityText(identity), request.Operator);
        if (Replay<CertificatesResponse>(request.RequestId, "certificates", fingerprint) is { } replay) return replay;

        var card = Find(request.CardNumber);
        var today = Today;
        RequireState(card, CardState.Active);
        RequireNotExpired(card, today);
        var userStatus = card.UserSerial is { } us ? _authority.Status(JpkiCertificateKind.UserAuthentication, us) : CertificateStatus.Unknown;
        var signingStatus = card.SigningSerial is { } ss ? _authority.Status(JpkiCertificateKind.Signing, ss) : CertificateStatus.Unknown;
        if (userKey is not null && userStatus == CertificateStatus.Good && card.UserExpires is { } ue && today < CardValidity.RenewalStart(ue))
            throw RefusalException.Conflict("certificate-not-renewable-yet",
                $"the user certificate may be renewed from {CardStore.FormatDate(CardValidity.RenewalStart(ue))} (更新期間前です)");
        var userExpires = userKey is null
            ? card.UserExpires
            : CardValidity.Certificates(card.BirthDate, today, card.CardExpires, card.UserExpires).UserCertificateExpires;
        if (signingKey is not null)
        {
            if (CardValidity.AgeOn(card.BirthDate, today) < CardValidity.SigningCertificateMinimumAge)
                throw RefusalException.BadRequest("signing-under-15",
                    "no signing certificate is issued to a holder under 15 (15歳未満には署名用電子証明書を発行しません)");
            if (signingStatus == CertificateStatus.Good && userKey is null && card.SigningExpires is { } se && today < CardValidity.RenewalStart(se))
                throw RefusalException.Conflict("certificate-not-renewable-yet",
                    $"the signing certificate may be renewed from {CardStore.FormatDate(CardValidity.RenewalStart(se))} (更新期間前です)");
            if (userExpires is not { } end || end < today)
                throw RefusalException.Conflict("user-certificate-expired",
                    "the signing certificate ends with the user certificate, which has expired: renew both (利用者証明用電子証明書の有効期間が満了しています)");
        }

        var issued = new List<(JpkiCertificateKind Kind, X509Certificate2 Certificate)>();
        try
        {
            if (userKey is not null)
                issued.Add((JpkiCertificateKind.UserAuthentication, _authority.IssueUserCertificate(userKey, EndOfDay(userExpires!.Value))));
            if (signingKey is not null)
                issued.Add((JpkiCertificateKind.Signing, _authority.IssueSigningCertificate(Subject(card), signingKey, EndOfDay(userExpires!.Value))));
        }
        catch
        {
            Undo(issued);
            throw;
        }
        var user = issued.FirstOrDefault(i => i.Kind == JpkiCertificateKind.UserAuthentication).Certificate;
        var signing = issued.FirstOrDefault(i => i.Kind == JpkiCertificateKind.Signing).Certificate;
        if (user is not null && card.UserSerial is { } oldUser && userStatus != CertificateStatus.Revoked)
            _authority.Revoke(JpkiCertificateKind.UserAuthentication, oldUser, X509RevocationReason.Superseded);
        if (signing is not null && card.SigningSerial is { } oldSigning && signingStatus != CertificateStatus.Revoked)
            _authority.Revoke(JpkiCertificateKind.Signing, oldSigning, X509RevocationReason.Superseded);

        return Commit(request.RequestId, "certificates", fingerprint, (c, t, now) =>
        {
            var current = _store.FindCard(c, t, card.CardNumber)!;
            RequireState(current, CardState.Active);
            var updated = current with
            {
                UserSerial = user is null ? current.UserSerial : Serial(user),
                UserExpires = userExpires,
                SigningSerial = signing is null ? current.SigningSerial : Serial(signing),
                SigningExpires = signing is null ? current.SigningExpires : userExpires,
            };
            if (!_store.UpdateCard(c, t, updated, CardState.Active)) throw ConcurrentChange();
            _store.AddEvent(c, t, card.CardNumber, null, "certificates-issued", now, request.Operator, Detail(new
            {
                identityCheck = identity,
                userCertificate = user is null ? null : updated.UserSerial,
                signingCertificate = signing is null ? null : updated.SigningSerial,
            }), request.RequestId);
            return new CertificatesResponse(StatusOf(c, t, updated, JapanDate(now)),
                user is null ? null : Convert.ToBase64String(user.RawData), signing is null ? null : Convert.ToBase64String(signing.RawData));
        }, () => Undo(issued));
    }

    // ------------------------------------------------------------------ status

    /// <summary>A card by card number (also an ended one), or the holder's current card by number (an active or suspended one, else one waiting for handover).</summary>
    public CardStatusResponse Status(CardStatusRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var card = request.CardNumber is { } number
            ? (request.IndividualNumber is null ? Find(number) : throw OneLookup())
            : HeldCard(null, request.IndividualNumber, allowAwaiting: true);
        using var c = _store.Database.Open();
        return StatusOf(c, null, card, Today);
    }

    // ------------------------------------------------------------------ whose card it is

    /// <summary>The municipality whose resident the card's holder is now; null when there is no such card.</summary>
    public LocalGovernmentCode? MunicipalityOfCard(CardNumber number)
    {
        using var c = _store.Database.Open();
        return _store.FindCard(c, null, number) is { } card ? _numbering.Store.MunicipalityOf(card.ResidentCode) : null;
    }

    /// <summary>The municipality whose resident the holder of this current number is; null when the number is not current.</summary>
    public LocalGovernmentCode? MunicipalityOfHolder(IndividualNumber number)
    {
        var (code, _) = _numbering.Deriver.Invert(number);
        var current = _numbering.Store.FindCurrent(code);
        return current is not null && current.IndividualNumber == number ? _numbering.Store.MunicipalityOf(code) : null;
    }

    /// <summary>The municipality whose resident the applicant is now; null when there is no such application.</summary>
    public LocalGovernmentCode? MunicipalityOfApplication(Guid applicationId)
    {
        using var c = _store.Database.Open();
        return _store.FindApplication(c, null, applicationId) is { } application ? _numbering.Store.MunicipalityOf(application.ResidentCode) : null;
    }

    /// <summary>
    /// Whether the four facts a caller gave are those of the card (by card number, or the holder's card in use by number):
    /// the call centre's identification of the holder. False also when there is no such card.
    /// </summary>
    public bool FactsMatch(CardNumber? cardNumber, IndividualNumber? number, FourFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        CardRow card;
        try
        {
            card = HeldCard(cardNumber, number);
        }
        catch (RefusalException)
        {
            return false;
        }
        return string.Equals(Collapse(facts.Name), Collapse(card.Name), StringComparison.Ordinal)
            && string.Equals(Collapse(facts.Address), Collapse(card.Address), StringComparison.Ordinal)
            && facts.BirthDate == card.BirthDate && facts.Sex == card.Sex;
    }

    /// <summary>Text as spoken on the phone compares without its spaces (full- or half-width).</summary>
    private static string Collapse(string? text) => string.Concat((text ?? "").Where(ch => !char.IsWhiteSpace(ch)));

    // ------------------------------------------------------------------ helpers

    private CardStatusResponse StatusOf(DbConnection c, DbTransaction? t, CardRow card, DateOnly today)
    {
        CardCertificateInfo? Info(JpkiCertificateKind kind, string? serial, DateOnly? expires) =>
            serial is null || expires is null ? null : new CardCertificateInfo(serial, expires.Value, _authority.Status(kind, serial));
        return new CardStatusResponse(card.CardNumber, card.State, card.EndReason, card.Municipality, card.IssuedOn, card.CardExpires,
            CardValidity.RenewalStart(card.CardExpires), today > card.CardExpires,
            Info(JpkiCertificateKind.UserAuthentication, card.UserSerial, card.UserExpires),
            Info(JpkiCertificateKind.Signing, card.SigningSerial, card.SigningExpires),
            card.HandedOverAt, _store.Events(c, t, card.CardNumber, card.ApplicationId));
    }

    private TextEntrySupportData SignTextEntry(CardRow card)
    {
        var number = _numbering.Store.FindCurrent(card.ResidentCode)?.IndividualNumber
            ?? throw RefusalException.Conflict("no-number-designated", "no number is designated for this card's holder (個人番号が指定されていません)");
        return TextEntrySupportData.Sign(_keys.Signing, number, card.Name, card.Address, card.BirthDate, card.Sex);
    }

    private static SigningCertificateSubject Subject(CardRow card) => new(card.Name, card.BirthDate, card.Sex, card.Address);

    private static IEnumerable<(JpkiCertificateKind Kind, string Serial)> Certificates(CardRow card)
    {
        if (card.UserSerial is { } user) yield return (JpkiCertificateKind.UserAuthentication, user);
        if (card.SigningSerial is { } signing) yield return (JpkiCertificateKind.Signing, signing);
    }

    private void RevokeCertificates(CardRow card, X509RevocationReason reason)
    {
        foreach (var (kind, serial) in Certificates(card))
            if (_authority.Status(kind, serial) != CertificateStatus.Revoked) _authority.Revoke(kind, serial, reason);
    }

    /// <summary>Revokes certificates issued for a request that then did not complete (refused, or answered by a concurrent retry).</summary>
    private void Undo(IEnumerable<(JpkiCertificateKind Kind, X509Certificate2 Certificate)> issued)
    {
        foreach (var (kind, certificate) in issued)
        {
            try { _authority.Revoke(kind, Serial(certificate), X509RevocationReason.Unspecified); }
            catch (Exception e) when (e is RefusalException or DbException) { /* best effort: the request failed anyway */ }
        }
    }

    private static string Serial(X509Certificate2 certificate) => JpkiAuthority.NormalizeSerial(certificate.SerialNumber);

    private static DateTimeOffset EndOfDay(DateOnly day) => new(day.ToDateTime(new TimeOnly(23, 59, 59)), JapanOffset);

    private static DateOnly JapanDate(DateTimeOffset time) => DateOnly.FromDateTime(time.ToOffset(JapanOffset).DateTime);

    private CardRow Find(CardNumber number)
    {
        using var c = _store.Database.Open();
        return _store.FindCard(c, null, number) ?? throw NoSuchCard();
    }

    /// <summary>The card a request names by card number, or the holder's active or suspended card by number.</summary>
    private CardRow HeldCard(CardNumber? cardNumber, IndividualNumber? number, bool allowAwaiting = false)
    {
        if (cardNumber is { } card && number is null) return Find(card);
        var code = ResolveHolder(RequireLookup(cardNumber, number));
        using var c = _store.Database.Open();
        var live = _store.LiveCards(c, null, code);
        return live.FirstOrDefault(row => row.State is CardState.Active or CardState.Suspended)
            ?? (allowAwaiting ? live.FirstOrDefault() : null)
            ?? throw NotFound("no-card", "this person has no card in use (使用中のカードがありません)");
    }

    private static IndividualNumber RequireLookup(CardNumber? cardNumber, IndividualNumber? number) =>
        cardNumber is null && number is { } given ? given : throw OneLookup();

    private static RefusalException OneLookup() => RefusalException.BadRequest("invalid-request",
        "give either cardNumber or individualNumber, not both (カード番号か個人番号のどちらか一方を指定してください)");

    /// <summary>The holder's resident-record code from their current number (J-LIS inverts its keyed permutation; no table of numbers).</summary>
    private ResidentCode ResolveHolder(IndividualNumber number)
    {
        var (code, _) = _numbering.Deriver.Invert(number);
        var current = _numbering.Store.FindCurrent(code);
        if (current is null || current.IndividualNumber != number)
            throw NotFound("number-not-current", "J-LIS has no current designation of this number (この個人番号は現在指定されていません)");
        return code;
    }

    private static void RequireState(CardRow card, params CardState[] allowed)
    {
        if (allowed.Contains(card.State)) return;
        throw card.State switch
        {
            CardState.Ended => CardEnded(),
            CardState.AwaitingHandover => RefusalException.Conflict("card-not-handed-over", "the card has not been handed over yet (交付前のカードです)"),
            CardState.Suspended => RefusalException.Conflict("card-suspended", "the card is suspended; resume it at the counter first (一時停止中のカードです)"),
            _ when allowed.Contains(CardState.AwaitingHandover) =>
                RefusalException.Conflict("card-already-handed-over", "the card has already been handed over (交付済みです)"),
            _ => RefusalException.Conflict("card-not-suspended", "the card is not suspended (一時停止されていません)"),
        };
    }

    private static void RequireNotExpired(CardRow card, DateOnly today)
    {
        if (today > card.CardExpires)
            throw RefusalException.Conflict("card-expired", "the card has expired; apply for a new one (カードの有効期間が満了しています)");
    }

    private static RefusalException CardEnded() => RefusalException.Conflict("card-ended", "the card has ended (廃止されたカードです)");

    private static RefusalException NoSuchCard() => NotFound("card-not-found", "there is no card with this card number (カードがありません)");

    private static RefusalException NotFound(string code, string message) => new(404, code, message);

    private static RefusalException ConcurrentChange() =>
        RefusalException.Conflict("concurrent-change", "the card was changed by another request; look at its status and try again (他の要求と競合しました)");

    private static IdentityCheck RequireIdentityCheck(IdentityCheck? check)
    {
        if (check is null)
            throw RefusalException.BadRequest("identity-check-required",
                "the holder's identity must be checked at the counter and recorded: give identityCheck (本人確認の記録が必要です)");
        if (string.IsNullOrWhiteSpace(check.CheckedBy) || check.CheckedBy.Length > MaxOperatorLength || check.CheckedBy.Any(char.IsControl))
            throw RefusalException.BadRequest("identity-check-required",
                $"identityCheck.checkedBy must name who checked (1–{MaxOperatorLength} characters) (確認者が必要です)");
        RequireDefined(check.Document, "identityCheck.document");
        return check with { CheckedBy = check.CheckedBy.Trim() };
    }

    private static string IdentityText(IdentityCheck check) => check.CheckedBy + "|" + check.Document;

    private static void RequireOperator(string? operatorId)
    {
        if (string.IsNullOrWhiteSpace(operatorId) || operatorId.Length > MaxOperatorLength || operatorId.Any(char.IsControl))
            throw RefusalException.BadRequest("invalid-operator", $"operator must name who acts (1–{MaxOperatorLength} characters) (操作者が必要です)");
    }

    private static void RequireId(Guid id)
    {
        if (id == Guid.Empty) throw RefusalException.BadRequest("invalid-request", "requestId: missing or empty (要求IDがありません)");
    }

    private static void RequireDefined<T>(T value, string name) where T : struct, Enum
    {
        if (!Enum.IsDefined(value)) throw RefusalException.BadRequest("invalid-request", $"{name} is not one of the known values (値が不正です)");
    }

    private static string RequireName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0 || trimmed.Length > JpkiProfile.MaxNameLength || trimmed.Any(char.IsControl))
            throw RefusalException.BadRequest("invalid-name", $"name must be 1–{JpkiProfile.MaxNameLength} characters without control characters (氏名が正しくありません)");
        return trimmed;
    }

    private static string RequireAddress(string? address)
    {
        var trimmed = address?.Trim() ?? "";
        if (trimmed.Length == 0 || trimmed.Length > JpkiProfile.MaxAddressLength || trimmed.Any(char.IsControl))
            throw RefusalException.BadRequest("invalid-address", $"address must be 1–{JpkiProfile.MaxAddressLength} characters without control characters (住所が正しくありません)");
        return trimmed;
    }

    private static string? RequirePhoto(string? photo)
    {
        if (photo is null) return null;
        if (photo.Length > MaxPhotoLength || !Convert.TryFromBase64String(photo, new byte[photo.Length], out _))
            throw RefusalException.BadRequest("invalid-photo", "photo must be base64 of at most 1.5 MB (顔写真が正しくありません)");
        return photo;
    }

    private static RSA ImportKey(string? spkiBase64, string field)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(spkiBase64 ?? ""), out _);
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            rsa.Dispose();
            throw RefusalException.BadRequest("invalid-key", $"{field} is not an RSA public key (SubjectPublicKeyInfo, base64) (公開鍵が正しくありません)");
        }
        if (rsa.KeySize < JpkiProfile.KeySize)
        {
            rsa.Dispose();
            throw RefusalException.BadRequest("invalid-key", $"{field} must be RSA of at least {JpkiProfile.KeySize} bits (鍵長が足りません)");
        }
        return rsa;
    }

    private static string? Detail(object detail) => JsonSerializer.Serialize(detail, JsonDefaults.Options);

    private static string Hash(string? text) => text is null ? "" : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Fingerprint(params string[] parts) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\u001f", parts))));

    /// <summary>The first answer to an earlier request with this ID (a retry); null for a new request. The same ID for another request is refused.</summary>
    private T? Replay<T>(Guid requestId, string operation, string fingerprint) where T : class
    {
        var stored = _store.PeekRequest(requestId);
        if (stored is null) return null;
        if (stored.Operation != operation || stored.Fingerprint != fingerprint) throw RequestIdReused();
        return stored.Response is null ? null : JsonSerializer.Deserialize<T>(stored.Response, JsonDefaults.Options);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction with the request record. When a concurrent retry of the same request
    /// finished first, its answer is returned and <paramref name="undo"/> takes back this attempt's certificates; when the
    /// work is refused, likewise.
    /// </summary>
    private T Commit<T>(Guid requestId, string operation, string fingerprint, Func<DbConnection, DbTransaction, DateTimeOffset, T> work, Action? undo = null)
    {
        var replayed = false;
        try
        {
            return _store.Database.InTransaction((c, t) =>
            {
                var now = _clock.GetUtcNow();
                var stored = _store.Requests.Claim(c, t, requestId, operation, fingerprint, now);
                if (stored is not null)
                {
                    if (stored.Operation != operation || stored.Fingerprint != fingerprint || stored.Response is null) throw RequestIdReused();
                    replayed = true;
                    return JsonSerializer.Deserialize<T>(stored.Response, JsonDefaults.Options)!;
                }
                var result = work(c, t, now);
                _store.Requests.Complete(c, t, requestId, JsonSerializer.Serialize(result, JsonDefaults.Options));
                return result;
            });
        }
        catch
        {
            undo?.Invoke();
            throw;
        }
        finally
        {
            if (replayed) undo?.Invoke();
        }
    }

    private static RefusalException RequestIdReused() => RefusalException.Conflict("request-id-reused",
        "this request ID was already used for a different request (要求IDが別の要求で使用済みです)");
}
