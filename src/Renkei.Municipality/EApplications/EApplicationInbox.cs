using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;
using Renkei.ServiceDefaults;

namespace Renkei.Municipality.EApplications;

/// <summary>
/// The ward's e-application inbox (電子申請の受付): verifies first, then files. A submission from the portal is checked in
/// this order, and refused with an <see cref="EApplicationRefusalCodes"/> code at the first failure, with nothing filed:
/// <list type="number">
/// <item>the submission's shape (ids, sizes, base64);</item>
/// <item>the resident's signature over the exact document bytes with the signing certificate (署名用電子証明書):
/// chain to J-LIS's signing CA and root, validity, key usage, and its status at J-LIS (good — not suspended, not
/// revoked), through <see cref="JpkiRelyingParty"/>;</item>
/// <item>the document itself, parsed strictly only after the signature verified (format, the same submission id,
/// known procedures, children, the nursery request when nursery admission is asked for);</item>
/// <item>the municipality named is this ward;</item>
/// <item>the applicant: the one current resident whose four facts equal the certificate's — name, birth date, sex and
/// address. Names and addresses are compared after Unicode NFKC normalisation with all white space removed (the card
/// writes 「鈴木 大輔」, the register 「鈴木　大輔」); birth date and sex exactly. The address must match too: a move
/// revokes the signing certificate, so a good certificate carries the current address. Anything else — none, or more
/// than one — is <see cref="EApplicationRefusalCodes.ApplicantNotFound"/>;</item>
/// <item>each child: a current resident of the applicant's household with that (normalised) name and birth date.</item>
/// </list>
/// Then it files one application per procedure in one transaction, channel 電子申請, opened by the system actor
/// <see cref="Actor"/> and written to the operation log under it, with the signed document, signature, certificate,
/// certificate serial and signing time kept as evidence: <c>child-allowance</c> → 児童手当 認定請求 (the arrival workflow
/// when the applicant arrived in the ward after 1 January of the year received, asking the municipality moved from;
/// otherwise the plain one from the ward's own tax records), <c>nursery-admission</c> → 保育所等利用申込み (the 1 January
/// municipality: the one moved from after 1 January, else the ward). A resend of the same submission returns the first
/// receipt (without verifying again: the same bytes were verified when filed); the same id with another content is
/// refused (409 <see cref="SubmissionIdReused"/>).
/// </summary>
public sealed partial class EApplicationInbox
{
    /// <summary>The system actor that files e-applications, as the operation log records it.</summary>
    public const string Actor = "電子申請";

    /// <summary>The terminal the operation log records for the inbox.</summary>
    public const string Terminal = "e-application-inbox";

    /// <summary>Problem code of a submission id reused for another submission (additive to <see cref="EApplicationRefusalCodes"/>).</summary>
    public const string SubmissionIdReused = "submission-id-reused";

    public const int MaxDocumentLength = 64 * 1024;
    public const int MaxChildren = 10;
    public const int MaxPreferences = 3;

