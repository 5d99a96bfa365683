using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Renkei.Infrastructure;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Staff;
using Renkei.ServiceDefaults;
using Renkei.TestSupport;

namespace Renkei.StaffConsole.Tests;

/// <summary>
/// The console's module as a composer uses it: <see cref="StaffConsoleModule.AddStaffConsole"/> and
/// <see cref="StaffConsoleModule.MapStaffConsole"/> with <c>StaffConsole:*</c> settings and the ward's staff directory and
/// operation log registered, nothing else; a wrong setting stops the start with a message naming it.
/// </summary>
public sealed class StaffConsoleModuleTests
{
    /// <summary>The ward's pieces the composer registers: staff directory (demo staff seeded) and operation log.</summary>
    private sealed class Composer : IAsyncDisposable
    {
        public Composer(string provider)
        {
            Database = TestDatabase.Create(provider);
            Staff = new StaffDirectory(Database.Database, AffairCatalogue.LoadDefault(), Keys.File("staff-totp.key"),
                new StaffDirectoryOptions { PasswordHashing = PasswordHashing.InsecureForTestsAndDemos(1_000) });
            Accounts = DemoStaff.Seed(Staff, ConsoleWard.Shinagawa);
            Log = OperationLog.Open(Database.Database, ConsoleWard.Shinagawa, Keys.File("audit-signing.key"));
        }

        public TempDirectory Keys { get; } = new();
        public TestDatabase Database { get; }
        public StaffDirectory Staff { get; }
        public IReadOnlyList<DemoStaffAccount> Accounts { get; }
        public OperationLog Log { get; }

        public Dictionary<string, string?> Settings() => new()
        {
            ["StaffConsole:Database"] = Database.Setting,
            ["StaffConsole:Municipality"] = ConsoleWard.Shinagawa.Digits,
            ["StaffConsole:WardName"] = "品川区",
        };

        public Task<ServiceHost> StartAsync(IReadOnlyDictionary<string, string?> settings, int port = 0, bool register = true) =>
            ServiceHost.StartAsync(StaffConsoleService.ServiceName,
                builder =>
                {
                    if (register) builder.Services.AddSingleton(Staff).AddSingleton(Log);
                    builder.AddStaffConsole();
                },
                app => app.MapStaffConsole(),
                new ServiceHostOptions(port) { Settings = settings });

        public async ValueTask DisposeAsync()
        {
            await Log.DisposeAsync();
            Database.Dispose();
            Keys.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_console_starts_from_its_settings_alone_and_staff_log_in(string provider)
    {
        await using var composer = new Composer(provider);
        await using var console = await composer.StartAsync(composer.Settings());
        using var client = new ConsoleClient(console.BaseAddress);

        var login = await client.GetAsync("/login");
        Assert.Equal(HttpStatusCode.OK, login.Status);
        Assert.Contains("品川区", login.Text);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(ConsoleStyles.Path)).Status);
        Assert.Equal("/login", (await client.GetAsync("/residents", follow: false)).Location!.AbsolutePath);

        // The staff directory the composer registered lets the clerk in; the operation log it registered records the login.
        var clerk = composer.Accounts.Single(a => a.Id.Value == "jumin01");
        var affair = await client.LoginAsync(clerk.Id.Value, clerk.Password, clerk.CodeAt(DateTimeOffset.UtcNow));
        Assert.Equal((HttpStatusCode.OK, "/affair"), (affair.Status, affair.RequestUri.AbsolutePath));
        Assert.Contains(composer.Log.Read(new OperationLogQuery(StaffId: "jumin01")), r => r.Entry.Action == OperationAction.Login);
    }

    /// <summary>Each setting the console validates, a wrong value for it, and what the failure must name (null value: the setting is left out).</summary>
    public static TheoryData<string, string?, string> WrongSettings => new()
    {
        { "StaffConsole:Database", null, "StaffConsole:Database is required" },
        { "StaffConsole:Database", "mysql:Server=db;Password=hunter2-secret", "StaffConsole:Database must start with sqlite: or postgres:" },
        { "StaffConsole:Municipality", null, "StaffConsole:Municipality is required" },
        { "StaffConsole:Municipality", "131092", "StaffConsole:Municipality is not a local government code" },
        { "StaffConsole:Municipality", "131113", "StaffConsole:Municipality is not the municipality of the registered operation log" },
        { "StaffConsole:WardName", " ", "StaffConsole:WardName is required" },
        { "StaffConsole:IdleTimeout", "00:00:00", "StaffConsole:IdleTimeout must be positive" },
        { "StaffConsole:IntermediateAddress", "relative/path", "StaffConsole:IntermediateAddress must be an absolute http or https address" },
        { "StaffConsole:IntermediateAddress", "http://127.0.0.1:9/", "StaffConsole:InstitutionKeyDirectory is required with StaffConsole:IntermediateAddress" },
        { "StaffConsole:IntermediateTimeout", "-00:00:01", "StaffConsole:IntermediateTimeout must be positive" },
    };

    [Theory]
    [MemberData(nameof(WrongSettings))]
    public async Task A_wrong_setting_stops_the_start_naming_the_setting_and_nothing_listens(string key, string? value, string expected)
    {
        await using var composer = new Composer("sqlite");
        await RefusedStart.SettingAsync<OptionsValidationException>((s, port) => composer.StartAsync(s, port), composer.Settings(), key, value, expected,
            value is { Length: > 3 } ? value : null);
    }

    [Fact]
    public async Task Without_the_staff_directory_and_the_operation_log_registered_the_console_does_not_start()
    {
        await using var composer = new Composer("sqlite");

        await RefusedStart.AssertAsync<OptionsValidationException>(port => composer.StartAsync(composer.Settings(), port, register: false),
            ["StaffConsole: no StaffDirectory is registered", "StaffConsole: no OperationLog is registered"]);
    }
}
