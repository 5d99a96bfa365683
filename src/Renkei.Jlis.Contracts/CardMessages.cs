using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Renkei.Core.Cards;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Core.People;

namespace Renkei.Jlis.Contracts;

/// <summary>
/// The published HTTP contract of J-LIS's card service (個人番号カード管理): application, issuance, handover at the
/// counter, suspension (一時停止) and resumption, revocation, counter PIN unlock, changes of name or address, certificate
/// renewal and status. Every request that changes something carries a request ID (a retry returns the first answer) and
/// the operator who did it; J-LIS records each operation with its time. Numbers, PINs and keys travel only in bodies.
/// </summary>
public static class CardRoutes
{
    public const string Applications = "cards/applications";
    public const string Issue = "cards/issue";
    public const string HandoverData = "cards/handover-data";
    public const string Handover = "cards/handover";
    public const string Suspend = "cards/suspend";
    public const string Resume = "cards/resume";
    public const string Revoke = "cards/revoke";
    public const string Unlock = "cards/unlock";
    public const string ChangeFacts = "cards/change-facts";
    public const string Certificates = "cards/certificates";
    public const string Status = "cards/status";

    /// <summary>GET: J-LIS's card keys (<see cref="CardKeysResponse"/>), public.</summary>
    public const string Keys = "cards/keys";
}

/// <summary>How the holder applied (交付申請).</summary>
public enum CardApplicationChannel
{
    /// <summary>The application form sent with the notification letter, pre-printed with the number and four facts (個人番号通知書・交付申請書).</summary>
    NotificationLetter,
    /// <summary>Online, from a smartphone or computer (オンライン申請).</summary>
    Online,
    /// <summary>At the municipal counter (窓口申請).</summary>
    Counter,
}

/// <summary>What J-LIS made of an application, from the holder's current card.</summary>
public enum CardApplicationKind
{
    /// <summary>A first card, or a new one after the last ended or expired.</summary>
    New,
    /// <summary>Renewal inside the 3 months before the current card's expiry (更新).</summary>
    Renewal,
    /// <summary>A new card after the current one was suspended as lost or stolen (再交付).</summary>
    Reissue,
}

/// <summary>The document the counter checked the holder's identity with (本人確認書類).</summary>
public enum IdentityDocument
{
    /// <summary>個人番号カード (the card itself, with its photo).</summary>
    IndividualNumberCard,
    /// <summary>運転免許証.</summary>
    DriversLicence,
    /// <summary>旅券.</summary>
    Passport,
    /// <summary>在留カード・特別永住者証明書.</summary>
    ResidenceCard,
    /// <summary>身体障害者手帳 and other photo documents issued by a public body.</summary>
    OtherPhotoDocument,
    /// <summary>Two documents without a photo (健康保険証・年金手帳 等 2点).</summary>
    TwoDocumentsWithoutPhoto,
}

/// <summary>An identity check at the counter: who checked, with which document. Recorded with the operation.</summary>
public sealed record IdentityCheck(string CheckedBy, IdentityDocument Document);

/// <summary>Where a card is in its life.</summary>
public enum CardState
{
    /// <summary>Issued by J-LIS, waiting at the municipality for the holder (交付前).</summary>
    AwaitingHandover,
    /// <summary>Handed over and usable.</summary>
    Active,
    /// <summary>Suspended (一時停止): its certificates are on hold until it is resumed at the counter.</summary>
    Suspended,
    /// <summary>No longer a card (廃止・失効): see <see cref="CardEndReason"/>.</summary>
    Ended,
}

public enum CardEndReason
{
    /// <summary>The holder died (死亡).</summary>
    Death,
    /// <summary>The holder moved abroad (国外転出).</summary>
    DepartureAbroad,
    /// <summary>The holder gave the card back (返納).</summary>
    Surrendered,
    /// <summary>Lost for good (紛失).</summary>
    Lost,
    /// <summary>Replaced by a renewed or reissued card handed over later.</summary>
    Replaced,
}

