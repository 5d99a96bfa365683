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

/// <summary>
/// Ask for a certificate as the counter issues it, as a PDF: <paramref name="Kind"/> <c>juminhyo</c> (住民票の写し: the
/// scope, members, number and code as in <see cref="ResidenceCertificateRequest"/>, numbers only on the person's express
/// request while the session may see them), <c>kazei</c> (課税（非課税）証明書) or <c>nozei</c> (納税証明書) for
/// <see cref="FiscalYear"/> (null: the latest assessed) — the tax ones only in the affair <c>local-tax</c>. Recorded in the
/// ward's issuance ledger (never the content) and operation log.
/// </summary>
public sealed record CertificatePdfRequest(string Kind, long ResidentId, bool WholeHousehold = false, bool IncludeNumber = false)
{
    /// <summary>juminhyo: some members of the household (一部), as <see cref="ResidenceCertificateRequest.Members"/>.</summary>
    public IReadOnlyList<long>? Members { get; init; }

    /// <summary>juminhyo: include the resident-record codes (住民票コード), on the number's rule.</summary>
    public bool IncludeResidentCode { get; init; }

    /// <summary>juminhyo: print 世帯主 and 続柄 (省略 otherwise).</summary>
    public bool WithRelationship { get; init; }

    /// <summary>Who asked: <c>self</c> (本人), <c>household-member</c> (同一世帯の者) or <c>agent</c> (代理人).</summary>
    public string Requester { get; init; } = "self";

    /// <summary>Copies, 1–10 (the fee is per copy).</summary>
    public int Copies { get; init; } = 1;

    /// <summary>kazei, nozei: the fiscal year (年度); null: the latest one assessed.</summary>
    public int? FiscalYear { get; init; }
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
