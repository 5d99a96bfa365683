using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.Jlis;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Institutions;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Service;
using Renkei.Municipality.Staff;
using Renkei.TestSupport;
using Renkei.ServiceDefaults;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Tests.Service;

/// <summary>An HTTP response read in full: status, the raw body (to scan for numbers) and the problem code if refused.</summary>
public sealed record Answer(HttpStatusCode Status, string Text, HttpResponseMessage Response)
{
    public T Body<T>() => JsonSerializer.Deserialize<T>(Text, JsonDefaults.Options)!;
    public string? Code => Status is >= HttpStatusCode.BadRequest && Text.Length > 0 ? Body<ProblemBody>().Code : null;
    public override string ToString() => $"{(int)Status} {Text}";
}

/// <summary>
/// Shinagawa's service and the real J-LIS, each on loopback with its own database; the ward's demo staff seeded in its
/// staff directory (fast test hashing); its operation log open for reading back; a manual clock from 2024-06-03 09:00 JST.
/// </summary>
public sealed class WardService : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2024, 6, 3, 9, 0, 0, TimeSpan.FromHours(9));

    private readonly TestDatabase _wardDb;
    private readonly TestDatabase _jlisDb;
    private readonly TempDirectory _keys;
    private readonly HttpClient _jlisHttp;

    private WardService(TestDatabase wardDb, TestDatabase jlisDb, TempDirectory keys, ServiceHost jlis, ServiceHost ward, OperationLog log,
        StaffDirectory staff, IReadOnlyList<DemoStaffAccount> accounts, ManualClock clock)
    {
        _wardDb = wardDb;
        _jlisDb = jlisDb;
        _keys = keys;
        Jlis = jlis;
        Host = ward;
        Log = log;
        Staff = staff;
        Accounts = accounts;
        Clock = clock;
        Http = new HttpClient { BaseAddress = ward.BaseAddress };
        // J-LIS as the two wards ask it, each signing with its own institution key.
        _jlisHttp = JlisCallers.Client(jlis.BaseAddress, TestData.Shinagawa.Digits, keys.File("institution"));
        JlisClient = new JlisHttpClient(_jlisHttp);
        _otaJlisHttp = JlisCallers.Client(jlis.BaseAddress, TestData.Ota.Digits, keys.File("ota-institution"), jlisDb.Database);
        OtaJlisClient = new JlisHttpClient(_otaJlisHttp);
    }

    private readonly HttpClient _otaJlisHttp;

    /// <summary>J-LIS as 大田区 asks it (people numbered there arrive in 品川区 in the tests).</summary>
    public JlisHttpClient OtaJlisClient { get; }

    public ServiceHost Jlis { get; }
    public ServiceHost Host { get; }

    /// <summary>品川区's key directory (institution keys, the certificate-signing key and certificate).</summary>
    public string KeyDirectory => _keys.File("institution");
    public OperationLog Log { get; }
    public StaffDirectory Staff { get; }
    public IReadOnlyList<DemoStaffAccount> Accounts { get; }
    public ManualClock Clock { get; }
    public HttpClient Http { get; }
    public JlisHttpClient JlisClient { get; }
    public Database Database => _wardDb.Database;
    public ResidentRegister Register => new(_wardDb.Database, TestData.Shinagawa);

    /// <summary>The passphrase of the test J-LIS's CA keys.</summary>
    public const string JpkiPassphrase = "correct horse battery staple";

    /// <param name="configure">Settings beyond the defaults (the pinned issuance centre, the kiosk file …).</param>
    public static async Task<WardService> StartAsync(string provider, Action<WardOptions>? configure = null)
    {
        var wardDb = TestDatabase.Create(provider);
        var jlisDb = wardDb.Sibling();
        var keys = new TempDirectory();
        var clock = new ManualClock(Start);
        var staff = new StaffDirectory(wardDb.Database, AffairCatalogue.LoadDefault(), keys.File("totp.key"),
            new StaffDirectoryOptions { PasswordHashing = PasswordHashing.InsecureForTestsAndDemos(1_000), Clock = clock });
        var accounts = DemoStaff.Seed(staff, TestData.Shinagawa);
        var log = OperationLog.Open(wardDb.Database, TestData.Shinagawa, keys.File("audit-signing.key"), clock: clock);
        // J-LIS with its CAs: the ward obtains its certificate-signing certificate from it over HTTP and signs every certificate.
        var jlis = await TestModules.StartJlisAsync(jlisDb.Database, new JlisOptions
        {
            KeyFilePath = keys.File("jlis-numbering.key"),
            Pki = new JpkiSettings { KeyDirectory = keys.File("jpki"), Passphrase = JpkiPassphrase, KeyFileIterations = Renkei.Jlis.Pki.JpkiOptions.MinimumKeyFileIterations },
        });
        JlisCallers.Register(jlisDb.Database, TestData.Shinagawa.Digits, JlisRoles.Municipality, keys.File("institution"), "品川区");
        var options = new WardOptions { Code = TestData.Shinagawa.Digits, Name = "品川区", JlisAddress = jlis.BaseAddress, KeyDirectory = keys.File("institution") };
        configure?.Invoke(options);
        var ward = await TestModules.StartWardAsync(wardDb.Database, staff, log, options, services => services.AddSingleton<TimeProvider>(clock));
        return new WardService(wardDb, jlisDb, keys, jlis, ward, log, staff, accounts, clock) { _options = options };
    }

    private WardOptions _options = null!;

    /// <summary>Another instance of the ward API on the same database, staff directory, log and clock (as behind a load balancer); the caller disposes it.</summary>
    public Task<ServiceHost> StartAnotherInstanceAsync() =>
        TestModules.StartWardAsync(_wardDb.Database, Staff, Log, _options, services => services.AddSingleton<TimeProvider>(Clock));

    public DemoStaffAccount Account(string id) => Accounts.Single(a => a.Id.Value == id);

    /// <summary>Logs in with password and the authenticator's code (moving the clock one TOTP step first), then chooses <paramref name="affair"/> if given.</summary>
    public async Task<string> LoginAsync(string staffId, string? affair = null)
    {
        Clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        var account = Account(staffId);
        var login = await SendAsync(HttpMethod.Post, MunicipalityRoutes.StaffSessions,
            new StaffLoginRequest(staffId, account.Password, account.CodeAt(Clock.GetUtcNow())), token: null);
        Assert.True(login.Status == HttpStatusCode.OK, login.ToString());
        var token = login.Body<StaffLoginResponse>().Token;
        if (affair is not null)
        {
            var chosen = await SendAsync(HttpMethod.Post, MunicipalityRoutes.StaffSessionAffair, new AffairChoiceRequest(affair), token);
            Assert.True(chosen.Status == HttpStatusCode.OK, chosen.ToString());
        }
        return token;
    }

    public Task<Answer> PostAsync(string route, object body, string? token) => SendAsync(HttpMethod.Post, route, body, token);

    public async Task<Answer> SendAsync(HttpMethod method, string route, object? body, string? token, string? terminal = null)
    {
        using var request = new HttpRequestMessage(method, route);
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: JsonDefaults.Options);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (terminal is not null) request.Headers.Add(MunicipalityRoutes.TerminalHeader, terminal);
        var response = await Http.SendAsync(request);
        return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    /// <summary>Sends a body exactly as given (malformed, oversized, streamed without a length …).</summary>
    public async Task<Answer> SendRawAsync(HttpMethod method, string route, HttpContent? content, string? token, string? terminal = null)
    {
        using var request = new HttpRequestMessage(method, route) { Content = content };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (terminal is not null) request.Headers.Add(MunicipalityRoutes.TerminalHeader, terminal);
        var response = await Http.SendAsync(request);
        return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    /// <summary>A JSON body as text.</summary>
    public Task<Answer> PostJsonAsync(string route, string json, string? token, string? terminal = null) =>
        SendRawAsync(HttpMethod.Post, route, new StringContent(json, Encoding.UTF8, "application/json"), token, terminal);

    /// <summary>What the register holds, counted: residents, households, events, request ids, numbers — to show nothing was stored.</summary>
    public (long Residents, long Households, long Events, long Requests, long Numbers) Stored()
    {
        using var connection = Database.Open();
        long Count(string table) => connection.Command($"SELECT COUNT(*) FROM {table}").ScalarInt64();
        return (Count("residents"), Count("households"), Count("register_events"), Count("register_requests"), Count("resident_numbers"));
    }

    /// <summary>Every entry of the ward's operation log, in order.</summary>
    public IReadOnlyList<OperationLogEntry> Entries() => Log.Read().Select(r => r.Entry).ToList();

    /// <summary>The whole log as an auditor exports it (JSON), to scan for what must never be in it.</summary>
    public string ExportedLog()
    {
        using var buffer = new MemoryStream();
        Log.Export(buffer, OperationLogExportFormat.Json);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        await Jlis.DisposeAsync();
        _jlisHttp.Dispose();
        _otaJlisHttp.Dispose();
        await Log.DisposeAsync();
        _wardDb.Dispose();
        _jlisDb.Dispose();
        _keys.Dispose();
    }
}
