using System.Text;
using System.Text.Json;
using Renkei.Core.Numbers;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests;

/// <summary><c>renkei pia level</c>: the threshold decision as a program reads it (JSON) and as a person does.</summary>
public class PiaCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Theory]
    [InlineData("999", "600", true, "none")]
    [InlineData("10000", "499", false, "basic")]
    [InlineData("10000", "500", false, "basic+priority")]
    [InlineData("100,000", "0", true, "basic+full")]
    [InlineData("300000", "0", false, "basic+full")]
    public async Task Level_prints_the_level_as_json(string people, string handlers, bool incident, string expected)
    {
        string[] arguments = ["pia", "level", "--people", people, "--handlers", handlers, "--json", .. incident ? new[] { "--serious-incident" } : []];
        var outcome = await CliProcess.RunAsync(_data.Path, arguments);

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        using var json = JsonDocument.Parse(outcome.StandardOutput);
        Assert.Equal(expected, json.RootElement.GetProperty("level").GetString());
        Assert.Single(json.RootElement.EnumerateObject());
    }

    [Fact]
    public async Task Without_json_it_answers_in_Japanese_and_a_bad_figure_is_a_usage_error_naming_the_option()
    {
        var text = await CliProcess.RunAsync(_data.Path, "pia", "level", "--people", "150000", "--handlers", "20");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("基礎項目評価及び重点項目評価", text.StandardOutput);

        var bad = await CliProcess.RunAsync(_data.Path, "pia", "level", "--people", "-5x", "--handlers", "20");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--people", bad.StandardError);
        Assert.DoesNotContain("-5x", bad.StandardError);
    }

    [Fact]
    public async Task Assess_lists_every_file_with_its_live_figures_and_a_contractor_raises_the_handlers()
    {
        await ImportShinagawaResidentsAsync(_data, 3);

        var added = await CliProcess.RunAsync(_data.Path, "pia", "contractor", "add", "--municipality", "131091", "--file", "resident-register",
            "--company", "株式会社デモ情報サービス", "--handlers", "600", "--from", "2020-04-01", "--by", "admin01");
        Assert.True(added.ExitCode == 0, added.StandardError);
        var refused = await CliProcess.RunAsync(_data.Path, "pia", "incident", "add", "--municipality", "131091", "--file", "no-such-file",
            "--occurred-on", "2026-01-05", "--description", "誤送付", "--serious", "--by", "admin01");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("file:", refused.StandardError);

        var outcome = await CliProcess.RunAsync(_data.Path, "pia", "assess", "--municipality", "131091", "--json");
        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        using var json = JsonDocument.Parse(outcome.StandardOutput);
        var files = json.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("file").GetString()!);
        Assert.Contains("individual-residence-tax", files.Keys);
        var register = files["resident-register"];
        Assert.Equal((3, 600, "none", "basic+full", "above-need"),
            (register.GetProperty("people").GetInt32(), register.GetProperty("handlers").GetInt32(), register.GetProperty("computedLevel").GetString(),
             register.GetProperty("declaredLevel").GetString(), register.GetProperty("followUp").GetString()));

        var pdf = _data.File("kiso.pdf");
        var document = await CliProcess.RunAsync(_data.Path, "pia", "document", "--municipality", "131091", "--file", "resident-register", "--mayor-title", "品川区長", "--out", pdf);
        Assert.True(document.ExitCode == 0, document.StandardError);
        var printed = PdfText.Read(File.ReadAllBytes(pdf));
        Assert.Contains("住民基本台帳ファイル", printed);
        Assert.Contains("1,000人未満（3人）", printed);
        Assert.Contains("500人以上（職員0人、外部委託先600人）", printed);

        var text = await CliProcess.RunAsync(_data.Path, "pia", "assess", "--municipality", "131091");
        Assert.Contains("住民基本台帳ファイル", text.StandardOutput);
        Assert.Contains("宣言した評価: 基礎項目評価及び全項目評価", text.StandardOutput);
    }

    /// <summary>Imports <paramref name="count"/> one-person households into 品川区's register of the data directory, through the CLI.</summary>
    internal static async Task ImportShinagawaResidentsAsync(TempDirectory data, int count)
    {
        var csv = data.File("register.csv");
        File.WriteAllText(csv, "household_number,resident_code,family_name,given_name,family_name_kana,given_name_kana,birth_date,sex,relationship,address,resident_since,foreign_resident,nationality,individual_number\n"
            + string.Concat(Enumerable.Range(1, count).Select(i =>
                $"{i},{ResidentCode.FromBody(3000000000 + i).Digits},品川,太郎,シナガワ,タロウ,1980-04-01,1,世帯主,東京都品川区大井一丁目{i}番1号,2000-01-01,0,,\n")),
            new UTF8Encoding(false));
        Assert.Equal(0, (await CliProcess.RunAsync(data.Path, "registry", "import", csv, "--municipality", "131091")).ExitCode);
    }
}
