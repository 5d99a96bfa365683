using System.Text.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Staff;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests;

/// <summary>One small demo, seeded once for the tests of <see cref="AccountsAndSecretsTests"/>, in a data directory the demo creates.</summary>
public sealed class SeededDemo : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();

    /// <summary>The data directory; it does not exist before the demo makes it.</summary>
    public string Data => Path.Combine(_temp.Path, "data");

    public TempDirectory Temp => _temp;

    /// <summary>Every message body the network received during the seeding (<c>--capture-network</c>).</summary>
    public string Capture => Path.Combine(_temp.Path, "captured", "network.tsv");

    public async Task InitializeAsync()
    {
        var seeded = await CliProcess.RunAsync(Data, "demo", "--port-base", "0", "--residents", "300", "--once", "--capture-network", Capture);
        Assert.True(seeded.ExitCode == 0, seeded.StandardError);
    }

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Issue 12, item 6 against the real program: demo credentials only for the demo's own data directory, lockouts an
/// administrator can lift with a logged reason, and data, keys and exports readable by their owner only.
/// </summary>
public class AccountsAndSecretsTests(SeededDemo demo) : IClassFixture<SeededDemo>
{
    private static readonly LocalGovernmentCode Shinagawa = LocalGovernmentCode.ParseOrThrow("131091");

    private static UnixFileMode? ModeOf(string path) => OperatingSystem.IsWindows() ? null : File.GetUnixFileMode(path);

    [Fact]
    public async Task Demo_staff_prints_credentials_for_the_demo_s_own_data_directory()
    {
        var outcome = await CliProcess.RunAsync(demo.Data, "demo", "staff", "--municipality", "131113");

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        Assert.Contains("デモ専用", outcome.StandardOutput);
        Assert.Matches(@"jumin01 .*パスワード demo-jumin01-[0-9a-f]{8} +ワンタイムパスワード \d{6}", outcome.StandardOutput);
    }

    [Fact]
    public async Task Demo_staff_refuses_every_data_directory_the_demo_did_not_make()
    {
        using var empty = new TempDirectory();
        // A ward whose demo accounts were made outside 'renkei demo', as a deployment's Serve:DemoStaff does.
        using var deployment = new TempDirectory();
        var layout = new DataLayout(new DirectoryInfo(deployment.Path));
        var directory = new StaffDirectory(layout.MunicipalityDatabase(Shinagawa), AffairCatalogue.LoadDefault(), layout.MunicipalityTotpKeyFile(Shinagawa),
            new StaffDirectoryOptions { PasswordHashing = PasswordHashing.InsecureForTestsAndDemos(1_000) });
        DemoStaff.Seed(directory, Shinagawa);

        foreach (var data in new[] { empty.Path, deployment.Path })
        {
            var refused = await CliProcess.RunAsync(data, "demo", "staff", "--municipality", "131091");
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("renkei demo", refused.StandardError);
            Assert.Contains("職員の資格情報は表示しません", refused.StandardError);
            Assert.DoesNotContain("demo-jumin01", refused.StandardOutput + refused.StandardError);
            Assert.DoesNotContain("ワンタイムパスワード", refused.StandardOutput);
        }
        // The demo's directory, but a municipality the demo did not seed (千代田区).
        var otherWard = await CliProcess.RunAsync(demo.Data, "demo", "staff", "--municipality", "131016");
        Assert.Equal(2, otherWard.ExitCode);
        Assert.DoesNotContain("パスワード", otherWard.StandardOutput);
    }