    private static readonly JsonSerializerOptions Strict = new(JsonDefaults.Options)
    {
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private readonly ApplicationStore _store;
    private readonly AddresseeSystem _addressee;
    private readonly JpkiRelyingParty _jpki;
    private readonly TimeProvider _clock;

    public EApplicationInbox(ApplicationStore store, AddresseeSystem addressee, JpkiRelyingParty jpki, TimeProvider? clock = null)
    {
        _store = store;
        _addressee = addressee;
        _jpki = jpki;
        _clock = clock ?? TimeProvider.System;
        _store.EnsureSchema();
    }

    public LocalGovernmentCode Ward => _addressee.Register.Municipality;

    private ResidentRegister Register => _addressee.Register;

    private static readonly TimeSpan JapanStandardTime = TimeSpan.FromHours(9);

    /// <summary>Verifies and files <paramref name="submission"/>; a resend returns the first receipt.</summary>
    /// <exception cref="RefusalException">refused (the code says why); nothing was filed.</exception>
    /// <exception cref="JlisException">J-LIS refused the status question (not a verdict about the certificate).</exception>
    /// <exception cref="HttpRequestException">J-LIS could not be reached.</exception>
    public async Task<EApplicationReceipt> ReceiveAsync(EApplicationSubmission submission, CancellationToken cancellationToken = default)
    {
        try
        {
            return await ReceiveCoreAsync(submission, cancellationToken);
        }
        catch (RefusalException refused)
        {
            await LogAsync(null, null, OperationResult.Refused, $"電子申請 拒否 {refused.Code}", cancellationToken);
            throw;
        }
    }

    private async Task<EApplicationReceipt> ReceiveCoreAsync(EApplicationSubmission submission, CancellationToken cancellationToken)
    {
        CheckShape(submission);
        var fingerprint = Fingerprint(submission);
        if (Replay(submission.SubmissionId, fingerprint) is { } earlier) return earlier;

        var documentBytes = Encoding.UTF8.GetBytes(submission.Document);
        VerifiedJpkiCertificate verified;
        try
        {
            verified = await _jpki.VerifyAsync(JpkiCertificateKind.Signing, submission.SigningCertificate, documentBytes, submission.Signature, cancellationToken);
        }
        catch (JpkiVerificationException e)
        {
            throw new RefusalException(StatusOf(e.Code), e.Code, e.Message);
        }
        var subject = verified.Subject!;

        var document = ParseDocument(submission);
        if (document.Municipality != Ward.Digits)
            throw Refuse(422, EApplicationRefusalCodes.WrongMunicipality,
                $"the application is addressed to another municipality; this is {Ward.Digits} (申請先の市区町村が違います)");

        var applicant = FindApplicant(subject)
            ?? throw Refuse(422, EApplicationRefusalCodes.ApplicantNotFound,
                "no single current resident matches the signing certificate's name, birth date, sex and address (署名用電子証明書の基本4情報に一致する住民が見つかりません)");
        var children = new List<Resident>();
        var household = Register.FindHousehold(applicant.HouseholdNumber)?.Members.Where(m => m.Id != applicant.Id && m.Status == RegisterStatus.Resident).ToList() ?? [];
        for (var i = 0; i < document.Children.Count; i++)
        {
            var child = document.Children[i];
            var found = household.Where(m => m.BirthDate == child.BirthDate && Normalise(m.Name.FamilyName + m.Name.GivenName) == Normalise(child.Name)).ToList();
            if (found.Count != 1)
                throw Refuse(422, EApplicationRefusalCodes.ChildNotFound,
                    $"children[{i}]: no child with this name and birth date in the applicant's household (世帯に該当する子どもが見つかりません)");
            if (children.Any(c => c.Id == found[0].Id))
                throw Refuse(400, EApplicationRefusalCodes.BadDocument, $"children[{i}]: the same child twice (子どもが重複しています)");
            children.Add(found[0]);
        }

        var now = _clock.GetUtcNow();
        var receivedOn = DateOnly.FromDateTime(now.ToOffset(JapanStandardTime).DateTime);
        var applicantNumber = _addressee.EnsureForResident(applicant.Id);
        var members = children.Select(c => new ApplicationMember(_addressee.EnsureForResident(c.Id), WorkflowCatalogue.ChildRole)).ToList();
        var movedFrom = MovedFromAfterJanuaryFirst(applicant, receivedOn);
        var filings = document.Procedures.Select(procedure => procedure switch
        {
            EApplicationRoutes.ChildAllowance => movedFrom is { } from
                ? new EApplicationFiling(procedure, WorkflowCatalogue.Find(WorkflowCatalogue.ChildAllowanceArrival)!, applicantNumber, members,
                    new ApplicationParties(PreviousMunicipality: from))
                : new EApplicationFiling(procedure, WorkflowCatalogue.Find(WorkflowCatalogue.ChildAllowance)!, applicantNumber, members, new ApplicationParties()),
            _ => new EApplicationFiling(procedure, WorkflowCatalogue.Find(WorkflowCatalogue.NurseryAdmission)!, applicantNumber, members,
                new ApplicationParties(PreviousMunicipality: movedFrom, JanuaryFirstMunicipality: movedFrom ?? Ward.Digits)),
        }).ToList();

        var evidence = new EApplicationEvidence(submission.SubmissionId, now, document.SignedAt, verified.SerialNumber, submission.Document,
            submission.Signature, submission.SigningCertificate);
        (FilingOutcome outcome, EApplicationReceipt? receipt) filing;
        try
        {
            filing = _store.FileEApplication(evidence, fingerprint, applicantNumber, filings, Ward.Digits, receivedOn, Actor, EApplicationInquiryCode.New());
        }
        catch (WorkflowException duplicate) when (duplicate.Code == WorkflowException.Codes.DuplicateApplication)
        {
            throw Refuse(409, EApplicationRefusalCodes.AlreadyApplied, duplicate.Message);
        }
        var (outcome, receipt) = filing;
        switch (outcome)
        {
            case FilingOutcome.IdReused:
                throw Refuse(409, SubmissionIdReused, "this submission id was used for another submission (申請IDが別の申請で使用済みです)");
            case FilingOutcome.Replayed:
                return receipt!;
        }
        foreach (var filed in receipt!.Applications)
        {
            var workflow = filings.First(f => f.Procedure == filed.Procedure).Workflow;
            await LogAsync(workflow.Affair, applicantNumber, OperationResult.Success,
                $"電子申請受付 {workflow.Name} 申請番号 {filed.ApplicationId} 対象者 {members.Count + 1}人 署名検証済み", cancellationToken);
        }
        return receipt;
    }

    /// <summary>
    /// The state of one filed application, for the applicant who kept its receipt number and the submission's inquiry code.
    /// An unknown number, an application opened at the counter and a wrong code get the same refusal; each question is logged.
    /// </summary>
    /// <exception cref="RefusalException">400 for a malformed question (naming the field), 404 <see cref="EApplicationRefusalCodes.StatusNotFound"/>.</exception>
    public async Task<EApplicationStatus> StatusAsync(EApplicationStatusRequest? request, CancellationToken cancellationToken = default)
    {
        if (request is null) throw Refuse(400, EApplicationRefusalCodes.BadDocument, "the question is empty (照会内容がありません)");
        if (request.ApplicationId <= 0) throw Refuse(400, EApplicationRefusalCodes.BadDocument, "applicationId: a receipt number (受付番号を入力してください)");
        var code = EApplicationInquiryCode.Normalise(request.InquiryCode)
            ?? throw Refuse(400, EApplicationRefusalCodes.BadDocument, "inquiryCode: 12 letters and digits, as on the receipt (照会番号は受付時に表示された英数字12文字です)");
        var receipt = _store.ReceiptOfApplication(request.ApplicationId);
        var application = receipt?.InquiryCode is { } expected
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(code))
                ? _store.Find(request.ApplicationId)
                : null;
        if (application is null)
        {
            await LogAsync(null, null, OperationResult.Refused, "電子申請 状況照会 拒否（受付番号または照会番号の誤り）", cancellationToken, OperationAction.View);
            throw Refuse(404, EApplicationRefusalCodes.StatusNotFound,
                "no application with this receipt number and inquiry code (受付番号または照会番号が違います)");
        }
        var workflow = WorkflowCatalogue.Find(application.Workflow)!;
        var filed = receipt!.Applications.First(a => a.ApplicationId == application.Id);
        var state = application.Status switch
        {
            ApplicationStatus.Decided => EApplicationStates.Decided,
            ApplicationStatus.Linked => EApplicationStates.Examining,
            _ => EApplicationStates.Received,
        };
        var outcome = application.Decision?.Outcome switch
        {
            DecisionOutcome.Approved => "approved",
            DecisionOutcome.Rejected => "rejected",
            _ => null,
        };
        await LogAsync(workflow.Affair, application.Applicant, OperationResult.Success,
            $"電子申請 状況照会 {workflow.Name} 申請番号 {application.Id}（申請者本人の照会番号による）", cancellationToken, OperationAction.View);
        return new EApplicationStatus(application.Id, filed.Procedure, workflow.Name, application.ReceivedOn, state, outcome, application.Decision?.DecidedOn);
    }

