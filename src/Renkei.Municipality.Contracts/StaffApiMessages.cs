using Renkei.Core.Numbers;
using Renkei.Core.People;

namespace Renkei.Municipality.Contracts;

/// <summary>Body of <c>POST /staff/sessions</c>. <see cref="ToString"/> hides the password and the one-time code.</summary>
public sealed record StaffLoginRequest(string? StaffId, string? Password, string? TotpCode)
{
    public override string ToString() => $"login {StaffId} (credentials hidden)";
}

/// <summary>
/// A successful login: the bearer token for <c>Authorization: Bearer …</c> (never put it in a URL), when it lapses if
/// unused (each request slides it), and who logged in. No affair is chosen yet, so numbers are masked until one is.
/// </summary>
public sealed record StaffLoginResponse(
    string Token,
    DateTimeOffset ExpiresAt,
    string StaffId,
    string DisplayName,
    string Role,
    string RoleJapanese,
    IReadOnlyList<string> AssignedAffairs)
{
    public override string ToString() => $"session for {StaffId} until {ExpiresAt:O} (token hidden)";
}

/// <summary>Body of <c>POST /staff/sessions/affair</c>: one of the staff member's assigned affairs; null leaves the current affair.</summary>
public sealed record AffairChoiceRequest(string? AffairCode);

/// <summary>
/// The session as it stands (after login, an affair choice, or <c>GET /staff/sessions/current</c>): the chosen affair and
/// whether individual numbers are visible in it today, with the reason (the ward's number-visibility decision).
/// </summary>
public sealed record StaffSessionState(
    string StaffId,
    string DisplayName,
    string Role,
    IReadOnlyList<string> AssignedAffairs,
    string? ChosenAffair,
    bool NumbersVisible,
    string NumberVisibilityReason,
    string NumberVisibilityMessage,
    DateTimeOffset ExpiresAt);

/// <summary>
/// Body of <c>POST /residents/search</c>: the register's search terms, or one individual number.
/// <see cref="IncludeNumbers"/> asks for each hit's number; searching by number and asking for numbers both need a
/// session whose number-visibility decision is visible (403 with the reason otherwise).
/// <see cref="AffairCode"/>, if given, must be the session's chosen affair. <see cref="Limit"/> is 1–200
/// (the register's maximum page size); a name or kana term is at most 100 characters and not only wildcards.
/// </summary>
public sealed record ResidentSearchRequest(
    string? Name = null,
    string? Kana = null,
    DateOnly? BirthDate = null,
    bool IncludeFormerResidents = false,
    int Limit = 100,
    bool IncludeNumbers = false,
    IndividualNumber? IndividualNumber = null,
    string? AffairCode = null)
{
    public override string ToString() => $"resident search (terms hidden; numbers={IncludeNumbers})";
}

/// <summary>One search hit: the register's summary of the person plus the individual number, present only when asked for and visible.</summary>
public sealed record ResidentSearchHit(
    long ResidentId,
    string Name,
    string Kana,
    DateOnly BirthDate,
    Sex Sex,
    string Address,
    string HouseholdNumber,
    RegisterStatus Status,
    IndividualNumber? IndividualNumber);
