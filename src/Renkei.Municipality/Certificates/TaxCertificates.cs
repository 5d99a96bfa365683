using System.Globalization;
using Renkei.Core.Dates;
using Renkei.Documents;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Business;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;

namespace Renkei.Municipality.Certificates;

/// <summary>
/// A tax certificate asked for: 課税（非課税）証明書 (<see cref="CertificateKind.TaxAssessment"/>, also the 所得証明書) or
/// 納税証明書 (<see cref="CertificateKind.TaxPayment"/>) of a resident for <paramref name="FiscalYear"/> (null: the latest
/// fiscal year the residence-tax system has an assessment for, up to the current one).
/// </summary>
public sealed record TaxCertificateRequest(CertificateKind Kind, long ResidentId, int? FiscalYear, CertificateRequester Requester, int Copies = 1);

/// <summary>
/// Tax certificates at the counter (and from the CLI and the staff API), from the residence-tax system's records: the
/// assessment for the 課税（非課税）証明書, the payments ledger (<see cref="ResidenceTaxSystem.Account"/>) for the 納税証明書.
/// Issued only in the affair <see cref="CounterCertificates.TaxAffair"/>; recorded in the issuance ledger like every
/// certificate (kind, person, who, when, terminal, affair, requester, copies, fee, the fiscal year — never the content).
/// The caller writes the operation log.
/// </summary>
public sealed class TaxCertificates(ResidentRegister register, AddresseeSystem addressee, ResidenceTaxSystem tax, CounterCertificates counter)
{
    /// <summary>The refusal outside the affair <see cref="CounterCertificates.TaxAffair"/>.</summary>
    public const string TaxAffairRequired = "tax-affair-required";

    /// <summary>The refusal when the residence-tax system has no assessment of the person (for the year asked for).</summary>
    public const string NoTaxRecord = "no-tax-record";

    /// <summary>The refusal of a 納税証明書 for a year with no tax (非課税): the 課税（非課税）証明書 shows it.</summary>
    public const string NoTaxDue = "no-tax-due";

    /// <summary>The fiscal years the residence-tax system has an assessment of the person for, newest first (empty: none, or no such person).</summary>
    public IReadOnlyList<int> FiscalYears(long residentId) =>
        addressee.ForResident(residentId) is { } subject ? tax.FiscalYears(subject) : [];

    /// <summary>Issues the certificate of <paramref name="request"/> on <paramref name="today"/>, recorded in the issuance ledger.</summary>
    /// <exception cref="RegisterException">refused: <see cref="TaxAffairRequired"/>, unknown-resident, <see cref="NoTaxRecord"/>,
    /// <see cref="NoTaxDue"/> or copies out of range; the message names the field and carries nothing of the person.</exception>
    /// <exception cref="DocumentFontMissingException">the Japanese font is not installed (nothing is recorded).</exception>
    public IssuedCertificate Issue(TaxCertificateRequest request, DateOnly today, string staffId, string terminal, string? affair)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Kind is not (CertificateKind.TaxAssessment or CertificateKind.TaxPayment))
            throw new ArgumentException("not a tax certificate", nameof(request));
        if (!string.Equals(affair, CounterCertificates.TaxAffair, StringComparison.Ordinal))
            throw new RegisterException(TaxAffairRequired,
                $"affair: a tax certificate is issued in the affair {CounterCertificates.TaxAffair} (税の証明書は、事務「地方税の賦課及び徴収に関する事務」を選択して交付してください)");
        var person = register.Find(request.ResidentId)
            ?? throw new RegisterException("unknown-resident", "residentId: no resident with this id (該当する住民がいません)");
        var subject = addressee.ForResident(person.Id);
        var year = request.FiscalYear ?? (subject is { } s ? tax.Latest(s, today)?.FiscalYear : null);
        var account = subject is { } found && year is { } y ? tax.Account(found, y) : null;
        if (account is null)
            throw new RegisterException(NoTaxRecord, request.FiscalYear is null
                ? "residentId: the residence-tax system holds no assessment for this person (課税台帳に記録がありません)"
                : "fiscalYear: the residence-tax system holds no assessment for this person in this fiscal year (指定の年度の課税記録がありません)");
        if (request.Kind == CertificateKind.TaxAssessment)
            return counter.IssueTaxAssessment(register.Municipality.Digits, person, account.Assessment, request.Requester, request.Copies, staffId, terminal, affair);
        if (account.Assessed == 0)
            throw new RegisterException(NoTaxDue,
                "fiscalYear: no tax was assessed for this fiscal year; issue the 課税（非課税）証明書 instead (この年度は税額がないため、納税証明書は交付できません。課税（非課税）証明書を交付してください)");
        return counter.IssueTaxPayment(register.Municipality.Digits, person, account, request.Requester, request.Copies, staffId, terminal, affair);
    }
}