    [Fact]
    public async Task An_administrator_unlocks_a_locked_account_with_a_reason_in_the_operation_log()
    {
        var layout = new DataLayout(new DirectoryInfo(demo.Data));
        var directory = new StaffDirectory(layout.MunicipalityDatabase(Shinagawa), AffairCatalogue.LoadDefault(), layout.MunicipalityTotpKeyFile(Shinagawa));
        for (var i = 0; i < directory.Options.MaxFailedLogins; i++)
            directory.Authenticate("kazei01", "wrong horse battery", "000000", DateTimeOffset.UtcNow);
        Assert.True(directory.Find(StaffId.Parse("kazei01"))!.Locked);

        var listed = await CliProcess.RunAsync(demo.Data, "staff", "list", "--municipality", "131091");
        Assert.True(listed.ExitCode == 0, listed.StandardError);
        Assert.Matches(@"kazei01 .*ロック中 \(locked until \d{4}-\d{2}-\d{2} \d{2}:\d{2} \+09:00\)", listed.StandardOutput);
        Assert.DoesNotContain("demo-", listed.StandardOutput); // no password, ever

        const string Reason = "本人から内線で依頼、本人確認済み";
        var notAdmin = await CliProcess.RunAsync(demo.Data, "staff", "unlock", "--municipality", "131091", "--staff", "kazei01", "--reason", Reason, "--by", "jumin01");
        Assert.Equal(1, notAdmin.ExitCode);
        Assert.Contains("administrator", notAdmin.StandardError);
        var noReason = await CliProcess.RunAsync(demo.Data, "staff", "unlock", "--municipality", "131091", "--staff", "kazei01", "--reason", " ", "--by", "admin01");
        Assert.Equal(2, noReason.ExitCode);
        Assert.Contains("--reason", noReason.StandardError);
        Assert.True(directory.Find(StaffId.Parse("kazei01"))!.Locked);

        var unlocked = await CliProcess.RunAsync(demo.Data, "staff", "unlock", "--municipality", "131091", "--staff", "kazei01", "--reason", Reason, "--by", "admin01");

        Assert.True(unlocked.ExitCode == 0, unlocked.StandardError);
        Assert.Contains("ロックを解除しました", unlocked.StandardOutput);
        Assert.False(directory.Find(StaffId.Parse("kazei01"))!.Locked);
        var (entries, text) = await OperationLogReader.ReadAsync(demo.Data, "131091");
        var unlocks = entries.Where(e => e.Action == "accountUnlocked").ToList();
        Assert.Equal(["refused", "refused", "success"], unlocks.Select(e => e.Result));
        Assert.Equal(["jumin01", "admin01", "admin01"], unlocks.Select(e => e.StaffId));
        Assert.Equal($"account unlock (ロック解除); staff=kazei01; reason={Reason}", unlocks[^1].Detail);
        Assert.DoesNotContain("demo-kazei01", text);
        Assert.DoesNotContain("wrong horse battery", text);
    }

    [Fact]
    public async Task An_administrator_adds_assigns_resets_and_disables_accounts_and_each_step_is_a_japanese_sentence_in_the_log()
    {
        var layout = new DataLayout(new DirectoryInfo(demo.Data));
        var directory = new StaffDirectory(layout.MunicipalityDatabase(Shinagawa), AffairCatalogue.LoadDefault(), layout.MunicipalityTotpKeyFile(Shinagawa));
        Task<CliProcess.Outcome> Staff(params string[] args) => CliProcess.RunAsync(demo.Data, ["staff", .. args, "--municipality", "131091"]);

        var generic = await Staff("add", "--staff", "madoguchi01", "--name", "窓口", "--role", "clerk", "--by", "admin01");
        Assert.Equal(2, generic.ExitCode);
        Assert.Contains("共用", generic.StandardError);
        var notAdmin = await Staff("add", "--staff", "kazei02", "--name", "税務課 佐藤 次郎", "--role", "clerk", "--by", "kazei01");
        Assert.Equal(1, notAdmin.ExitCode);
        Assert.Null(directory.Find(StaffId.Parse("kazei02")));

        var added = await Staff("add", "--staff", "kazei02", "--name", "税務課 佐藤 次郎", "--role", "clerk", "--affairs", "local-tax", "--by", "admin01");
        Assert.True(added.ExitCode == 0, added.StandardError);
        var member = directory.Find(StaffId.Parse("kazei02"))!;
        Assert.Equal(["local-tax"], member.Affairs);
        Assert.True(member.TemporaryPassword);
        Assert.Matches("仮パスワード .*: [A-Za-z2-9]{16}", added.StandardOutput);

        var assigned = await Staff("assign", "--staff", "kazei02", "--affairs", "local-tax,resident-register", "--by", "admin01");
        Assert.True(assigned.ExitCode == 0, assigned.StandardError);
        Assert.Equal(["local-tax", "resident-register"], directory.Find(StaffId.Parse("kazei02"))!.Affairs);
        var reset = await Staff("reset-password", "--staff", "kazei02", "--by", "admin01");
        Assert.True(reset.ExitCode == 0, reset.StandardError);

        var disabled = await Staff("disable", "--staff", "kazei02", "--by", "admin01");
        Assert.True(disabled.ExitCode == 0, disabled.StandardError);
        Assert.False(directory.Find(StaffId.Parse("kazei02"))!.Active);
        var reused = await Staff("add", "--staff", "kazei02", "--name", "税務課 別人", "--role", "clerk", "--by", "admin01");
        Assert.Equal(2, reused.ExitCode);
        Assert.Contains("再利用できません", reused.StandardError);

        var (entries, text) = await OperationLogReader.ReadAsync(demo.Data, "131091");
        var admin = entries.Where(e => e.Action is "accountCreated" or "affairsAssigned" or "passwordReset" or "accountDisabled").ToList();
        Assert.Equal(["accountCreated", "accountCreated", "accountCreated", "affairsAssigned", "passwordReset", "accountDisabled", "accountCreated"],
            admin.Select(e => e.Action));
        Assert.Equal(["refused", "refused", "success", "success", "success", "success", "refused"], admin.Select(e => e.Result));
        Assert.StartsWith("職員アカウント kazei02（税務課 佐藤 次郎、担当者）を発行しました。担当事務: ", admin[2].Detail);
        Assert.Contains("変更後: ", admin[3].Detail);
        Assert.StartsWith("職員アカウント kazei02 を失効させました（退職・異動日 令和", admin[5].Detail);
        Assert.DoesNotMatch("仮パスワード.*[A-Za-z2-9]{16}", text);
    }

