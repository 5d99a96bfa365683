using System.CommandLine;
using System.Text.Json;
using Renkei.Cli.Deployment;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.ServiceDefaults.Access;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate;
using Renkei.Holders;
using Renkei.Jlis;
using Renkei.Jlis.Pki;
using Renkei.Jlis.Tokens;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Service;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Tokens;
using Renkei.Network;
using Renkei.Portal;
using Renkei.ServiceDefaults;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei serve --role network|jlis|municipality|holder --config &lt;file&gt;</c>: one institution per process, for
/// deployments, with mutual TLS on the network CA's certificates (<see cref="DeploymentConfig"/>, docs/deployment.md).
/// A wrong file exits 2 naming the file and the problem. <c>--public-keys</c> prints the institution's public keys (for
/// the network's registry) and exits. The older flag form (<c>--role jlis|municipality --port … --jlis-url …</c>, plain
/// HTTP, PostgreSQL through RENKEI_JLIS_DB / RENKEI_MUNICIPALITY_DB_&lt;code&gt;) still works.
/// </summary>
public static class ServeCommand
{
    // File names inside a role's key directory: the same names DataLayout uses under <data>.
    private const string NumberingKeyFile = "numbering.key";
    private const string AuditKeyFile = "audit-signing.key";
    private const string TotpKeyFile = "totp.key";
    private const string JpkiKeyDirectoryName = "jpki";

    public static void AddTo(RootCommand root)
    {
        var role = new Option<string>("--role") { Description = "which institution to run: network, jlis, municipality, holder or portal", Required = true };
        role.AcceptOnlyFromAmong("network", "jlis", "municipality", "holder", "portal");
        var config = new Option<FileInfo?>("--config") { Description = "the deployment configuration file (JSON; see docs/deployment.md)" };
        var publicKeys = new Option<bool>("--public-keys")
        {
            Description = "print the institution's public signing and sealing keys as JSON (for the network's registry) and exit; needs --config",
        };
        var municipality = new Option<string?>("--municipality") { Description = "without --config: local government code of the municipality (e.g. 131091)" };
        var name = new Option<string?>("--name") { Description = "without --config: the municipality's name (e.g. 品川区)" };
        var jlisUrl = CliOptions.Url("--jlis-url", "without --config: J-LIS base address, for a municipality");
        var port = new Option<int>("--port") { Description = "without --config: port to listen on (0 picks a free one)", DefaultValueFactory = _ => 0 };
        var address = new Option<string>("--address") { Description = "without --config: address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var demoStaff = new Option<bool>("--demo-staff")
        {
            Description = "without --config: create the demo staff accounts (see 'renkei demo staff'); DEMO ONLY: their credentials derive from a public seed",
        };

        var command = new Command("serve", "run one institution's service until stopped (Ctrl+C)")
        {
            role, config, publicKeys, municipality, name, jlisUrl, port, address, demoStaff,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
            var roleName = parse.GetValue(role)!;
            if (parse.GetValue(config) is { } file)
            {
                var flags = new Option[] { municipality, name, jlisUrl, port, address, demoStaff }
                    .Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
                if (flags.Count > 0)
                    throw new UsageException($"{string.Join(", ", flags)}: with --config every setting comes from the file ({file.Name})");
                using var deployment = LoadConfig(file, layout, roleName, keysOnly: parse.GetValue(publicKeys));
                if (parse.GetValue(publicKeys))
                {
                    PrintPublicKeys(deployment);
                    return ExitCodes.Success;
                }
                await RunAsync(deployment, cancellationToken);
                return ExitCodes.Success;
            }

            if (parse.GetValue(publicKeys)) throw new UsageException("--public-keys needs --config <file>");
            if (roleName is "network" or "holder" or "portal")
                throw new UsageException($"--role {roleName} runs from a configuration file: add --config <file> (see docs/deployment.md)");
            await RunFromFlagsAsync(layout, roleName, parse.GetValue(municipality), parse.GetValue(name), parse.GetValue(jlisUrl),
                parse.GetValue(port), parse.GetValue(address)!, parse.GetValue(demoStaff), cancellationToken);
            return ExitCodes.Success;
        });
        root.Subcommands.Add(command);
    }

