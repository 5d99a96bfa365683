using Renkei.Core.People;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Addressee;

/// <summary>Where an addressee came from.</summary>
public enum AddresseeOrigin
{
    /// <summary>A person on (or formerly on) the resident register; facts and number are read from the register.</summary>
    Register = 0,

    /// <summary>A person the ward deals with who is not on its register (住登外者); facts and number are held here.</summary>
    NonResident = 1,
}

/// <summary>
/// A person of the addressee system with the four basic facts (基本4情報) — never the number. For register people the
/// facts are the register's current ones; <see cref="Status"/> is null for non-residents.
/// </summary>
public sealed record AddresseePerson(
    IntegratedAddresseeNumber AddresseeNumber,
    AddresseeOrigin Origin,
    long? ResidentId,
    PersonName Name,
    DateOnly BirthDate,
    Sex Sex,
    string Address,
    RegisterStatus? Status);

/// <summary>A person's page as a staff member sees it: the number is digits only when <see cref="NumberVisibility"/> allowed it, else masked.</summary>
public sealed record AddresseeView(AddresseePerson Person, string? NumberText, bool NumberVisible, IReadOnlyList<AddresseeLink> Links);

/// <summary>A business system's own person ID (宛名番号) for an addressee.</summary>
public sealed record AddresseeLink(string SystemCode, long SystemPersonId);

/// <summary>A 住登外者 to register: the number and the four basic facts, with a request id for idempotent retries.</summary>
public sealed record NonResidentRegistration(
    Guid RequestId,
    Core.Numbers.IndividualNumber Number,
    PersonName Name,
    DateOnly BirthDate,
    Sex Sex,
    string Address);

public sealed record NonResidentRegistrationResult(IntegratedAddresseeNumber AddresseeNumber, bool Created, AddresseeOrigin Origin);

/// <summary>Search terms; each given term must match (name, kana and address by substring, spaces ignored; birth date exactly).</summary>
public sealed record AddresseeSearch(string? Name = null, string? Kana = null, DateOnly? BirthDate = null, string? Address = null, int Limit = 100);

public sealed record AddresseeSummary(IntegratedAddresseeNumber AddresseeNumber, AddresseeOrigin Origin, string Name, string Kana,
    DateOnly BirthDate, Sex Sex, string Address, RegisterStatus? Status);

/// <summary>What a sync with the register did.</summary>
public sealed record AddresseeSyncReport(long Issued, long NonResidentsLinked, long AlreadyLinked, TimeSpan Elapsed);

/// <summary>
/// A register resident as the business systems see it for enrolment: addressee number, household and the facts that
/// decide eligibility (age, relationship, status) — no name, no number.
/// </summary>
public sealed record PopulationMember(
    IntegratedAddresseeNumber AddresseeNumber,
    long ResidentId,
    string HouseholdNumber,
    Relationship Relationship,
    DateOnly BirthDate,
    Sex Sex,
    DateOnly ResidentSince,
    RegisterStatus Status,
    DateOnly? StatusDate,
    bool ForeignResident);

/// <summary>An addressee operation was refused or failed; <see cref="Code"/> is stable, the message Japanese and never carries a number.</summary>
public sealed class AddresseeException(string code, string message) : Exception(message)
{
    public const string NotFound = "not-found";
    public const string InvalidInput = "invalid-input";
    public const string NoSession = "no-session";
    public const string RequestReused = "request-id-reused";

    public string Code { get; } = code;
}

/// <summary>
/// A number lookup refused for this staff member (trust rule 7). <see cref="Code"/> is the reason code of
/// <see cref="NumberVisibilityDecision"/>; the message says why in Japanese.
/// </summary>
public sealed class NumberAccessRefusedException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>Writes staff operations to the municipality's operation log with one clock and a default terminal.</summary>
internal sealed class OperationRecorder(OperationLog log, TimeProvider clock, string terminal)
{
    public OperationLog Log { get; } = log;
    public TimeProvider Clock { get; } = clock;
    public string Terminal { get; } = terminal;

    public void Record(StaffSession session, string? terminal, IntegratedAddresseeNumber? subject, OperationAction action, OperationResult result, string? detail) =>
        Log.Append(new OperationLogEntry(session.StaffId.Value, Clock.GetUtcNow(), terminal ?? Terminal, session.ChosenAffair,
            subject?.ToInt64(), action, result, detail));

    public void RecordSystem(string actor, IntegratedAddresseeNumber? subject, OperationAction action, OperationResult result, string? detail) =>
        Log.Append(new OperationLogEntry(actor, Clock.GetUtcNow(), Terminal, null, subject?.ToInt64(), action, result, detail));
}
