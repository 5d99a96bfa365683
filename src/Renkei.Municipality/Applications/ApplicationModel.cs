using System.Text.Json;
using Renkei.Municipality.Addressee;
using Renkei.Network.Contracts;

namespace Renkei.Municipality.Applications;

/// <summary>Where an application stands (申請の状態): open → linked (every linkage step answered) → decided.</summary>
public enum ApplicationStatus
{
    /// <summary>受付: received, linkage not (fully) done.</summary>
    Open,
    /// <summary>連携済: every step of the workflow has an answer (linked or from a paper attachment).</summary>
    Linked,
    /// <summary>決定済: decided; nothing changes afterwards.</summary>
    Decided,
}

/// <summary>What became of an attachment the procedure used to need (添付書類).</summary>
public enum AttachmentState
{
    /// <summary>Still needed: neither linked nor submitted yet.</summary>
    Required,
    /// <summary>省略: replaced by linked data.</summary>
    Omitted,
    /// <summary>提出: the applicant brought the paper certificate after all.</summary>
    Submitted,
}

/// <summary>How one answer of a linkage step was obtained.</summary>
public enum LinkageChannel
{
    /// <summary>即時照会 over the network through the ward's intermediate server.</summary>
    Immediate,
    /// <summary>一括照会 over the network.</summary>
    Batch,
    /// <summary>庁内連携: another business system of the ward.</summary>
    IntraMunicipal,
    /// <summary>The values were read off a paper attachment at the counter (no linkage).</summary>
    Paper,
}

/// <summary>Whom a step asks (a role; the institution code comes from the application or the options).</summary>
public enum ProviderSource
{
    /// <summary>前住所地: the municipality the applicant moved from.</summary>
    PreviousMunicipality,
    /// <summary>1月1日の住所地: the municipality that assessed this year's residence tax.</summary>
    JanuaryFirstMunicipality,
    /// <summary>日本年金機構.</summary>
    PensionOrganisation,
    /// <summary>The employee health insurer the applicant left (前保険者).</summary>
    FormerInsurer,
    /// <summary>The ward's own business system, through intra-municipality linkage (庁内連携).</summary>
    OwnWard,
}

/// <summary>Whose information a step asks for.</summary>
public enum StepSubjects
{
    Applicant,
    /// <summary>The applicant and every household member concerned.</summary>
    Everyone,
}

/// <summary>A paper attachment the procedure used to need, and the step whose linked data replaces it.</summary>
public sealed record AttachmentDefinition(string Code, string Name, string ReplacedByStep);

/// <summary>
/// One linkage of a workflow: information kind <paramref name="Kind"/> from <paramref name="Source"/> (a provider of
/// <paramref name="ProviderClass"/> on the network, or <paramref name="IntraProviderSystem"/> inside the ward).
/// <paramref name="Optional"/> steps are not needed to decide.
/// </summary>
public sealed record LinkageStepDefinition(
    string Code,
    string Name,
    string Kind,
    ProviderSource Source,
    InstitutionClass ProviderClass,
    StepSubjects Subjects,
    bool Optional = false,
    string? IntraProviderSystem = null,
    string? IntraInquirerSystem = null,
    bool NotHeldIsAnswer = false)
{
    // NotHeldIsAnswer: 該当なし is itself the finding (no pension, no income on record in an investigation), so it
    // confirms the step; otherwise it confirms nothing and the paper attachment is asked for.
}

/// <summary>
/// Institutions named at the counter (from the 転入届, the applicant's statement or the insurer's name): who the linkages ask.
/// Municipalities by local government code (6 digits), insurers by insurer number.
/// </summary>
public sealed record ApplicationParties(string? PreviousMunicipality = null, string? JanuaryFirstMunicipality = null, string? FormerInsurer = null);

/// <summary>A person concerned by an application (the applicant or a household member), by integrated addressee number.</summary>
public sealed record ApplicationMember(IntegratedAddresseeNumber Addressee, string Role);

public sealed record ApplicationAttachment(string Code, string Name, string ReplacedByStep, AttachmentState State);

