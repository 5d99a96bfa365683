using Renkei.Core.Numbers;

namespace Renkei.Municipality.Contracts;

/// <summary>
/// Ask for the data of a residence certificate (住民票の写し) for one person or their whole household.
/// The number is included only with <paramref name="IncludeNumber"/>. For staff (the HTTP API) only the session's
/// number-visibility decision decides whether that is allowed, and <paramref name="AffairCode"/>, if given,
/// must be the affair the session acts in; for batch work (<c>renkei registry certificate</c>) the
/// <paramref name="AffairCode"/> must be an affair that may use numbers.
/// </summary>
public sealed record ResidenceCertificateRequest(long ResidentId, bool WholeHousehold = false, bool IncludeNumber = false, string? AffairCode = null);

public sealed record ResidenceCertificate(
    string MunicipalityCode,
    DateOnly IssuedOn,
    string IssuedOnJapanese,
    string HouseholdNumber,
    string HouseholdHead,
    bool NumbersIncluded,
    string? AffairCode,
    IReadOnlyList<ResidenceCertificateEntry> Entries);

/// <summary>One person on the certificate. Dates are ISO, with the Japanese-era form alongside.</summary>
public sealed record ResidenceCertificateEntry(
    long ResidentId,
    string Name,
    string Kana,
    DateOnly BirthDate,
    string BirthDateJapanese,
    string Sex,
    string Address,
    string Relationship,
    string HouseholdHead,
    DateOnly ResidentSince,
    string ResidentSinceJapanese,
    string Status,
    DateOnly? StatusDate,
    string? MovedOutTo,
    ForeignResidentItems? ForeignResident,
    IndividualNumber? IndividualNumber,
    IReadOnlyList<CertificateHistoryLine> History);

/// <summary>Items recorded for foreign residents (外国人住民に係る記載事項).</summary>
public sealed record ForeignResidentItems(string Nationality);

public sealed record CertificateHistoryLine(DateOnly Date, string DateJapanese, string Event, string Summary);