/// <summary>Why the holder ends a card at J-LIS (revokes both certificates).</summary>
public enum CardRevocationReason
{
    Death,
    DepartureAbroad,
    Surrendered,
    Lost,
}

public enum SuspensionReason
{
    Lost,
    Stolen,
    Other,
}

/// <summary>How a suspension reached J-LIS: by phone to the call centre at any hour (コールセンター, 24時間), at a counter, or online.</summary>
public enum SuspensionChannel
{
    Phone,
    Counter,
    Online,
}

/// <summary>
/// An application (交付申請) with the facts from the notification letter's pre-printed form or typed online: J-LIS
/// finds the holder by the number (its current one) and keeps the four facts for the card face.
/// </summary>
/// <param name="Photo">The face photo as base64 JPEG, or null (the face shows a placeholder).</param>
public sealed record CardApplicationRequest(
    Guid RequestId,
    LocalGovernmentCode Municipality,
    IndividualNumber IndividualNumber,
    string Name,
    string Address,
    DateOnly BirthDate,
    Sex Sex,
    CardApplicationChannel Channel,
    string Operator,
    string? Photo = null);

public sealed record CardApplicationResponse(Guid ApplicationId, CardApplicationKind Kind, DateTimeOffset ReceivedAt);

/// <summary>J-LIS makes the card (カード発行): card number, face data, validity. The card then waits for the holder at the municipality.</summary>
public sealed record IssueCardRequest(Guid RequestId, Guid ApplicationId, string Operator);

/// <summary>A certificate on a card as J-LIS knows it.</summary>
/// <param name="SerialNumber">Upper-case hexadecimal.</param>
/// <param name="Status">The CA's status at the time of the answer.</param>
public sealed record CardCertificateInfo(string SerialNumber, DateOnly Expires, CertificateStatus Status);

/// <summary>One recorded operation on the card: what, when, by whom (and with which identity check).</summary>
public sealed record CardEventInfo(string Event, DateTimeOffset At, string Operator, string? Detail);

/// <summary>A card's state, validity and certificates. Carries no number and none of the four facts.</summary>
/// <param name="Expired">The card's expiry has passed (J-LIS's date in Japan).</param>
public sealed record CardStatusResponse(
    CardNumber CardNumber,
    CardState State,
    CardEndReason? EndReason,
    LocalGovernmentCode Municipality,
    DateOnly IssuedOn,
    DateOnly CardExpires,
    DateOnly RenewalFrom,
    bool Expired,
    CardCertificateInfo? UserCertificate,
    CardCertificateInfo? SigningCertificate,
    DateTimeOffset? HandedOverAt,
    IReadOnlyList<CardEventInfo> Events);

/// <summary>The data the counter terminal writes to the chip at handover.</summary>
public sealed record HandoverDataRequest(CardNumber CardNumber);

/// <param name="SigningCertificateAllowed">False under 15 today: no signing key is made and no signing PIN is set.</param>
/// <param name="UnlockKey">J-LIS's ECDH P-256 key (SubjectPublicKeyInfo, base64) the card seals its data keys to for counter unlocks.</param>
public sealed record HandoverDataResponse(
    CardNumber CardNumber,
    CardFace Face,
    TextEntrySupportData TextEntrySupport,
    ResidentCode ResidentCode,
    bool SigningCertificateAllowed,
    string UnlockKey)
{
    public override string ToString() => $"HandoverDataResponse {{ CardNumber = {CardNumber}, (personal data withheld) }}";
}

/// <summary>
/// Handover at the counter (交付): the identity check, whether the notification card was collected, and the public keys
/// the card generated (SubjectPublicKeyInfo, base64) for J-LIS to certify. The PINs stay on the card.
/// </summary>
public sealed record HandoverRequest(
    Guid RequestId,
    CardNumber CardNumber,
    IdentityCheck? IdentityCheck,
    bool NotificationCardCollected,
    string UserPublicKey,
    string? SigningPublicKey,
    string Operator);

