using System.Text;
using Renkei.Network.Policy;
using Renkei.TestSupport;

namespace Renkei.Network.Tests.Policy;

/// <summary>
/// A small policy written into a temporary directory: a catalogue and one row file with one row per line, so a test
/// can break one row and know the line the loader must name (the line holding that row's id).
/// </summary>
internal sealed class PolicyFixture : IDisposable
{
    public const string RowFile = "rows.json";

    private readonly TempDirectory _directory = new();

    public string Path => _directory.Path;

    public string Version { get; set; } = "test.1";

    public List<string> Affairs { get; } =
    [
        """{ "code": "child-allowance", "name": "児童手当", "legalBasis": "番号法 別表第一", "performedBy": ["Municipality"] }""",
        """{ "code": "insurer-dependant-certification", "name": "被扶養者の認定", "legalBasis": "番号法 別表第一", "performedBy": ["HealthInsurer"] }""",
    ];

    public List<string> Kinds { get; } =
    [
        """{ "code": "local-tax", "name": "地方税関係情報", "providedBy": ["Municipality"] }""",
        """{ "code": "resident-record", "name": "住民票関係情報", "providedBy": ["Municipality"] }""",
        """{ "code": "pension-benefit", "name": "年金給付関係情報", "providedBy": ["PensionOrganisation"] }""",
    ];

    public List<string> Rows { get; } =
    [
        Row("r-tax", from: "2020-04-01", to: "2021-03-31"),
        Row("r-resident", kind: "resident-record", from: "2020-04-01"),
        Row("r-tax-later", from: "2021-04-01"),
        Row("r-insurer", inquirerClass: "HealthInsurer", affair: "insurer-dependant-certification", from: "2020-04-01"),
    ];

    public static string Row(string id, string inquirerClass = "Municipality", string affair = "child-allowance",
        string providerClass = "Municipality", string kind = "local-tax", string from = "2020-04-01", string? to = null,
        string? source = "番号法 別表第二 第74項", string extra = "")
    {
        var json = new StringBuilder();
        json.Append($"{{ \"id\": \"{id}\", \"inquirerClass\": \"{inquirerClass}\", \"affair\": \"{affair}\", ");
        json.Append($"\"providerClass\": \"{providerClass}\", \"kind\": \"{kind}\", \"effectiveFrom\": \"{from}\", ");
        json.Append(to is null ? "\"effectiveTo\": null, " : $"\"effectiveTo\": \"{to}\", ");
        if (source is not null) json.Append($"\"source\": \"{source}\", ");
        json.Append("\"sourceVerified\": false").Append(extra).Append(" }");
        return json.ToString();
    }

    public static string CatalogueText(string version, IEnumerable<string> affairs, IEnumerable<string> kinds) =>
        $$"""
        {
          "version": "{{version}}",
          "source": "test",
          "affairs": [
            {{string.Join(",\n    ", affairs)}}
          ],
          "kinds": [
            {{string.Join(",\n    ", kinds)}}
          ]
        }
        """;

    public static string RowFileText(string version, IEnumerable<string> rows) =>
        $$"""
        {
          "version": "{{version}}",
          "source": "test rows",
          "rows": [
            {{string.Join(",\n    ", rows)}}
          ]
        }
        """;

    /// <summary>Writes catalogue.json and rows.json and returns the directory.</summary>
    public string Write()
    {
        File.WriteAllText(PathOf(LinkagePolicy.CatalogueFileName), CatalogueText(Version, Affairs, Kinds));
        File.WriteAllText(PathOf(RowFile), RowFileText(Version, Rows));
        return Path;
    }

    public string PathOf(string name) => _directory.File(name);

    /// <summary>The 1-based line of <paramref name="file"/> holding <paramref name="marker"/> (exactly once).</summary>
    public int LineOf(string file, string marker)
    {
        var lines = File.ReadAllLines(PathOf(file));
        var hits = Enumerable.Range(0, lines.Length).Where(i => lines[i].Contains(marker, StringComparison.Ordinal)).ToList();
        Assert.Single(hits);
        return hits[0] + 1;
    }

    public void Dispose() => _directory.Dispose();
}
