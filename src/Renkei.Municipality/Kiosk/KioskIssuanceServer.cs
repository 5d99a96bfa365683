using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Renkei.Core.Numbers;
using Renkei.Documents;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Business;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Seals;

namespace Renkei.Municipality.Kiosk;

/// <summary>A kiosk request refused: the stable <see cref="Code"/> (<see cref="KioskRefusalCodes"/> or <c>bad-field</c>), the HTTP status and an "English (日本語)" message naming the field or rule, never the value.</summary>
public sealed class KioskRefusedException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
}

/// <summary>
/// The ward's issuance server (証明発行サーバ) for convenience-store issuance: what the pinned issuance centre asks on a
/// kiosk's behalf. The person is found by resident-record code among the register's current residents; the certificate is
/// made by the same <see cref="CounterCertificates"/> code as at the counter (<see cref="CounterCertificates.ForKiosk"/>),
/// without number or code, recorded in the issuance ledger as a kiosk issuance (terminal = the kiosk, the transaction, the
/// kiosk fee and what was paid) and in the operation log with staff <see cref="ServiceActor"/> and terminal = the kiosk.
/// A resend of a transaction gets the same serial and recorded once; another request with its id, or a voided one, is
/// refused. <c>hoursShift</c> (<see cref="Service.WardKioskSettings.ClockShift"/>, demos and tests only) moves the instant the
/// service hours are decided for, nothing else.
/// </summary>
public sealed class KioskIssuanceServer(ResidentRegister register, string municipalityName, CounterCertificates counter, CertificateLedger ledger,
    SealRegistry seals, SupportMeasures supportMeasures, AddresseeSystem addressee, OperationLog log, KioskServiceRules rules, TimeProvider clock, TimeSpan hoursShift = default)
{
    /// <summary>The operation log's staff column for kiosk issuances: the issuance server itself, not a person.</summary>
    public const string ServiceActor = "kiosk-issuance-server";

    /// <summary>The reasons a kiosk transaction is voided.</summary>
    public static readonly IReadOnlyList<string> VoidReasons = ["print-failed", "payment-failed", "cancelled"];

    private const int Conflict = 409;
    private const int BadRequest = 400;

    private static readonly TimeSpan Japan = TimeSpan.FromHours(9);

    private readonly ResidenceTaxSystem _tax = new(addressee);

    /// <summary>What the ward offers the resident now (with the fees), and whether the service is open.</summary>
    /// <exception cref="KioskRefusedException">bad input; not a current resident; under a support measure.</exception>
    public async Task<KioskMenu> MenuAsync(KioskMenuRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var kiosk = CheckKiosk(request.Kiosk);
        var person = FindResident(request.ResidentCode);
        var subject = person is null ? null : addressee.ForResident(person.Id);
        try
        {
            CheckEligible(person);
        }
        catch (KioskRefusedException refused)
        {
            await RecordAsync(kiosk, null, subject, OperationAction.View, OperationResult.Refused, $"kiosk menu; refused: {refused.Code}", cancellationToken);
            throw;
        }
        var opening = rules.At(clock.GetUtcNow() + hoursShift);
        var items = new List<KioskMenuItem>();
        foreach (var entry in rules.Menu)
        {
            IReadOnlyList<int>? years = null;
            if (entry.Kind == KioskCertificateKinds.SealRegistration && seals.Current(person!.Id) is null) continue;
            if (entry.Kind is KioskCertificateKinds.TaxAssessment or KioskCertificateKinds.TaxPayment)
            {
                years = subject is { } s
                    ? _tax.FiscalYears(s).Where(y => entry.Kind == KioskCertificateKinds.TaxAssessment || _tax.Account(s, y)?.Assessed > 0).ToList()
                    : [];
                if (years.Count == 0) continue;
            }
            items.Add(new KioskMenuItem(entry.Kind, entry.Name, entry.FeeYen, years));
        }
        await RecordAsync(kiosk, null, subject, OperationAction.View, OperationResult.Success,
            $"kiosk menu; resident-id={person!.Id.ToString(CultureInfo.InvariantCulture)}; open={(opening.Open ? "yes" : "no")}", cancellationToken);
        return new KioskMenu(register.Municipality.Digits, municipalityName, opening.Open, opening.Reason, items);
    }

    /// <summary>Issues one certificate for the transaction, or the same one again for a resend of it.</summary>
    /// <exception cref="KioskRefusedException">bad input or one of <see cref="KioskRefusalCodes"/>; nothing recorded in the ledger.</exception>
    /// <exception cref="DocumentFontMissingException">the Japanese font is not installed (nothing is recorded).</exception>
    public async Task<KioskIssued> IssueAsync(KioskIssueRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var kiosk = CheckKiosk(request.Kiosk);
        if (request.TransactionId == Guid.Empty) throw Bad("transactionId: a transaction id is required (取引IDがありません)");
        if (!KioskCertificateKinds.All.Contains(request.Kind))
            throw Bad($"kind: one of {string.Join(", ", KioskCertificateKinds.All)} (証明書の種類が正しくありません)");
        if (request.PaidYen is < 0 or > 1_000_000) throw Bad("paidYen: 0 to 1000000 yen (投入金額が正しくありません)");
        if (request.FiscalYear is { } asked && (asked < 2000 || asked > 2100)) throw Bad("fiscalYear: a fiscal year such as 2025 (年度が正しくありません)");
        var person = FindResident(request.ResidentCode);
        var subject = person is null ? null : addressee.ForResident(person.Id);
        var what = $"kiosk {request.Kind} certificate";
        var transaction = new KioskTransaction(request.TransactionId, Fingerprint(request, person?.Id), request.PaidYen);
        for (var attempt = 0; ; attempt++)
        {
            var known = ledger.SameKioskRequest(request.TransactionId, transaction.Fingerprint, out var earlier);
            if (known is false)
            {
                await RecordAsync(kiosk, null, subject, OperationAction.Export, OperationResult.Refused, $"{what}; refused: {KioskRefusalCodes.TransactionReused}",
                    cancellationToken);
                throw new KioskRefusedException(Conflict, KioskRefusalCodes.TransactionReused,
                    "transactionId: this transaction was used with another request or voided (この取引は既に使用されています。最初からやり直してください)");
            }
            try
            {
                return await IssueOnceAsync(request, kiosk, person, subject, transaction, known is true ? earlier : null, what, cancellationToken);
            }
            catch (KioskTransactionReusedException) when (attempt == 0)
            {
                // The same transaction was recorded meanwhile (a resend overtaking the first): look again.
            }
        }
    }

    private async Task<KioskIssued> IssueOnceAsync(KioskIssueRequest request, string kiosk, Resident? person, IntegratedAddresseeNumber? subject,
        KioskTransaction transaction, CertificateIssuance? earlier, string what, CancellationToken cancellationToken)
    {
        var now = earlier?.IssuedAt ?? clock.GetUtcNow();
        var entry = rules.Offered(request.Kind);
        var affair = AffairOf(request.Kind);
        IssuedCertificate issued;
        try
        {
            if (earlier is null)
            {
                if (rules.At(now + hoursShift) is { Open: false } closed)
                    throw new KioskRefusedException(Conflict, KioskRefusalCodes.Closed, $"the kiosk service is closed now ({closed.Reason})");
                if (entry is null)
                    throw new KioskRefusedException(Conflict, KioskRefusalCodes.KindNotOffered, "kind: this ward does not issue this certificate at kiosks (この証明書はコンビニ交付では取り扱っていません)");
            }
            CheckEligible(person);
            var fee = earlier?.FeeYen ?? entry!.FeeYen;
            if (earlier is null && request.PaidYen < fee)
                throw new KioskRefusedException(Conflict, KioskRefusalCodes.PaymentShort, "paidYen: less than the fee (投入金額が手数料に足りません)");
            var issuing = counter.ForKiosk(transaction, fee, earlier?.Id, new FixedClock(now));
            var today = DateOnly.FromDateTime(now.ToOffset(Japan).DateTime);
            issued = Issue(issuing, request, person!, today, kiosk, affair);
        }
        catch (KioskRefusedException refused)
        {
            await RecordAsync(kiosk, affair, subject, OperationAction.Export, OperationResult.Refused, $"{what}; refused: {refused.Code}", cancellationToken);
            throw;
        }
        catch (DocumentFontMissingException)
        {
            await RecordAsync(kiosk, affair, subject, OperationAction.Export, OperationResult.Failed, $"{what}; failed: {DocumentFontMissingException.Code}", cancellationToken);
            throw;
        }
        // The transaction id stays in the ledger (found by the serial): a GUID's hex may read as a number to the log's guard.
        var detail = $"{what}; {issued.Certificate.Serial.Text}; serial={issued.LedgerId.ToString(CultureInfo.InvariantCulture)}; "
            + $"resident-id={person!.Id.ToString(CultureInfo.InvariantCulture)}; channel=kiosk; "
            + $"fee={issued.FeeYen.ToString(CultureInfo.InvariantCulture)}; paid={request.PaidYen.ToString(CultureInfo.InvariantCulture)}"
            + (earlier is null ? "" : "; resent (recorded once)");
        await RecordAsync(kiosk, affair, subject, OperationAction.Export, OperationResult.Success, detail, cancellationToken);
        return new KioskIssued(request.TransactionId, issued.LedgerId, request.Kind, issued.FeeYen, now, issued.Pdf);
    }

    /// <summary>Voids the transaction (not printed, not paid): its ledger entry no longer counts as issued nor charged; an unseen transaction can no longer be issued.</summary>
    /// <exception cref="KioskRefusedException">bad input.</exception>
    public async Task VoidAsync(KioskVoidRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.TransactionId == Guid.Empty) throw Bad("transactionId: a transaction id is required (取引IDがありません)");
        if (!VoidReasons.Contains(request.Reason)) throw Bad($"reason: one of {string.Join(", ", VoidReasons)} (取消の理由が正しくありません)");
        var voided = ledger.Void(request.TransactionId, request.Reason, clock.GetUtcNow());
        if (voided is null) return;
        var subject = addressee.ForResident(voided.ResidentId);
        await RecordAsync(voided.Terminal, voided.Affair, subject, OperationAction.Export, OperationResult.Failed,
            $"kiosk {voided.Kind.Code()} certificate voided; serial={voided.Id.ToString(CultureInfo.InvariantCulture)}; "
            + $"resident-id={voided.ResidentId.ToString(CultureInfo.InvariantCulture)}; reason={request.Reason}; fee=0",
            cancellationToken);
    }

    private IssuedCertificate Issue(CounterCertificates issuing, KioskIssueRequest request, Resident person, DateOnly today, string kiosk, string affair)
    {
        switch (request.Kind)
        {
            case KioskCertificateKinds.ResidenceRecord:
            {
                var residence = new ResidenceCertificateRequest(person.Id, request.WholeHousehold, false);
                var data = new ResidenceCertificates(register, AffairsUnused, clock).BuildWithoutNumbers(residence, today);
                return issuing.IssueResidenceRecord(data, residence, new ResidenceRecordOptions(WithRelationship: true, CertificateRequester.Self),
                    ServiceActor, kiosk, affair);
            }
            case KioskCertificateKinds.SealRegistration:
            {
                var registration = seals.Current(person.Id)
                    ?? throw new KioskRefusedException(Conflict, KioskRefusalCodes.NoSealRegistered, "no seal is registered for this resident (印鑑登録がありません)");
                return issuing.IssueSealRegistration(register.Municipality.Digits, person, registration, CertificateRequester.Self, 1, ServiceActor, kiosk, affair);
            }
            default:
            {
                var kind = request.Kind == KioskCertificateKinds.TaxAssessment ? CertificateKind.TaxAssessment : CertificateKind.TaxPayment;
                try
                {
                    return new TaxCertificates(register, addressee, _tax, issuing)
                        .Issue(new TaxCertificateRequest(kind, person.Id, request.FiscalYear, CertificateRequester.Self), today, ServiceActor, kiosk, affair);
                }
                catch (RegisterException e) when (e.Code is TaxCertificates.NoTaxRecord or TaxCertificates.NoTaxDue)
                {
                    throw new KioskRefusedException(Conflict, KioskRefusalCodes.NoAssessment, e.Code == TaxCertificates.NoTaxDue
                        ? "fiscalYear: no tax was assessed for this fiscal year, so there is no 納税証明書 (この年度は税額がないため、納税証明書は交付できません)"
                        : "fiscalYear: no assessment for this fiscal year (指定の年度の課税記録がありません)");
                }
            }
        }
    }

    /// <summary>The affair catalogue is consulted only for numbers, which kiosk certificates never carry.</summary>
    private static readonly Affairs.AffairCatalogue AffairsUnused = Affairs.AffairCatalogue.LoadDefault();

    private static string AffairOf(string kind) => kind switch
    {
        KioskCertificateKinds.SealRegistration => CounterCertificates.SealAffair,
        KioskCertificateKinds.TaxAssessment or KioskCertificateKinds.TaxPayment => CounterCertificates.TaxAffair,
        _ => "resident-register",
    };

    /// <summary>The person with this resident-record code, or null when the code names no one in the register.</summary>
    /// <exception cref="KioskRefusedException">not a resident-record code (bad-field).</exception>
    private Resident? FindResident(string? text)
    {
        var code = ResidentCode.Parse(text);
        if (!code.IsValid) throw Bad("residentCode: a resident-record code of 11 digits with a valid check digit (住民票コードが正しくありません)");
        return register.FindByCode(code.Value);
    }

    private void CheckEligible(Resident? person)
    {
        if (person is not { Status: RegisterStatus.Resident })
            throw new KioskRefusedException(Conflict, KioskRefusalCodes.NotResident,
                "residentCode: not a current resident of this ward (moved out, died or unknown) (この区の住民として記録されていないため交付できません)");
        if (supportMeasures.IsUnderMeasure(person.Id))
            throw new KioskRefusedException(Conflict, KioskRefusalCodes.SupportMeasure,
                "this resident's certificates are issued at the counter only (この証明書はコンビニ交付では交付できません。窓口でお求めください)");
    }

    private static string CheckKiosk(string? kiosk)
    {
        if (string.IsNullOrWhiteSpace(kiosk) || kiosk.Length > OperationLogEntry.MaxIdLength
            || !kiosk.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
            || PersonalNumberGuard.ContainsIndividualNumber(kiosk) || PersonalNumberGuard.ContainsResidentCode(kiosk))
            throw Bad("kiosk: the kiosk's id, 1 to 64 letters, digits, '-', '_', '.' or ':' (端末IDが正しくありません)");
        return kiosk;
    }

    private static KioskRefusedException Bad(string message) => new(BadRequest, "bad-field", message);

    /// <summary>What makes two requests "the same" (by the register's id of the person, so the code itself is never stored, hashed or not).</summary>
    private static string Fingerprint(KioskIssueRequest request, long? residentId)
    {
        var canonical = string.Join("|", residentId?.ToString(CultureInfo.InvariantCulture) ?? "unknown", request.Kiosk, request.Kind,
            request.WholeHousehold ? "household" : "self", request.FiscalYear?.ToString(CultureInfo.InvariantCulture) ?? "latest",
            request.PaidYen.ToString(CultureInfo.InvariantCulture));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private Task RecordAsync(string kiosk, string? affair, IntegratedAddresseeNumber? subject, OperationAction action, OperationResult result, string detail,
        CancellationToken cancellationToken) =>
        log.AppendAsync(new OperationLogEntry(ServiceActor, clock.GetUtcNow(), kiosk, affair, subject?.ToInt64(), action, result, detail), cancellationToken);

    /// <summary>The original issuance's time, so a resend makes the certificate exactly as dated then.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
    }
}
