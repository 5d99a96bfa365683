using Microsoft.Extensions.DependencyInjection;
using Renkei.Core.Numbers;
using Renkei.Holders;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate;
using Renkei.IssuanceCentre;
using Renkei.Jlis;
using Renkei.Kiosk;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Institutions;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Service;
using Renkei.Network;
using Renkei.Network.Contracts;
using Renkei.Portal;
using Renkei.ServiceDefaults;
using Renkei.StaffConsole;

namespace Renkei.Country;

/// <summary>
/// Declares a country — which institutions run and who talks to whom — and starts it, every institution a module that
/// adds and maps itself (<c>AddNetwork</c>/<c>MapNetworkApi</c> …) on its own <see cref="ServiceHost"/> with its own
/// database and keys from the <see cref="DataLayout"/>. The links follow from what is declared: with a network, every
/// institution registers its keys there and every intermediate server is a node pinning the network's key; J-LIS knows
/// every ward; the wards take the portal's e-applications. The demo, the benchmarks and the tests are presets of it.
/// </summary>
public sealed class CountryBuilder(DataLayout layout)
{
    /// <summary>The name J-LIS is registered under at the network.</summary>
    public const string JlisName = "地方公共団体情報システム機構";

    private readonly List<WardDeclaration> _wards = [];
    private readonly List<HolderDeclaration> _holders = [];
    private readonly List<KioskDeclaration> _kiosks = [];

    /// <summary>Each institution's public keys by key directory, read once per <see cref="StartAsync"/>.</summary>
    private readonly Dictionary<string, (string Signing, string Sealing)> _publicKeys = [];

    public DataLayout Layout { get; } = layout;
    public NetworkDeclaration? Network { get; private set; }
    public JlisDeclaration? Jlis { get; private set; }
    public PortalDeclaration? Portal { get; private set; }
    public IssuanceCentreDeclaration? IssuanceCentre { get; private set; }
    public IReadOnlyList<KioskDeclaration> Kiosks => _kiosks;
    public IReadOnlyList<WardDeclaration> Wards => _wards;
    public IReadOnlyList<HolderDeclaration> Holders => _holders;

    public CountryBuilder AddNetwork(Action<NetworkDeclaration>? configure = null) => Declare(Network = new NetworkDeclaration(), configure);

    public CountryBuilder AddJlis(Action<JlisDeclaration>? configure = null) => Declare(Jlis = new JlisDeclaration(), configure);

    public CountryBuilder AddPortal(Action<PortalDeclaration>? configure = null) => Declare(Portal = new PortalDeclaration(), configure);

    public CountryBuilder AddIssuanceCentre(Action<IssuanceCentreDeclaration>? configure = null) =>
        Declare(IssuanceCentre = new IssuanceCentreDeclaration(), configure);

    /// <summary>A kiosk terminal calling the issuance centre (declared too), pinned there by its signing key.</summary>
    public CountryBuilder AddKiosk(string code, string location, Action<KioskDeclaration>? configure = null)
    {
        if (_kiosks.Any(k => k.Code == code)) throw new ArgumentException("the kiosk is declared already", nameof(code));
        return Declare(new KioskDeclaration(code, location), configure, _kiosks.Add);
    }

    public CountryBuilder AddWard(LocalGovernmentCode code, string name, Action<WardDeclaration>? configure = null)
    {
        if (_wards.Any(w => w.Code == code)) throw new ArgumentException("the ward is declared already", nameof(code));
        return Declare(new WardDeclaration(code, name) { Index = _wards.Count }, configure, _wards.Add);
    }

    public CountryBuilder AddHolder(HolderKind kind, Action<HolderDeclaration>? configure = null)
    {
        if (_holders.Any(h => h.Kind == kind)) throw new ArgumentException("the holder is declared already", nameof(kind));
        return Declare(new HolderDeclaration(kind), configure, _holders.Add);
    }

    private CountryBuilder Declare<T>(T declaration, Action<T>? configure, Action<T>? add = null)
    {
        add?.Invoke(declaration);
        configure?.Invoke(declaration);
        return this;
    }