public sealed partial class CounterCertificates
{
    /// <summary>The tax a residence-tax certificate covers (税目).</summary>
    public const string ResidenceTaxItem = "特別区民税・都民税";

    /// <summary>
    /// Issues a 納税証明書 of <paramref name="person"/> for the fiscal year of <paramref name="account"/> (税額, 納付済額, 未納額 and
    /// the installments with their 納期限), from the residence-tax system's payments ledger, recorded in the ledger.
    /// </summary>
    /// <exception cref="RegisterException">copies out of range.</exception>
    /// <exception cref="DocumentFontMissingException">the Japanese font is not installed (nothing is recorded).</exception>
    public IssuedCertificate IssueTaxPayment(string municipalityCode, Resident person, ResidenceTaxAccount account, CertificateRequester requester,
        int copies, string staffId, string terminal, string? affair)
    {
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(account);
        CheckOptions(new ResidenceCertificateRequest(person.Id), new ResidenceRecordOptions(false, requester, copies));
        return IssueForPerson(CertificateKind.TaxPayment, municipalityCode, person, requester, copies, staffId, terminal, affair,
            ResidenceTaxYear(account.FiscalYear),
            (serial, today) => TaxPayment(person, account, serial, today));
    }

    /// <summary>The 納税証明書 as a certificate: the person, 年度, 税目, 税額, 納付済額, 未納額, and each installment with its 納期限.</summary>
    public Certificate TaxPayment(Resident person, ResidenceTaxAccount account, CertificateSerial serial, DateOnly issuedOn)
    {
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(account);
        static string Yen(long amount) => amount.ToString("N0", CultureInfo.InvariantCulture) + "円";
        List<DocumentBlock> content =
        [
            new DocumentFields(
                ("住所", person.Address),
                ("氏名", person.Name.Full),
                ("生年月日", JapaneseEraDate.Format(person.BirthDate)),
                ("年度", ResidenceTaxYear(account.FiscalYear)),
                ("税目", ResidenceTaxItem),
                ("税額", Yen(account.Assessed)),
                ("納付済額", Yen(account.Paid)),
                ("未納額", Yen(account.Unpaid))),
            new DocumentTable(["期別", "納期限", "税額", "納付済額", "未納額"],
                account.Installments.Select(i => (IReadOnlyList<string>)
                    [$"第{i.Number.ToString(CultureInfo.InvariantCulture)}期", JapaneseEraDate.Format(i.DueOn), Yen(i.Amount), Yen(i.Paid), Yen(i.Unpaid)]).ToList(),
                [0.8, 1.6, 1, 1, 1]),
            new DocumentParagraph(account.Unpaid == 0 ? "上記年度の税額は、全額納付済みです。　以下余白" : "上記年度の税額のうち、未納額があります。　以下余白"),
        ];
        return new Certificate(CertificateKind.TaxPayment, content, new DocumentIssuer(settings.Issuer.MayorTitle) { Attestation = TaxAttestation }, serial, issuedOn);
    }
}