    /// <summary>Reads and checks the file; any problem is a usage error (exit 2) that names the file.</summary>
    public static DeploymentConfig LoadConfig(FileInfo file, DataLayout layout, string roleName, bool keysOnly = false)
    {
        var expected = Enum.Parse<ServeRole>(roleName, ignoreCase: true);
        try
        {
            return DeploymentConfig.Load(file.FullName, layout, expected, keysOnly);
        }
        catch (DeploymentConfigException problem)
        {
            throw new UsageException($"{file.Name}: {problem.Message}");
        }
    }

    /// <summary>Public keys are printed as they are (base64 with '+' and '/'), indented for reading.</summary>
    private static readonly JsonSerializerOptions PublicKeysJson = new(JsonDefaults.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The institution's public keys (created with its key files on first use), for the network's registry.</summary>
    private static void PrintPublicKeys(DeploymentConfig deployment)
    {
        using var keys = InstitutionKeys.LoadOrCreate(deployment.InstitutionKeyDirectory);
        // The network's also carry its log-signing key: what the portal and auditors pin for the provision records.
        string? logKey = null;
        if (deployment.Role == ServeRole.Network)
        {
            using var log = InstitutionKeys.LoadOrCreateLogSigningKey(deployment.InstitutionKeyDirectory);
            logKey = Convert.ToBase64String(log.ExportSubjectPublicKeyInfo());
        }
        Console.WriteLine(JsonSerializer.Serialize(
            new InstitutionPublicKeys(deployment.InstitutionCode, keys.SigningPublicKey, keys.SealingPublicKey, logKey), PublicKeysJson));
    }

    /// <summary>Starts the role's services as the file says, prints where each listens and serves until Ctrl+C or SIGTERM.</summary>
    private static async Task RunAsync(DeploymentConfig deployment, CancellationToken cancellationToken)
    {
        var running = new Stack<IAsyncDisposable>();
        var listening = new List<(string Name, Uri Address)>();
        try
        {
            await StartRoleAsync(deployment, running, listening, cancellationToken);
            foreach (var (name, address) in listening)
                Console.WriteLine($"{name}: listening on {address} (Ctrl+C to stop)");
            await WaitForShutdownAsync(cancellationToken);
        }
        finally
        {
            while (running.TryPop(out var service)) await service.DisposeAsync();
        }
    }

    /// <summary>
    /// Starts the role's services as the file says, each pushed on <paramref name="running"/> (the caller disposes them in
    /// the reverse order) and named with its address in <paramref name="listening"/>.
    /// </summary>
    internal static async Task StartRoleAsync(DeploymentConfig deployment, Stack<IAsyncDisposable> running, List<(string Name, Uri Address)> listening,
        CancellationToken cancellationToken)
    {
        switch (deployment.Role)
        {
            case ServeRole.Network:
                var network = await NetworkService.StartAsync(new NetworkServiceOptions(deployment.Database, deployment.KeyDirectory,
                    deployment.Listen.Port, deployment.Listen.Address)
                {
                    Institutions = deployment.Institutions,
                    ProviderTimeout = deployment.ProviderTimeout ?? TimeSpan.FromSeconds(5),
                    Tls = deployment.Tls,
                    OutgoingHandler = deployment.Tls is null ? null : ProviderHandler(deployment),
                    AuditLog = deployment.AuditLog,
                }, cancellationToken);
                running.Push(network);
                listening.Add((network.Host.Name, network.BaseAddress));
                break;
            case ServeRole.Jlis:
                var jlis = await JlisService.StartAsync(
                    new JlisServiceOptions(deployment.Database, Path.Combine(deployment.KeyDirectory, NumberingKeyFile),
                        deployment.Listen.Port, deployment.Listen.Address)
                    {
                        Tls = deployment.Tls,
                        Tokens = deployment.NetworkAddress is { } networkAddress
                            ? new JlisTokenOptions(networkAddress, deployment.InstitutionKeyDirectory) { InstitutionCode = deployment.InstitutionCode }
                            : null,
                        Pki = deployment.JpkiPassphrase is { } passphrase
                            ? new JpkiOptions(Path.Combine(deployment.KeyDirectory, JpkiKeyDirectoryName), passphrase)
                            : null,
                        Institutions = deployment.JlisInstitutions,
                    },
                    cancellationToken);
                running.Push(jlis);
                listening.Add((jlis.Name, jlis.BaseAddress));
                break;
            case ServeRole.Municipality:
                await StartMunicipalityAsync(deployment, running, listening, cancellationToken);
                break;
            case ServeRole.Holder:
                await StartHolderAsync(deployment, running, listening, cancellationToken);
                break;
            case ServeRole.Portal:
                // The portal's own pages are served on plain HTTP behind the deployment's TLS-terminating web front (residents'
                // browsers have no node certificate); its calls to the network, J-LIS and the wards use mutual TLS.
                var portal = await PortalService.StartAsync(
                    new PortalServiceOptions(deployment.InstitutionCode, deployment.InstitutionName, deployment.InstitutionKeyDirectory,
                        deployment.NetworkAddress!, deployment.JlisAddress!)
                    {
                        Wards = deployment.PortalWards,
                        NetworkLogPublicKey = deployment.NetworkLogPublicKey,
                        Tls = deployment.Tls,
                        Port = deployment.Listen.Port,
                        Address = deployment.Listen.Address,
                    },
                    cancellationToken);
                running.Push(portal);
                listening.Add((portal.Name, portal.BaseAddress));
                break;
        }
    }

    /// <summary>The network's handler towards providers: mutual TLS, giving up connecting after the provider timeout (fail fast).</summary>
    private static Func<HttpMessageHandler> ProviderHandler(DeploymentConfig deployment) => () =>
    {
        var handler = deployment.Tls!.CreateHandler();
        handler.ConnectTimeout = deployment.ProviderTimeout ?? TimeSpan.FromSeconds(5);
        handler.PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1);
        return handler;
    };

