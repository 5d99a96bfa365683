using System.CommandLine;
using Renkei.Core.Numbers;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Contracts;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei staff …</c>: a ward's staff accounts (職員アカウント) for its system administrator — list them with their
/// lockouts; add an account for one person (a temporary password and the authenticator enrolment, shown once); disable it
/// from the day the person leaves; assign affairs; reset a password to a temporary one; unlock an account before its
/// lockout ends. Every change names the administrator (<c>--by</c>) and goes into the ward's operation log in Japanese.
/// Never shows a stored password, a hash or a one-time code.
/// </summary>
public static class StaffCommands
{
    public static void AddTo(RootCommand root)
    {
        var staff = new Command("staff", "a ward's staff accounts (職員アカウント): list, add, disable, assign, reset-password, unlock");
        staff.Subcommands.Add(ListCommand());
        staff.Subcommands.Add(AddCommand());
        staff.Subcommands.Add(DisableCommand());
        staff.Subcommands.Add(AssignCommand());
        staff.Subcommands.Add(ResetPasswordCommand());
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
                var state = !member.Active ? "利用停止 (disabled)" + (member.LeavesOn is { } left ? $" {left:yyyy-MM-dd}" : "")
                    : member.Locked ? $"ロック中 (locked until {member.LockedUntil!.Value.ToOffset(TimeSpan.FromHours(9)):yyyy-MM-dd HH:mm zzz})"
                    : "有効 (active)";
                Console.WriteLine($"  {member.Id.Value,-12} {TextWidth.PadRight(member.DisplayName, 30)} {TextWidth.PadRight(member.Role.ToJapanese(), 10)} {state}"
                    + (member.FailedLogins > 0 ? $"  失敗 {member.FailedLogins} 回" : ""));
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Option<string> ByOption() =>
        new("--by") { Description = "the administrator's own staff id (an active administrator account)", Required = true };

    private static Option<string> StaffOption(string description) => new("--staff") { Description = description, Required = true };

    /// <summary>Runs an administrator's change with the ward's directory and operation log; refusals become usage errors naming the rule.</summary>
    private static int Administer(ParseResult parse, Option<string> municipality, Func<StaffDirectory, Renkei.Municipality.Audit.OperationLog, string, int> change)
    {
        var code = ServeCommand.ParseMunicipality(parse.GetValue(municipality));
        var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
        var directory = OpenDirectory(layout, code);
        using var log = AuditCommands.OpenOperationLog(layout, code);
        try
        {
            return change(directory, log, RegistryCommands.BatchTerminal());
        }
        catch (StaffException refused) when (refused.Code != StaffException.NotAdministrator)
        {
            throw new UsageException(refused.Message);
        }
    }

    private static IReadOnlyList<string> Affairs(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static Command AddCommand()
    {
        var municipality = MunicipalityOption();
        var staff = StaffOption("the new staff id: one person's own id (3–32 of a-z 0-9 . _ -); generic ids such as madoguchi01 are refused");
        var name = new Option<string>("--name") { Description = "the display name (氏名 with section), e.g. 「税務課 佐藤 次郎」", Required = true };
        var role = new Option<string>("--role") { Description = "clerk | supervisor | auditor | administrator", Required = true };
        var affairs = new Option<string>("--affairs") { Description = "affair codes from the affair catalogue, comma-separated" };
        var by = ByOption();
        var command = new Command("add",
            "issue a staff account to one person: prints a temporary password (the first login must change it) and the authenticator enrolment, once")
        {
            municipality, staff, name, role, affairs, by,
        };
        command.SetAction(parse => Administer(parse, municipality, (directory, log, terminal) =>
        {
            var parsedRole = parse.GetValue(role)?.Trim().ToLowerInvariant() switch
            {
                "clerk" => StaffRole.Clerk,
                "supervisor" => StaffRole.Supervisor,
                "auditor" => StaffRole.Auditor,
                "administrator" => StaffRole.Administrator,
                _ => throw new UsageException("--role: clerk, supervisor, auditor or administrator (役割の指定が正しくありません)"),
            };
            var id = ParseStaffId(parse.GetValue(staff), "--staff");
            var (enrolment, password) = directory.Add(ParseStaffId(parse.GetValue(by), "--by"),
                new NewStaffMember(id, parse.GetValue(name)!, parsedRole, Affairs(parse.GetValue(affairs))), log, terminal);
            Console.WriteLine($"職員アカウント {id} を発行しました (account issued; recorded in the operation log)");
            Console.WriteLine($"  仮パスワード (temporary password, change at first login): {password.Value}");
            Console.WriteLine($"  認証アプリの登録 (authenticator secret): {enrolment.SecretBase32}");
            Console.WriteLine($"  {enrolment.ProvisioningUri}");
            Console.WriteLine("  本人に直接交付し、この出力は保存しないでください (hand these to the person; do not keep this output)");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command DisableCommand()
    {
        var municipality = MunicipalityOption();
        var staff = StaffOption("the account of the person who leaves or moves");
        var on = new Option<string>("--on")
        {
            Description = "the day the person leaves (退職日・異動日, yyyy-MM-dd); the account is disabled from that day (default: today)",
        };
        var by = ByOption();
        var command = new Command("disable", "disable a staff account from the day the person leaves; the id is kept and never issued again")
        {
            municipality, staff, on, by,
        };
        command.SetAction(parse => Administer(parse, municipality, (directory, log, terminal) =>
        {
            var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).DateTime);
            var text = parse.GetValue(on);
            DateOnly day = today;
            if (text is not null && !DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.None, out day))
                throw new UsageException("--on: a date as yyyy-MM-dd (日付の形式が正しくありません)");
            var target = ParseStaffId(parse.GetValue(staff), "--staff");
            directory.Disable(ParseStaffId(parse.GetValue(by), "--by"), target, day, log, terminal);
            Console.WriteLine(day <= today
                ? $"職員アカウント {target} を失効させました (disabled; recorded in the operation log)"
                : $"職員アカウント {target} は {day:yyyy-MM-dd} から失効します (disabled from that day; recorded in the operation log)");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command AssignCommand()
    {
        var municipality = MunicipalityOption();
        var staff = StaffOption("the account whose affairs change");
        var affairs = new Option<string>("--affairs") { Description = "the affair codes the account works in from now on, comma-separated (empty: none)", Required = true };
        var by = ByOption();
        var command = new Command("assign", "replace the affairs assigned to a staff account (担当事務)") { municipality, staff, affairs, by };
        command.SetAction(parse => Administer(parse, municipality, (directory, log, terminal) =>
        {
            var target = ParseStaffId(parse.GetValue(staff), "--staff");
            directory.Assign(ParseStaffId(parse.GetValue(by), "--by"), target, Affairs(parse.GetValue(affairs)), log, terminal);
            Console.WriteLine($"職員アカウント {target} の担当事務を変更しました (affairs assigned; recorded in the operation log)");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command ResetPasswordCommand()
    {
        var municipality = MunicipalityOption();
        var staff = StaffOption("the account that gets a temporary password");
        var by = ByOption();
        var command = new Command("reset-password",
            "give a staff account a temporary password (printed once) that the next login must change; clears a lockout")
        {
            municipality, staff, by,
        };
        command.SetAction(parse => Administer(parse, municipality, (directory, log, terminal) =>
        {
            var target = ParseStaffId(parse.GetValue(staff), "--staff");
            var password = directory.ResetPassword(ParseStaffId(parse.GetValue(by), "--by"), target, log, terminal);
            Console.WriteLine($"職員アカウント {target} に仮パスワードを発行しました (recorded in the operation log)");
            Console.WriteLine($"  仮パスワード (temporary password, change at next login): {password.Value}");
            return ExitCodes.Success;
        }));
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
