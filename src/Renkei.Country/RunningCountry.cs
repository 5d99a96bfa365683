using Renkei.Core.Numbers;
using Renkei.Holders;
using Renkei.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Business;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.Network;
using Renkei.ServiceDefaults;

namespace Renkei.Country;

/// <summary>A running country (<see cref="CountryBuilder.StartAsync"/>). Dispose to stop every service, the last started first.</summary>
public sealed class RunningCountry : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<CountryWard> _wards = [];
    private readonly List<CountryHolder> _holders = [];

    internal RunningCountry(DataLayout layout) => Layout = layout;

    public DataLayout Layout { get; }

    /// <summary>The information provision network (情報提供ネットワークシステム), when declared.</summary>
    public NetworkNode? Network { get; internal set; }

    /// <summary>J-LIS, when declared.</summary>
    public ServiceHost? Jlis { get; internal set; }

    public IReadOnlyList<CountryWard> Wards => _wards;
    public IReadOnlyList<CountryHolder> Holders => _holders;

    /// <summary>The citizen portal (マイナポータル), when declared.</summary>
    public ServiceHost? Portal { get; internal set; }

    /// <summary>The certificate issuance centre (証明書交付センター), when declared.</summary>
    public ServiceHost? IssuanceCentre { get; internal set; }

    /// <summary>The kiosk terminals by code, when declared.</summary>
    public IReadOnlyDictionary<string, ServiceHost> Kiosks => _kiosks;

    private readonly Dictionary<string, ServiceHost> _kiosks = new(StringComparer.Ordinal);

    internal void AddKiosk(string code, ServiceHost host) => _kiosks.Add(code, Own(host));

    public CountryWard Ward(LocalGovernmentCode code) => _wards.Single(w => w.Code == code);

    /// <summary>Every running service by name (the route inventory walks their routes).</summary>
    public IReadOnlyList<(string Name, ServiceHost Host)> Services =>
    [
        .. Network is { } network ? [("network", network.Host)] : Array.Empty<(string, ServiceHost)>(),
        .. Jlis is { } jlis ? [("jlis", jlis)] : Array.Empty<(string, ServiceHost)>(),
        .. Portal is { } portal ? [("portal", portal)] : Array.Empty<(string, ServiceHost)>(),
        .. IssuanceCentre is { } centre ? [("issuance-centre", centre)] : Array.Empty<(string, ServiceHost)>(),
        .. _kiosks.Select(k => ($"kiosk-{k.Key}", k.Value)),
        .. _wards.SelectMany(w => new[] { ($"ward-{w.Code.Digits}", w.Api), ($"console-{w.Code.Digits}", w.Console), ($"intermediate-{w.Code.Digits}", w.Intermediate) })
            .Where(s => s.Item2 is not null).Select(s => (s.Item1, s.Item2!)),
        .. _holders.SelectMany(h => new[] { ($"holder-{h.Code}", h.Node.Host), ($"intermediate-{h.Code}", h.IntermediateHost) }),
    ];

    internal T Own<T>(T service) where T : IAsyncDisposable
    {
        _owned.Add(service);
        return service;
    }

    internal async Task<ServiceHost> OwnAsync(Task<ServiceHost> starting) => Own(await starting);

    internal CountryWard Add(CountryWard ward)
    {
        _wards.Add(ward);
        return Own(ward);
    }

    internal CountryHolder Add(CountryHolder holder)
    {
        _holders.Add(holder);
        return Own(holder);
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
        _owned.Clear();
    }
}

/// <summary>A running ward: its database, register and keys, and whichever of its services were declared.</summary>
public sealed class CountryWard : IAsyncDisposable
{
    internal CountryWard(WardDeclaration declaration, Database database, string institutionKeyDirectory)
    {
        Declaration = declaration;
        Database = database;
        InstitutionKeyDirectory = institutionKeyDirectory;
        Register = new ResidentRegister(database, declaration.Code);
    }

    public WardDeclaration Declaration { get; }
    public LocalGovernmentCode Code => Declaration.Code;
    public string Name => Declaration.Name;

    /// <summary>The ward's own database (register, staff, operation log, applications).</summary>
    public Database Database { get; }

    /// <summary>The ward's signing and sealing keys as an institution on the network.</summary>
    public string InstitutionKeyDirectory { get; }

    public ResidentRegister Register { get; }

    /// <summary>The intermediate server (中間サーバー) and its own database.</summary>
    public ServiceHost? Intermediate { get; internal set; }
    public Database? IntermediateDatabase { get; internal set; }

    /// <summary>The resident-register API.</summary>
    public ServiceHost? Api { get; internal set; }

    /// <summary>The API's feed of the register and business systems to the intermediate server; null when it runs none.</summary>
    public WardCopyFeed? CopyFeed => Api?.Services.GetService<WardCopyFeed>();

    /// <summary>The staff console (職員用画面).</summary>
    public ServiceHost? Console { get; internal set; }

    /// <summary>The staff accounts and the operation log the API and the console share (with either of them running).</summary>
    public StaffDirectory? Staff { get; internal set; }
    public OperationLog? OperationLog { get; internal set; }

    /// <summary>Stops the console, the API and the intermediate server, then closes the operation log.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Console is not null) await Console.DisposeAsync();
        if (Api is not null) await Api.DisposeAsync();
        if (Intermediate is not null) await Intermediate.DisposeAsync();
        if (OperationLog is not null) await OperationLog.DisposeAsync();
    }
}

/// <summary>A running holder: its service and its intermediate server, each with its own database.</summary>
public sealed class CountryHolder : IAsyncDisposable
{
    internal CountryHolder(HolderDeclaration declaration, Database database, Database intermediateDatabase)
    {
        Declaration = declaration;
        Database = database;
        IntermediateDatabase = intermediateDatabase;
    }

    public HolderDeclaration Declaration { get; }
    public string Code => Declaration.Code;
    public HolderNode Node { get; internal set; } = null!;
    public Database Database { get; }
    public ServiceHost IntermediateHost { get; internal set; } = null!;
    public Database IntermediateDatabase { get; }

    public async ValueTask DisposeAsync()
    {
        if (Node is not null) await Node.DisposeAsync();
        if (IntermediateHost is not null) await IntermediateHost.DisposeAsync();
    }
}
