using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Renkei.Core.Numbers;
using Renkei.Holders;
using Renkei.Infrastructure;
using Renkei.Intermediate;
using Renkei.IssuanceCentre;
using Renkei.Kiosk;
using Renkei.Jlis;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Service;
using Renkei.Network;
using Renkei.Network.Contracts;
using Renkei.Portal;
using Renkei.ServiceDefaults;
using Renkei.ServiceDefaults.Tls;

namespace Renkei.Country;

/// <summary>
/// One institution of a country per process (<c>renkei serve --role … --config appsettings.json</c>): the role's modules
/// start from the .NET configuration system — the file's sections are exactly the modules' options (<c>Network</c>,
/// <c>Jlis</c>, <c>Ward</c>, <c>Intermediate</c>, <c>Holder</c>, <c>Portal</c>, <c>IssuanceCentre</c>, <c>Kiosk</c>) plus <see cref="ServeOptions"/> — and
/// environment variables override any key (<c>Ward__Database=postgres:…</c>). A ward's API gets its staff directory and
/// operation log as <see cref="CountryBuilder"/> gives them (<see cref="WardApplication"/>).
/// </summary>
public static class CountryRoles
{
    /// <summary>Top-level sections every role's file may have besides its own: the host's (telemetry, API reference) and logging.</summary>
    private static readonly string[] HostSections = [ServeOptions.Section, "Renkei", "Logging"];

    /// <summary>Top-level settings of the format <c>renkei serve</c> read before the configuration system (removed).</summary>
    private static readonly string[] OldFormat = ["role", "institution", "listen", "peers", "keyDirectory", "database", "tls", "audit", "municipality"];

    /// <summary>The role's name on the command line (<c>--role issuance-centre</c>), each an enum name in lower case, words joined by '-'.</summary>
    public static IReadOnlyList<string> Names { get; } = Enum.GetValues<CountryRole>().Select(NameOf).ToList();

    public static string NameOf(CountryRole role) => role == CountryRole.IssuanceCentre ? "issuance-centre" : role.ToString().ToLowerInvariant();

    /// <summary>The role a command-line name (<see cref="Names"/>) stands for.</summary>
    public static CountryRole Parse(string name) => Enum.GetValues<CountryRole>().Single(r => NameOf(r) == name);

    /// <summary>The module sections a role's file holds.</summary>
    public static IReadOnlyList<string> ModuleSections(CountryRole role) => role switch
    {
        CountryRole.Network => [NetworkOptions.Section],
        CountryRole.Jlis => [JlisOptions.Section],
        CountryRole.Municipality => [WardOptions.Section, IntermediateOptions.Section],
        CountryRole.Holder => [HolderOptions.Section, IntermediateOptions.Section],
        CountryRole.IssuanceCentre => [IssuanceCentreOptions.Section],
        CountryRole.Kiosk => [KioskOptions.Section],
        _ => [PortalOptions.Section],
    };

