using Renkei.Core.Numbers;
using Renkei.Country;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate.Contracts;
using Renkei.Municipality.Staff;
using Renkei.Network;
using Renkei.ServiceDefaults;

namespace Renkei.TestSupport;

/// <summary>
/// The tests' preset of the <see cref="CountryBuilder"/>: a country whose keys live in a <see cref="TempDirectory"/> and
/// whose databases come from <see cref="TestDatabase"/> on one engine (<c>sqlite</c>: a temporary file per institution;
/// <c>postgres</c>: a schema per institution). Test staff hash passwords lightly and the network waits 30 seconds for a
/// provider (a loaded test machine must not turn into "provider unavailable"). Disposing stops the services and drops
/// the databases and the directory, with whatever the test handed it to <see cref="Own{T}"/>.
/// </summary>
public sealed class TestCountry : IAsyncDisposable
{
    /// <summary>TEST ONLY: a light PBKDF2 for staff passwords, so seeding accounts is quick.</summary>
    public static readonly StaffDirectoryOptions StaffOptions = new() { PasswordHashing = PasswordHashing.InsecureForTestsAndDemos(1_000) };

    private readonly Lock _lock = new();
    private readonly List<TestDatabase> _databases = [];
    private readonly List<object> _owned = [];
    private RunningCountry? _running;

    private TestCountry(string provider)
    {
        if (provider is not ("sqlite" or "postgres")) throw new ArgumentException("provider is sqlite or postgres", nameof(provider));
        Provider = provider;
        Builder = new CountryBuilder(new DataLayout(new DirectoryInfo(Directory.Path), _ => NewDatabase()));
    }

    /// <summary>The database engine: <c>sqlite</c> or <c>postgres</c>.</summary>
    public string Provider { get; }

    public TempDirectory Directory { get; } = new();
    public CountryBuilder Builder { get; }
    public DataLayout Layout => Builder.Layout;

    /// <summary>The started country (<see cref="StartAsync()"/>).</summary>
    public RunningCountry Running => _running ?? throw new InvalidOperationException("the test country has not started");

    public NetworkNode Network => Running.Network ?? throw new InvalidOperationException("the test country has no network");
    public ServiceHost Jlis => Running.Jlis ?? throw new InvalidOperationException("the test country has no J-LIS");
    public CountryWard Ward(LocalGovernmentCode code) => Running.Ward(code);
    public CountryHolder Holder(string code) => Running.Holders.Single(h => h.Code == code);

    /// <summary>Declares a country on <paramref name="provider"/>'s engine; <see cref="StartAsync()"/> starts it.</summary>
    public static TestCountry Declare(string provider, Action<CountryBuilder> declare)
    {
        var country = new TestCountry(provider);
        declare(country.Builder);
        return country;
    }

    /// <summary>Declares and starts a country; a start that fails leaves nothing behind.</summary>
    public static Task<TestCountry> StartAsync(string provider, Action<CountryBuilder> declare) => Declare(provider, declare).StartAsync();

    /// <summary>Starts the declared country with the test defaults; a start that fails disposes everything.</summary>
    public async Task<TestCountry> StartAsync()
    {
        foreach (var ward in Builder.Wards) ward.StaffOptions ??= StaffOptions;
        Builder.Network?.Settings.TryAdd("Network:ProviderTimeout", "00:00:30");
        try
        {
            _running = await Builder.StartAsync();
            return this;
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>A further database on the country's engine (an institution's, or one a test keeps beside the country).</summary>
    public Database NewDatabase()
    {
        lock (_lock)
        {
            var database = _databases.Count == 0 ? TestDatabase.Create(Provider) : _databases[0].Sibling();
            _databases.Add(database);
            return database.Database;
        }
    }

    /// <summary>An HTTP client to J-LIS signing as <paramref name="ward"/> with its institution key (J-LIS knows every declared ward).</summary>
    public HttpClient JlisClientFor(LocalGovernmentCode ward) => Own(JlisCallers.Client(Jlis.BaseAddress, ward.Digits, Layout.MunicipalityInstitutionKeyDirectory(ward)));

    /// <summary>The ward's own systems' client of its intermediate server, signed with the ward's institution key.</summary>
    public IntermediateHttpClient IntermediateClientOf(LocalGovernmentCode ward) =>
        SignedIntermediate(Ward(ward).Intermediate!.BaseAddress, ward.Digits, Layout.MunicipalityInstitutionKeyDirectory(ward));

    /// <summary>The holder's own systems' client of its intermediate server, signed with the holder's institution key.</summary>
    public IntermediateHttpClient IntermediateClientOf(string holder) =>
        SignedIntermediate(Holder(holder).IntermediateHost.BaseAddress, holder, Layout.HolderInstitutionKeyDirectory(holder));

    private IntermediateHttpClient SignedIntermediate(Uri address, string code, string keyDirectory) =>
        Own(IntermediateHttpClient.Signed(address, code, Own(InstitutionKeys.LoadOrCreate(keyDirectory)).Signing, timeout: TimeSpan.FromMinutes(2)));

    /// <summary>Disposes <paramref name="owned"/> with the country, before its services stop (last owned first).</summary>
    public T Own<T>(T owned) where T : class
    {
        if (owned is not (IDisposable or IAsyncDisposable)) throw new ArgumentException("only a disposable is owned", nameof(owned));
        lock (_lock) _owned.Add(owned);
        return owned;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            if (_owned[i] is IAsyncDisposable asyncOwned) await asyncOwned.DisposeAsync();
            else ((IDisposable)_owned[i]).Dispose();
        }
        _owned.Clear();
        if (_running is not null) await _running.DisposeAsync();
        foreach (var database in _databases) database.Dispose();
        _databases.Clear();
        Directory.Dispose();
    }
}
