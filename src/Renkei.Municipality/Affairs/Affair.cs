using Renkei.Core.Policy;

namespace Renkei.Municipality.Affairs;

/// <summary>Why an affair exists, which decides whether and how it may use individual numbers.</summary>
public enum AffairKind
{
    /// <summary>An affair listed in 番号法 別表第一 (番号法第9条第1項): numbers by law.</summary>
    Beppyo1,

    /// <summary>An affair with numbers by another statute, outside 別表第一 (住民基本台帳法 for the resident register).</summary>
    Statute,

    /// <summary>An independent affair (独自利用事務) the ward added by its own ordinance (条例, 番号法第9条第2項).</summary>
    Ordinance,

    /// <summary>A prefecture's ordinance affair the ward handles under special arrangements (事務処理の特例).</summary>
    SpecialArrangement,

    /// <summary>An affair with no legal basis for numbers (図書館, 施設予約 …): numbers are always masked.</summary>
    NonNumber,
}

public static class AffairKinds
{
    /// <summary>The spelling used in the policy files.</summary>
    public static string ToCode(this AffairKind kind) => kind switch
    {
        AffairKind.Beppyo1 => "beppyo1",
        AffairKind.Statute => "statute",
        AffairKind.Ordinance => "ordinance",
        AffairKind.SpecialArrangement => "special-arrangement",
        AffairKind.NonNumber => "non-number",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static AffairKind? FromCode(string? code) => code switch
    {
        "beppyo1" => AffairKind.Beppyo1,
        "statute" => AffairKind.Statute,
        "ordinance" => AffairKind.Ordinance,
        "special-arrangement" => AffairKind.SpecialArrangement,
        "non-number" => AffairKind.NonNumber,
        _ => null,
    };

    public static string ToJapanese(this AffairKind kind) => kind switch
    {
        AffairKind.Beppyo1 => "番号法別表第一の事務",
        AffairKind.Statute => "法律の規定による事務",
        AffairKind.Ordinance => "条例による独自利用事務",
        AffairKind.SpecialArrangement => "事務処理の特例による事務",
        AffairKind.NonNumber => "個人番号を利用しない事務",
        _ => kind.ToString(),
    };

    internal static readonly string AllCodes = "beppyo1, statute, ordinance, special-arrangement, non-number";
}

/// <summary>
/// What an affair's staff may do with the resident register (住民記録) — the need-to-know table, one flag set per affair in
/// the catalogue's <c>residentRecords</c> list and consulted only by <see cref="Staff.ResidentRecordAccess.Decide"/>. An affair
/// that lists nothing may do none of these (deny by default).
/// </summary>
[Flags]
public enum ResidentRecordUse
{
    None = 0,

    /// <summary><c>search</c>: find residents by name, kana or birth date (API search, console 住民検索).</summary>
    Search = 1,

    /// <summary><c>view</c>: open a resident's page or certificate data — the four facts, household, 続柄 and moves.</summary>
    View = 2,

    /// <summary><c>change</c>: record register events (births, moves, deaths …). Only affairs of the resident-register system.</summary>
    Change = 4,
}

public static class ResidentRecordUses
{
    /// <summary>The business system whose affairs alone may hold <see cref="ResidentRecordUse.Change"/>.</summary>
    public const string RegisterSystem = "resident-register";

    /// <summary>The spellings used in the policy files.</summary>
    public static ResidentRecordUse? FromCode(string? code) => code switch
    {
        "search" => ResidentRecordUse.Search,
        "view" => ResidentRecordUse.View,
        "change" => ResidentRecordUse.Change,
        _ => null,
    };

    public static string ToCode(this ResidentRecordUse use) => use switch
    {
        ResidentRecordUse.Search => "search",
        ResidentRecordUse.View => "view",
        ResidentRecordUse.Change => "change",
        _ => throw new ArgumentOutOfRangeException(nameof(use)),
    };

    public static string ToJapanese(this ResidentRecordUse use) => use switch
    {
        ResidentRecordUse.Search => "住民検索",
        ResidentRecordUse.View => "住民記録の閲覧",
        ResidentRecordUse.Change => "住民記録の変更",
        _ => use.ToString(),
    };

    internal const string AllCodes = "search, view, change";
}

/// <summary>One of the ward's business systems (業務システム), e.g. individual residence tax or child allowance.</summary>
public sealed record BusinessSystem(string Code, string Name);

/// <summary>
/// One affair (事務) of the catalogue for one period. An affair code may appear more than once in a file
/// when its definition changed (e.g. a new legal source from a given date); the periods of one code never overlap.
/// </summary>
/// <param name="Code">Stable ASCII code (lower-case words and hyphens). Ordinance affairs start with <c>ord-</c>, special arrangements with <c>sp-</c>.</param>
/// <param name="Beppyo1Item">The item (項) of 別表第一 as text ("16", "9-2"), where the file gives it.</param>
/// <param name="NumberUse">Whether the ward uses numbers in this affair. Always false for <see cref="AffairKind.NonNumber"/>.</param>
/// <param name="System">The code of the business system the affair belongs to.</param>
/// <param name="EffectiveTo">The last day in force (inclusive); null while open.</param>
/// <param name="Version">The version header of the data file the entry came from.</param>
/// <param name="ResidentRecords">What the affair's staff may do with the resident register (need to know); none unless the file lists it.</param>
/// <param name="Citation">The seed line the entry rests on (a row of 品川区's tables 1–3 in seed 000) and the day it was
/// checked, or why no seed line supports it; null when the file gives none (policy/README.md, "Citations of the seeds").</param>
public sealed record Affair(
    string Code,
    string Name,
    AffairKind Kind,
    string LegalSource,
    string? Beppyo1Item,
    bool NumberUse,
    string System,
    string? Department,
    DateOnly EffectiveFrom,
    DateOnly? EffectiveTo,
    string Version,
    ResidentRecordUse ResidentRecords = ResidentRecordUse.None,
    SeedCitation? Citation = null)
{
    public bool InForceOn(DateOnly date) => date >= EffectiveFrom && (EffectiveTo is null || date <= EffectiveTo.Value);

    /// <summary>Whether the affair's staff may <paramref name="use"/> the resident register.</summary>
    public bool Allows(ResidentRecordUse use) => use != ResidentRecordUse.None && (ResidentRecords & use) == use;

    internal bool Overlaps(Affair other) =>
        EffectiveFrom <= (other.EffectiveTo ?? DateOnly.MaxValue) && other.EffectiveFrom <= (EffectiveTo ?? DateOnly.MaxValue);

    internal string PeriodText => $"{EffectiveFrom:yyyy-MM-dd}〜{(EffectiveTo is null ? "" : EffectiveTo.Value.ToString("yyyy-MM-dd"))}";
}

/// <summary>Whether an affair may use numbers on a day, and if not, why (a stable reason code and a Japanese message).</summary>
public sealed record AffairNumberUseDecision(bool Allowed, string ReasonCode, string Message, Affair? Affair)
{
    public const string Allow = "allowed";
    public const string AffairRequired = "affair-required";
    public const string UnknownAffair = "unknown-affair";
    public const string NotInForce = "affair-not-in-force";
    public const string WithoutNumberUse = "affair-without-number-use";
}

/// <summary>A number was asked for in an affair that may not use it (reason code as in <see cref="AffairNumberUseDecision"/>).</summary>
public sealed class AffairNumberUseRefusedException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