/// <param name="UserCertificate">DER, base64.</param>
/// <param name="SigningCertificate">DER, base64; null when no signing certificate was issued.</param>
public sealed record CertificatesResponse(CardStatusResponse Card, string? UserCertificate, string? SigningCertificate);

/// <summary>
/// The four facts (基本4情報: name, address, birth date, sex) a caller on the phone gives the card call centre
/// (コールセンター) to be identified as the card's holder; J-LIS compares them with the card's.
/// </summary>
public sealed record FourFacts(string Name, string Address, DateOnly BirthDate, Sex Sex)
{
    public override string ToString() => "FourFacts { (personal data withheld) }";
}

/// <summary>
/// Suspend the holder's card (一時停止): by card number, or by the number when the caller does not know the card number.
/// The card call centre gives the four facts the caller told it (<paramref name="CallerFacts"/>); the resident's ward needs none.
/// </summary>
public sealed record SuspendCardRequest(
    Guid RequestId,
    CardNumber? CardNumber,
    IndividualNumber? IndividualNumber,
    SuspensionReason Reason,
    SuspensionChannel Channel,
    string Operator,
    FourFacts? CallerFacts = null);

/// <summary>Lift a suspension (一時停止解除): at the counter, with the holder's identity checked (the call centre also with the four facts).</summary>
public sealed record ResumeCardRequest(Guid RequestId, CardNumber CardNumber, IdentityCheck? IdentityCheck, string Operator, FourFacts? CallerFacts = null);

/// <summary>End the card and revoke its certificates (死亡・国外転出・返納・紛失).</summary>
public sealed record RevokeCardRequest(
    Guid RequestId,
    CardNumber? CardNumber,
    IndividualNumber? IndividualNumber,
    CardRevocationReason Reason,
    string Operator);

/// <summary>
/// Unlock a locked PIN at the counter (暗証番号のロック解除・再設定): the card's sealed data key for that application
/// (<see cref="SoftwareCard.UnlockRequest"/>) and the identity check. Refused without an identity check.
/// </summary>
public sealed record UnlockPinRequest(
    Guid RequestId,
    CardNumber CardNumber,
    CardPinKind PinKind,
    SealedPayload SealedKey,
    IdentityCheck? IdentityCheck,
    string Operator);

/// <param name="DataKey">The application's data key (base64): the counter terminal wraps it under the holder's new PIN and forgets it.</param>
public sealed record UnlockPinResponse(CardNumber CardNumber, CardPinKind PinKind, string DataKey)
{
    public override string ToString() => $"UnlockPinResponse {{ CardNumber = {CardNumber}, PinKind = {PinKind}, DataKey = *** }}";
}

/// <summary>
/// A change of name or address (氏名・住所の変更) recorded on the card: the signing certificate is revoked (its content
/// changed), the user certificate stays. With <see cref="SigningPublicKey"/>, a new signing certificate is issued with
/// the new facts in the same visit.
/// </summary>
public sealed record ChangeFactsRequest(
    Guid RequestId,
    CardNumber CardNumber,
    string Name,
    string Address,
    IdentityCheck? IdentityCheck,
    string? SigningPublicKey,
    string Operator);

/// <param name="TextEntrySupport">The new text-entry-support data, signed by J-LIS, to write to the chip.</param>
public sealed record ChangeFactsResponse(CardStatusResponse Card, CardFace Face, TextEntrySupportData? TextEntrySupport, string? SigningCertificate)
{
    public override string ToString() => $"ChangeFactsResponse {{ Card = {Card.CardNumber}, (personal data withheld) }}";
}

/// <summary>
/// New certificates on a card (電子証明書の更新・発行): the user certificate inside its renewal window (3 months before
/// expiry) or once expired; a signing certificate inside that window, or when the card has no good one (after a change of
/// facts, or at 15). Each key is SubjectPublicKeyInfo, base64; at least one is given.
/// </summary>
public sealed record CertificatesRequest(
    Guid RequestId,
    CardNumber CardNumber,
    string? UserPublicKey,
    string? SigningPublicKey,
    IdentityCheck? IdentityCheck,
    string Operator);