    /// <summary>
    /// Starts the declared institutions in the order their links need: the network, J-LIS, each ward (intermediate
    /// server, API, console), each holder (intermediate server, service), the portal, the issuance centre. A service that does not start stops
    /// every one started before it.
    /// </summary>
    public async Task<RunningCountry> StartAsync(CancellationToken cancellationToken = default)
    {
        var country = new RunningCountry(Layout);
        _publicKeys.Clear();
        try
        {
            if (Network is { Enabled: true }) country.Network = country.Own(new NetworkNode(await StartNetworkAsync(cancellationToken)));
            if (Jlis is { Enabled: true }) country.Jlis = await country.OwnAsync(StartJlisAsync(country, cancellationToken));
            foreach (var ward in _wards) await StartWardAsync(country, ward, cancellationToken);
            foreach (var holder in _holders) await StartHolderAsync(country, holder, cancellationToken);
            if (Portal is { Enabled: true }) country.Portal = await country.OwnAsync(StartPortalAsync(country, cancellationToken));
            if (IssuanceCentre is { Enabled: true }) country.IssuanceCentre = await country.OwnAsync(StartIssuanceCentreAsync(country, cancellationToken));
            foreach (var kiosk in _kiosks.Where(k => k.Enabled)) country.AddKiosk(kiosk.Code, await StartKioskAsync(country, kiosk, cancellationToken));
            return country;
        }
        catch
        {
            await country.DisposeAsync();
            throw;
        }
    }

    /// <summary>Where the other institutions call the network: the declared public address (a balancer), else the instance's.</summary>
    private Uri NetworkAddress(NetworkNode network) => Network?.PublicAddress ?? network.BaseAddress;

    /// <summary>
    /// Another instance of the declared network on the same database and keys, listening on <paramref name="port"/> and named
    /// <paramref name="instance"/> (<c>Renkei:Instance</c>): for a load balancer in front of several (<see cref="NetworkDeclaration.PublicAddress"/>).
    /// The registry comes from the database. The caller disposes it.
    /// </summary>
    public async Task<NetworkNode> StartNetworkInstanceAsync(int port, string instance, CancellationToken cancellationToken = default)
    {
        if (Network is null) throw new InvalidOperationException("the country declares no network");
        return new NetworkNode(await StartNetworkAsync(cancellationToken, port, instance));
    }

    private Task<ServiceHost> StartNetworkAsync(CancellationToken cancellationToken, int? port = null, string? instance = null)
    {
        var options = new NetworkOptions { KeyDirectory = Layout.NetworkKeyDirectory };
        // J-LIS asks the network for tokens as an institution of its own.
        if (Jlis is { Enabled: true }) options.Institutions.Add(Registration(JlisTokenRoutes.JlisInstitutionCode, JlisName, InstitutionClass.NumberingAuthority, null,
            Layout.JlisInstitutionKeyDirectory));
        return StartAsync("network", Network!, Layout.NetworkDatabase(), ServiceSettings.From(NetworkOptions.Section, options),
            b => b.AddNetwork(), a => a.MapNetworkApi(), cancellationToken, port, instance);
    }

    private Task<ServiceHost> StartJlisAsync(RunningCountry country, CancellationToken cancellationToken)
    {
        var options = new JlisOptions
        {
            KeyFilePath = Layout.JlisKeyFile,
            Tokens = country.Network is { } network
                ? new JlisTokenSettings { NetworkAddress = NetworkAddress(network), KeyDirectory = Layout.JlisInstitutionKeyDirectory }
                : null,
            Pki = Jlis!.JpkiPassphrase is { } passphrase ? new JpkiSettings { KeyDirectory = Layout.JpkiKeyDirectory, Passphrase = passphrase } : null,
            // The wards as J-LIS's own registry holds them (住基ネット): they number and card their residents.
            Institutions = _wards.Select(w => WardAtJlis(w.Code, w.Name)).ToList(),
        };
        // The issuance centre asks whose card a kiosk read (issuance/holder) and certificate status, as itself.
        if (IssuanceCentre is { Enabled: true } centre)
            options.Institutions.Add(new JlisInstitutionSetting
            {
                Code = centre.Code, Name = centre.Name, Role = JlisRoles.IssuanceCentre,
                SigningPublicKey = PublicKeys(Layout.IssuanceCentreInstitutionKeyDirectory).Signing,
            });
        return StartAsync("jlis", Jlis, Layout.JlisDatabase(), ServiceSettings.From(JlisOptions.Section, options),
            b => b.AddJlis(), a => a.MapJlisApi(), cancellationToken);
    }

