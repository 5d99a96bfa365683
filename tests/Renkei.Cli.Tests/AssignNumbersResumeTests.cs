using System.Diagnostics;
using Renkei.Cli.Demo;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Jlis;
using Renkei.Jlis.Numbering;
using Renkei.Municipality.Registry;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests;

/// <summary>
/// Initial bulk assignment must survive being killed at any point: the real `renkei registry assign-numbers`
/// process (with J-LIS inside it) is killed several times mid-run, then run to the end.
/// </summary>
public class AssignNumbersResumeTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Killed_assignment_reruns_to_completion_with_no_duplicate_and_no_gap()
    {
        var ward = DemoWard.Shinagawa;
        var layout = new DataLayout(new DirectoryInfo(_data.Path));
        var register = new ResidentRegister(layout.MunicipalityDatabase(ward.Code), ward.Code);
        var generator = new DemoCountryGenerator(seed: 5, totalResidents: 160_000);
        var residents = generator.ResidentCount(ward); // about 39,000 in 品川区
        var imported = new RegisterImporter(register).Import(generator.Residents(ward));
        Assert.Equal(residents, imported.Imported);

        var kills = 0;
        foreach (var killAtFraction in new[] { 0.1, 0.35, 0.6 })
        {
            using var process = Process.Start(CliProcess.StartInfo(_data.Path,
                "registry", "assign-numbers", "--municipality", ward.Code.Digits, "--batch-size", "250"))!;
            var drain = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (!process.HasExited && DateTime.UtcNow < deadline)
            {
                var numbered = residents - register.Counts().ResidentsWithoutNumber;
                if (numbered >= residents * killAtFraction) break;
                await Task.Delay(20);
            }
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                kills++;
            }
            await process.WaitForExitAsync();
            await drain;
        }
        Assert.True(kills >= 1, "the job finished before it could be interrupted; make the register larger");
        Assert.True(register.Counts().ResidentsWithoutNumber > 0, "the interrupted runs left work for the rerun");

        var final = await CliProcess.RunAsync(_data.Path, "registry", "assign-numbers", "--municipality", ward.Code.Digits, "--batch-size", "250", "--json");
        Assert.Equal(0, final.ExitCode);

        // No gap: every resident has a number. No duplicate: all numbers distinct, one history row each.
        Assert.Equal(0, register.Counts().ResidentsWithoutNumber);
        using var connection = register.Database.Open();
        using (var command = connection.Command("SELECT count(*) FROM residents"))
            Assert.Equal(residents, command.ScalarInt64());
        using (var command = connection.Command("""
            SELECT count(*), count(DISTINCT resident_id), count(DISTINCT individual_number),
                   sum(CASE WHEN valid_to IS NULL THEN 1 ELSE 0 END)
            FROM resident_numbers
            """))
        using (var reader = command.ExecuteReader())
        {
            Assert.True(reader.Read());
            Assert.Equal(residents, reader.GetInt64(0)); // one number each, no leftovers from interrupted runs
            Assert.Equal(residents, reader.GetInt64(1));
            Assert.Equal(residents, reader.GetInt64(2));
            Assert.Equal(residents, reader.GetInt64(3));
        }

        // And every number is the one J-LIS designated for that resident's code (first generation).
        using var numbering = NumberingService.Open(layout.JlisDatabase(), layout.JlisKeyFile);
        using (var command = connection.Command("""
            SELECT r.resident_code, n.individual_number
            FROM residents r JOIN resident_numbers n ON n.resident_id = r.id AND n.valid_to IS NULL
            """))
        using (var reader = command.ExecuteReader())
        {
            var mismatches = 0;
            while (reader.Read())
            {
                var expected = numbering.Deriver.Derive(ResidentCode.FromInt64(reader.GetInt64(0)), 0);
                if (expected.ToInt64() != reader.GetInt64(1)) mismatches++;
            }
            Assert.Equal(0, mismatches);
        }
    }
}