    /// <summary>
    /// Reads <paramref name="path"/> (appsettings-style JSON) and then the environment, which overrides any key
    /// (<c>Section__Key</c>). Refuses a file of the removed format, a section the role does not have and malformed JSON.
    /// </summary>
    /// <exception cref="RoleConfigurationException">the file is missing or wrong (the message names the setting).</exception>
    public static IConfiguration Load(string path, CountryRole role)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new RoleConfigurationException("no such file");
        IConfigurationRoot file;
        try
        {
            file = new ConfigurationBuilder().AddJsonFile(full, optional: false, reloadOnChange: false).Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or JsonException)
        {
            var json = e as JsonException;
            for (var inner = e.InnerException; json is null && inner is not null; inner = inner.InnerException) json = inner as JsonException;
            var line = json?.LineNumber is { } n ? $" (line {n + 1})" : "";
            throw new RoleConfigurationException($"not a JSON settings object{line}");
        }
        var top = file.GetChildren().Select(c => c.Key).ToList();
        if (top.Any(key => OldFormat.Contains(key, StringComparer.OrdinalIgnoreCase)))
            throw new RoleConfigurationException("the file is in the removed deployment format (role, institution, listen, peers …); "
                + "a role's file now holds its modules' sections and Serve (docs/deployment.md; 'renkei serve --write-config' writes one)");
        var allowed = ModuleSections(role).Concat(HostSections).ToList();
        var unknown = top.Where(key => !allowed.Contains(key, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
            throw new RoleConfigurationException(string.Join("; ", unknown.Select(key =>
                $"{key} is not a section of --role {NameOf(role)} (its sections: {string.Join(", ", allowed)})")));
        return new ConfigurationBuilder().AddConfiguration(file).AddEnvironmentVariables().Build();
    }

    /// <summary>
    /// The institution's code and the directory of its network keys (signing and sealing), as the role's settings name them
    /// (for <c>--public-keys</c>).
    /// </summary>
    public static (string Code, string KeyDirectory) Institution(CountryRole role, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        string Required(string key, string what) => configuration[key] is { Length: > 0 } value
            ? value
            : throw new RoleConfigurationException($"{key} is required: {what}");
        var code = CodeOf(role, configuration) ?? throw new RoleConfigurationException($"{CodeSetting(role)} is required: the institution's code");
        return (code, role switch
        {
            CountryRole.Network => Required("Network:KeyDirectory", "the network's keys"),
            CountryRole.Jlis => Required("Jlis:Tokens:KeyDirectory", "J-LIS's keys as an institution on the network"),
            CountryRole.Municipality => Required("Ward:KeyDirectory", "the ward's institution keys"),
            CountryRole.Holder => Path.Combine(Required("Holder:KeyDirectory", "the holder's keys"), "institution"),
            CountryRole.IssuanceCentre => Required("IssuanceCentre:KeyDirectory", "the issuance centre's institution keys"),
            CountryRole.Kiosk => Required("Kiosk:KeyDirectory", "the kiosk's keys"),
            _ => Required("Portal:KeyDirectory", "the portal's institution keys"),
        });
    }

    /// <summary>The setting that holds the institution's code (the CN of its node certificate); the network's and J-LIS's have defaults.</summary>
    private static string CodeSetting(CountryRole role) => role switch
    {
        CountryRole.Network => "",
        CountryRole.Jlis => "Jlis:Tokens:InstitutionCode",
        CountryRole.Municipality => "Ward:Code",
        CountryRole.Holder => "Holder:InstitutionCode",
        CountryRole.IssuanceCentre => "IssuanceCentre:Code",
        CountryRole.Kiosk => "Kiosk:Code",
        _ => "Portal:InstitutionCode",
    };

    private static string? CodeOf(CountryRole role, IConfiguration configuration) => role switch
    {
        CountryRole.Network => NodeRoutes.NetworkInstitutionCode,
        CountryRole.Jlis => configuration[CodeSetting(role)] ?? JlisTokenRoutes.JlisInstitutionCode,
        _ => configuration[CodeSetting(role)] is { Length: > 0 } code ? code : null,
    };

    /// <summary>Where a written file says the peers are until the operator names them (RFC 2606 names: nothing answers there).</summary>
    public static readonly Uri PlaceholderNetwork = new("https://network.example:8443/"), PlaceholderJlis = new("https://jlis.example:8443/"),
        PlaceholderIssuanceCentre = new("https://issuance.example:8443/");

    /// <summary>
    /// A complete starting file's settings for <paramref name="role"/> (<c>renkei serve --write-config</c>): every module
    /// option at its default, the databases and keys where <paramref name="layout"/> keeps them, the node's TLS files
    /// under <c>&lt;data&gt;/pki</c> (<c>renkei pki init --out</c>), the peers at placeholder addresses to edit.
    /// </summary>
    public static Dictionary<string, string?> StartingSettings(CountryRole role, DataLayout layout, string? code, string? name)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var pki = Path.Combine(layout.Root.FullName, "pki");
        ServeOptions Serve(string node) => new()
        {
            Listen = new ListenSetting { Port = 8443 },
            IntermediateListen = new ListenSetting { Port = 8444 },
            Tls = new TlsFiles { Certificate = Path.Combine(pki, node + ".pem"), Key = Path.Combine(pki, node + ".key"), Authority = Path.Combine(pki, "ca.pem") },
        };
        string Sqlite(string file) => "sqlite:" + file;
        IntermediateOptions Intermediate(string holder, string holderName, string keys) => new()
        {
            Database = Sqlite(layout.IntermediateDatabaseFile(holder)), HolderCode = holder, HolderName = holderName, InstitutionKeyDirectory = keys,
            NetworkAddress = PlaceholderNetwork,
        };
        switch (role)
        {
            case CountryRole.Network:
                return ServiceSettings.From((NetworkOptions.Section, new NetworkOptions { Database = Sqlite(layout.NetworkDatabaseFile), KeyDirectory = layout.NetworkKeyDirectory }),
                    (ServeOptions.Section, Serve("network")));
            case CountryRole.Jlis:
                return ServiceSettings.From((JlisOptions.Section, new JlisOptions
                {
                    Database = Sqlite(layout.JlisDatabaseFile), KeyFilePath = layout.JlisKeyFile,
                    Tokens = new JlisTokenSettings { NetworkAddress = PlaceholderNetwork, KeyDirectory = layout.JlisInstitutionKeyDirectory },
                }), (ServeOptions.Section, Serve("jlis")));
            case CountryRole.Municipality:
                var parsed = LocalGovernmentCode.Parse(code ?? throw new RoleConfigurationException("--code is required for a municipality (e.g. 131091)"));
                if (!parsed.IsValid) throw new RoleConfigurationException("--code: " + parsed.Error!.Message);
                if (string.IsNullOrWhiteSpace(name)) throw new RoleConfigurationException("--name is required for a municipality (e.g. 品川区)");
                var ward = parsed.Value;
                var wardKeys = layout.MunicipalityInstitutionKeyDirectory(ward);
                var serve = Serve(ward.Digits);
                (serve.AuditKeyFile, serve.TotpKeyFile) = (layout.MunicipalityAuditKeyFile(ward), layout.MunicipalityTotpKeyFile(ward));
                return ServiceSettings.From(
                    (WardOptions.Section, new WardOptions
                    {
                        Database = Sqlite(layout.MunicipalityDatabaseFile(ward)), Code = ward.Digits, Name = name.Trim(), KeyDirectory = wardKeys, JlisAddress = PlaceholderJlis,
                    }),
                    (IntermediateOptions.Section, Intermediate(ward.Digits, name.Trim(), wardKeys)), (ServeOptions.Section, serve));
            case CountryRole.Holder:
                var holderCode = code ?? HolderInstitutions.PensionOrganisationCode;
                var kind = HolderInstitutions.IsInsurerNumber(holderCode) ? HolderKind.HealthInsurer : HolderKind.PensionOrganisation;
                var holderName = name?.Trim() ?? (kind == HolderKind.PensionOrganisation ? HolderInstitutions.PensionOrganisationName : HolderInstitutions.DemoInsurerName);
                var keys = Path.Combine(layout.HolderDirectory(holderCode), "keys");
                return ServiceSettings.From(
                    (HolderOptions.Section, new HolderOptions
                    {
                        Kind = kind, InstitutionCode = holderCode, Name = holderName, Database = Sqlite(layout.HolderDatabaseFile(holderCode)), KeyDirectory = keys,
                        JlisAddress = PlaceholderJlis,
                    }),
                    (IntermediateOptions.Section, Intermediate(holderCode, holderName, Path.Combine(keys, "institution"))), (ServeOptions.Section, Serve(holderCode)));
            case CountryRole.IssuanceCentre:
                // The participating wards and the pinned kiosks are the operator's to list (IssuanceCentre:Wards, IssuanceCentre:Kiosks).
                var centreCode = code ?? IssuanceCentreDeclaration.DemoCode;
                return ServiceSettings.From(
                    (IssuanceCentreOptions.Section, new IssuanceCentreOptions
                    {
                        Code = centreCode, Database = Sqlite(layout.IssuanceCentreDatabaseFile), KeyDirectory = layout.IssuanceCentreInstitutionKeyDirectory,
                        JlisAddress = PlaceholderJlis,
                    }),
                    (ServeOptions.Section, Serve(centreCode)));
            case CountryRole.Kiosk:
                // The screen is the device's own browser: plain HTTP on loopback; the centre is reached over mutual TLS.
                var kioskCode = code ?? "KIOSK-0001";
                var kioskServe = Serve(kioskCode);
                kioskServe.Listen = new ListenSetting { Address = "127.0.0.1", Port = 8080 };
                return ServiceSettings.From(
                    (KioskOptions.Section, new KioskOptions
                    {
                        Code = kioskCode, Location = name?.Trim() ?? "設置場所（画面に表示されます）", KeyDirectory = layout.KioskKeyDirectory(kioskCode),
                        CentreAddress = PlaceholderIssuanceCentre, CentreCode = IssuanceCentreDeclaration.DemoCode,
                    }),
                    (ServeOptions.Section, kioskServe));
            default:
                var portalCode = code ?? PortalRoutes.DemoPortalCode;
                return ServiceSettings.From(
                    (PortalOptions.Section, new PortalOptions
                    {
                        InstitutionCode = portalCode, Name = name?.Trim() ?? "マイナポータル", KeyDirectory = layout.PortalInstitutionKeyDirectory,
                        NetworkAddress = PlaceholderNetwork, JlisAddress = PlaceholderJlis,
                    }),
                    (ServeOptions.Section, Serve(portalCode)));
        }
    }

