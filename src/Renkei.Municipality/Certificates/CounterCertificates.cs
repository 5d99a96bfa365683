using System.Globalization;
using Renkei.Core.Dates;
using Renkei.Documents;
using Renkei.Documents.Paper;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Business;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Seals;
using Renkei.Core.People;

namespace Renkei.Municipality.Certificates;

/// <summary>
/// How a certificate is issued at the counter: the ward and its head, the fee of one copy (品川区: 300 yen), and the ward's
/// certificate-signing key (<see cref="WardCertificateSigner.Current"/>, docs/paper.md) that signs the 2D code on every page,
/// asked for before anything is recorded; null only where the country has no certificate-signing CA (a J-LIS without JPKI, tests of
/// the content), and then the PDF carries no code.
/// </summary>
public sealed record CounterCertificateSettings(NoticeIssuer Issuer, int FeePerCopy = 300, Func<PaperSigner>? Signer = null)
{
    /// <summary>The most copies issued at once.</summary>
    public const int MaxCopies = 10;
}

/// <summary>What the clerk chose for a 住民票の写し besides the people and the number (which <see cref="ResidenceCertificateRequest"/> carries).</summary>
/// <param name="WithRelationship">Print 世帯主 and 続柄 (省略 otherwise).</param>
/// <param name="Requester">Who asked: the number and code are printed only on the person's own (or their household's) express request.</param>
/// <param name="Copies">1 … <see cref="CounterCertificateSettings.MaxCopies"/>.</param>
public sealed record ResidenceRecordOptions(bool WithRelationship, CertificateRequester Requester, int Copies = 1);

/// <summary>A certificate handed over: the certificate (serial = ledger id), its PDF and the fee charged.</summary>
public sealed record IssuedCertificate(Certificate Certificate, byte[] Pdf, long LedgerId, int Copies, long FeeYen, IReadOnlyList<long> ResidentIds,
    bool NumbersIncluded);

