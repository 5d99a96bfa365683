using Renkei.Core.Policy;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Kiosk;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei kiosk hours</c>: whether a ward's convenience-store issuance (コンビニ交付) is open at an instant, by the ward's
/// kiosk service rules (<see cref="KioskServiceRules"/>: the shipped file, or the ward's own with <c>--file</c>, the file
/// <c>Ward:Kiosk:File</c> names). Exit 0 whether open or not.
/// </summary>
public static class KioskCommands
{
    public static void AddTo(RootCommand root)
    {
        var kiosk = new Command("kiosk", "convenience-store issuance (コンビニ交付): the ward's kiosk service");
        kiosk.Subcommands.Add(HoursCommand());
        root.Subcommands.Add(kiosk);
    }

    private static Command HoursCommand()
    {
        var municipality = new Option<string>("--municipality", "-m") { Description = "local government code (131091 品川区, …)", Required = true };
        var at = new Option<string>("--at") { Description = "the instant, ISO 8601 with its offset (2027-01-04T06:30+09:00, 2027-01-03T21:30Z); converted to Japan time", Required = true };
        var file = new Option<FileInfo>("--file") { Description = "the ward's own kiosk service file (as Ward:Kiosk:File); default: the shipped one" };
        var json = CliOptions.Json();
        var command = new Command("hours", "whether the ward's kiosk service is open at an instant, and why not") { municipality, at, file, json };
        command.SetAction(parse =>
        {
            ServeCommand.ParseMunicipality(parse.GetValue(municipality));
            var text = parse.GetValue(at)?.Trim() ?? "";
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant) || !HasOffset(text))
                throw new UsageException("--at: an ISO 8601 time with its offset, e.g. 2027-01-04T06:30+09:00 or 2027-01-03T21:30Z (時刻はオフセット付きのISO 8601形式で指定してください)");
            KioskServiceRules rules;
            try
            {
                rules = parse.GetValue(file) is { } path ? KioskServiceRules.Load(path.FullName) : KioskServiceRules.LoadDefault();
            }
            catch (PolicyFileException e)
            {
                throw new UsageException("--file: " + e.Message);
            }
            var opening = rules.At(instant);
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new { open = opening.Open, reason = opening.Reason ?? "サービス時間内です。" }, JsonDefaults.Options));
            else
                Console.WriteLine(opening.Open ? "open (サービス時間内です)" : $"closed ({opening.Reason})");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>An explicit offset (Z or ±hh:mm after the time): a bare local time would be read in the machine's zone.</summary>
    private static bool HasOffset(string text)
    {
        var time = text.IndexOf('T', StringComparison.Ordinal);
        if (time < 0) return false;
        var rest = text[time..];
        return rest.EndsWith('Z') || rest.EndsWith('z') || rest.Contains('+', StringComparison.Ordinal) || rest.Contains('-', StringComparison.Ordinal);
    }
}