    /// <summary>
    /// Starts the role's services from <paramref name="configuration"/>: a ward's or holder's intermediate server first (when
    /// the file has an <c>Intermediate</c> section), then the role's own service. A setting that is wrong stops everything
    /// started and throws <see cref="RoleConfigurationException"/> (this process's settings) or
    /// <see cref="OptionsValidationException"/> (a module's), each naming the setting.
    /// </summary>
    public static async Task<RunningRole> StartAsync(CountryRole role, IConfiguration configuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var serve = ReadServe(role, configuration);
        var running = new RunningRole(role);
        try
        {
            running.Tls = serve.Tls is { } files ? LoadTls(files, CodeOf(role, configuration)
                ?? throw new RoleConfigurationException($"{CodeSetting(role)} is required: the institution's code, the CN of Serve:Tls:Certificate")) : null;
            var start = new RoleStart(configuration, serve, running, cancellationToken);
            switch (role)
            {
                case CountryRole.Network:
                    await start.ModuleAsync("network", NetworkOptions.Section, serve.Listen, services =>
                    {
                        if (running.Tls is { } tls) services.AddSingleton(sp => new NetworkOutgoingHandler(() =>
                        {
                            var handler = tls.CreateHandler();
                            handler.ConnectTimeout = sp.GetRequiredService<IOptions<NetworkOptions>>().Value.ProviderTimeout;
                            handler.PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1);
                            return handler;
                        }));
                    }, b => b.AddNetwork(), a => a.MapNetworkApi());
                    break;
                case CountryRole.Jlis:
                    await start.ModuleAsync("jlis", JlisOptions.Section, serve.Listen, null, b => b.AddJlis(), a => a.MapJlisApi());
                    break;
                case CountryRole.Municipality:
                    await StartWardAsync(start);
                    break;
                case CountryRole.Holder:
                    var holderIntermediate = await start.IntermediateAsync();
                    if (holderIntermediate is not null && configuration["Holder:IntermediateAddress"] is null)
                        start.Derived["Holder:IntermediateAddress"] = holderIntermediate.AbsoluteUri;
                    await start.ModuleAsync("holder-" + configuration["Holder:InstitutionCode"], HolderOptions.Section, serve.Listen, null,
                        b => b.AddHolder(), a => a.MapHolderApi(), first: true);
                    break;
                case CountryRole.Portal:
                    // The portal's pages are plain HTTP behind the deployment's TLS-terminating web front (residents' browsers
                    // have no node certificate); its own calls to the network, J-LIS and the wards use the node's mutual TLS.
                    await start.ModuleAsync(PortalService.ServiceName, PortalOptions.Section, serve.Listen, null, b => b.AddPortal(), a => a.MapPortal(),
                        serveTls: false);
                    break;
                case CountryRole.IssuanceCentre:
                    await start.ModuleAsync("issuance-centre", IssuanceCentreOptions.Section, serve.Listen, null, b => b.AddIssuanceCentre(),
                        a => a.MapIssuanceCentreApi());
                    break;
                case CountryRole.Kiosk:
                    // Like the portal's pages, the screen is plain HTTP (its routes answer loopback only); its calls to the centre use the node's mutual TLS.
                    await start.ModuleAsync(KioskModule.ServiceName, KioskOptions.Section, serve.Listen, null, b => b.AddKiosk(), a => a.MapKiosk(), serveTls: false);
                    break;
            }
            return running;
        }
        catch
        {
            await running.DisposeAsync();
            throw;
        }
    }

    /// <summary>The <c>Serve</c> section, bound and checked: an unknown key or a value of the wrong type is refused by its name.</summary>
    private static ServeOptions ReadServe(CountryRole role, IConfiguration configuration)
    {
        var section = configuration.GetSection(ServeOptions.Section);
        var failures = new List<string>();
        Unknown(section, typeof(ServeOptions), failures);
        ServeOptions serve;
        try
        {
            serve = section.Get<ServeOptions>() ?? new ServeOptions();
        }
        catch (InvalidOperationException)
        {
            // The binder's message repeats the value: say only what is expected.
            throw new RoleConfigurationException("Serve: a value has the wrong type (ports are numbers, DemoStaff is true or false, periods are hh:mm:ss)");
        }
        failures.AddRange(serve.Validate(role));
        return failures.Count == 0 ? serve : throw new RoleConfigurationException(string.Join("; ", failures));
    }

    private static void Unknown(IConfigurationSection section, Type type, List<string> failures)
    {
        foreach (var child in section.GetChildren())
        {
            var property = type.GetProperty(child.Key, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase);
            if (property is not { CanWrite: true }) failures.Add($"{child.Path} is not a setting of {section.Path}");
            else if (child.GetChildren().Any() && property.PropertyType.IsClass && property.PropertyType != typeof(string)) Unknown(child, property.PropertyType, failures);
        }
    }

    private static async Task StartWardAsync(RoleStart start)
    {
        var (configuration, serve) = (start.Configuration, start.Serve);
        var failures = new List<string>();
        SettingChecks.CheckDatabase(failures, "Ward:Database", configuration["Ward:Database"]);
        var code = LocalGovernmentCode.Parse(configuration["Ward:Code"]);
        if (!code.IsValid) failures.Add("Ward:Code must be the ward's local government code (6 digits with the check digit)");
        if (failures.Count > 0) throw new RoleConfigurationException(string.Join("; ", failures));

        var intermediate = await start.IntermediateAsync();
        // The ward acquires its residents' tokens at its own intermediate server when that server is a network node.
        if (intermediate is not null && configuration["Intermediate:NetworkAddress"] is not null && configuration["Ward:Tokens:IntermediateAddress"] is null)
            start.Derived["Ward:Tokens:IntermediateAddress"] = intermediate.AbsoluteUri;
        var database = Database.Parse(configuration["Ward:Database"]!);
        var ward = start.Running.Own(WardApplication.Open(database, code.Value, serve.TotpKeyFile!, serve.AuditKeyFile!, null, serve.AuditLog.ToOptions()));
        if (serve.DemoStaff) Municipality.Staff.DemoStaff.Seed(ward.Staff, code.Value);
        await start.ModuleAsync($"municipality-{code.Value.Digits}", WardOptions.Section, serve.Listen, ward.Register, b => b.AddWard(), a => a.MapWardApi(),
            first: true);
    }

    private static MutualTls LoadTls(TlsFiles files, string institutionCode)
    {
        MutualTls tls;
        try
        {
            tls = MutualTls.Load(files.Certificate!, files.Key!, files.Authority!);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            // MutualTls names the file and the problem, never a key.
            throw new RoleConfigurationException("Serve:Tls: " + e.Message);
        }
        if (tls.InstitutionCode != institutionCode)
        {
            tls.Dispose();
            throw new RoleConfigurationException($"Serve:Tls:Certificate is the certificate of {tls.InstitutionCode}, not of this institution ({institutionCode})");
        }
        return tls;
    }

    /// <summary>One role's start: its configuration, the settings derived from what started (an intermediate server's address), what runs.</summary>
    private sealed class RoleStart(IConfiguration configuration, ServeOptions serve, RunningRole running, CancellationToken cancellationToken)
    {
        public IConfiguration Configuration { get; } = configuration;
        public ServeOptions Serve { get; } = serve;
        public RunningRole Running { get; } = running;
        public Dictionary<string, string?> Derived { get; } = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>The intermediate server when the file has an <c>Intermediate</c> section; its address as this process calls it.</summary>
        public async Task<Uri?> IntermediateAsync()
        {
            if (!Configuration.GetSection(IntermediateOptions.Section).Exists()) return null;
            var host = await ModuleAsync("intermediate-" + Configuration["Intermediate:HolderCode"], IntermediateOptions.Section, Serve.IntermediateListen, null,
                b => b.AddIntermediate(), a => a.MapIntermediateApi());
            // A wildcard listen address is called on loopback.
            return host.BaseAddress.Host is "0.0.0.0" or "[::]" or "::" ? new UriBuilder(host.BaseAddress) { Host = "127.0.0.1" }.Uri : host.BaseAddress;
        }

        /// <summary>One module on its own host with the file's section (and the host's), the derived settings and the node's TLS.</summary>
        public async Task<ServiceHost> ModuleAsync(string name, string section, ListenSetting listen, Action<IServiceCollection>? register,
            Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder> add, Action<Microsoft.AspNetCore.Builder.WebApplication> map, bool serveTls = true,
            bool first = false)
        {
            var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var key in new[] { section, "Renkei", "Logging" })
                foreach (var (k, v) in Configuration.GetSection(key).AsEnumerable()) if (v is not null) settings[k] = v;
            foreach (var (k, v) in Derived) settings[k] = v;
            var tls = Running.Tls;
            var host = await ServiceHost.StartAsync(name, builder =>
                {
                    if (tls is not null) builder.Services.AddSingleton(tls);
                    register?.Invoke(builder.Services);
                    add(builder);
                },
                map, new ServiceHostOptions(listen.Port, listen.Address) { MutualTls = serveTls ? tls : null, Settings = settings }, cancellationToken);
            Running.Add(host, first);
            return host;
        }
    }
}

/// <summary>The services of a running role, its own service first. Dispose to stop them, the last started first.</summary>
public sealed class RunningRole : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<ServiceHost> _services = [];

    internal RunningRole(CountryRole role) => Role = role;

    public CountryRole Role { get; }

    /// <summary>The role's own service first (the ward's API, the holder's service …), then its intermediate server.</summary>
    public IReadOnlyList<ServiceHost> Services => _services;

    internal MutualTls? Tls { get; set; }

    internal T Own<T>(T owned) where T : IAsyncDisposable
    {
        _owned.Add(owned);
        return owned;
    }

    internal void Add(ServiceHost host, bool first)
    {
        _services.Insert(first ? 0 : _services.Count, host);
        Own(host);
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
        _owned.Clear();
        Tls?.Dispose();
        Tls = null;
    }
}

/// <summary>A setting of a role's process that is wrong: the message names the setting and the rule, never the value.</summary>
public sealed class RoleConfigurationException(string message) : Exception(message);
