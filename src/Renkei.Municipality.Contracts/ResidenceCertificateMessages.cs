using Renkei.Core.Numbers;

namespace Renkei.Municipality.Contracts;

/// <summary>
/// Ask for the data of a residence certificate (住民票の写し) for one person or their whole household.
/// The number is included only with <paramref name="IncludeNumber"/>. For staff (the HTTP API) only the session's
/// number-visibility decision decides whether that is allowed, and <paramref name="AffairCode"/>, if given,
/// must be the affair the session acts in; for batch work (<c>renkei registry certificate</c>) the
/// <paramref name="AffairCode"/> must be an affair that may use numbers.
/// </summary>
public sealed record ResidenceCertificateRequest(long ResidentId, bool WholeHousehold = false, bool IncludeNumber = false, string? AffairCode = null)
{
    /// <summary>
    /// Some members of the person's household (一部): their register ids, the person among them or not; null: the person alone
    /// (or the whole household with <see cref="WholeHousehold"/>). Each must be a current member of the person's household.
    /// </summary>
    public IReadOnlyList<long>? Members { get; init; }

    /// <summary>Include the resident-record codes (住民票コード): allowed exactly when numbers are (<see cref="IncludeNumber"/>'s rule).</summary>
    public bool IncludeResidentCode { get; init; }
}

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
    IReadOnlyList<CertificateHistoryLine> History)
{
    /// <summary>The resident-record code (住民票コード), only when asked for and allowed (as the number).</summary>
    public ResidentCode? ResidentCode { get; init; }
}

/// <summary>Items recorded for foreign residents (外国人住民に係る記載事項).</summary>
public sealed record ForeignResidentItems(string Nationality);

public sealed record CertificateHistoryLine(DateOnly Date, string DateJapanese, string Event, string Summary);