    // ---------------------------------------------------------------- checks

    private static void CheckShape(EApplicationSubmission? submission)
    {
        if (submission is null) throw Refuse(400, EApplicationRefusalCodes.BadDocument, "the submission is empty (申請が空です)");
        if (submission.SubmissionId == Guid.Empty) throw Refuse(400, EApplicationRefusalCodes.BadDocument, "submissionId: required (申請IDがありません)");
        if (string.IsNullOrEmpty(submission.Document) || submission.Document.Length > MaxDocumentLength)
            throw Refuse(400, EApplicationRefusalCodes.BadDocument, $"document: 1 to {MaxDocumentLength} characters (申請書がありません)");
        if (string.IsNullOrEmpty(submission.Signature))
            throw Refuse(400, EApplicationRefusalCodes.BadSignature, "signature: required (署名がありません)");
        if (string.IsNullOrEmpty(submission.SigningCertificate))
            throw Refuse(400, EApplicationRefusalCodes.CertificateNotTrusted, "signingCertificate: required (署名用電子証明書がありません)");
    }

    private static EApplicationDocument ParseDocument(EApplicationSubmission submission)
    {
        EApplicationDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<EApplicationDocument>(submission.Document, Strict);
        }
        catch (JsonException e)
        {
            throw Refuse(400, EApplicationRefusalCodes.BadDocument, "document: " + ErrorResponsesText(e));
        }
        if (document is null) throw Refuse(400, EApplicationRefusalCodes.BadDocument, "document: empty (申請書が空です)");
        if (document.Format != EApplicationRoutes.DocumentFormat)
            throw Refuse(400, EApplicationRefusalCodes.BadDocument, $"format: must be {EApplicationRoutes.DocumentFormat} (申請書の形式が違います)");
        if (document.SubmissionId != submission.SubmissionId)
            throw Refuse(400, EApplicationRefusalCodes.BadDocument, "submissionId: the signed document names another submission (署名された申請書の申請IDが一致しません)");
        var procedures = document.Procedures;
        if (procedures.Count is < 1 or > 2 || procedures.Distinct(StringComparer.Ordinal).Count() != procedures.Count
            || procedures.Any(p => p is not (EApplicationRoutes.ChildAllowance or EApplicationRoutes.NurseryAdmission)))
            throw Refuse(400, EApplicationRefusalCodes.BadDocument,
                $"procedures: one or both of {EApplicationRoutes.ChildAllowance} and {EApplicationRoutes.NurseryAdmission}, each once (手続が正しくありません)");
        if (document.Children.Count is < 1 or > MaxChildren)
            throw Refuse(400, EApplicationRefusalCodes.BadDocument, $"children: 1 to {MaxChildren} (対象の子どもを指定してください)");
        for (var i = 0; i < document.Children.Count; i++)
            if (document.Children[i] is not { Name.Length: > 0 and <= 100 } child || string.IsNullOrWhiteSpace(child.Name) || HasControl(child.Name))
                throw Refuse(400, EApplicationRefusalCodes.BadDocument, $"children[{i}].name: 1 to 100 characters (子どもの氏名が正しくありません)");
        var wantsNursery = procedures.Contains(EApplicationRoutes.NurseryAdmission);
        if (wantsNursery != document.Nursery is not null)
            throw Refuse(400, EApplicationRefusalCodes.BadDocument,
                "nursery: required with nursery-admission and only with it (保育所等の利用申込み内容が正しくありません)");
        if (document.Nursery is { } nursery)
        {
            if (nursery.Preferences.Count is < 1 or > MaxPreferences
                || nursery.Preferences.Any(p => string.IsNullOrWhiteSpace(p) || p.Length > 100 || HasControl(p)))
                throw Refuse(400, EApplicationRefusalCodes.BadDocument, $"nursery.preferences: 1 to {MaxPreferences} names of 1 to 100 characters (希望施設が正しくありません)");
            if (nursery.DesiredStart.Day != 1)
                throw Refuse(400, EApplicationRefusalCodes.BadDocument, "nursery.desiredStart: the first day of a month (利用開始希望日は月の初日です)");
            if (string.IsNullOrWhiteSpace(nursery.Reason) || nursery.Reason.Length > 100 || HasControl(nursery.Reason))
                throw Refuse(400, EApplicationRefusalCodes.BadDocument, "nursery.reason: 1 to 100 characters (保育を必要とする事由が正しくありません)");
        }
        if (document.Contact is { } contact && !Phone().IsMatch(contact))
            throw Refuse(400, EApplicationRefusalCodes.BadDocument, "contact: a telephone number of digits and hyphens (連絡先が正しくありません)");
        if (string.IsNullOrWhiteSpace(document.Municipality))
            throw Refuse(400, EApplicationRefusalCodes.BadDocument, "municipality: required (申請先がありません)");
        return document;
    }

    private static string ErrorResponsesText(JsonException e) => Renkei.ServiceDefaults.ErrorResponses.DescribeJsonError(e);

    [GeneratedRegex(@"^\+?[0-9][0-9-]{5,19}$")]
    private static partial Regex Phone();

    private static bool HasControl(string text) => text.Any(char.IsControl);

    /// <summary>The one current resident with the certificate's four facts, or null.</summary>
    private Resident? FindApplicant(SigningCertificateSubject subject)
    {
        var name = Normalise(subject.Name);
        if (name.Length == 0) return null;
        var address = Normalise(subject.Address);
        var candidates = Register.Search(new ResidentSearch(null, null, subject.BirthDate, IncludeFormerResidents: false, Limit: 1000))
            .Where(s => s.Status == RegisterStatus.Resident && s.Sex == subject.Sex && Normalise(s.Name) == name && Normalise(s.Address) == address)
            .ToList();
        return candidates.Count == 1 ? Register.Find(candidates[0].ResidentId) : null;
    }

    /// <summary>NFKC, then every white-space character removed: how names and addresses are compared.</summary>
    internal static string Normalise(string text) => string.Concat(text.Normalize(NormalizationForm.FormKC).Where(c => !char.IsWhiteSpace(c)));

    /// <summary>The municipality the applicant moved from, when the applicant arrived after 1 January of <paramref name="day"/>'s year; else null.</summary>
    private string? MovedFromAfterJanuaryFirst(Resident applicant, DateOnly day) => Arrivals.AfterJanuaryFirst(Register, applicant.Id, day)?.From;

    private EApplicationReceipt? Replay(Guid submissionId, string fingerprint)
    {
        var (outcome, receipt) = _store.FindEApplication(submissionId, fingerprint);
        return outcome switch
        {
            FilingOutcome.Replayed => receipt,
            FilingOutcome.IdReused => throw Refuse(409, SubmissionIdReused, "this submission id was used for another submission (申請IDが別の申請で使用済みです)"),
            _ => null,
        };
    }

    /// <summary>What identifies a submission's content: SHA-256 over the document, signature and certificate.</summary>
    private static string Fingerprint(EApplicationSubmission submission) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(submission.Document + "\n" + submission.Signature + "\n" + submission.SigningCertificate)));

    private static int StatusOf(string code) => code == EApplicationRefusalCodes.BadSignature ? 422 : 403;

    private static RefusalException Refuse(int status, string code, string message) => new(status, code, message);

    private Task LogAsync(string? affair, IntegratedAddresseeNumber? subject, OperationResult result, string detail, CancellationToken cancellationToken,
        OperationAction action = OperationAction.Change) =>
        _addressee.Log.AppendAsync(new OperationLogEntry(Actor, _clock.GetUtcNow(), Terminal, affair, subject?.ToInt64(), action, result, detail),
            cancellationToken);
}
