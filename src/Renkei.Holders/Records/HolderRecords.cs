using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Holders.Storage;
using Renkei.Intermediate.Contracts;
using Renkei.Holders.Contracts;
using Renkei.ServiceDefaults;

namespace Renkei.Holders.Records;

/// <summary>
/// The holder's records and the rules for changing them: pension records at the pension organisation, qualifications
/// at the insurer. Every change runs in one transaction with its request id (a retry returns the first answer) and
/// raises the version of the person's copy, which the feed then sends to the intermediate server.
/// </summary>
public sealed class HolderRecords
{
    private readonly TimeProvider _clock;

    internal HolderRecords(HolderStore store, HolderKind kind, string institutionCode, InsurerType insurerType, TimeProvider clock)
    {
        Store = store;
        Kind = kind;
        InstitutionCode = institutionCode;
        InsurerType = insurerType;
        _clock = clock;
    }

    public HolderStore Store { get; }
    public HolderKind Kind { get; }
    public string InstitutionCode { get; }
    public InsurerType InsurerType { get; }

    /// <summary>The information kind this holder provides.</summary>
    public string InformationKind => KindOf(Kind);

    public static string KindOf(HolderKind kind) => kind switch
    {
        HolderKind.PensionOrganisation => HolderInformationKindCodes.PensionBenefit,
        HolderKind.HealthInsurer => HolderInformationKindCodes.HealthInsuranceQualification,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    // ---------------------------------------------------------------- reading

    /// <summary>What the holder keeps about the person with <paramref name="number"/>; null when it keeps nothing.</summary>
    public PersonView? Find(IndividualNumber number)
    {
        using var c = Store.Database.Open();
        return Store.FindPerson(c, null, number) is { } personId ? View(c, null, personId) : null;
    }

    /// <summary>The person's view by the holder's own person ID; null when there is no such person.</summary>
    public PersonView? Find(long personId)
    {
        using var c = Store.Database.Open();
        return View(c, null, personId);
    }

    private PersonView? View(DbConnection c, DbTransaction? t, long personId)
    {
        var details = Store.ReadDetails(c, t, personId, out var tokenAcquired);
        if (details is null) return null;
        return Kind == HolderKind.PensionOrganisation
            ? new PersonView(personId, details, tokenAcquired, Store.ReadPension(c, t, personId), [])
            : new PersonView(personId, details, tokenAcquired, null, Store.ReadQualifications(c, t, personId));
    }

    /// <summary>
    /// The copy the intermediate server should hold for the person, or null when there is nothing to provide. The as-of
    /// date is the first day the body speaks for (the earliest right to a benefit; the qualification's acquisition): the
    /// body carries its own dates (payment periods, loss date), so it answers for any day from then on.
    /// </summary>
    public (DateOnly AsOf, JsonElement Body)? Copy(DbConnection c, DbTransaction? t, long personId)
    {
        if (Kind == HolderKind.PensionOrganisation)
        {
            var pension = Store.ReadPension(c, t, personId);
            if (pension is null || pension.Benefits.Count == 0) return null;
            var total = pension.Benefits.Where(b => !b.Suspended && b.PaymentUntil is null).Sum(b => b.AnnualAmount);
            var body = new PensionBenefitBody(pension.AmountFiscalYear, total, pension.Benefits);
            return (pension.Benefits.Min(b => b.RightAcquiredOn), CopyBodies.ToJson(body));
        }
        var latest = Store.ReadQualifications(c, t, personId).LastOrDefault();
        if (latest is null) return null;
        return (latest.AcquiredOn, CopyBodies.ToJson(new HealthInsuranceQualificationBody(
            InsurerType, InstitutionCode, latest.Category, latest.AcquiredOn, latest.LostOn, latest.LossReason)));
    }

    // ---------------------------------------------------------------- pension organisation (日本年金機構)

    /// <summary>Records or replaces the person's pension record. The copy's version rises only when something changed.</summary>
    public RecordResponse RecordPension(PensionRecordRequest request)
    {
        Require(HolderKind.PensionOrganisation);
        ArgumentNullException.ThrowIfNull(request);
        var basicPensionNumber = PensionRules.Validate(request);
        return Idempotent(request.RequestId, "pension-record", request, (c, t, now) =>
        {
            var (personId, created) = Store.EnsurePerson(c, t, request.IndividualNumber, Details(request.Person), now);
            if (Store.PersonWithBasicPensionNumber(c, t, basicPensionNumber) is { } holder && holder != personId)
                throw new RefusalException(StatusCodes.Status409Conflict, "basic-pension-number-in-use",
                    "the basic pension number is recorded for another person (基礎年金番号は別の方に記録されています)");
            var before = Store.ReadPension(c, t, personId);
            var unchanged = before is not null && before.BasicPensionNumber == basicPensionNumber
                && before.AmountFiscalYear == request.AmountFiscalYear && before.Benefits.SequenceEqual(request.Benefits);
            long version;
            if (unchanged) version = Store.CopyVersion(c, t, personId, InformationKind);
            else
            {
                Store.WritePension(c, t, personId, basicPensionNumber, request.AmountFiscalYear, request.Benefits);
                // A contributor without benefits (before and after) has nothing to provide: no copy to version.
                version = request.Benefits.Count > 0 || before is { Benefits.Count: > 0 }
                    ? Store.BumpCopyVersion(c, t, personId, InformationKind)
                    : Store.CopyVersion(c, t, personId, InformationKind);
            }
            return new RecordResponse(request.RequestId, personId, created, version, CopyFed: false);
        });
    }

    // ---------------------------------------------------------------- insurer (健康保険組合)

    /// <summary>A new qualification as insured person or dependant (資格取得).</summary>
    public RecordResponse RecordQualification(QualificationRequest request)
    {
        Require(HolderKind.HealthInsurer);
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestId == Guid.Empty) throw Invalid("requestId: required (要求番号がありません)");
        if (!Enum.IsDefined(request.Category)) throw Invalid("category: insured or dependant (被保険者・被扶養者の区分が正しくありません)");
        if (request.Category == HealthInsuranceMemberCategory.Dependant && request.InsuredIndividualNumber is null)
            throw Invalid("insuredIndividualNumber: a dependant names the insured person (被扶養者には被保険者の個人番号が必要です)");
        if (request.Category == HealthInsuranceMemberCategory.Insured && request.InsuredIndividualNumber is not null)
            throw Invalid("insuredIndividualNumber: only a dependant names an insured person (被保険者には不要です)");
        if (request.InsuredIndividualNumber == request.IndividualNumber)
            throw Invalid("insuredIndividualNumber: a person cannot be their own dependant (本人を被扶養者にはできません)");
        CheckDetails(request.Person);
        if (request.Person?.BirthDate is { } birth && request.AcquiredOn < birth)
            throw Invalid("acquiredOn: before the birth date (資格取得日が生年月日より前です)");

        return Idempotent(request.RequestId, "qualification", request, (c, t, now) =>
        {
            long? insuredPersonId = null;
            if (request.InsuredIndividualNumber is { } insuredNumber)
            {
                var insured = Store.FindPerson(c, t, insuredNumber) is { } id ? (long?)id : null;
                var insuredQualification = insured is null ? null : Store.CurrentQualification(c, t, insured.Value);
                if (insuredQualification is not { Category: HealthInsuranceMemberCategory.Insured } || insuredQualification.AcquiredOn > request.AcquiredOn)
                    throw new RefusalException(StatusCodes.Status409Conflict, "insured-not-qualified",
                        "the insured person is not qualified at this insurer on that date (被保険者がその日に資格を有していません)");
                insuredPersonId = insured;
            }
            var (personId, created) = Store.EnsurePerson(c, t, request.IndividualNumber, Details(request.Person), now);
            if (Store.BirthDate(c, t, personId) is { } birthDate && request.AcquiredOn < birthDate)
                throw Invalid("acquiredOn: before the birth date (資格取得日が生年月日より前です)");
            var history = Store.ReadQualifications(c, t, personId);
            if (history.Any(q => q.LostOn is null))
                throw new RefusalException(StatusCodes.Status409Conflict, "already-qualified",
                    "the person already holds a qualification at this insurer; record its loss first (既に資格を有しています)");
            if (history.Any(q => q.LostOn > request.AcquiredOn))
                throw new RefusalException(StatusCodes.Status409Conflict, "overlapping-qualification",
                    "acquiredOn: before the loss of the previous qualification (前回の資格喪失日より前です)");
            Store.InsertQualification(c, t, personId, request.Category, insuredPersonId, request.AcquiredOn);
            var version = Store.BumpCopyVersion(c, t, personId, InformationKind);
            return new RecordResponse(request.RequestId, personId, created, version, CopyFed: false);
        });
    }