    /// <summary>
    /// The holder's intermediate server in this process, as the institution's node when the network is configured. It
    /// starts first: the holder's own systems deliver copies and register token requests there.
    /// </summary>
    private static async Task<Uri?> StartIntermediateAsync(DeploymentConfig deployment, Stack<IAsyncDisposable> running, CancellationToken cancellationToken)
    {
        if (deployment.Intermediate is not { } intermediate) return deployment.IntermediateAddress;
        var host = await IntermediateService.StartAsync(
            new IntermediateServiceOptions(intermediate.Database, deployment.InstitutionCode, deployment.InstitutionName,
                intermediate.Listen.Port, intermediate.Listen.Address)
            {
                Tls = deployment.Tls,
                KindsFile = intermediate.KindsFile,
                // Always: the holder's own systems call the server as the holder (certificate, and signature with this key).
                InstitutionKeyDirectory = deployment.InstitutionKeyDirectory,
                NetworkAddress = deployment.OnNetwork ? deployment.NetworkAddress : null,
                NetworkSigningPublicKey = deployment.OnNetwork ? deployment.NetworkSigningPublicKey : null,
                AuditLog = deployment.AuditLog,
            },
            cancellationToken);
        running.Push(host);
        return SelfAddress(host.BaseAddress);
    }

    /// <summary>How this process reaches a service of its own: a wildcard listen address is called on loopback.</summary>
    private static Uri SelfAddress(Uri bound) => bound.Host is "0.0.0.0" or "[::]" or "::"
        ? new UriBuilder(bound) { Host = "127.0.0.1" }.Uri
        : bound;