/// <summary>
/// One answer kept for an application, with its provenance: provider institution (or ward system), kind, the copy's as-of
/// date and version, the network's and the ward node's provision-record sequences. <see cref="Body"/> is the provided
/// information (no individual number: the copies never hold one).
/// </summary>
public sealed record LinkageAnswer(
    long Id,
    string Step,
    IntegratedAddresseeNumber Subject,
    LinkageChannel Channel,
    string? Provider,
    string Kind,
    LinkageOutcome Outcome,
    string? RefusalCode,
    string? Message,
    DateOnly? AsOf,
    long? Version,
    long? NetworkRecordSequence,
    long? PartyRecordSequence,
    Guid? RequestId,
    JsonElement? Body,
    DateTimeOffset RecordedAt,
    string RecordedBy)
{
    /// <summary>An answer the rule can use: provided, or "not held" (which is an answer too).</summary>
    public bool Answered => Outcome is LinkageOutcome.Provided or LinkageOutcome.NotHeld;
}

public enum DecisionOutcome
{
    /// <summary>認定 / 支給決定 / 資格取得 / 保護開始.</summary>
    Approved,
    /// <summary>却下.</summary>
    Rejected,
}

/// <summary>
/// A decision (決定): outcome, a one-line Japanese summary, the monthly amount where there is one (yen), the reasons
/// (Japanese lines citing the linked data), and whether any paper attachment was used (<see cref="WithLinkage"/> is
/// true when every answer came by linkage).
/// </summary>
public sealed record ApplicationDecision(
    DecisionOutcome Outcome,
    string Summary,
    long? MonthlyAmount,
    IReadOnlyList<string> Reasons,
    DateOnly DecidedOn,
    bool WithLinkage,
    int? Stage = null,
    DateOnly? EffectiveFrom = null)
{
    /// <summary>1 for the first decision; each correction (更正) adds one.</summary>
    public int Version { get; init; } = 1;

    /// <summary>Why this decision corrected the previous one (更正の理由); null for the first decision.</summary>
    public string? CorrectionReason { get; init; }
}

/// <summary>A decision that a correction replaced (更正前の決定), kept whole.</summary>
public sealed record SupersededDecision(ApplicationDecision Decision, string DecidedBy, DateTimeOffset SupersededAt, string SupersededBy, string Reason);

/// <summary>An application (申請) as stored in <c>app_applications</c>, with its members, attachments and answers.</summary>
public sealed record Application(
    long Id,
    string Workflow,
    string Affair,
    IntegratedAddresseeNumber Applicant,
    ApplicationStatus Status,
    DateOnly ReceivedOn,
    ApplicationParties Parties,
    string OpenedBy,
    DateTimeOffset OpenedAt,
    IReadOnlyList<ApplicationMember> Members,
    IReadOnlyList<ApplicationAttachment> Attachments,
    IReadOnlyList<LinkageAnswer> Results,
    ApplicationDecision? Decision,
    string? DecidedBy)
{
    /// <summary>How the application arrived: at the counter (窓口) or signed through the portal (電子申請).</summary>
    public ApplicationChannel Channel { get; init; } = ApplicationChannel.Counter;
}

/// <summary>How an application arrived (受付経路).</summary>
public enum ApplicationChannel
{
    /// <summary>窓口: opened by a member of staff at the counter.</summary>
    Counter,
    /// <summary>電子申請: signed by the resident with the card's signing certificate and filed by the e-application inbox.</summary>
    EApplication,
}

/// <summary>
/// A linkage of a workflow as offered to the staff member: <see cref="Offered"/> only when the network publishes a policy
/// row for the staff member's chosen affair, provider class and kind on that day (or, inside the ward, the ordinance table
/// has a row); otherwise <see cref="Reason"/> says why not. <see cref="Provider"/> is the institution the step would ask
/// (null when the application does not name it yet).
/// </summary>
public sealed record OfferedLinkage(
    LinkageStepDefinition Step,
    bool Offered,
    string? Provider,
    string? PolicyRowId,
    string? Source,
    string? Reason);

/// <summary>What one linkage run did: the answers stored, and the steps refused before anything was asked.</summary>
public sealed record LinkageRun(long ApplicationId, IReadOnlyList<LinkageAnswer> Results, IReadOnlyList<string> RefusedSteps, ApplicationStatus Status);

/// <summary>The outcome of a batch linkage over many applications.</summary>
public sealed record BatchLinkageRun(IReadOnlyList<LinkageRun> Applications, IReadOnlyList<Guid> NetworkBatches);