/// <summary>A card's status by card number, or the holder's current card by the number.</summary>
public sealed record CardStatusRequest(CardNumber? CardNumber, IndividualNumber? IndividualNumber);

/// <summary>J-LIS's card keys (SubjectPublicKeyInfo, base64): the text-entry-support data signing key (ECDSA P-256) and the unlock key (ECDH P-256).</summary>
public sealed record CardKeysResponse(string DataSigningKey, string UnlockKey);

/// <summary>J-LIS's card service over HTTP, for the municipal counter, the call centre and the demo.</summary>
public sealed class CardHttpClient(HttpClient http)
{
    public Task<CardApplicationResponse> ApplyAsync(CardApplicationRequest request, CancellationToken ct = default) =>
        PostAsync<CardApplicationRequest, CardApplicationResponse>(CardRoutes.Applications, request, ct);

    public Task<CardStatusResponse> IssueAsync(IssueCardRequest request, CancellationToken ct = default) =>
        PostAsync<IssueCardRequest, CardStatusResponse>(CardRoutes.Issue, request, ct);

    public Task<HandoverDataResponse> HandoverDataAsync(HandoverDataRequest request, CancellationToken ct = default) =>
        PostAsync<HandoverDataRequest, HandoverDataResponse>(CardRoutes.HandoverData, request, ct);

    public Task<CertificatesResponse> HandoverAsync(HandoverRequest request, CancellationToken ct = default) =>
        PostAsync<HandoverRequest, CertificatesResponse>(CardRoutes.Handover, request, ct);

    public Task<CardStatusResponse> SuspendAsync(SuspendCardRequest request, CancellationToken ct = default) =>
        PostAsync<SuspendCardRequest, CardStatusResponse>(CardRoutes.Suspend, request, ct);

    public Task<CardStatusResponse> ResumeAsync(ResumeCardRequest request, CancellationToken ct = default) =>
        PostAsync<ResumeCardRequest, CardStatusResponse>(CardRoutes.Resume, request, ct);

    public Task<CardStatusResponse> RevokeAsync(RevokeCardRequest request, CancellationToken ct = default) =>
        PostAsync<RevokeCardRequest, CardStatusResponse>(CardRoutes.Revoke, request, ct);

    public Task<UnlockPinResponse> UnlockAsync(UnlockPinRequest request, CancellationToken ct = default) =>
        PostAsync<UnlockPinRequest, UnlockPinResponse>(CardRoutes.Unlock, request, ct);

    public Task<ChangeFactsResponse> ChangeFactsAsync(ChangeFactsRequest request, CancellationToken ct = default) =>
        PostAsync<ChangeFactsRequest, ChangeFactsResponse>(CardRoutes.ChangeFacts, request, ct);

    public Task<CertificatesResponse> CertificatesAsync(CertificatesRequest request, CancellationToken ct = default) =>
        PostAsync<CertificatesRequest, CertificatesResponse>(CardRoutes.Certificates, request, ct);

    public Task<CardStatusResponse> StatusAsync(CardStatusRequest request, CancellationToken ct = default) =>
        PostAsync<CardStatusRequest, CardStatusResponse>(CardRoutes.Status, request, ct);

    public async Task<CardKeysResponse> KeysAsync(CancellationToken ct = default)
    {
        using var response = await http.GetAsync(CardRoutes.Keys, ct);
        return await ReadAsync<CardKeysResponse>(response, ct);
    }

    private async Task<TResponse> PostAsync<TRequest, TResponse>(string route, TRequest request, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(route, request, JsonDefaults.Options, ct);
        return await ReadAsync<TResponse>(response, ct);
    }

    private static Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct) =>
        ServiceResponses.ReadAsync<T>(response, JlisException.From, ct);
}

