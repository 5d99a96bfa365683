using System.Text.RegularExpressions;

namespace Renkei.Holders;

/// <summary>Which kind of information holder a <see cref="HolderNode"/> is (DESIGN.md §1 "Other information holders").</summary>
public enum HolderKind
{
    /// <summary>日本年金機構: pension records, provides <c>pension-benefit</c>.</summary>
    PensionOrganisation,
    /// <summary>健康保険組合 (a medical insurer): insured persons and dependants, provides <c>health-insurance-qualification</c>.</summary>
    HealthInsurer,
}

/// <summary>The institutions the demo runs (fictitious codes; the insurer's is in the 8-digit insurer-number form).</summary>
public static partial class HolderInstitutions
{
    /// <summary>日本年金機構 (Japan Pension Service).</summary>
    public const string PensionOrganisationCode = "JPS001";
    public const string PensionOrganisationName = "日本年金機構";

    /// <summary>A fictitious 健康保険組合: 06 = 健康保険組合, 13 = 東京都, then the society's own digits.</summary>
    public const string DemoInsurerCode = "06139999";
    public const string DemoInsurerName = "東京デモ健康保険組合";

    /// <summary>An institution code on the network: 6–8 of 0-9 and A-Z.</summary>
    public static bool IsInstitutionCode(string? code) => code is not null && InstitutionCode().IsMatch(code);

    /// <summary>保険者番号: 8 digits.</summary>
    public static bool IsInsurerNumber(string? code) => code is not null && InsurerNumber().IsMatch(code);

    [GeneratedRegex("^[0-9A-Z]{6,8}$")]
    private static partial Regex InstitutionCode();

    [GeneratedRegex("^[0-9]{8}$")]
    private static partial Regex InsurerNumber();
}
