using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Intermediate.Contracts;

namespace Renkei.Holders.Contracts;

/// <summary>
/// The holder's small staff API (the pension organisation's or the insurer's own systems). Every route except
/// <see cref="Health"/> is a POST with a JSON body and needs the staff API key as a bearer token
/// (<c>Authorization: Bearer …</c>, the key file <c>staff-api.key</c> in the holder's key directory). Individual numbers
/// travel only in bodies, never in URLs, and no answer or error repeats one. Requests that change something carry a
/// request id: sending it again returns the first answer; the same id with other content is refused (409).
/// Routes of the other holder kind answer 404.
/// </summary>
public static class HolderRoutes
{
    /// <summary>GET: liveness and database reachability.</summary>
    public const string Health = "health";

    /// <summary>A person's records by individual number (<see cref="PersonLookupRequest"/> → <see cref="PersonView"/>).</summary>
    public const string LookupPerson = "people/lookup";

    /// <summary>Pension organisation: records or replaces a person's pension record (<see cref="PensionRecordRequest"/> → <see cref="RecordResponse"/>).</summary>
    public const string PensionRecord = "pension/records";

    /// <summary>Insurer: a new qualification as insured person or dependant (<see cref="QualificationRequest"/> → <see cref="RecordResponse"/>).</summary>
    public const string Qualification = "insurance/qualifications";

    /// <summary>Insurer: loss of qualification (資格喪失); an insured person's dependants lose theirs with it (<see cref="QualificationLossRequest"/> → <see cref="QualificationLossResponse"/>).</summary>
    public const string QualificationLoss = "insurance/qualifications/loss";

    /// <summary>Sends changed copies to the holder's intermediate server (<see cref="FeedRequest"/> → <see cref="CopyFeedReport"/>).</summary>
    public const string FeedCopies = "copies/feed";

    /// <summary>Acquires tokens (符号) through J-LIS for people who have none yet (<see cref="TokenAcquisitionRequest"/> → <see cref="TokenAcquisitionReport"/>).</summary>
    public const string AcquireTokens = "tokens/acquire";

    /// <summary>
    /// The holder as inquirer (情報照会): its intermediate server asks the network for another holder's information about the
    /// person, e.g. an insurer adjusting sickness allowance with a disability pension (<see cref="HolderInquiryRequest"/> →
    /// <see cref="InquiryResponse"/>).
    /// </summary>
    public const string Query = "linkage/query";

    public const string StaffKeyFileName = "staff-api.key";
}

/// <summary>Display data the holder may keep about a person (never sent to its intermediate server or anywhere else).</summary>
/// <param name="Name">氏名, for the holder's own screens.</param>
public sealed record PersonDetails(string? Name = null, DateOnly? BirthDate = null, Sex? Sex = null);

public sealed record PersonLookupRequest(IndividualNumber IndividualNumber);

/// <summary>
/// A person's pension record (年金記録): the basic pension number (基礎年金番号, 10 digits, hyphen allowed after the 4th) and
/// every benefit with its amount for <paramref name="AmountFiscalYear"/>. Replaces the benefits held before; an empty list
/// leaves a contributor without benefits (its copy is withdrawn from the intermediate server).
/// </summary>
public sealed record PensionRecordRequest(
    Guid RequestId,
    IndividualNumber IndividualNumber,
    string BasicPensionNumber,
    int AmountFiscalYear,
    IReadOnlyList<PensionBenefitItem> Benefits,
    PersonDetails? Person = null);

/// <summary>
/// A new qualification (資格取得). A dependant (被扶養者) names the insured person (被保険者) by number, who must be
/// qualified at this insurer on <paramref name="AcquiredOn"/>.
/// </summary>
public sealed record QualificationRequest(
    Guid RequestId,
    IndividualNumber IndividualNumber,
    HealthInsuranceMemberCategory Category,
    DateOnly AcquiredOn,
    IndividualNumber? InsuredIndividualNumber = null,
    PersonDetails? Person = null);

/// <summary>Loss of the person's current qualification on <paramref name="LostOn"/> (資格喪失日: for a retirement, the day after).</summary>
public sealed record QualificationLossRequest(Guid RequestId, IndividualNumber IndividualNumber, DateOnly LostOn, QualificationLossReason Reason);

/// <param name="PersonId">The holder's own person ID (the addressee number at its intermediate server).</param>
/// <param name="Created">The person was new to the holder.</param>
/// <param name="CopyVersion">The version the person's copy now has (0 when the person has nothing to provide).</param>
/// <param name="CopyFed">The copy reached the intermediate server with this request (otherwise the next feed sends it).</param>
public sealed record RecordResponse(Guid RequestId, long PersonId, bool Created, long CopyVersion, bool CopyFed);

/// <param name="DependantsLost">Person IDs of the dependants who lost their qualification with the insured person.</param>
public sealed record QualificationLossResponse(Guid RequestId, long PersonId, long CopyVersion, IReadOnlyList<long> DependantsLost, bool CopyFed);

public sealed record PensionView(string BasicPensionNumber, int AmountFiscalYear, IReadOnlyList<PensionBenefitItem> Benefits);

/// <param name="InsuredPersonId">For a dependant: the insured person's ID.</param>
public sealed record QualificationView(
    long QualificationId,
    HealthInsuranceMemberCategory Category,
    long? InsuredPersonId,
    DateOnly AcquiredOn,
    DateOnly? LostOn,
    QualificationLossReason? LossReason);

/// <summary>What the holder keeps about a person (the number itself is not repeated).</summary>
/// <param name="TokenAcquired">A token (符号) was delivered to the holder's intermediate server for the person.</param>
public sealed record PersonView(
    long PersonId,
    PersonDetails Person,
    bool TokenAcquired,
    PensionView? Pension,
    IReadOnlyList<QualificationView> Qualifications);

/// <summary>
/// Ask <paramref name="Provider"/> for information kind <paramref name="Kind"/> about the person with
/// <paramref name="IndividualNumber"/>, acting in <paramref name="Affair"/> (the network checks the legal policy). The person
/// must be one the holder keeps and has a token for. Resending the same request id returns the first answer.
/// </summary>
public sealed record HolderInquiryRequest(
    Guid RequestId,
    IndividualNumber IndividualNumber,
    string Affair,
    string Provider,
    string Kind,
    DateOnly? AsOf = null,
    DateOnly? PolicyDate = null);

/// <param name="BatchSize">Copies per request to the intermediate server (default 5,000).</param>
public sealed record FeedRequest(int? BatchSize = null);

/// <summary>What a feed sent: copies stored (new or replaced), already held (same version), stale (a newer version is held), withdrawn, and requests made.</summary>
public sealed record CopyFeedReport(long Sent, long Stored, long Unchanged, long Stale, long Withdrawn, long Requests);

/// <summary>Whom to acquire tokens for: the given people, or (null) everyone the holder keeps who has no token yet.</summary>
public sealed record TokenAcquisitionRequest(IReadOnlyList<IndividualNumber>? IndividualNumbers = null, int? BatchSize = null);

/// <param name="Requested">People asked for.</param>
/// <param name="Delivered">Tokens now delivered to the intermediate server (including ones it already had).</param>
/// <param name="Refused">People J-LIS refused, with the reason code (by person ID, never by number).</param>
public sealed record TokenAcquisitionReport(int Requested, int Delivered, IReadOnlyList<RefusedPerson> Refused);

public sealed record RefusedPerson(long PersonId, string Code, string Reason);