/// <summary>
/// A software card kept in a file (the holder's "card"): written whole to a temporary file in the same directory,
/// flushed, then moved over the old one, so a crash leaves the old or the new card, never half of one. Created readable
/// by its owner only (mode 600 on Unix): it holds the PIN-protected private keys. See <see cref="SoftwareCard"/> for
/// what a file can and cannot protect.
/// </summary>
public sealed class SoftwareCardFile(string path) : ICardMedium
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public byte[]? Read() => File.Exists(Path) ? File.ReadAllBytes(Path) : null;

    public void Write(byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(directory);
        var temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, Path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}

/// <summary>The facts a municipality applies with: the number and the four basic facts (基本4情報), as on its register.</summary>
public sealed record CardHolderFacts(LocalGovernmentCode Municipality, IndividualNumber IndividualNumber, string Name, string Address, DateOnly BirthDate, Sex Sex)
{
    public override string ToString() => "CardHolderFacts { (personal data withheld) }";
}

/// <summary>
/// The municipal counter's card terminal (交付窓口端末): drives J-LIS's card service over HTTP and writes the software
/// card. The PINs the holder types stay here and on the card; J-LIS only ever sees public keys and sealed data keys.
/// </summary>
public sealed class CardCounter(CardHttpClient jlis, string operatorId)
{
    public CardHttpClient Jlis { get; } = jlis;
    public string Operator { get; } = operatorId;

    /// <summary>Application, issuance and handover in one visit (the demo and tests): returns the handed-over card.</summary>
    public async Task<SoftwareCard> IssueNewCardAsync(CardHolderFacts holder, ICardMedium medium, CardPinSet pins, IdentityCheck identity,
        CardApplicationChannel channel = CardApplicationChannel.NotificationLetter, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(holder);
        var application = await Jlis.ApplyAsync(new CardApplicationRequest(Guid.NewGuid(), holder.Municipality, holder.IndividualNumber,
            holder.Name, holder.Address, holder.BirthDate, holder.Sex, channel, Operator), ct);
        var issued = await Jlis.IssueAsync(new IssueCardRequest(Guid.NewGuid(), application.ApplicationId, Operator), ct);
        return await HandOverAsync(issued.CardNumber, medium, pins, identity, notificationCardCollected: true, ct);
    }

    /// <summary>
    /// Cards for many holders (the demo: a share of its residents), one after another: each gets the same
    /// <paramref name="pins"/> and is written to <c>mediumFor(holder, cardNumber)</c>. Returns the card numbers in order.
    /// </summary>
    public async Task<IReadOnlyList<CardNumber>> IssueNewCardsAsync(IEnumerable<CardHolderFacts> holders, Func<CardHolderFacts, ICardMedium> mediumFor,
        CardPinSet pins, IdentityCheck identity, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(holders);
        ArgumentNullException.ThrowIfNull(mediumFor);
        var numbers = new List<CardNumber>();
        foreach (var holder in holders)
        {
            ct.ThrowIfCancellationRequested();
            var card = await IssueNewCardAsync(holder, mediumFor(holder), pins, identity, ct: ct);
            numbers.Add(card.Number);
            progress?.Report(numbers.Count);
        }
        return numbers;
    }

    /// <summary>
    /// Handover (交付): the card is personalised on <paramref name="medium"/> with the holder's PINs (keys generated on the
    /// card), J-LIS records the identity check and certifies the public keys, and the certificates go onto the card.
    /// Without a signing PIN (or under 15) the card gets no signing key. If J-LIS refuses the handover, the medium holds
    /// a card without certificates that J-LIS does not know as handed over: discard it (the CLI deletes the file).
    /// </summary>
    public async Task<SoftwareCard> HandOverAsync(CardNumber cardNumber, ICardMedium medium, CardPinSet pins, IdentityCheck identity,
        bool notificationCardCollected, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(medium);
        ArgumentNullException.ThrowIfNull(pins);
        var data = await Jlis.HandoverDataAsync(new HandoverDataRequest(cardNumber), ct);
        if (!data.SigningCertificateAllowed) pins = pins with { Signing = null };
        var card = SoftwareCard.Create(medium, data.CardNumber, data.Face, data.TextEntrySupport, data.ResidentCode, pins,
            Convert.FromBase64String(data.UnlockKey));
        var answer = await Jlis.HandoverAsync(new HandoverRequest(Guid.NewGuid(), cardNumber, identity, notificationCardCollected,
            Convert.ToBase64String(card.PublicKey(CardPinKind.UserAuthentication)),
            card.Has(CardPinKind.Signing) ? Convert.ToBase64String(card.PublicKey(CardPinKind.Signing)) : null, Operator), ct);
        Install(card, answer);
        return card;
    }

