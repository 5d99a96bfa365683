using System.CommandLine;
using Renkei.Core.Numbers;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Contracts;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei staff …</c>: a ward's staff accounts (職員アカウント) for its system administrator — list them with their
/// lockouts, and unlock an account before its lockout ends, with a reason that goes into the ward's operation log.
/// Never shows a password, a hash or a one-time code.
/// </summary>
public static class StaffCommands
{
    public static void AddTo(RootCommand root)
    {
        var staff = new Command("staff", "a ward's staff accounts (職員アカウント): list, unlock");
        staff.Subcommands.Add(ListCommand());
        staff.Subcommands.Add(UnlockCommand());
        root.Subcommands.Add(staff);
    }

    private static Option<string> MunicipalityOption() => new("--municipality", "-m")
    {
        Description = "local government code (131091 品川区, 131113 大田区, 131199 板橋区, …)",
        Required = true,
    };

    /// <summary>The ward's staff directory in the data directory; refuses a ward that has no staff accounts rather than creating a key.</summary>
    private static StaffDirectory OpenDirectory(DataLayout layout, LocalGovernmentCode code)
    {
        if (!layout.MunicipalityExists(code) || !File.Exists(layout.MunicipalityTotpKeyFile(code)))
            throw new InvalidOperationException($"municipality {code.Digits} has no staff accounts in this data directory (職員アカウントがありません)");
        return new StaffDirectory(layout.MunicipalityDatabase(code), AffairCatalogue.LoadDefault(), layout.MunicipalityTotpKeyFile(code));
    }

    private static StaffId ParseStaffId(string? text, string option) =>
        StaffId.TryParse(text, out var id) ? id : throw new UsageException($"{option}: not a staff id (職員IDの形式ではありません)");

    private static Command ListCommand()
    {
        var municipality = MunicipalityOption();
        var command = new Command("list", "list the ward's staff accounts: role, affairs, active, locked until when") { municipality };
        command.SetAction(parse =>
        {
            var code = ServeCommand.ParseMunicipality(parse.GetValue(municipality));
            var directory = OpenDirectory(new DataLayout(parse.GetValue(CliOptions.DataDirectory)!), code);
            foreach (var member in directory.List())
            {
                var state = !member.Active ? "利用停止 (disabled)"
                    : member.Locked ? $"ロック中 (locked until {member.LockedUntil!.Value.ToOffset(TimeSpan.FromHours(9)):yyyy-MM-dd HH:mm zzz})"
                    : "有効 (active)";
                Console.WriteLine($"  {member.Id.Value,-12} {TextWidth.PadRight(member.DisplayName, 30)} {TextWidth.PadRight(member.Role.ToJapanese(), 10)} {state}"
                    + (member.FailedLogins > 0 ? $"  失敗 {member.FailedLogins} 回" : ""));
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command UnlockCommand()
    {
        var municipality = MunicipalityOption();
        var staff = new Option<string>("--staff") { Description = "the locked staff member's id", Required = true };
        var reason = new Option<string>("--reason")
        {
            Description = $"why the account is unlocked early (1–{StaffDirectory.MaxUnlockReasonLength} characters, recorded in the operation log)",
            Required = true,
        };
        var by = new Option<string>("--by") { Description = "the administrator's own staff id (an active administrator account)", Required = true };
        var command = new Command("unlock",
            "clear a staff account's login lockout before it ends; the administrator, the account and the reason go into the ward's operation log")
        {
            municipality, staff, reason, by,
        };
        command.SetAction(parse =>
        {
            var code = ServeCommand.ParseMunicipality(parse.GetValue(municipality));
            var target = ParseStaffId(parse.GetValue(staff), "--staff");
            var administrator = ParseStaffId(parse.GetValue(by), "--by");
            var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
            var directory = OpenDirectory(layout, code);
            var wasLocked = directory.Find(target)?.Locked == true;
            using var log = AuditCommands.OpenOperationLog(layout, code);
            try
            {
                directory.Unlock(administrator, target, parse.GetValue(reason), log, RegistryCommands.BatchTerminal());
            }
            catch (StaffException refused) when (refused.Code == StaffException.InvalidReason)
            {
                throw new UsageException("--reason: " + refused.Message);
            }
            Console.WriteLine(wasLocked
                ? $"職員 {target} のロックを解除しました (unlocked; recorded in the operation log)"
                : $"職員 {target} はロックされていませんでした。失敗回数を消去しました (was not locked; failure count cleared, recorded in the operation log)");
            return ExitCodes.Success;
        });
        return command;
    }
}
