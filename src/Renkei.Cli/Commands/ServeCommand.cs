using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure.Signing;
using Renkei.Municipality.Staff;
using Renkei.ServiceDefaults;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei serve --role network|jlis|municipality|holder|portal|issuance-centre|kiosk --config appsettings.json</c>: one institution per process
/// (<see cref="CountryRoles"/>; docs/deployment.md). <c>--write-config &lt;file&gt;</c> writes a complete starting file for
/// the role; <c>--public-keys</c> prints the institution's public keys (for the network's registry) and exits. A wrong
/// file or setting exits 2 naming the file and the setting.
/// </summary>
public static class ServeCommand
{
    /// <summary>The flags of the removed flag form, refused with what replaced them.</summary>
    private static readonly (string Name, string Replacement)[] RemovedFlags =
    [
        ("--port", "Serve:Listen:Port"), ("--address", "Serve:Listen:Address"), ("--municipality", "Ward:Code (or --code with --write-config)"),
        ("--jlis-url", "Ward:JlisAddress"), ("--demo-staff", "Serve:DemoStaff"),
    ];

    public static void AddTo(RootCommand root)
    {
        var role = new Option<string>("--role") { Description = "which institution to run: network, jlis, municipality, holder, portal, issuance-centre or kiosk", Required = true };
        role.AcceptOnlyFromAmong([.. CountryRoles.Names]);
        var config = new Option<FileInfo?>("--config") { Description = "the role's configuration file (appsettings-style JSON; environment variables Section__Key override it; see docs/deployment.md)" };
        var publicKeys = new Option<bool>("--public-keys") { Description = "print the institution's public signing and sealing keys as JSON (for the network's registry) and exit" };
        var writeConfig = new Option<FileInfo?>("--write-config") { Description = "write a complete starting configuration file for the role (never over an existing file) and exit" };
        var code = new Option<string?>("--code") { Description = "with --write-config: the institution's code (a ward's local government code, e.g. 131091)" };
        var name = new Option<string?>("--name") { Description = "with --write-config: the institution's name (e.g. 品川区)" };
        var instance = new Option<string?>("--instance")
        {
            Description = "this instance's name when several serve one database behind a load balancer (a-z, 0-9, '-'; in logs, metrics and the X-Renkei-Instance header)",
        };
        var command = new Command("serve", "run one institution's services until stopped (Ctrl+C)") { role, config, publicKeys, writeConfig, code, name, instance };
        var removed = RemovedFlags.Select(f => (Option: new Option<string?>(f.Name) { Hidden = true, Arity = ArgumentArity.ZeroOrOne }, f.Replacement)).ToList();
        foreach (var (option, _) in removed) command.Options.Add(option);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (removed.FirstOrDefault(r => parse.GetResult(r.Option) is { Implicit: false }) is { Option: not null } old)
                throw new UsageException($"{old.Option.Name} was removed: the setting is {old.Replacement} in the role's configuration file (docs/deployment.md)");
            var roleName = parse.GetValue(role)!;
            var serveRole = CountryRoles.Parse(roleName);
            if (parse.GetValue(writeConfig) is { } target)
            {
                if (parse.GetValue(config) is not null || parse.GetValue(publicKeys)) throw new UsageException("--write-config: give it alone, without --config or --public-keys");
                Write(target, serveRole, new DataLayout(parse.GetValue(CliOptions.DataDirectory)!), parse.GetValue(code), parse.GetValue(name));
                return ExitCodes.Success;
            }
            foreach (var option in new Option[] { code, name })
                if (parse.GetResult(option) is { Implicit: false }) throw new UsageException($"{option.Name} is only for --write-config: with --config the file names the institution");
            var file = parse.GetValue(config) ?? throw new UsageException("--config <file> is required (write a starting one with --write-config <file>; see docs/deployment.md)");
            var configuration = Load(file, serveRole);
            if (parse.GetValue(instance) is { } instanceName)
            {
                if (!ServiceInstance.IsName(instanceName)) throw new UsageException("--instance: 1 to 32 of a-z, 0-9 and '-' (インスタンス名の形式が正しくありません)");
                configuration = new ConfigurationBuilder().AddConfiguration(configuration)
                    .AddInMemoryCollection([new(ServiceInstance.Setting, instanceName)]).Build();
            }
            if (parse.GetValue(publicKeys))
            {
                PrintPublicKeys(file, serveRole, configuration);
                return ExitCodes.Success;
            }
            await RunAsync(file, serveRole, configuration, cancellationToken);
            return ExitCodes.Success;
        });
        root.Subcommands.Add(command);
    }

    /// <summary>Reads the role's file and the environment; any problem is a usage error (exit 2) that names the file.</summary>
    public static IConfiguration Load(FileInfo file, CountryRole role)
    {
        try
        {
            return CountryRoles.Load(file.FullName, role);
        }
        catch (RoleConfigurationException problem)
        {
            throw new UsageException($"{file.Name}: {problem.Message}");
        }
    }

    private static void Write(FileInfo target, CountryRole role, DataLayout layout, string? code, string? name)
    {
        Dictionary<string, string?> settings;
        try
        {
            settings = CountryRoles.StartingSettings(role, layout, code, name);
        }
        catch (RoleConfigurationException problem)
        {
            throw new UsageException(problem.Message);
        }
        if (target.Directory is { Exists: false } directory) directory.Create();
        try
        {
            using var stream = new FileStream(target.FullName, FileMode.CreateNew, FileAccess.Write);
            using var writer = new StreamWriter(stream);
            writer.WriteLine(ServiceSettings.ToJson(settings));
        }
        catch (IOException) when (target.Exists)
        {
            throw new UsageException($"{target.Name} exists already: nothing was written (remove it or choose another name)");
        }
        Console.WriteLine($"{target.FullName}: written; name the peers (placeholders *.example) and pin their keys before serving (docs/deployment.md)");
    }

    /// <summary>Public keys are printed as they are (base64 with '+' and '/'), indented for reading.</summary>
    private static readonly JsonSerializerOptions PublicKeysJson = new(JsonDefaults.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The institution's public keys (created with its key files on first use), for the network's registry.</summary>
    private static void PrintPublicKeys(FileInfo file, CountryRole role, IConfiguration configuration)
    {
        string code, directory;
        try
        {
            (code, directory) = CountryRoles.Institution(role, configuration);
        }
        catch (RoleConfigurationException problem)
        {
            throw new UsageException($"{file.Name}: {problem.Message}");
        }
        using var keys = InstitutionKeys.LoadOrCreate(directory);
        // The network's also carry its log-signing key: what the portal and auditors pin for the provision records.
        string? logKey = null;
        if (role == CountryRole.Network)
        {
            using var log = InstitutionKeys.LoadOrCreateLogSigningKey(directory);
            logKey = Convert.ToBase64String(log.ExportSubjectPublicKeyInfo());
        }
        Console.WriteLine(JsonSerializer.Serialize(new InstitutionPublicKeys(code, keys.SigningPublicKey, keys.SealingPublicKey, logKey), PublicKeysJson));
    }

    /// <summary>Starts the role, prints where each service listens and serves until Ctrl+C or SIGTERM.</summary>
    private static async Task RunAsync(FileInfo file, CountryRole role, IConfiguration configuration, CancellationToken cancellationToken)
    {
        RunningRole running;
        try
        {
            running = await CountryRoles.StartAsync(role, configuration, cancellationToken);
        }
        catch (RoleConfigurationException problem)
        {
            throw new UsageException($"{file.Name}: {problem.Message}");
        }
        catch (OptionsValidationException problem)
        {
            throw new UsageException($"{file.Name}: {string.Join("; ", problem.Failures)}");
        }
        catch (Exception problem) when (problem is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            // A read-only or full disk, or a directory the service may not write: nothing listens and nothing is half-written.
            throw new ServeStartException($"{file.Name}: the service cannot write its database or keys ({problem.GetType().Name}: {problem.Message}); "
                + "check the Database and KeyDirectory settings, the directories' permissions and free space (データまたは鍵を書き込めないため起動しません)");
        }
        await using (running)
        {
            var instance = ServiceInstance.Of(configuration) is { } name ? $" [{name}]" : "";
            foreach (var service in running.Services) Console.WriteLine($"{service.Name}{instance}: listening on {service.BaseAddress} (Ctrl+C to stop)");
            await WaitForShutdownAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The ward's staff accounts on its own database, TOTP secrets under <see cref="DataLayout.MunicipalityTotpKeyFile"/>,
    /// with the default affair catalogue and production password hashing unless <paramref name="options"/> says otherwise.
    /// </summary>
    public static StaffDirectory OpenStaffDirectory(DataLayout layout, LocalGovernmentCode code, StaffDirectoryOptions? options = null) =>
        new(layout.MunicipalityDatabase(code), Municipality.Affairs.AffairCatalogue.LoadDefault(), layout.MunicipalityTotpKeyFile(code), options);

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

/// <summary>What <c>renkei serve --config &lt;file&gt; --public-keys</c> prints: the institution's code and its public keys (SubjectPublicKeyInfo DER, base64).</summary>
/// <param name="LogSigningPublicKey">The network's only: the key that signs its provision records' heads, checkpoints and name table.</param>
public sealed record InstitutionPublicKeys(string Code, string SigningPublicKey, string SealingPublicKey, string? LogSigningPublicKey = null);

/// <summary>The role could not start for a reason outside its settings' form (exit 1): the message says what and where.</summary>
public sealed class ServeStartException(string message) : Exception(message);