    /// <summary>Unlocks a locked PIN at the counter: J-LIS checks the card and records the identity check, the card takes the holder's new PIN.</summary>
    public async Task UnlockAsync(SoftwareCard card, CardPin newPin, IdentityCheck? identity, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(newPin);
        var answer = await Jlis.UnlockAsync(new UnlockPinRequest(Guid.NewGuid(), card.Number, newPin.Kind, card.UnlockRequest(newPin.Kind),
            identity, Operator), ct);
        var key = Convert.FromBase64String(answer.DataKey);
        try
        {
            card.CompleteUnlock(newPin.Kind, key, newPin);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// Records a change of name or address (the signing certificate is revoked) and writes the new facts to the card;
    /// with <paramref name="newSigningPin"/>, a new signing key pair and certificate with the new facts.
    /// </summary>
    public async Task<ChangeFactsResponse> ChangeFactsAsync(SoftwareCard card, string name, string address, CardPin textEntryPin,
        CardPin? newSigningPin, IdentityCheck identity, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(card);
        // Check the text-entry PIN first: a wrong one must not leave J-LIS and the card disagreeing.
        card.VerifyPin(textEntryPin);
        if (newSigningPin is not null) card.ReplaceKeyPair(newSigningPin);
        var answer = await Jlis.ChangeFactsAsync(new ChangeFactsRequest(Guid.NewGuid(), card.Number, name, address, identity,
            newSigningPin is null ? null : Convert.ToBase64String(card.PublicKey(CardPinKind.Signing)), Operator), ct);
        if (answer.TextEntrySupport is { } textEntry) card.UpdateFacts(answer.Face, textEntry, textEntryPin);
        if (answer.SigningCertificate is { } signing)
            card.InstallCertificate(CardPinKind.Signing, X509CertificateLoader.LoadCertificate(Convert.FromBase64String(signing)));
        return answer;
    }

    /// <summary>New certificates (renewal, or a signing certificate again): new key pairs under the given (new) PINs, certified by J-LIS.</summary>
    public async Task<CertificatesResponse> RenewCertificatesAsync(SoftwareCard card, CardPin? userPin, CardPin? signingPin, IdentityCheck identity,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(card);
        if (userPin is null && signingPin is null) throw new ArgumentException("give a user-authentication PIN, a signing PIN, or both");
        if (userPin is not null) card.ReplaceKeyPair(userPin);
        if (signingPin is not null) card.ReplaceKeyPair(signingPin);
        var answer = await Jlis.CertificatesAsync(new CertificatesRequest(Guid.NewGuid(), card.Number,
            userPin is null ? null : Convert.ToBase64String(card.PublicKey(CardPinKind.UserAuthentication)),
            signingPin is null ? null : Convert.ToBase64String(card.PublicKey(CardPinKind.Signing)), identity, Operator), ct);
        Install(card, answer);
        return answer;
    }

    private static void Install(SoftwareCard card, CertificatesResponse answer)
    {
        if (answer.UserCertificate is { } user)
            card.InstallCertificate(CardPinKind.UserAuthentication, X509CertificateLoader.LoadCertificate(Convert.FromBase64String(user)));
        if (answer.SigningCertificate is { } signing)
            card.InstallCertificate(CardPinKind.Signing, X509CertificateLoader.LoadCertificate(Convert.FromBase64String(signing)));
    }
}