/// <summary>
/// Certificates issued at the counter (証明書の交付): 住民票の写し from the register's data (<see cref="ResidenceCertificates"/>
/// decides who is on it and whether numbers may be — only on express request in a number-using affair), put on municipal
/// paper with the attestation, the ward's head and the 公印 area, and recorded in the issuance ledger (kind, person, who,
/// when, terminal, affair, requester, copies, fee, options — never the content). The caller writes the operation log.
/// </summary>
public sealed partial class CounterCertificates(CertificateLedger ledger, CounterCertificateSettings settings, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>The attestation printed above the issuer (認証文).</summary>
    public const string ResidenceRecordAttestation = "この写しは、住民票の原本と相違ないことを証明する。";

    /// <summary>The refusal when an agent asks for numbers (個人番号・住民票コードは本人又は同一世帯の者の請求に限る).</summary>
    public const string NumberNeedsOwnRequest = "number-needs-own-request";

    /// <summary>The refusal for a number of copies outside 1 … <see cref="CounterCertificateSettings.MaxCopies"/>.</summary>
    public const string CopiesOutOfRange = "copies-out-of-range";

    /// <summary>Checks the options before the register is read: copies in range; numbers only on the person's or household's own request.</summary>
    /// <exception cref="RegisterException">the options are not allowed (code <see cref="CopiesOutOfRange"/> or <see cref="NumberNeedsOwnRequest"/>).</exception>
    public static void CheckOptions(ResidenceCertificateRequest request, ResidenceRecordOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Copies is < 1 or > CounterCertificateSettings.MaxCopies)
            throw new RegisterException(CopiesOutOfRange, $"copies: 1 to {CounterCertificateSettings.MaxCopies} (通数は1から{CounterCertificateSettings.MaxCopies}までです)");
        if ((request.IncludeNumber || request.IncludeResidentCode) && options.Requester == CertificateRequester.Agent)
            throw new RegisterException(NumberNeedsOwnRequest,
                "requester: the number and the resident-record code are printed only on the request of the person or their household (個人番号・住民票コードの記載は本人又は同一世帯の者の請求に限ります)");
    }

    /// <summary>Issues a 住民票の写し from <paramref name="data"/> (built for the request by <see cref="ResidenceCertificates"/>), recorded in the ledger.</summary>
    /// <exception cref="DocumentFontMissingException">the Japanese font is not installed (nothing is recorded).</exception>
    /// <exception cref="RegisterException">the ward's signer is unavailable (<see cref="WardCertificateSigner.Unavailable"/>; nothing is recorded).</exception>
    public IssuedCertificate IssueResidenceRecord(ResidenceCertificate data, ResidenceCertificateRequest request, ResidenceRecordOptions options, string staffId,
        string terminal, string? affair)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckOptions(request, options);
        DocumentFonts.Locate(); // before anything is recorded
        var signer = settings.Signer?.Invoke();
        var now = _clock.GetUtcNow();
        var fee = (long)settings.FeePerCopy * options.Copies;
        var scope = request.Members is not null ? "一部" : request.WholeHousehold ? "世帯全員" : "本人";
        var printed = string.Join("・", new[]
        {
            options.WithRelationship ? "世帯主・続柄" : null,
            data.NumbersIncluded ? "個人番号" : null,
            data.Entries.Any(e => e.ResidentCode is not null) ? "住民票コード" : null,
        }.OfType<string>());
        var ledgerOptions = $"{scope}（{data.Entries.Count}人）; 記載: {(printed.Length == 0 ? "なし" : printed)}";
        var issuance = new CertificateIssuance(0, CertificateKind.ResidenceRecord, request.ResidentId, now, data.IssuedOn, staffId, terminal, affair,
            options.Requester, options.Copies, fee, ledgerOptions);
        return ledger.Record(issuance, id =>
        {
            var certificate = ResidenceRecord(data, options, new CertificateSerial(data.MunicipalityCode, data.IssuedOn.Year, id));
            return new IssuedCertificate(certificate, Pdf(certificate, signer), id, options.Copies, fee, data.Entries.Select(e => e.ResidentId).ToList(),
                data.NumbersIncluded);
        });
    }

    /// <summary>
    /// Issues a certificate about one person with no number on it: the font is checked before anything is recorded, then the
    /// ledger entry (kind, copies, fee, <paramref name="ledgerOptions"/> — never the content) and the certificate made from its
    /// serial and today's date (Japan) after it is recorded (<see cref="CertificateLedger.Record"/>).
    /// </summary>
    private IssuedCertificate IssueForPerson(CertificateKind kind, string municipalityCode, Resident person, CertificateRequester requester, int copies,
        string staffId, string terminal, string? affair, string ledgerOptions, Func<CertificateSerial, DateOnly, Certificate> make)
    {
        DocumentFonts.Locate();
        var signer = settings.Signer?.Invoke(); // before anything is recorded
        var now = _clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.ToOffset(TimeSpan.FromHours(9)).DateTime);
        var fee = (long)settings.FeePerCopy * copies;
        var issuance = new CertificateIssuance(0, kind, person.Id, now, today, staffId, terminal, affair, requester, copies, fee, ledgerOptions);
        return ledger.Record(issuance, id =>
        {
            var certificate = make(new CertificateSerial(municipalityCode, today.Year, id), today);
            return new IssuedCertificate(certificate, Pdf(certificate, signer), id, copies, fee, [person.Id], NumbersIncluded: false);
        });
    }

    /// <summary>The certificate's PDF: signed and marked when the ward has its signer.</summary>
    private static byte[] Pdf(Certificate certificate, PaperSigner? signer) => signer is not null ? certificate.ToPdf(signer) : certificate.ToPdf();

    /// <summary>The affair a tax certificate is issued in (地方税の賦課徴収に関する事務).</summary>
    public const string TaxAffair = "local-tax";

    /// <summary>The attestation of a tax certificate.</summary>
    public const string TaxAttestation = "上記のとおり相違ないことを証明する。";

    /// <summary>
    /// Issues a 課税（非課税）証明書 (also the 所得証明書: income and deductions) of <paramref name="person"/> for the fiscal year of
    /// <paramref name="assessment"/>, from the residence-tax system's record, recorded in the ledger.
    /// </summary>
    /// <exception cref="RegisterException">copies out of range.</exception>
    /// <exception cref="DocumentFontMissingException">the Japanese font is not installed (nothing is recorded).</exception>
    public IssuedCertificate IssueTaxAssessment(string municipalityCode, Resident person, ResidenceTaxAssessment assessment, CertificateRequester requester,
        int copies, string staffId, string terminal, string? affair)
    {
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(assessment);
        CheckOptions(new ResidenceCertificateRequest(person.Id), new ResidenceRecordOptions(false, requester, copies));
        return IssueForPerson(CertificateKind.TaxAssessment, municipalityCode, person, requester, copies, staffId, terminal, affair,
            ResidenceTaxYear(assessment.FiscalYear),
            (serial, today) => TaxAssessment(person, assessment, serial, today));
    }

    /// <summary>The 課税（非課税）証明書 as a certificate: the person, the fiscal year, income, deductions, taxable income, the levies.</summary>
    public Certificate TaxAssessment(Resident person, ResidenceTaxAssessment assessment, CertificateSerial serial, DateOnly issuedOn)
    {
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(assessment);
        static string Yen(long amount) => amount.ToString("N0", CultureInfo.InvariantCulture) + "円";
        var status = assessment.Status switch
        {
            ResidenceTaxStatus.Taxable => "課税",
            ResidenceTaxStatus.PerCapitaOnly => "課税（均等割のみ）",
            _ => "非課税",
        };
        List<DocumentBlock> content =
        [
            new DocumentFields(
                ("住所", person.Address),
                ("氏名", person.Name.Full),
                ("生年月日", JapaneseEraDate.Format(person.BirthDate)),
                ("年度", $"{ResidenceTaxYear(assessment.FiscalYear)}（{ResidenceTaxYear(assessment.FiscalYear - 1)[..^1]}分所得）"),
                ("課税区分", status)),
            new DocumentTable(["区分", "金額"],
            [
                ["合計所得金額", Yen(assessment.TotalIncome)],
                ["基礎控除", Yen(assessment.BasicDeduction)],
                ["社会保険料控除", Yen(assessment.SocialInsuranceDeduction)],
                ["配偶者控除", Yen(assessment.SpouseDeduction)],
                ["扶養控除", Yen(assessment.DependantDeduction)],
                ["課税標準額", Yen(assessment.TaxableIncome)],
                ["所得割額", Yen(assessment.IncomeLevy)],
                ["均等割額", Yen(assessment.PerCapitaLevy)],
                ["年税額", Yen(assessment.TotalTax)],
            ], [2, 1]),
            new DocumentParagraph($"扶養親族の数 {assessment.Dependants.ToString(CultureInfo.InvariantCulture)}人（うち16歳未満 {assessment.DependantsUnder16.ToString(CultureInfo.InvariantCulture)}人）"),
            new DocumentParagraph("特別区民税・都民税（森林環境税を含む）　以下余白"),
        ];
        return new Certificate(CertificateKind.TaxAssessment, content, new DocumentIssuer(settings.Issuer.MayorTitle) { Attestation = TaxAttestation }, serial, issuedOn);
    }

    /// <summary>
    /// A fiscal year as 令和8年度: the era in force at the year's end (31 March), counted from the era's first calendar year, as
    /// offices wrote 令和元年度 for the year from April 2019.
    /// </summary>
    public static string ResidenceTaxYear(int fiscalYear)
    {
        var end = JapaneseEraDate.Format(new DateOnly(fiscalYear + 1, 3, 31));
        var (name, first) = EraStarts.First(e => end.StartsWith(e.Name, StringComparison.Ordinal));
        var year = fiscalYear - first + 1;
        return name + (year == 1 ? "元" : year.ToString(CultureInfo.InvariantCulture)) + "年度";
    }

    private static readonly (string Name, int FirstYear)[] EraStarts = [("令和", 2019), ("平成", 1989), ("昭和", 1926), ("大正", 1912), ("明治", 1868)];

    /// <summary>The 住民票の写し as a certificate: 住所, 世帯主 (or 省略), 本籍・筆頭者 省略, and one row per person.</summary>
    public Certificate ResidenceRecord(ResidenceCertificate data, ResidenceRecordOptions options, CertificateSerial serial)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        var codes = data.Entries.Any(e => e.ResidentCode is not null);
        var address = data.Entries.Select(e => e.Address).FirstOrDefault() ?? "";
        var headers = new List<string> { "氏名（フリガナ）", "生年月日", "性別" };
        if (options.WithRelationship) headers.Add("続柄");
        headers.Add("住民となった年月日");
        if (data.NumbersIncluded) headers.Add("個人番号");
        if (codes) headers.Add("住民票コード");
        var rows = data.Entries.Select(e =>
        {
            var row = new List<string> { $"{e.Name}\n（{e.Kana}）", e.BirthDateJapanese, e.Sex };
            if (options.WithRelationship) row.Add(e.Relationship);
            row.Add(e.ResidentSinceJapanese + (e.Status == "住民" ? "" : $"\n{e.Status}" + (e.StatusDate is { } d ? " " + JapaneseEraDate.Format(d) : "")));
            if (data.NumbersIncluded) row.Add(e.IndividualNumber?.Digits ?? "未指定");
            if (codes) row.Add(e.ResidentCode?.Digits ?? "—");
            return (IReadOnlyList<string>)row;
        }).ToList();
        var widths = headers.Select(h => h switch { "氏名（フリガナ）" => 2.6, "性別" => 0.6, "続柄" => 0.8, "個人番号" or "住民票コード" => 1.7, _ => 1.6 }).ToList();
        var foreign = data.Entries.Where(e => e.ForeignResident is not null).Select(e => $"{e.Name}　国籍・地域 {e.ForeignResident!.Nationality}").ToList();

        List<DocumentBlock> content =
        [
            new DocumentFields(
                ("住所", address),
                ("世帯主", options.WithRelationship ? data.HouseholdHead : "省略"),
                ("本籍", "省略"),
                ("筆頭者", "省略")),
            new DocumentTable(headers, rows, widths),
        ];
        if (foreign.Count > 0) content.Add(new DocumentParagraph("外国人住民の記載事項：" + string.Join("、", foreign)));
        content.Add(new DocumentParagraph($"記載人数 {data.Entries.Count.ToString(CultureInfo.InvariantCulture)}人　以下余白"));
        return new Certificate(CertificateKind.ResidenceRecord, content,
            new DocumentIssuer(settings.Issuer.MayorTitle) { Attestation = ResidenceRecordAttestation }, serial, data.IssuedOn);
    }

    /// <summary>The affair seals are registered and 印鑑登録証明書 issued in (印鑑登録に関する事務, no numbers).</summary>
    public const string SealAffair = "seal-registration";

    /// <summary>The attestation of a 印鑑登録証明書.</summary>
    public const string SealAttestation = "この写しは、登録されている印影と相違ないことを証明する。";

    /// <summary>The side of the framed box the 印影 is printed in (mm): room for the largest seal (25 mm) and a margin.</summary>
    public const double SealBoxMillimetres = 32;

    /// <summary>
    /// Issues a 印鑑登録証明書 of <paramref name="person"/> from <paramref name="registration"/> (found by
    /// <see cref="SealRegistry.ForCertificate"/> from the 印鑑登録証 presented), recorded in the ledger — without the card number.
    /// </summary>
    /// <exception cref="RegisterException">copies out of range; the registration is not the person's current one.</exception>
    /// <exception cref="DocumentFontMissingException">the Japanese font is not installed (nothing is recorded).</exception>
    public IssuedCertificate IssueSealRegistration(string municipalityCode, Resident person, SealRegistration registration, CertificateRequester requester,
        int copies, string staffId, string terminal, string? affair)
    {
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(registration);
        CheckOptions(new ResidenceCertificateRequest(person.Id), new ResidenceRecordOptions(false, requester, copies));
        if (registration.ResidentId != person.Id || !registration.Current || person.Status != RegisterStatus.Resident)
            throw new RegisterException(SealRegistry.NotRegistered, "residentId: this person has no registered seal (印鑑登録がありません)");
        return IssueForPerson(CertificateKind.SealRegistration, municipalityCode, person, requester, copies, staffId, terminal, affair, KioskChannel ? "コンビニ交付（利用者証明用電子証明書で本人確認）" : "印鑑登録証の提示あり",
            (serial, today) => SealRegistrationCertificate(person, registration, serial, today));
    }

    /// <summary>The 印鑑登録証明書: the 印影 in a framed box at its size, then 氏名, 生年月日, 性別 and 住所.</summary>
    public Certificate SealRegistrationCertificate(Resident person, SealRegistration registration, CertificateSerial serial, DateOnly issuedOn)
    {
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(registration);
        List<DocumentBlock> content =
        [
            new DocumentImage("印影", registration.Image.Bytes, registration.Image.SideMillimetres, SealBoxMillimetres),
            new DocumentFields(
                ("氏名", person.Name.Full),
                ("生年月日", JapaneseEraDate.Format(person.BirthDate)),
                ("性別", person.Sex.ToJapanese()),
                ("住所", person.Address)),
            new DocumentParagraph("以下余白"),
        ];
        return new Certificate(CertificateKind.SealRegistration, content, new DocumentIssuer(settings.Issuer.MayorTitle) { Attestation = SealAttestation },
            serial, issuedOn);
    }

    /// <summary>The attestation of a 住民票の除票の写し.</summary>
    public const string RemovedRecordAttestation = "この写しは、住民票の除票の原本と相違ないことを証明する。";

    /// <summary>The refusal of a 除票 for a person who is still a resident (their 住民票の写し is issued instead).</summary>
    public const string StillResident = "record-not-removed";

    /// <summary>
    /// Issues a 住民票の除票の写し of a person who moved out (転出: date and destination) or died (死亡: date), from the register's
    /// record that the ward keeps after the removal (住民基本台帳法施行令第34条: 150 years; this register never deletes it).
    /// No number or resident-record code is printed.
    /// </summary>
    /// <exception cref="RegisterException">copies out of range; the person is still a resident (<see cref="StillResident"/>).</exception>
    /// <exception cref="DocumentFontMissingException">the Japanese font is not installed (nothing is recorded).</exception>
    public IssuedCertificate IssueRemovedResidenceRecord(string municipalityCode, Resident person, CertificateRequester requester, int copies, string staffId,
        string terminal, string? affair)
    {
        ArgumentNullException.ThrowIfNull(person);
        CheckOptions(new ResidenceCertificateRequest(person.Id), new ResidenceRecordOptions(false, requester, copies));
        if (person.Status == RegisterStatus.Resident)
            throw new RegisterException(StillResident,
                "residentId: this person is a resident; a 除票 exists only after a departure or death (この方は住民です。除票は転出又は死亡により消除された方についてのみ交付します)");
        return IssueForPerson(CertificateKind.RemovedResidenceRecord, municipalityCode, person, requester, copies, staffId, terminal, affair,
            person.Status == RegisterStatus.Deceased ? "消除事由: 死亡" : "消除事由: 転出",
            (serial, today) => RemovedResidenceRecord(person, serial, today));
    }

    /// <summary>The 住民票の除票の写し: the person's last entry with the removal (転出日・転出先, or 死亡日).</summary>
    public Certificate RemovedResidenceRecord(Resident person, CertificateSerial serial, DateOnly issuedOn)
    {
        ArgumentNullException.ThrowIfNull(person);
        var removedOn = person.StatusDate is { } d ? JapaneseEraDate.Format(d) : "不詳";
        var fields = new List<KeyValuePair<string, string>>
        {
            new("氏名", person.Name.Full),
            new("フリガナ", person.Name.FullKana),
            new("生年月日", JapaneseEraDate.Format(person.BirthDate)),
            new("性別", person.Sex.ToJapanese()),
            new("住所", person.Address),
            new("住民となった年月日", JapaneseEraDate.Format(person.ResidentSince)),
            new("本籍", "省略"),
        };
        if (person.Status == RegisterStatus.Deceased)
        {
            fields.Add(new("消除事由", "死亡"));
            fields.Add(new("死亡日", removedOn));
        }
        else
        {
            fields.Add(new("消除事由", "転出"));
            fields.Add(new("転出日", removedOn));
            fields.Add(new("転出先", person.MovedOutTo ?? "不詳"));
        }
        if (person.ForeignResident) fields.Add(new("国籍・地域", person.Nationality ?? ""));
        List<DocumentBlock> content = [new DocumentFields(fields), new DocumentParagraph("以下余白")];
        return new Certificate(CertificateKind.RemovedResidenceRecord, content,
            new DocumentIssuer(settings.Issuer.MayorTitle) { Attestation = RemovedRecordAttestation }, serial, issuedOn);
    }
}
