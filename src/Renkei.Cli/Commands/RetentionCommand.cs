using System.CommandLine;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Business;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Retention;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei retention run</c>: each business system deletes the individual numbers whose retention period has ended
/// (保管期間経過後の削除); every deletion is written to the operation log, by addressee number, never by number.
/// Safe to run daily: a run deletes only what has expired and not been deleted yet.
/// </summary>
public static class RetentionCommand
{
    public static void AddTo(RootCommand root)
    {
        var municipality = new Option<string>("--municipality", "-m") { Description = "local government code (e.g. 131091)", Required = true };
        var date = new Option<DateOnly?>("--date") { Description = "the day to judge expiry on (default: today)" };
        var json = CliOptions.Json();
        var run = new Command("run", "delete numbers whose retention period has ended, in every business system") { municipality, date, json };
        run.SetAction(async parse =>
        {
            var code = ServeCommand.ParseMunicipality(parse.GetValue(municipality));
            var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
            if (!layout.MunicipalityExists(code)) throw new UsageException($"no register for municipality {code.Digits} in {layout.Root.FullName}");
            await using var log = AuditCommands.OpenOperationLog(layout, code);
            var register = new ResidentRegister(layout.MunicipalityDatabase(code), code);
            var systems = new MunicipalBusinessSystems(new AddresseeSystem(register, log, new AddresseeSystemOptions { Terminal = RegistryCommands.BatchTerminal() }));
            var report = new RetentionJob(systems).Run(parse.GetValue(date) ?? DateOnly.FromDateTime(DateTime.Today));
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(report, JsonDefaults.Options));
            else
                Console.WriteLine($"{report.Date:yyyy-MM-dd}: {report.NumbersDeleted} number(s) deleted ("
                    + string.Join(", ", report.Systems.Select(s => $"{s.SystemCode} {s.NumbersDeleted}")) + ")");
            return ExitCodes.Success;
        });
        var retention = new Command("retention", "retention of individual numbers in the business systems (保管期間)") { run };
        root.Subcommands.Add(retention);
    }
}