    /// <summary>The ward as J-LIS's registry holds it: code, name, role and the signing key in its key directory (created on first use).</summary>
    private JlisInstitutionSetting WardAtJlis(LocalGovernmentCode ward, string name) => new()
    {
        Code = ward.Digits, Name = name, Role = JlisRoles.Municipality, SigningPublicKey = PublicKeys(Layout.MunicipalityInstitutionKeyDirectory(ward)).Signing,
    };

    private async Task StartWardAsync(RunningCountry country, WardDeclaration declaration, CancellationToken cancellationToken)
    {
        var (code, name) = (declaration.Code, declaration.Name);
        var keyDirectory = Layout.MunicipalityInstitutionKeyDirectory(code);
        var ward = country.Add(new CountryWard(declaration, Layout.MunicipalityDatabase(code), keyDirectory));
        if (declaration.Intermediate.Enabled)
        {
            ward.IntermediateDatabase = Layout.IntermediateDatabase(code);
            ward.Intermediate = await StartIntermediateAsync(country, code.Digits, name, keyDirectory, ward.IntermediateDatabase, declaration.Intermediate,
                cancellationToken);
            if (country.Network is { } network)
                Register(network.Host, code.Digits, name, InstitutionClass.Municipality, ward.Intermediate.BaseAddress, keyDirectory);
        }
        if (!declaration.Api.Enabled && !declaration.Console.Enabled) return;
        // With J-LIS's certificate-signing CA (it runs with JPKI) every certificate is signed: the ward's certificate is obtained
        // here, once, so the console (which reads the files) has it from the start; the ward's service renews it itself.
        var signs = country.Jlis is not null && Jlis!.JpkiPassphrase is not null;
        if (signs) await ObtainCertificateSignerAsync(country.Jlis!.BaseAddress, code, name, keyDirectory, cancellationToken);

        // The API and the console are one application of the ward: one staff directory and one operation log.
        var application = WardApplication.Open(ward.Database, code, Layout.MunicipalityTotpKeyFile(code), Layout.MunicipalityAuditKeyFile(code),
            declaration.StaffOptions);
        (ward.Staff, ward.OperationLog) = (application.Staff, application.OperationLog);
        declaration.SeedStaff?.Invoke(ward.Staff);
        if (declaration.Api.Enabled)
        {
            var options = new WardOptions
            {
                Code = code.Digits, Name = name, JlisAddress = country.Jlis?.BaseAddress, KeyDirectory = keyDirectory, SignCertificates = signs,
            };
            if (ward.Intermediate is not null && country.Network is not null) options.Tokens.IntermediateAddress = ward.Intermediate.BaseAddress;
            if (Portal is { Enabled: true })
                options.EApplicationPortals.Add(new PinnedPortal { Code = Portal.Code, PublicKey = PublicKeys(Layout.PortalInstitutionKeyDirectory).Signing });
            var settings = ServiceSettings.From(WardOptions.Section, options);
            // The issuance centre is the one caller of the ward's kiosk routes: pinned by code and signing key.
            if (IssuanceCentre is { Enabled: true } centre)
            {
                settings[$"{WardOptions.Section}:IssuanceCentre:Code"] = centre.Code;
                settings[$"{WardOptions.Section}:IssuanceCentre:PublicKey"] = PublicKeys(Layout.IssuanceCentreInstitutionKeyDirectory).Signing;
            }
            ward.Api = await StartAsync($"municipality-{code.Digits}", declaration.Api, null, settings,
                b => { application.Register(b.Services); b.AddWard(); }, a => a.MapWardApi(), cancellationToken);
        }
        if (declaration.Console.Enabled)
        {
            var options = new StaffConsoleOptions
            {
                Municipality = code.Digits, WardName = name, IntermediateAddress = ward.Intermediate?.BaseAddress,
                InstitutionKeyDirectory = ward.Intermediate is null ? null : keyDirectory,
                CertificateSigningKeyDirectory = signs ? keyDirectory : null,
            };
            ward.Console = await StartAsync(StaffConsoleService.ServiceName, declaration.Console, null, ServiceSettings.From(StaffConsoleOptions.Section, options),
                b => { application.Register(b.Services); b.AddStaffConsole(); }, a => a.MapStaffConsole(), cancellationToken);
        }
    }