    /// <summary>
    /// Loss of the person's current qualification (資格喪失). When an insured person loses it, every current dependant
    /// loses theirs on the same day (reason <see cref="QualificationLossReason.InsuredLost"/>). Each changed person's copy
    /// gets a higher version.
    /// </summary>
    public QualificationLossResponse RecordLoss(QualificationLossRequest request)
    {
        Require(HolderKind.HealthInsurer);
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestId == Guid.Empty) throw Invalid("requestId: required (要求番号がありません)");
        if (!Enum.IsDefined(request.Reason)) throw Invalid("reason: not a loss reason (喪失事由が正しくありません)");

        return Idempotent(request.RequestId, "qualification-loss", request, (c, t, _) =>
        {
            var personId = Store.FindPerson(c, t, request.IndividualNumber)
                ?? throw new RefusalException(StatusCodes.Status404NotFound, "unknown-person",
                    "no person with this individual number is recorded (この個人番号の記録はありません)");
            var current = Store.CurrentQualification(c, t, personId)
                ?? throw new RefusalException(StatusCodes.Status409Conflict, "not-qualified",
                    "the person holds no qualification at this insurer (資格を有していません)");
            if (request.LostOn <= current.AcquiredOn)
                throw Invalid("lostOn: on or before the acquisition date (資格喪失日が資格取得日以前です)");
            if (request.Reason == QualificationLossReason.InsuredLost && current.Category == HealthInsuranceMemberCategory.Insured)
                throw Invalid("reason: insuredLost is for dependants (被扶養者の喪失事由です)");
            var dependants = current.Category == HealthInsuranceMemberCategory.Insured ? Store.CurrentDependants(c, t, personId) : [];
            if (dependants.Any(d => d.AcquiredOn >= request.LostOn))
                throw new RefusalException(StatusCodes.Status409Conflict, "dependant-after-loss",
                    "a dependant's qualification starts on or after this loss date (資格喪失日以後に資格を取得した被扶養者がいます)");
            Store.MarkLost(c, t, current.QualificationId, request.LostOn, request.Reason);
            var version = Store.BumpCopyVersion(c, t, personId, InformationKind);
            var lost = new List<long>();
            foreach (var dependant in dependants)
            {
                Store.MarkLost(c, t, dependant.QualificationId, request.LostOn, QualificationLossReason.InsuredLost);
                var dependantId = Store.PersonOfQualification(c, t, dependant.QualificationId);
                Store.BumpCopyVersion(c, t, dependantId, InformationKind);
                lost.Add(dependantId);
            }
            return new QualificationLossResponse(request.RequestId, personId, version, lost, CopyFed: false);
        });
    }

    // ---------------------------------------------------------------- helpers

    private void Require(HolderKind kind)
    {
        if (Kind != kind)
            throw new RefusalException(StatusCodes.Status404NotFound, "wrong-holder-kind",
                kind == HolderKind.PensionOrganisation
                    ? "this holder keeps no pension records (年金記録を保有していません)"
                    : "this holder keeps no insurance qualifications (医療保険の資格を保有していません)");
    }

    internal static RefusalException Invalid(string message) => new(StatusCodes.Status400BadRequest, "invalid-record", message);

    private PersonDetails? Details(PersonDetails? details)
    {
        CheckDetails(details);
        return details is null ? null : details with { Name = string.IsNullOrWhiteSpace(details.Name) ? null : details.Name.Trim() };
    }

    private void CheckDetails(PersonDetails? details)
    {
        if (details is null) return;
        if (details.Name is { Length: > 100 }) throw Invalid("person.name: at most 100 characters (氏名が長すぎます)");
        if (details.Sex is { } sex && !Enum.IsDefined(sex)) throw Invalid("person.sex: male or female (性別が正しくありません)");
        if (details.BirthDate is { } birth && (birth.Year < 1890 || birth > DateOnly.FromDateTime(_clock.GetUtcNow().UtcDateTime.AddDays(1))))
            throw Invalid("person.birthDate: not a plausible birth date (生年月日が正しくありません)");
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction with the request id: a replay (same id, same content) returns the
    /// stored answer; the same id with other content is refused. The fingerprint is the SHA-256 of the request's JSON.
    /// </summary>
    private T Idempotent<T>(Guid requestId, string operation, object request, Func<DbConnection, DbTransaction, DateTimeOffset, T> work)
    {
        if (requestId == Guid.Empty) throw Invalid("requestId: required (要求番号がありません)");
        var fingerprint = Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, request.GetType(), JsonDefaults.Options)));
        return Store.Database.InTransaction((c, t) =>
        {
            var now = _clock.GetUtcNow();
            var stored = Store.Requests.Claim(c, t, requestId, operation, fingerprint, now);
            if (stored is not null)
            {
                if (stored.Operation != operation || stored.Fingerprint != fingerprint || stored.Response is null)
                    throw new RefusalException(StatusCodes.Status409Conflict, "request-id-reused",
                        "the request id was used for a different request (要求番号が別の要求に使われています)");
                return JsonSerializer.Deserialize<T>(stored.Response, JsonDefaults.Options)!;
            }
            var result = work(c, t, now);
            Store.Requests.Complete(c, t, requestId, JsonSerializer.Serialize(result, JsonDefaults.Options));
            return result;
        });
    }
}
