using System.CommandLine;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Municipality.Business;
using Renkei.Municipality.Registry;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei feed …</c>: the ward's copies for its intermediate server (副本). The ward's service sends them by itself
/// (<see cref="WardCopyFeed"/>: every register event, import and business-system change); <c>feed run</c> asks it for a
/// full resend — the monthly job (e.g. from cron on the 1st, and after the yearly tax assessment) — and <c>feed status</c>
/// shows what is waiting. Both work on the ward's database; the running service does the sending.
/// </summary>
public static class FeedCommands
{
    public static void AddTo(RootCommand root)
    {
        var feed = new Command("feed", "the ward's copies for its intermediate server (副本の送信)");
        feed.Subcommands.Add(RunCommand());
        feed.Subcommands.Add(StatusCommand());
        root.Subcommands.Add(feed);
    }

    private static Option<string> Municipality() => new("--municipality", "-m")
    {
        Description = "local government code (131091 品川区, 131113 大田区, 131199 板橋区, …)",
        Required = true,
    };

    private static ResidentRegister Open(ParseResult parse, Option<string> municipality)
    {
        var code = ServeCommand.ParseMunicipality(parse.GetValue(municipality));
        return new ResidentRegister(new DataLayout(parse.GetValue(CliOptions.DataDirectory)!).MunicipalityDatabase(code), code);
    }

    private static Command RunCommand()
    {
        var municipality = Municipality();
        var json = CliOptions.Json();
        var command = new Command("run", "queue a full resend of every copy (the monthly job); the ward's running service sends it") { municipality, json };
        command.SetAction(parse =>
        {
            var register = Open(parse, municipality);
            var id = WardCopyFeed.RequestFullRun(register.Database, RegistryCommands.BatchStaffId());
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(new { run = id, queued = true }, JsonDefaults.Options));
            else Console.WriteLine($"全件送信を登録しました（番号 {id}）。区のサービスが次の周期で中間サーバーへ送信します。`renkei feed status` で完了を確認できます。");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command StatusCommand()
    {
        var municipality = Municipality();
        var json = CliOptions.Json();
        var command = new Command("status", "households waiting to be sent and the full resends asked for") { municipality, json };
        command.SetAction(parse =>
        {
            var register = Open(parse, municipality);
            var pending = WardCopyFeed.PendingHouseholds(register.Database);
            var runs = WardCopyFeed.Runs(register.Database);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { pendingHouseholds = pending, runs }, JsonDefaults.Options));
                return ExitCodes.Success;
            }
            Console.WriteLine($"送信待ちの世帯: {pending:N0}");
            foreach (var run in runs)
                Console.WriteLine($"全件送信 {run.Id}: {run.RequestedAt.ToOffset(TimeSpan.FromHours(9)):yyyy-MM-dd HH:mm} {run.RequestedBy} "
                    + (run.FinishedAt is { } done ? $"完了 {done.ToOffset(TimeSpan.FromHours(9)):yyyy-MM-dd HH:mm}（{run.CopiesSent:N0}件）" : "未完了"));
            return ExitCodes.Success;
        });
        return command;
    }
}
