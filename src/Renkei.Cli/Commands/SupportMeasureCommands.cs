using System.CommandLine;
using System.Globalization;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Registry;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei support-measure place|release|show</c>: 支援措置 (DV・ストーカー行為等・児童虐待等の被害者への支援措置) in a ward's
/// register, in the affair <c>resident-register</c>, under the batch identity of <see cref="RegistryCommands.BatchStaffId"/>;
/// every change and refusal is in the operation log. While a measure is open the ward's kiosk issuance refuses the person.
/// </summary>
public static class SupportMeasureCommands
{
    private const string Affair = "resident-register";

    public static void AddTo(RootCommand root)
    {
        var measure = new Command("support-measure", "支援措置 (DV/stalking/child-abuse victim support measure): place, release, show");
        measure.Subcommands.Add(PlaceCommand());
        measure.Subcommands.Add(ReleaseCommand());
        measure.Subcommands.Add(ShowCommand());
        root.Subcommands.Add(measure);
    }

    private static Option<long> Resident() => new("--resident") { Description = "the resident's id in the register", Required = true };

    private static Option<string> Day(string name, string what) => new(name) { Description = what + " (YYYY-MM-DD, Japan); default: today" };

    private static Command PlaceCommand()
    {
        var municipality = RegistryCommands.MunicipalityOption();
        var resident = Resident();
        var kind = new Option<string>("--kind") { Description = "domestic-violence, stalking, child-abuse or other", Required = true };
        var from = Day("--from", "the measure's first day");
        var command = new Command("place", "place a current resident under a support measure (kiosk issuance stops for them)") { municipality, resident, kind, from };
        command.SetAction(parse =>
        {
            if (!SupportMeasureKinds.TryParse(parse.GetValue(kind), out var measureKind))
                throw new UsageException("--kind: domestic-violence, stalking, child-abuse or other");
            var day = ParseDay(parse.GetValue(from), "--from");
            return Run(parse, municipality, parse.GetValue(resident), "支援措置 開始", measures =>
            {
                var placed = measures.Place(parse.GetValue(resident), measureKind, day, RegistryCommands.BatchStaffId());
                Console.Error.WriteLine($"under a support measure from {placed.From:yyyy-MM-dd} ({measureKind.Code()})");
                return $"種別 {measureKind.ToJapanese()} 開始日 {placed.From:yyyy-MM-dd}";
            });
        });
        return command;
    }

    private static Command ReleaseCommand()
    {
        var municipality = RegistryCommands.MunicipalityOption();
        var resident = Resident();
        var on = Day("--on", "the measure's last day");
        var command = new Command("release", "end a resident's support measure") { municipality, resident, on };
        command.SetAction(parse =>
        {
            var day = ParseDay(parse.GetValue(on), "--on");
            return Run(parse, municipality, parse.GetValue(resident), "支援措置 終了", measures =>
            {
                var released = measures.Release(parse.GetValue(resident), day, RegistryCommands.BatchStaffId());
                Console.Error.WriteLine($"released on {released.ReleasedOn:yyyy-MM-dd}");
                return $"終了日 {released.ReleasedOn:yyyy-MM-dd}";
            });
        });
        return command;
    }

    private static Command ShowCommand()
    {
        var municipality = RegistryCommands.MunicipalityOption();
        var resident = Resident();
        var command = new Command("show", "a resident's support measures, newest first") { municipality, resident };
        command.SetAction(parse =>
        {
            var (register, _, _) = RegistryCommands.OpenWard(parse, municipality);
            var history = new SupportMeasures(register.Database).History(parse.GetValue(resident));
            if (history.Count == 0) Console.Out.WriteLine("no support measure");
            foreach (var m in history)
                Console.Out.WriteLine(string.Join('\t', m.Kind.Code(), m.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    m.Open ? "open" : $"released {m.ReleasedOn:yyyy-MM-dd}"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static DateOnly? ParseDay(string? text, string option) =>
        text is null ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day
        : throw new UsageException($"{option}: a day as YYYY-MM-DD");

    /// <summary>Runs a change, logging success (with <paramref name="what"/> and the returned detail) or the refusal's code.</summary>
    private static int Run(ParseResult parse, Option<string> municipality, long residentId, string what, Func<SupportMeasures, string> change)
    {
        var (register, code, layout) = RegistryCommands.OpenWard(parse, municipality);
        using var log = AuditCommands.OpenOperationLog(layout, code);
        void Record(OperationResult result, string detail) => log.Append(new OperationLogEntry(
            RegistryCommands.BatchStaffId(), DateTimeOffset.UtcNow, RegistryCommands.BatchTerminal(), Affair, null, OperationAction.Change,
            result, $"{what}; resident-id={residentId.ToString(CultureInfo.InvariantCulture)}; {detail}"));
        try
        {
            Record(OperationResult.Success, change(new SupportMeasures(register.Database)));
            return ExitCodes.Success;
        }
        catch (RegisterException refused)
        {
            Record(refused.Code == "unknown-resident" ? OperationResult.Failed : OperationResult.Refused, "refused: " + refused.Code);
            Console.Error.WriteLine("renkei: " + refused.Message);
            return ExitCodes.Failure;
        }
    }
}
