using System.CommandLine;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Jlis;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Service;
using Renkei.Municipality.Staff;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei serve --role jlis|municipality</c>: one institution per process, for deployments where each
/// runs on its own (with PostgreSQL through RENKEI_JLIS_DB / RENKEI_MUNICIPALITY_DB_&lt;code&gt;).
/// </summary>
public static class ServeCommand
{
    public static void AddTo(RootCommand root)
    {
        var role = new Option<string>("--role") { Description = "which institution to run: jlis or municipality", Required = true };
        role.AcceptOnlyFromAmong("jlis", "municipality");
        var municipality = new Option<string?>("--municipality") { Description = "local government code of the municipality (e.g. 131091)" };
        var name = new Option<string?>("--name") { Description = "the municipality's name (e.g. 品川区)" };
        var jlisUrl = CliOptions.Url("--jlis-url", "J-LIS base address, for a municipality");
        var port = new Option<int>("--port") { Description = "port to listen on (0 picks a free one)", DefaultValueFactory = _ => 0 };
        var address = new Option<string>("--address") { Description = "address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var demoStaff = new Option<bool>("--demo-staff")
        {
            Description = "create the demo staff accounts (see 'renkei demo staff'); DEMO ONLY: their credentials derive from a public seed",
        };

        var command = new Command("serve", "run one institution's service until stopped (Ctrl+C)")
        {
            role, municipality, name, jlisUrl, port, address, demoStaff,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
            ServiceHost host;
            Municipality.Audit.OperationLog? operationLog = null;
            if (parse.GetValue(role) == "jlis")
            {
                host = await JlisService.StartAsync(
                    new JlisServiceOptions(layout.JlisDatabase(), layout.JlisKeyFile, parse.GetValue(port), parse.GetValue(address)!),
                    cancellationToken);
            }
            else
            {
                var code = ParseMunicipality(parse.GetValue(municipality));
                var jlis = parse.GetValue(jlisUrl) ?? throw new UsageException("--jlis-url is required for --role municipality");
                operationLog = AuditCommands.OpenOperationLog(layout, code);
                var staff = OpenStaffDirectory(layout, code);
                if (parse.GetValue(demoStaff)) DemoStaff.Seed(staff, code);
                host = await MunicipalityService.StartAsync(
                    new MunicipalityServiceOptions(layout.MunicipalityDatabase(code), code, parse.GetValue(name) ?? code.Digits, jlis,
                        staff, operationLog, parse.GetValue(port), parse.GetValue(address)!),
                    cancellationToken);
            }

            try
            {
                await using (host)
                {
                    Console.WriteLine($"{host.Name}: listening on {host.BaseAddress} (Ctrl+C to stop)");
                    await WaitForShutdownAsync(cancellationToken);
                }
            }
            finally
            {
                if (operationLog is not null) await operationLog.DisposeAsync();
            }
            return ExitCodes.Success;
        });
        root.Subcommands.Add(command);
    }

    /// <summary>
    /// The ward's staff accounts on its own database, TOTP secrets under <see cref="DataLayout.MunicipalityTotpKeyFile"/>,
    /// with the default affair catalogue and production password hashing unless <paramref name="options"/> says otherwise.
    /// </summary>
    public static StaffDirectory OpenStaffDirectory(DataLayout layout, LocalGovernmentCode code, StaffDirectoryOptions? options = null) =>
        new(layout.MunicipalityDatabase(code), AffairCatalogue.LoadDefault(), layout.MunicipalityTotpKeyFile(code), options);

    public static LocalGovernmentCode ParseMunicipality(string? text)
    {
        if (text is null) throw new UsageException("--municipality is required (e.g. 131091 for 品川区)");
        var parsed = LocalGovernmentCode.Parse(text);
        return parsed.IsValid ? parsed.Value : throw new UsageException("--municipality: " + parsed.Error!.Message);
    }

    /// <summary>Waits for Ctrl+C or SIGTERM (System.CommandLine cancels the action's token on both).</summary>
    public static async Task WaitForShutdownAsync(CancellationToken cancellationToken)
    {
        try { await Task.Delay(Timeout.Infinite, cancellationToken); }
        catch (OperationCanceledException) { }
    }
}