    [Fact]
    public async Task Data_directories_databases_keys_and_exports_are_readable_by_their_owner_only()
    {
        if (OperatingSystem.IsWindows()) return;
        var exports = Path.Combine(demo.Temp.Path, "exports");
        var notify = Path.Combine(exports, "notify.csv");
        var audit = Path.Combine(exports, "audit.csv");
        Assert.Equal(0, (await CliProcess.RunAsync(demo.Data, "registry", "notification-list", "--municipality", "131091", "--output", notify)).ExitCode);
        Assert.Equal(0, (await CliProcess.RunAsync(demo.Data, "audit", "export", "--municipality", "131091", "--format", "csv", "--output", audit)).ExitCode);

        // In WAL mode an open connection has the -wal and -shm files beside the database: SQLite gives them its mode.
        var layout = new DataLayout(new DirectoryInfo(demo.Data));
        using var connection = layout.MunicipalityDatabase(Shinagawa).Open();
        using (var count = connection.Command("SELECT count(*) FROM residents")) Assert.True(count.ScalarInt64() > 0);

        const UnixFileMode Directory700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode File600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var directories = Directory.GetDirectories(demo.Data, "*", SearchOption.AllDirectories)
            .Append(demo.Data).Append(exports).Append(Path.GetDirectoryName(demo.Capture)!).ToList();
        Assert.All(directories, d => Assert.True(ModeOf(d) == Directory700, $"{Path.GetRelativePath(demo.Temp.Path, d)}: {ModeOf(d)}"));

        var files = Directory.GetFiles(demo.Data, "*", SearchOption.AllDirectories).Append(notify).Append(audit).Append(demo.Capture).ToList();
        // Public keys (.pub, the PEM the auditor is given) may be read by anyone; nothing else.
        var secret = files.Where(f => !f.EndsWith(".pub", StringComparison.Ordinal)).ToList();
        Assert.All(secret, f => Assert.True(ModeOf(f) == File600, $"{Path.GetRelativePath(demo.Temp.Path, f)}: {ModeOf(f)}"));
        // The check covered what matters: registers with their write-ahead logs, key files, the demo's marker, the exports.
        foreach (var expected in new[] { "register.db", "register.db-wal", "register.db-shm", "jlis.db", "network.db", "intermediate.db", "totp.key", "numbering.key", "demo.json", "notify.csv", "audit.csv", "network.tsv" })
            Assert.Contains(secret, f => Path.GetFileName(f) == expected);
        Assert.Contains(secret, f => f.EndsWith(".card", StringComparison.Ordinal));
    }
}
