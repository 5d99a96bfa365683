using System.CommandLine;
using System.Globalization;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Seals;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei seal register|abolish|show</c>: 印鑑登録 in a ward's database as the counter does it, in the affair
/// <c>seal-registration</c>, under the batch identity of <see cref="RegistryCommands.BatchStaffId"/>; every change and refusal is
/// in the operation log (never the card number or the image).
/// </summary>
public static class SealCommands
{
    public static void AddTo(RootCommand root)
    {
        var seal = new Command("seal", "印鑑登録 (seal registration): register, abolish, show");
        seal.Subcommands.Add(RegisterCommand());
        seal.Subcommands.Add(AbolishCommand());
        seal.Subcommands.Add(ShowCommand());
        root.Subcommands.Add(seal);
    }

    private static Option<long> Resident() => new("--resident") { Description = "the resident's id in the register", Required = true };

    private static Command RegisterCommand()
    {
        var municipality = RegistryCommands.MunicipalityOption();
        var resident = Resident();
        var image = new Option<FileInfo>("--image") { Description = "the seal impression: PNG or JPEG, at most 200 KB", Required = true };
        var side = new Option<int>("--side-mm") { Description = "the impression's longer side as measured, in mm (8–25)", Required = true };
        var identity = new Option<string>("--identity-check")
        {
            Description = "how identity was checked: mynumber-card, drivers-licence, passport, residence-card, inquiry-reply or guarantor",
            Required = true,
        };
        var command = new Command("register", "register a seal for a resident aged 15 or more; prints the 印鑑登録証 number on stdout")
        {
            municipality, resident, image, side, identity,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!SealCodes.TryParse(parse.GetValue(identity), out SealIdentityCheck check))
                return Usage("--identity-check: mynumber-card, drivers-licence, passport, residence-card, inquiry-reply or guarantor");
            var file = parse.GetValue(image)!;
            if (!file.Exists) return Usage("--image: no such file");
            byte[] bytes;
            await using (var stream = file.OpenRead())
                bytes = await SealImage.ReadAsync(stream, cancellationToken);
            return Run(parse, municipality, parse.GetValue(resident), "印鑑登録 登録", seals =>
            {
                var registered = seals.Register(new SealRegistrationRequest(parse.GetValue(resident), check, SealImage.Parse(bytes, parse.GetValue(side))),
                    RegistryCommands.BatchStaffId(), RegistryCommands.BatchTerminal());
                Console.Out.WriteLine(registered.CardNumber.Digits);
                Console.Error.WriteLine($"registered on {registered.RegisteredOn:yyyy-MM-dd}; the number above is the 印鑑登録証 number");
                return $"本人確認 {check.ToJapanese()} 印影 {registered.Image.SideMillimetres}mm";
            });
        });
        return command;
    }

    private static Command AbolishCommand()
    {
        var municipality = RegistryCommands.MunicipalityOption();
        var resident = Resident();
        var reason = new Option<string>("--reason") { Description = "request (本人申請) or lost (亡失)", Required = true };
        var command = new Command("abolish", "abolish a resident's seal registration (departure and death end it by themselves)") { municipality, resident, reason };
        command.SetAction(parse =>
        {
            if (!SealCodes.TryParse(parse.GetValue(reason), out SealAbolitionReason why) || why is not (SealAbolitionReason.Request or SealAbolitionReason.Lost))
                return Usage("--reason: request or lost");
            return Run(parse, municipality, parse.GetValue(resident), "印鑑登録 廃止", seals =>
            {
                var abolished = seals.Abolish(parse.GetValue(resident), why, RegistryCommands.BatchStaffId());
                Console.Error.WriteLine($"abolished on {abolished.AbolishedOn:yyyy-MM-dd} ({why.Code()})");
                return $"事由 {why.ToJapanese()}";
            });
        });
        return command;
    }

    private static Command ShowCommand()
    {
        var municipality = RegistryCommands.MunicipalityOption();
        var resident = Resident();
        var command = new Command("show", "a resident's seal registrations, newest first (the card number masked but for its last two digits)") { municipality, resident };
        command.SetAction(parse =>
        {
            var (register, _, _) = RegistryCommands.OpenWard(parse, municipality);
            var history = new SealRegistry(register.Database).History(parse.GetValue(resident));
            if (history.Count == 0) Console.Out.WriteLine("no seal registration");
            foreach (var r in history)
                Console.Out.WriteLine(string.Join('\t', "******" + r.CardNumber.Digits[6..], r.RegisteredOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    r.IdentityCheck.Code(), r.Image.SideMillimetres.ToString(CultureInfo.InvariantCulture) + "mm",
                    r.Current ? "current" : $"abolished {r.AbolishedOn:yyyy-MM-dd} {r.AbolitionReason?.Code()}"));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Runs a change, logging success (with <paramref name="what"/> and the returned detail) or the refusal's code.</summary>
    private static int Run(ParseResult parse, Option<string> municipality, long residentId, string what, Func<SealRegistry, string> change)
    {
        var (register, code, layout) = RegistryCommands.OpenWard(parse, municipality);
        using var log = AuditCommands.OpenOperationLog(layout, code);
        void Record(OperationResult result, string detail) => log.Append(new OperationLogEntry(
            RegistryCommands.BatchStaffId(), DateTimeOffset.UtcNow, RegistryCommands.BatchTerminal(), CounterCertificates.SealAffair, null, OperationAction.Change,
            result, $"{what}; resident-id={residentId.ToString(CultureInfo.InvariantCulture)}; {detail}"));
        try
        {
            Record(OperationResult.Success, change(new SealRegistry(register.Database)));
            return ExitCodes.Success;
        }
        catch (RegisterException refused)
        {
            Record(refused.Code == SealRegistry.UnknownResident ? OperationResult.Failed : OperationResult.Refused, "refused: " + refused.Code);
            Console.Error.WriteLine("renkei: " + refused.Message);
            return ExitCodes.Failure;
        }
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine("renkei: " + message);
        return ExitCodes.Usage;
    }
}