    /// <summary>The ward's certificate-signing certificate from J-LIS (asked as the ward, over HTTP) unless its key directory holds a current one.</summary>
    private static async Task ObtainCertificateSignerAsync(Uri jlis, LocalGovernmentCode code, string name, string keyDirectory, CancellationToken cancellationToken)
    {
        using (var held = WardCertificateSigner.TryLoad(keyDirectory, code))
            if (held is not null && held.NotAfter - WardCertificateSigner.RenewBefore > DateTime.UtcNow) return;
        using var connection = new WardJlisConnection(code, new WardJlisOptions(jlis, keyDirectory));
        using var signer = await WardCertificateSigner.ObtainAsync(keyDirectory, code, name, connection.Paper, cancellationToken);
    }

    private async Task StartHolderAsync(RunningCountry country, HolderDeclaration declaration, CancellationToken cancellationToken)
    {
        var holder = country.Add(new CountryHolder(declaration, Layout.HolderDatabase(declaration.Code), Layout.IntermediateDatabase(declaration.Code)));
        holder.IntermediateHost = await StartIntermediateAsync(country, declaration.Code, declaration.Name, Layout.HolderInstitutionKeyDirectory(declaration.Code),
            holder.IntermediateDatabase, declaration.Intermediate, cancellationToken);
        var options = new HolderOptions
        {
            Kind = declaration.Kind, InstitutionCode = declaration.Code, Name = declaration.Name, KeyDirectory = Path.Combine(Layout.HolderDirectory(declaration.Code), "keys"),
            IntermediateAddress = holder.IntermediateHost.BaseAddress, JlisAddress = country.Jlis?.BaseAddress,
        };
        var host = await StartAsync("holder-" + declaration.Code, declaration.Service, holder.Database, ServiceSettings.From(HolderOptions.Section, options),
            b => b.AddHolder(), a => a.MapHolderApi(), cancellationToken);
        holder.Node = new HolderNode(host);
        country.Network?.Registry.Upsert(holder.Node.Registration);
    }

    private async Task<ServiceHost> StartIntermediateAsync(RunningCountry country, string code, string name, string keyDirectory, Database database,
        ServiceDeclaration declaration, CancellationToken cancellationToken)
    {
        var options = new IntermediateOptions
        {
            HolderCode = code, HolderName = name, InstitutionKeyDirectory = keyDirectory,
            NetworkAddress = country.Network is { } network ? NetworkAddress(network) : null, NetworkSigningPublicKey = country.Network?.SigningPublicKey,
        };
        return await StartAsync("intermediate-" + code, declaration, database, ServiceSettings.From(IntermediateOptions.Section, options),
            b => b.AddIntermediate(), a => a.MapIntermediateApi(), cancellationToken);
    }

    private Task<ServiceHost> StartPortalAsync(RunningCountry country, CancellationToken cancellationToken)
    {
        var portal = Portal!;
        var keyDirectory = Layout.PortalInstitutionKeyDirectory;
        // Registered with the network as class Portal with no endpoint: it provides nothing.
        if (country.Network is { } network) Register(network.Host, portal.Code, portal.Name, InstitutionClass.Portal, null, keyDirectory);
        var options = new PortalOptions
        {
            InstitutionCode = portal.Code, Name = portal.Name, KeyDirectory = keyDirectory,
            NetworkAddress = country.Network is { } running ? NetworkAddress(running) : null, JlisAddress = country.Jlis?.BaseAddress,
            NetworkLogPublicKey = country.Network?.LogPublicKey,
            Wards = country.Wards.Where(w => w.Api is not null).Select(w => new PortalWard(w.Code.Digits, w.Name, w.Api!.BaseAddress)).ToList(),
        };
        return StartAsync(PortalService.ServiceName, portal, null, ServiceSettings.From(PortalOptions.Section, options),
            b => b.AddPortal(), a => a.MapPortal(), cancellationToken);
    }

