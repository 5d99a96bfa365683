using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Jlis.Contracts;

namespace Renkei.Municipality.Contracts;

/// <summary>A person entering the register: name with reading, birth date, sex.</summary>
public sealed record NewPerson(string FamilyName, string GivenName, string FamilyNameKana, string GivenNameKana, DateOnly BirthDate, Sex Sex);

/// <summary>
/// Birth (出生). <paramref name="HouseholdNumber"/> null starts a new household (then the child is its head
/// and <paramref name="Address"/> is required); otherwise the address defaults to the household's.
/// </summary>
public sealed record BirthRequest(Guid RequestId, NewPerson Person, string? HouseholdNumber, Relationship Relationship, string? Address = null);

/// <summary>Arrival from another municipality (転入): the person's code and number come with the moving-out certificate.</summary>
public sealed record ArrivalRequest(
    Guid RequestId, ResidentCode ResidentCode, IndividualNumber IndividualNumber, NewPerson Person, string Address,
    string? HouseholdNumber, Relationship Relationship, DateOnly Date, LocalGovernmentCode FromMunicipality,
    bool ForeignResident = false, string? Nationality = null);

/// <summary>Arrival from abroad (国外からの転入): a new resident-record code and number from J-LIS.</summary>
/// <param name="FormerResidentCode">For someone who lived in Japan before (再入国): the resident-record code they had.</param>
/// <param name="FormerNumber">
/// With <paramref name="FormerResidentCode"/>: the individual number they had (from their card or notification). A number
/// is for life, also across a stay abroad, so J-LIS checks the pair and the person keeps both; without them a new code
/// and number are issued (a first arrival).
/// </param>
public sealed record ArrivalFromAbroadRequest(
    Guid RequestId, NewPerson Person, string Address, string? HouseholdNumber, Relationship Relationship, DateOnly Date,
    string FromCountry, bool ForeignResident = false, string? Nationality = null,
    ResidentCode? FormerResidentCode = null, IndividualNumber? FormerNumber = null);

/// <summary>Departure (転出) to another municipality or abroad.</summary>
/// <param name="Destination">転出先 as the resident gives it (an address, or a country).</param>
/// <param name="DestinationCode">The destination municipality's local government code (6 digits), when it is one in Japan.</param>
public sealed record DepartureRequest(Guid RequestId, long ResidentId, DateOnly Date, string Destination, string? DestinationCode = null);

public sealed record DeathRequest(Guid RequestId, long ResidentId, DateOnly Date);

/// <summary>Move inside the municipality (転居); with <paramref name="WholeHousehold"/> every current member moves.</summary>
public sealed record AddressChangeRequest(Guid RequestId, long ResidentId, string NewAddress, DateOnly Date, bool WholeHousehold = false);

public sealed record NameChangeRequest(
    Guid RequestId, long ResidentId, string FamilyName, string GivenName, string FamilyNameKana, string GivenNameKana, DateOnly Date, string Reason);

/// <summary>
/// Household change (世帯変更). <paramref name="TargetHouseholdNumber"/> null: the person starts a new household
/// as its head. The person's own household: only the 続柄 changes. Another household: the person moves into it.
/// </summary>
public sealed record HouseholdChangeRequest(Guid RequestId, long ResidentId, string? TargetHouseholdNumber, Relationship Relationship, DateOnly Date);

/// <summary>Change of head (世帯主変更): the new head's household gets them as head; the former head takes <paramref name="FormerHeadRelationship"/>.</summary>
public sealed record HeadChangeRequest(Guid RequestId, long NewHeadResidentId, Relationship FormerHeadRelationship, DateOnly Date);

/// <summary>Change of a leaked number (個人番号の変更), on the holder's request or ex officio.</summary>
public sealed record NumberChangeRequest(Guid RequestId, long ResidentId, NumberChangeReason Reason, DateOnly Date);

/// <summary>The outcome of an event. <see cref="Replayed"/> is true when the request id had already been processed.</summary>
public sealed record RegisterEventResult(long ResidentId, string HouseholdNumber, long EventId, bool Replayed);
