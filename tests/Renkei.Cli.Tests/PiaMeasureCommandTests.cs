using Renkei.Core.Numbers;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Staff;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests;

/// <summary>
/// <c>renkei pia training add</c>, <c>pia self-inspection add</c>, <c>pia incident add --handling</c> and
/// <c>pia document --form full|priority</c>: the records go in through the program and come back out in the 全項目評価書.
/// </summary>
public class PiaMeasureCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Training_self_inspection_and_incident_handling_come_back_in_the_full_assessment()
    {
        await PiaCommandTests.ImportShinagawaResidentsAsync(_data, 3);
        var layout = new DataLayout(new DirectoryInfo(_data.Path));
        var shinagawa = LocalGovernmentCode.ParseOrThrow("131091");
        var directory = new StaffDirectory(layout.MunicipalityDatabase(shinagawa), AffairCatalogue.LoadDefault(), layout.MunicipalityTotpKeyFile(shinagawa),
            new StaffDirectoryOptions { PasswordHashing = PasswordHashing.InsecureForTestsAndDemos(1_000) });
        directory.Create(new NewStaffMember(StaffId.Parse("jumin01"), "戸籍住民課 品川 花子", StaffRole.Clerk, ["resident-register"]), "correct horse battery");
        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).DateTime).ToString("yyyy-MM-dd");

        var training = await CliProcess.RunAsync(_data.Path, "pia", "training", "add", "--municipality", "131091", "--staff", "jumin01",
            "--course", "特定個人情報の取扱い研修", "--attended-on", today, "--by", "admin01");
        Assert.True(training.ExitCode == 0, training.StandardError);
        var inspection = await CliProcess.RunAsync(_data.Path, "pia", "self-inspection", "add", "--municipality", "131091", "--file", "resident-register",
            "--inspected-on", today, "--inspector", "戸籍住民課長", "--result", "要改善", "--findings", "持出し記録の様式が古い", "--by", "admin01");
        Assert.True(inspection.ExitCode == 0, inspection.StandardError);
        var incident = await CliProcess.RunAsync(_data.Path, "pia", "incident", "add", "--municipality", "131091", "--file", "resident-register",
            "--occurred-on", today, "--description", "通知書の誤送付", "--handling", "封入時の二名確認を導入", "--by", "admin01");
        Assert.True(incident.ExitCode == 0, incident.StandardError);

        var unknownStaff = await CliProcess.RunAsync(_data.Path, "pia", "training", "add", "--municipality", "131091", "--staff", "nobody99",
            "--course", "研修", "--attended-on", today, "--by", "admin01");
        Assert.Equal(2, unknownStaff.ExitCode);
        Assert.Contains("staff:", unknownStaff.StandardError);
        var badDate = await CliProcess.RunAsync(_data.Path, "pia", "self-inspection", "add", "--municipality", "131091", "--file", "resident-register",
            "--inspected-on", "2024-13-45", "--inspector", "課長", "--result", "適正", "--by", "admin01");
        Assert.Equal(2, badDate.ExitCode);
        Assert.Contains("--inspected-on", badDate.StandardError);
        Assert.DoesNotContain("2024-13-45", badDate.StandardError);

        var pdf = _data.File("zenkoumoku.pdf");
        var document = await CliProcess.RunAsync(_data.Path, "pia", "document", "--municipality", "131091", "--file", "resident-register",
            "--mayor-title", "品川区長", "--form", "full", "--out", pdf);
        Assert.True(document.ExitCode == 0, document.StandardError);
        Assert.Contains("全項目評価書を出力しました", document.StandardOutput);
        var printed = PdfText.Read(File.ReadAllBytes(pdf));
        foreach (var expected in new[]
                 {
                     "特定個人情報保護評価書（全項目評価書）", "住民基本台帳ファイル", "3人（1,000人未満）", "1人（職員1人、外部委託先0人）", "研修を受講した取扱職員：1人／1人（100%）",
                     "持出し記録の様式が古い", "封入時の二名確認を導入", "住民票関係情報", "（評価書の版で記録）",
                 })
            Assert.Contains(expected, printed);

        // Without --form the file's computed level decides: 3 people need no assessment, so the 基礎項目評価書 as before.
        var basic = await CliProcess.RunAsync(_data.Path, "pia", "document", "--municipality", "131091", "--file", "resident-register", "--mayor-title", "品川区長", "--out", pdf);
        Assert.True(basic.ExitCode == 0, basic.StandardError);
        Assert.Contains("特定個人情報保護評価書（基礎項目評価書）", PdfText.Read(File.ReadAllBytes(pdf)));
        var priority = await CliProcess.RunAsync(_data.Path, "pia", "document", "--municipality", "131091", "--file", "resident-register", "--mayor-title", "品川区長",
            "--form", "priority", "--out", pdf);
        Assert.True(priority.ExitCode == 0, priority.StandardError);
        Assert.Contains("特定個人情報保護評価書（重点項目評価書）", PdfText.Read(File.ReadAllBytes(pdf)));
    }
}