/// <summary>
/// A decision notice (決定通知書) as a document: the text a resident reads (dates in the Japanese era) and the same content
/// as JSON. Persons appear by integrated addressee number only.
/// </summary>
public sealed record DecisionNotice(long ApplicationId, string Title, string IssuedOnEra, string Text, string Json)
{
    /// <summary>The notice on municipal paper (<see cref="DecisionNotices.Document"/>); null for a notice made without an issuer.</summary>
    public Renkei.Documents.MunicipalDocument? Document { get; init; }

    /// <summary>The notice's 文書番号 as printed (e.g. 品子発第12号).</summary>
    public string? DocumentNumber { get; init; }

    /// <summary>The notice as a PDF (A4).</summary>
    /// <exception cref="Renkei.Documents.DocumentFontMissingException">the Japanese font is not installed.</exception>
    public byte[] ToPdf() => Renkei.Documents.MunicipalPaper.Render(Document ?? throw new InvalidOperationException("the notice has no document"));
}

/// <summary>Whom a notice is sent to, from the register: the name and the address (the addressee block prints 様).</summary>
public sealed record NoticeAddressee(string Name, string Address);

/// <summary>Who issues notices: the ward (e.g. 品川区; the defendant named in the 教示) and its head (品川区長; issuer and review authority).</summary>
public sealed record NoticeIssuer(string WardName, string MayorTitle)
{
    /// <summary>The ward's head by the usual title: the ward's name and 長 (品川区 → 品川区長).</summary>
    public static NoticeIssuer For(string wardName, string? mayorTitle = null) =>
        new(wardName, string.IsNullOrWhiteSpace(mayorTitle) ? wardName + "長" : mayorTitle.Trim());
}

/// <summary>Omitted attachments of one affair (添付書類の省略件数).</summary>
public sealed record OmittedAttachmentCount(string Affair, string AttachmentCode, string AttachmentName, long Omitted, long Submitted);

/// <summary>
/// Linkage usage of one procedure: applications decided, and decided with linkage only (no paper attachment);
/// <see cref="UsageRate"/> = with linkage ÷ decided (null before any decision).
/// </summary>
public sealed record LinkageUsage(string Workflow, string Name, string Affair, long Decided, long DecidedWithLinkage, long Open)
{
    public double? UsageRate => Decided == 0 ? null : (double)DecidedWithLinkage / Decided;
}

/// <summary>The ward's dashboard data (連携の利用状況).</summary>
public sealed record ApplicationDashboard(IReadOnlyList<OmittedAttachmentCount> OmittedAttachments, IReadOnlyList<LinkageUsage> Usage);

/// <summary>Filters for <see cref="AttachmentWorkflows.List"/>.</summary>
public sealed record ApplicationQuery(string? Workflow = null, ApplicationStatus? Status = null, IntegratedAddresseeNumber? Applicant = null, int Limit = 200);

/// <summary>
/// An application step that cannot be done, with a stable code (<see cref="Codes"/>) and a message in English with the
/// Japanese in parentheses. Never carries a personal value.
/// </summary>
public sealed class WorkflowException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;

    public static class Codes
    {
        public const string UnknownWorkflow = "unknown-workflow";
        public const string NotFound = "application-not-found";
        public const string NoAffairChosen = "no-affair-chosen";
        public const string AffairMismatch = "affair-mismatch";
        public const string InvalidInput = "invalid-input";
        public const string UnknownAddressee = "unknown-addressee";
        public const string AlreadyDecided = "already-decided";
        public const string UnknownStep = "unknown-step";
        public const string LinkageNotPermitted = "linkage-not-permitted";
        public const string ProviderMissing = "provider-missing";
        public const string LinkageIncomplete = "linkage-incomplete";
        public const string NotDecided = "not-decided";
        public const string IntermediateUnavailable = "intermediate-unavailable";
        /// <summary>Nobody the procedure can be decided for (e.g. no child who counts): nothing is decided.</summary>
        public const string NoEligiblePerson = "no-eligible-person";
        /// <summary>An application of an affair certified once per applicant while one is examined or approved.</summary>
        public const string DuplicateApplication = "duplicate-application";
        /// <summary>A procedure for children opened with no child named.</summary>
        public const string NoChildNamed = "no-child-named";
        /// <summary>Linkage answered 該当なし for a required step: the paper attachment is needed before a decision.</summary>
        public const string PaperNeeded = "paper-attachment-needed";
    }
}
