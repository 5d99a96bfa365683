using System.Text.Json;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests;

/// <summary><c>renkei pia compare</c>: the ward's computed levels beside 品川区's 表7 and 板橋区's 44, as a program reads it and as a person does.</summary>
public class PiaCompareCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Compare_prints_each_affair_with_the_demos_live_level_and_the_published_ones()
    {
        await PiaCommandTests.ImportShinagawaResidentsAsync(_data, 3);

        var outcome = await CliProcess.RunAsync(_data.Path, "pia", "compare", "--municipality", "131091", "--json");
        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        using var json = JsonDocument.Parse(outcome.StandardOutput);
        var root = json.RootElement;
        Assert.Equal("131091", root.GetProperty("municipality").GetString());
        var references = root.GetProperty("references").EnumerateArray().ToDictionary(r => r.GetProperty("key").GetString()!);
        Assert.Equal((31, 2, 4, 25), Counts(references["shinagawa"]));
        Assert.Equal((44, 2, 5, 37), Counts(references["itabashi"]));

        var rows = root.GetProperty("rows").EnumerateArray().ToList();
        var register = rows.Single(r => r.GetProperty("affair").GetString() == "resident-register");
        var demo = register.GetProperty("demo");
        Assert.Equal(("resident-register", 3, "none", "basic+full"),
            (demo.GetProperty("file").GetString(), demo.GetProperty("people").GetInt32(), demo.GetProperty("computedLevel").GetString(), demo.GetProperty("declaredLevel").GetString()));
        var shinagawa = Assert.Single(register.GetProperty("published").GetProperty("shinagawa").EnumerateArray());
        Assert.Equal((2, "住民基本台帳に関する事務", "basic+full", "戸籍住民課"),
            (shinagawa.GetProperty("no").GetInt32(), shinagawa.GetProperty("name").GetString(), shinagawa.GetProperty("level").GetString(), shinagawa.GetProperty("department").GetString()));
        Assert.Equal("basic+full", Assert.Single(register.GetProperty("published").GetProperty("itabashi").EnumerateArray()).GetProperty("level").GetString());
        Assert.True(register.GetProperty("differs").GetBoolean());
        Assert.Contains("より低い区分です", register.GetProperty("note").GetString());

        // An Itabashi assessment the demo does not run: no demo figures, no Shinagawa entry.
        var notRun = rows.Single(r => r.GetProperty("name").GetString() == "特別区たばこ税の賦課に関する事務");
        Assert.Equal(JsonValueKind.Null, notRun.GetProperty("affair").ValueKind);
        Assert.Equal(JsonValueKind.Null, notRun.GetProperty("demo").ValueKind);
        Assert.Empty(notRun.GetProperty("published").GetProperty("shinagawa").EnumerateArray());
        Assert.Equal(75, rows.Sum(r => r.GetProperty("published").EnumerateObject().Sum(p => p.Value.GetArrayLength())));

        var text = await CliProcess.RunAsync(_data.Path, "pia", "compare", "--municipality", "131091");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("品川区 31件（全項目 2、重点項目 4、基礎項目 25）", text.StandardOutput);
        Assert.Contains("デモ: 評価なし（住民基本台帳ファイル 3人）", text.StandardOutput);

        var missing = await CliProcess.RunAsync(_data.Path, "pia", "compare", "--municipality", "131113");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--municipality", missing.StandardError);
    }

    private static (int, int, int, int) Counts(JsonElement list) =>
        (list.GetProperty("entries").GetInt32(), list.GetProperty("full").GetInt32(), list.GetProperty("priority").GetInt32(), list.GetProperty("basic").GetInt32());
}