    private static async Task StartMunicipalityAsync(DeploymentConfig deployment, Stack<IAsyncDisposable> running, List<(string Name, Uri Address)> listening,
        CancellationToken cancellationToken)
    {
        var code = LocalGovernmentCode.ParseOrThrow(deployment.InstitutionCode);
        var intermediate = await StartIntermediateAsync(deployment, running, cancellationToken);
        var operationLog = OperationLog.Open(deployment.Database, code, Path.Combine(deployment.KeyDirectory, AuditKeyFile), deployment.AuditLog);
        running.Push(operationLog);
        var staff = new StaffDirectory(deployment.Database, AffairCatalogue.LoadDefault(), Path.Combine(deployment.KeyDirectory, TotpKeyFile));
        if (deployment.DemoStaff) DemoStaff.Seed(staff, code);
        var ward = await MunicipalityService.StartAsync(
            new MunicipalityServiceOptions(deployment.Database, code, deployment.InstitutionName,
                new WardJlisOptions(deployment.JlisAddress!, deployment.InstitutionKeyDirectory), staff, operationLog,
                deployment.Listen.Port, deployment.Listen.Address)
            {
                Tls = deployment.Tls,
                Tokens = deployment.OnNetwork && intermediate is not null
                    ? new WardTokenOptions(deployment.JlisAddress!, intermediate, deployment.InstitutionKeyDirectory)
                    : null,
                EApplicationPortals = deployment.EApplicationPortal is { } portal
                    ? [new KnownInstitution(portal.Code, MunicipalityService.EApplicationPortalClass, RequestSignature.ImportPublicKey(portal.SigningPublicKey))]
                    : [],
            },
            cancellationToken);
        running.Push(ward);
        listening.Add((ward.Name, ward.BaseAddress));
        if (running.OfType<ServiceHost>().FirstOrDefault(h => h != ward) is { } intermediateHost) listening.Add((intermediateHost.Name, intermediateHost.BaseAddress));
    }

    private static async Task StartHolderAsync(DeploymentConfig deployment, Stack<IAsyncDisposable> running, List<(string Name, Uri Address)> listening,
        CancellationToken cancellationToken)
    {
        var intermediate = await StartIntermediateAsync(deployment, running, cancellationToken);
        var holder = await HolderService.StartAsync(
            new HolderServiceOptions(deployment.HolderKind!.Value, deployment.InstitutionCode, deployment.InstitutionName, deployment.Database,
                deployment.KeyDirectory, intermediate!, deployment.Listen.Port, deployment.Listen.Address)
            {
                Tls = deployment.Tls,
                JlisAddress = deployment.OnNetwork ? deployment.JlisAddress : null,
                AuditLog = deployment.AuditLog,
            },
            cancellationToken);
        running.Push(holder);
        listening.Add(("holder-" + holder.InstitutionCode, holder.BaseAddress));
        if (running.OfType<ServiceHost>().FirstOrDefault() is { } intermediateHost) listening.Add((intermediateHost.Name, intermediateHost.BaseAddress));
    }

    private static async Task RunFromFlagsAsync(DataLayout layout, string roleName, string? municipality, string? name, Uri? jlisUrl,
        int port, string address, bool demoStaff, CancellationToken cancellationToken)
    {
        ServiceHost host;
        OperationLog? operationLog = null;
        if (roleName == "jlis")
        {
            host = await JlisService.StartAsync(new JlisServiceOptions(layout.JlisDatabase(), layout.JlisKeyFile, port, address), cancellationToken);
        }
        else
        {
            var code = ParseMunicipality(municipality);
            var jlis = jlisUrl ?? throw new UsageException("--jlis-url is required for --role municipality");
            operationLog = AuditCommands.OpenOperationLog(layout, code);
            var staff = OpenStaffDirectory(layout, code);
            if (demoStaff) DemoStaff.Seed(staff, code);
            host = await MunicipalityService.StartAsync(
                new MunicipalityServiceOptions(layout.MunicipalityDatabase(code), code, name ?? code.Digits,
                    new WardJlisOptions(jlis, layout.MunicipalityInstitutionKeyDirectory(code)), staff, operationLog, port, address),
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
