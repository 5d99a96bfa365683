using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Registry;

/// <summary>A name as written on the register, with its reading in katakana (フリガナ).</summary>
public sealed record PersonName(string FamilyName, string GivenName, string FamilyNameKana, string GivenNameKana)
{
    public string Full => FamilyName + "　" + GivenName;
    public string FullKana => FamilyNameKana + "　" + GivenNameKana;
}

/// <summary>
/// One person on the resident register (住民票). <see cref="Id"/> is the register's own addressee id:
/// it is safe to show and to put in requests; the resident-record code and number are not.
/// </summary>
public sealed record Resident(
    long Id,
    ResidentCode ResidentCode,
    IndividualNumber? IndividualNumber,
    PersonName Name,
    DateOnly BirthDate,
    Sex Sex,
    string Address,
    string HouseholdNumber,
    Relationship Relationship,
    DateOnly ResidentSince,
    RegisterStatus Status,
    DateOnly? StatusDate,
    string? MovedOutTo,
    bool ForeignResident,
    string? Nationality);

/// <summary>One individual number a resident held, from when to when and why (個人番号の履歴).</summary>
public sealed record NumberHistoryEntry(IndividualNumber Number, DateOnly ValidFrom, DateOnly? ValidTo, string Reason);

/// <summary>The kinds of change recorded in the register's event log (異動履歴).</summary>
public enum RegisterEventType
{
    Birth,
    ArrivalFromMunicipality,
    ArrivalFromAbroad,
    Departure,
    Death,
    AddressChange,
    NameChange,
    HouseholdChange,
    HeadChange,
    NumberDesignated,
    NumberChanged,
}

public static class RegisterEventTypeText
{
    public static string ToJapanese(this RegisterEventType type) => type switch
    {
        RegisterEventType.Birth => "出生",
        RegisterEventType.ArrivalFromMunicipality => "転入",
        RegisterEventType.ArrivalFromAbroad => "国外からの転入",
        RegisterEventType.Departure => "転出",
        RegisterEventType.Death => "死亡",
        RegisterEventType.AddressChange => "転居",
        RegisterEventType.NameChange => "氏名変更",
        RegisterEventType.HouseholdChange => "世帯変更",
        RegisterEventType.HeadChange => "世帯主変更",
        RegisterEventType.NumberDesignated => "個人番号指定",
        RegisterEventType.NumberChanged => "個人番号変更",
        _ => type.ToString(),
    };
}

/// <summary>
/// One entry of the event log. Summaries describe the change in words and never contain a
/// number or a resident-record code.
/// </summary>
public sealed record RegisterEvent(
    long Id,
    long ResidentId,
    RegisterEventType Type,
    DateOnly Date,
    string Reason,
    string? Before,
    string? After,
    DateTimeOffset RecordedAt);

/// <summary>A household (世帯) and its current members, head first.</summary>
public sealed record Household(string HouseholdNumber, Resident? Head, IReadOnlyList<Resident> Members);

/// <summary>What a search returns: enough to pick the right person, never a number or code.</summary>
public sealed record ResidentSummary(
    long ResidentId,
    string Name,
    string Kana,
    DateOnly BirthDate,
    Sex Sex,
    string Address,
    string HouseholdNumber,
    RegisterStatus Status);

/// <summary>Search terms; each given term must match. Spaces inside names are ignored.</summary>
public sealed record ResidentSearch(string? Name = null, string? Kana = null, DateOnly? BirthDate = null, bool IncludeFormerResidents = false, int Limit = 100);

/// <summary>
/// A register operation was refused. <see cref="Code"/> is stable for programs; the message says
/// what was wrong and never repeats a number or resident-record code.
/// </summary>
public sealed class RegisterException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
