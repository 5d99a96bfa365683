using System.Runtime.CompilerServices;
using System.Text;
using Renkei.Municipality.Affairs;

namespace Renkei.Municipality.Tests.Affairs;

/// <summary>Small catalogue and linkage files written in tests, one entry per line so errors can name lines.</summary>
internal static class PolicyFixtures
{
    public const string Systems = """
          "systems": [
            { "code": "tax", "name": "税" },
            { "code": "childcare", "name": "保育" },
            { "code": "library", "name": "図書館" },
            { "code": "resident-register", "name": "住記" }
          ],
        """;

    public static string AffairLine(string code, string kind = "ordinance", string system = "childcare", string from = "2016-01-01",
        string? to = null, bool numberUse = true, string legal = "品川区条例 別表第1", string? item = null, string? extra = null) =>
        "    { " + $"\"code\": \"{code}\", \"name\": \"事務{code}\", \"kind\": \"{kind}\", "
        + (item is null ? "" : $"\"beppyo1Item\": \"{item}\", ")
        + $"\"legalSource\": \"{legal}\", \"numberUse\": {(numberUse ? "true" : "false")}, \"system\": \"{system}\", "
        + $"\"effectiveFrom\": \"{from}\", \"effectiveTo\": {(to is null ? "null" : $"\"{to}\"")}{extra ?? ""}" + " }";

    /// <summary>A catalogue file: line 1 "{", 2 version, 3 source, 4–9 systems, 10 "affairs": [, entries from line 11.</summary>
    public static string Catalogue(params string[] affairLines) =>
        "{\n  \"version\": \"test-1\",\n  \"source\": \"test\",\n" + Systems + "\n  \"affairs\": [\n" + string.Join(",\n", affairLines) + "\n  ]\n}\n";

    public const int FirstAffairLine = 11;

    public static AffairCatalogue ParseCatalogue(string json, string name = "test-affairs.json") =>
        AffairCatalogue.Parse(Encoding.UTF8.GetBytes(json), name);

    /// <summary>The default test catalogue: tax (beppyo1), an ordinance childcare affair, a later-starting one, an expired one, library.</summary>
    public static AffairCatalogue Basic() => ParseCatalogue(Catalogue(
        AffairLine("local-tax", kind: "beppyo1", system: "tax", legal: "番号法別表第一（地方税）", item: "16"),
        AffairLine("ord-preschool-fees"),
        AffairLine("ord-new-aid", from: "2030-04-01"),
        AffairLine("ord-old-aid", to: "2019-09-30"),
        AffairLine("library", kind: "non-number", system: "library", legal: "根拠なし", numberUse: false)));

    public static string RuleLine(string inquirer, string affair, string provider, string kind, string from = "2016-01-01", string? to = null,
        string article = "条例第4条第2項", string? extra = null) =>
        "    { " + $"\"inquirerSystem\": \"{inquirer}\", \"affair\": \"{affair}\", \"providerSystem\": \"{provider}\", \"informationKind\": \"{kind}\", "
        + $"\"article\": \"{article}\", \"effectiveFrom\": \"{from}\", \"effectiveTo\": {(to is null ? "null" : $"\"{to}\"")}{extra ?? ""}" + " }";

    /// <summary>A linkage file: rules start on line <see cref="FirstRuleLine"/>.</summary>
    public static string Linkage(params string[] ruleLines) =>
        "{\n  \"version\": \"test-1\",\n  \"source\": \"test\",\n  \"informationKinds\": [\n"
        + "    { \"code\": \"local-tax\", \"name\": \"地方税関係情報\", \"heldBy\": [\"tax\"] },\n"
        + "    { \"code\": \"resident-record\", \"name\": \"住民票関係情報\", \"heldBy\": [\"resident-register\"] }\n"
        + "  ],\n  \"rules\": [\n" + string.Join(",\n", ruleLines) + "\n  ]\n}\n";

    public const int FirstRuleLine = 9;

    public static IntraMunicipalLinkagePolicy ParseLinkage(string json, AffairCatalogue catalogue) =>
        IntraMunicipalLinkagePolicy.Parse(Encoding.UTF8.GetBytes(json), "test-linkage.json", catalogue);

    /// <summary>The repository's policy/ folder, found from this source file's location.</summary>
    public static string RepositoryPolicy(string file, [CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "../../../policy/municipality", file));
}