    /// <summary>
    /// The issuance centre: every ward with an API takes part (its issuance server is the ward's API), and the declared kiosks
    /// are pinned by their signing keys. J-LIS registered it at its start; the wards pinned it at theirs.
    /// </summary>
    private Task<ServiceHost> StartIssuanceCentreAsync(RunningCountry country, CancellationToken cancellationToken)
    {
        var centre = IssuanceCentre!;
        var options = new IssuanceCentreOptions
        {
            Code = centre.Code, KeyDirectory = Layout.IssuanceCentreInstitutionKeyDirectory, JlisAddress = country.Jlis?.BaseAddress,
            Wards = country.Wards.Where(w => w.Api is not null)
                .Select(w => new CentreWard { Code = w.Code.Digits, Name = w.Name, Address = w.Api!.BaseAddress }).ToList(),
            Kiosks = centre.Kiosks.Concat(_kiosks.Where(k => k.Enabled).Select(k => (k.Code, KeyDirectory: Layout.KioskKeyDirectory(k.Code))))
                .Select(k => new PinnedKiosk { Code = k.Code, PublicKey = PublicKeys(k.KeyDirectory).Signing }).ToList(),
        };
        return StartAsync("issuance-centre", centre, Layout.IssuanceCentreDatabase(), ServiceSettings.From(IssuanceCentreOptions.Section, options),
            b => b.AddIssuanceCentre(), a => a.MapIssuanceCentreApi(), cancellationToken);
    }

    /// <summary>A kiosk terminal: its screen and device service, calling the centre as itself.</summary>
    private Task<ServiceHost> StartKioskAsync(RunningCountry country, KioskDeclaration kiosk, CancellationToken cancellationToken)
    {
        var centre = country.IssuanceCentre ?? throw new InvalidOperationException("a kiosk needs the issuance centre (AddIssuanceCentre)");
        var options = new KioskOptions
        {
            Code = kiosk.Code, Location = kiosk.Location, KeyDirectory = Layout.KioskKeyDirectory(kiosk.Code),
            CentreAddress = centre.BaseAddress, CentreCode = IssuanceCentre!.Code,
        };
        return StartAsync(KioskModule.ServiceName + "-" + kiosk.Code, kiosk, null, ServiceSettings.From(KioskOptions.Section, options),
            b => b.AddKiosk(), a => a.MapKiosk(), cancellationToken);
    }

    /// <summary>One module on its own host: the builder's settings, then the declaration's; the database and the declaration's instances in DI.</summary>
    private async Task<ServiceHost> StartAsync(string name, ServiceDeclaration declaration, Database? database, Dictionary<string, string?> settings,
        Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder> add, Action<Microsoft.AspNetCore.Builder.WebApplication> map, CancellationToken cancellationToken,
        int? port = null, string? instance = null)
    {
        foreach (var (key, value) in declaration.Settings) settings[key] = value;
        if (instance is not null) settings[Renkei.ServiceDefaults.ServiceInstance.Setting] = instance; // another instance of the declared service
        return await ServiceHost.StartAsync(name, builder =>
            {
                if (database is not null) builder.Services.AddSingleton(database);
                foreach (var register in declaration.Services) register(builder.Services);
                add(builder);
            },
            map, new ServiceHostOptions(port ?? declaration.Port, declaration.Address) { ApiReference = declaration.ApiReference, Settings = settings }, cancellationToken);
    }

    /// <summary>Registers an institution at the network with the public keys in <paramref name="keyDirectory"/> (created on first use).</summary>
    private void Register(ServiceHost network, string code, string name, InstitutionClass kind, Uri? endpoint, string keyDirectory) =>
        network.Services.GetRequiredService<Renkei.Network.Registry.InstitutionRegistry>().Upsert(Registration(code, name, kind, endpoint, keyDirectory).ToInfo());

    private InstitutionSetting Registration(string code, string name, InstitutionClass kind, Uri? endpoint, string keyDirectory)
    {
        var (signing, sealing) = PublicKeys(keyDirectory);
        return new InstitutionSetting { Code = code, Name = name, Class = kind, Endpoint = endpoint, SigningPublicKey = signing, SealingPublicKey = sealing };
    }

    /// <summary>The public keys in <paramref name="keyDirectory"/> (created on first use), read once per start.</summary>
    private (string Signing, string Sealing) PublicKeys(string keyDirectory)
    {
        if (_publicKeys.TryGetValue(keyDirectory, out var known)) return known;
        using var keys = InstitutionKeys.LoadOrCreate(keyDirectory);
        return _publicKeys[keyDirectory] = (keys.SigningPublicKey, keys.SealingPublicKey);
    }
}
