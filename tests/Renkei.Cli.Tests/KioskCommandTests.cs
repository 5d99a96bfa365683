using System.Text;
using System.Text.Json;
using Renkei.Core.Numbers;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Registry;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests;

/// <summary><c>renkei kiosk hours</c> (open or not, in Japan time, whatever the offset) and <c>renkei support-measure</c>.</summary>
public class KioskCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Theory]
    [InlineData("2027-02-10T06:29+09:00", false, "サービス時間外です（6時30分から23時まで）。")]
    [InlineData("2027-02-10T06:30+09:00", true, "サービス時間内です。")]
    [InlineData("2027-02-10T22:59+09:00", true, "サービス時間内です。")]
    [InlineData("2027-02-10T23:00+09:00", false, "サービス時間外です（6時30分から23時まで）。")]
    [InlineData("2027-02-09T21:30Z", true, "サービス時間内です。")]
    [InlineData("2027-02-10T08:59-05:00", true, "サービス時間内です。")]
    [InlineData("2026-12-29T12:00+09:00", false, "年末年始（12月29日から1月3日まで）は休止しています。")]
    [InlineData("2027-01-03T21:30Z", true, "サービス時間内です。")]
    public async Task Hours_prints_open_and_the_reason_as_json_and_exits_0_either_way(string at, bool open, string reason)
    {
        var outcome = await CliProcess.RunAsync(_data.Path, "kiosk", "hours", "--municipality", "131091", "--at", at, "--json");

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        using var json = JsonDocument.Parse(outcome.StandardOutput);
        Assert.Equal((open, reason), (json.RootElement.GetProperty("open").GetBoolean(), json.RootElement.GetProperty("reason").GetString()));
        Assert.Equal(2, json.RootElement.EnumerateObject().Count());
    }

    [Fact]
    public async Task A_wards_own_file_narrows_the_hours_and_a_time_without_offset_or_a_bad_file_is_a_usage_error()
    {
        var file = _data.File("kiosk-service-narrow.json");
        await File.WriteAllTextAsync(file, """
            { "version": "t", "source": "t", "opens": "08:00", "closes": "20:00", "maintenance": [],
              "menu": [ { "kind": "juminhyo", "name": "住民票の写し", "feeYen": 250 } ] }
            """);
        var early = await CliProcess.RunAsync(_data.Path, "kiosk", "hours", "-m", "131091", "--at", "2027-02-10T07:00+09:00", "--file", file, "--json");
        Assert.Contains("\"open\":false", early.StandardOutput.Replace(" ", "", StringComparison.Ordinal));
        Assert.Contains("8時から20時まで", early.StandardOutput);
        var text = await CliProcess.RunAsync(_data.Path, "kiosk", "hours", "-m", "131091", "--at", "2027-02-10T12:00+09:00", "--file", file);
        Assert.Equal((0, "open (サービス時間内です)"), (text.ExitCode, text.StandardOutput.Trim()));

        var bare = await CliProcess.RunAsync(_data.Path, "kiosk", "hours", "-m", "131091", "--at", "2027-02-10T12:00");
        Assert.Equal(2, bare.ExitCode);
        Assert.Contains("--at", bare.StandardError);
        await File.WriteAllTextAsync(file, """{ "version": "t", "source": "t", "opens": "05:00", "closes": "20:00", "maintenance": [], "menu": [] }""");
        var wide = await CliProcess.RunAsync(_data.Path, "kiosk", "hours", "-m", "131091", "--at", "2027-02-10T12:00+09:00", "--file", file);
        Assert.Equal(2, wide.ExitCode);
        Assert.Contains("kiosk-service-narrow.json line 1: opens/closes", wide.StandardError);
        var badWard = await CliProcess.RunAsync(_data.Path, "kiosk", "hours", "-m", "131092", "--at", "2027-02-10T12:00+09:00");
        Assert.Equal(2, badWard.ExitCode);
    }

    [Fact]
    public async Task Support_measure_place_show_and_release_are_logged_and_refusals_exit_1()
    {
        var csv = _data.File("register.csv");
        var code = ResidentCode.FromBody(3000000001);
        File.WriteAllText(csv, "household_number,resident_code,family_name,given_name,family_name_kana,given_name_kana,birth_date,sex,relationship,address,resident_since,foreign_resident,nationality,individual_number\n"
            + $"1,{code.Digits},品川,花子,シナガワ,ハナコ,1985-04-01,2,世帯主,東京都品川区大井一丁目1番1号,2000-01-01,0,,\n", new UTF8Encoding(false));
        Assert.Equal(0, (await CliProcess.RunAsync(_data.Path, "registry", "import", csv, "--municipality", "131091")).ExitCode);
        var layout = new Renkei.Country.DataLayout(new DirectoryInfo(_data.Path));
        var register = new ResidentRegister(layout.MunicipalityDatabase(LocalGovernmentCode.ParseOrThrow("131091")), LocalGovernmentCode.ParseOrThrow("131091"));
        var id = register.FindByCode(code)!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var placed = await CliProcess.RunAsync(_data.Path, "support-measure", "place", "-m", "131091", "--resident", id, "--kind", "domestic-violence");
        Assert.True(placed.ExitCode == 0, placed.StandardError);
        var twice = await CliProcess.RunAsync(_data.Path, "support-measure", "place", "-m", "131091", "--resident", id, "--kind", "stalking");
        Assert.Equal(1, twice.ExitCode);
        Assert.Contains("既に支援措置の対象者です", twice.StandardError);
        var shown = await CliProcess.RunAsync(_data.Path, "support-measure", "show", "-m", "131091", "--resident", id);
        Assert.StartsWith("domestic-violence\t", shown.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("\topen", shown.StandardOutput);
        Assert.Equal(0, (await CliProcess.RunAsync(_data.Path, "support-measure", "release", "-m", "131091", "--resident", id)).ExitCode);
        Assert.Null(new SupportMeasures(register.Database).Current(register.FindByCode(code)!.Id));
        Assert.Equal(2, (await CliProcess.RunAsync(_data.Path, "support-measure", "place", "-m", "131091", "--resident", id, "--kind", "unknown")).ExitCode);

        using var log = OperationLog.Open(layout.MunicipalityDatabase(LocalGovernmentCode.ParseOrThrow("131091")), LocalGovernmentCode.ParseOrThrow("131091"),
            layout.MunicipalityAuditKeyFile(LocalGovernmentCode.ParseOrThrow("131091")));
        var entries = log.Read().Select(r => r.Entry).Where(e => e.Detail!.StartsWith("支援措置", StringComparison.Ordinal)).ToList();
        Assert.Equal([OperationResult.Success, OperationResult.Refused, OperationResult.Success], entries.Select(e => e.Result));
        Assert.All(entries, e => Assert.Equal(("resident-register", OperationAction.Change), (e.AffairCode, e.Action)));
    }
}
