using Renkei.Core.Policy;
using Renkei.Network.Contracts;

namespace Renkei.Network.Policy;

/// <summary>
/// An affair (事務) the network knows: the work an inquirer does when it asks for information. <see cref="PerformedBy"/>
/// lists the institution classes that carry it out (a row's inquirer class must be one of them). <see cref="Citation"/>
/// is the seed line that lists the affair (a table of seed 000, the 別表 seed 001 quotes), null when the file gives none.
/// </summary>
public sealed record PolicyAffair(string Code, string Name, string LegalBasis, IReadOnlyList<InstitutionClass> PerformedBy, SeedCitation? Citation);

/// <summary>
/// An information kind (特定個人情報の種類) the network routes, e.g. 地方税関係情報. <see cref="ProvidedBy"/> lists the
/// institution classes that hold and provide it (a row's provider class must be one of them). <see cref="Citation"/> is
/// the seed line that names the kind, null when the file gives none.
/// </summary>
public sealed record PolicyInformationKind(string Code, string Name, IReadOnlyList<InstitutionClass> ProvidedBy, SeedCitation? Citation);

/// <summary>
/// One row of the linkage policy (番号法 別表第二, or an independent affair's ordinance row approved under the
/// commission's rule): an institution of <see cref="InquirerClass"/>, working <see cref="Affair"/>, may obtain
/// <see cref="Kind"/> from an institution of <see cref="ProviderClass"/> between <see cref="EffectiveFrom"/> and
/// <see cref="EffectiveTo"/> (both inclusive; null = open). <see cref="Source"/> is the legal text that allows it;
/// <see cref="SourceVerified"/> is false where the item number was not checked against the text of the law.
/// <see cref="SourceRow"/> is the row of 品川区's tables 4–6 (seed 000) that lists the affair with the information kind;
/// <see cref="Citation"/> the seed line the row rests on and the day it was checked (null when the file gives none;
/// the shipped policy cites every row). <see cref="DefinedIn"/> and <see cref="Line"/> say where the row is written.
/// </summary>
public sealed record PolicyRow(
    string Id,
    InstitutionClass InquirerClass,
    string Affair,
    InstitutionClass ProviderClass,
    string Kind,
    DateOnly EffectiveFrom,
    DateOnly? EffectiveTo,
    string Source,
    bool SourceVerified,
    string? SourceRow,
    string? Note,
    SeedCitation? Citation,
    string DefinedIn,
    int Line)
{
    public bool InForceOn(DateOnly date) => date >= EffectiveFrom && (EffectiveTo is null || date <= EffectiveTo.Value);

    internal bool Overlaps(PolicyRow other) =>
        EffectiveFrom <= (other.EffectiveTo ?? DateOnly.MaxValue) && other.EffectiveFrom <= (EffectiveTo ?? DateOnly.MaxValue);

    internal string Period => $"{EffectiveFrom:yyyy-MM-dd} – {(EffectiveTo is { } to ? to.ToString("yyyy-MM-dd") : "open")}";
}

/// <summary>
/// One kind of the self-display list (自己情報表示, <see cref="LinkagePolicy.SelfDisplayFileName"/>): the person may see
/// <see cref="Kind"/> (<see cref="Name"/>) about themselves through the portal between <see cref="EffectiveFrom"/> and
/// <see cref="EffectiveTo"/>; <see cref="LegalNote"/> says what allows it; <see cref="Citation"/> the seed line it rests
/// on, or why none does (null when the file gives none).
/// </summary>
public sealed record SelfDisplayEntry(
    string Kind,
    string Name,
    string LegalNote,
    DateOnly EffectiveFrom,
    DateOnly? EffectiveTo,
    SeedCitation? Citation,
    string DefinedIn,
    int Line)
{
    public bool InForceOn(DateOnly date) => date >= EffectiveFrom && (EffectiveTo is null || date <= EffectiveTo.Value);

    /// <summary>The row this entry amounts to for providers of <paramref name="providerClass"/>.</summary>
    internal PolicyRow RowFor(InstitutionClass providerClass) =>
        new($"self-display-{Kind}-{providerClass.ToString().ToLowerInvariant()}", InstitutionClass.Portal, Contracts.SelfDisplay.Affair, providerClass, Kind,
            EffectiveFrom, EffectiveTo, LegalNote, false, null, "自己情報表示", Citation, DefinedIn, Line);
}

/// <summary>
/// The answer of <see cref="LinkagePolicy.Check"/>: allowed with the <see cref="Row"/> that allows it, or refused with
/// <see cref="RefusalCode"/> <see cref="RefusalCodes.NoPolicyRow"/> (no row for the combination at all) or
/// <see cref="RefusalCodes.NotInForce"/> (rows exist, none on that day; <see cref="RowsNotInForce"/> lists them).
/// Decisions are made once when the policy loads and shared: a check allocates nothing.
/// </summary>
public sealed class PolicyDecision
{
    private PolicyDecision(PolicyRow? row, string? refusalCode, string message, IReadOnlyList<PolicyRow> rowsNotInForce)
    {
        Row = row;
        RefusalCode = refusalCode;
        Message = message;
        RowsNotInForce = rowsNotInForce;
    }

    public bool IsAllowed => Row is not null;

    /// <summary>The row in force that allows the linkage (null when refused).</summary>
    public PolicyRow? Row { get; }

    /// <summary><see cref="RefusalCodes.NoPolicyRow"/> or <see cref="RefusalCodes.NotInForce"/>; null when allowed.</summary>
    public string? RefusalCode { get; }

    /// <summary>Why, in English with the Japanese in parentheses; names no person.</summary>
    public string Message { get; }

    /// <summary>For <see cref="RefusalCodes.NotInForce"/>: the rows for the combination, none of them in force that day.</summary>
    public IReadOnlyList<PolicyRow> RowsNotInForce { get; }

    internal static readonly PolicyDecision NoPolicyRow = new(null, RefusalCodes.NoPolicyRow,
        "No row of 番号法 別表第二 or of an approved ordinance allows this inquirer class to obtain this information kind "
        + "from this provider class for this affair (この照会を認める別表第二又は条例の定めがありません)", []);

    internal static PolicyDecision Allow(PolicyRow row) =>
        new(row, null, $"Allowed by {row.Source} (row {row.Id}) (情報照会が認められています)", []);

    internal static PolicyDecision NotInForce(IReadOnlyList<PolicyRow> rows) =>
        new(null, RefusalCodes.NotInForce,
            $"The rows for this linkage are not in force on the policy date; they are in force {string.Join(", ", rows.Select(r => r.Period))} "
            + "(照会の基準日に施行されている定めがありません)", rows);

    public override string ToString() => IsAllowed ? $"allowed ({Row!.Id})" : RefusalCode!;
}
