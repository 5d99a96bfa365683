using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Renkei.Cli.Commands;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Holders;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate.Contracts;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Service;
using Renkei.Municipality.Staff;
using Renkei.Network;
using Renkei.ServiceDefaults;

namespace Renkei.Cli.Demo;

/// <summary>
/// The running demo country: the network, J-LIS (with JPKI), per ward its intermediate server, API and staff console,
/// the pension organisation and an insurer each with its intermediate server, and the citizen portal, all on loopback
/// (<see cref="Declare"/> is the demo's preset of the <see cref="CountryBuilder"/>).
/// </summary>
internal sealed class DemoCountry : IAsyncDisposable
{
    public const string PortalName = "マイナポータル";

    /// <summary>The demo's one kiosk terminal (キオスク端末).</summary>
    public const string KioskCode = "kiosk-0001";

    public const string KioskLocation = "デモ店（品川駅前）";

    /// <summary>
    /// DEMO ONLY: the demo accounts' passwords are derived from a public seed (<see cref="DemoStaff"/>), so slow hashing
    /// protects nothing; a light PBKDF2 keeps seeding three wards quick.
    /// </summary>
    private static readonly StaffDirectoryOptions DemoStaffOptions = new()
    {
        PasswordHashing = PasswordHashing.InsecureForTestsAndDemos(10_000),
        TotpIssuer = "Renkei demo",
    };

    private readonly RunningCountry _country;
    private readonly Dictionary<LocalGovernmentCode, WardJlisConnection> _wardJlis;

    private DemoCountry(RunningCountry country, IReadOnlyList<DemoWard> descriptors)
    {
        _country = country;
        Wards = descriptors.Select(d => new RunningWard(d, country.Ward(d.Code))).ToList();
        // Each ward's own connection to J-LIS, signing with its institution key (the demo's batch jobs and card counter).
        _wardJlis = Wards.ToDictionary(w => w.Descriptor.Code, w => new WardJlisConnection(w.Descriptor.Code,
            new WardJlisOptions(JlisAddress, w.Ward.InstitutionKeyDirectory)));
    }

    /// <summary>The demo's preset: every institution, the API reference page on each API, fixed ports unless <paramref name="ports"/> is <see cref="DemoPorts.Any"/>.</summary>
    /// <param name="kioskClockShift">the wards decide their kiosk service hours this much later than now (<c>--kiosk-clock</c>)</param>
    public static CountryBuilder Declare(DataLayout layout, IReadOnlyList<DemoWard> wards, DemoPorts ports, IMessageTap? networkTap = null,
        TimeSpan? kioskClockShift = null)
    {
        var builder = new CountryBuilder(layout)
            .AddNetwork(network =>
            {
                (network.Port, network.ApiReference) = (ports.Network, true);
                if (networkTap is not null) network.With(networkTap);
            })
            // DEMO ONLY: the JPKI CAs' key file is protected with the published demo passphrase.
            .AddJlis(jlis => (jlis.Port, jlis.ApiReference, jlis.JpkiPassphrase) = (ports.Jlis, true, JpkiPassphrase.DemoPassphrase))
            .AddPortal(portal => (portal.Port, portal.Name) = (ports.Portal, PortalName))
            // Convenience-store issuance: the centre (every ward takes part) and one kiosk terminal.
            .AddIssuanceCentre(centre => (centre.Port, centre.ApiReference) = (ports.IssuanceCentre, true))
            .AddKiosk(KioskCode, KioskLocation, kiosk => kiosk.Port = ports.Kiosk);
        for (var i = 0; i < wards.Count; i++)
        {
            var (index, code) = (i, wards[i].Code);
            builder.AddWard(code, wards[i].Name, ward =>
            {
                (ward.Intermediate.Port, ward.Intermediate.ApiReference) = (ports.WardIntermediate(index), true);
                (ward.Api.Port, ward.Api.ApiReference) = (ports.WardApi(index), true);
                if (kioskClockShift is { } shift)
                    ward.Api.Settings["Ward:Kiosk:ClockShift"] = shift.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
                (ward.Console.Enabled, ward.Console.Port) = (true, ports.WardConsole(index));
                ward.StaffOptions = DemoStaffOptions;
                ward.SeedStaff = staff => DemoStaff.Seed(staff, code);
            });
        }
        foreach (var (kind, index) in new[] { (HolderKind.PensionOrganisation, 0), (HolderKind.HealthInsurer, 1) })
            builder.AddHolder(kind, holder =>
            {
                (holder.Service.Port, holder.Service.ApiReference) = (ports.Holder(index), true);
                (holder.Intermediate.Port, holder.Intermediate.ApiReference) = (ports.HolderIntermediate(index), true);
            });
        return builder;
    }

    /// <summary>Starts the country's services on <paramref name="ports"/> (default: any free port); <paramref name="adjust"/> may change the declarations first (tests).</summary>
    public static async Task<DemoCountry> StartAsync(DataLayout layout, IReadOnlyList<DemoWard> descriptors, CancellationToken cancellationToken,
        IMessageTap? networkTap = null, DemoPorts? ports = null, TimeSpan? kioskClockShift = null, Action<CountryBuilder>? adjust = null)
    {
        var builder = Declare(layout, descriptors, ports ?? DemoPorts.Any, networkTap, kioskClockShift);
        adjust?.Invoke(builder);
        return new(await builder.StartAsync(cancellationToken), descriptors);
    }

    /// <summary>J-LIS as <paramref name="ward"/> sees it: requests signed with the ward's institution key.</summary>
    public WardJlisConnection JlisFor(LocalGovernmentCode ward) => _wardJlis[ward];
    public Uri JlisAddress => _country.Jlis!.BaseAddress;
    public IReadOnlyList<RunningWard> Wards { get; }

    /// <summary>The information provision network (情報提供ネットワークシステム).</summary>
    public NetworkNode Network => _country.Network!;

    /// <summary>日本年金機構 and the demo 健康保険組合.</summary>
    public IReadOnlyList<CountryHolder> Holders => _country.Holders;

    /// <summary>The citizen portal (マイナポータル), registered with the network as institution <see cref="Network.Contracts.PortalRoutes.DemoPortalCode"/>.</summary>
    public ServiceHost Portal => _country.Portal!;

    /// <summary>The certificate issuance centre (証明書交付センター).</summary>
    public ServiceHost IssuanceCentre => _country.IssuanceCentre!;

    /// <summary>The demo's kiosk terminal: its touch screen is served at the base address.</summary>
    public ServiceHost Kiosk => _country.Kiosks[KioskCode];

    public RunningWard Ward(LocalGovernmentCode code) => Wards.Single(w => w.Descriptor.Code == code);

    /// <summary>Every service of the country by name (the route inventory test walks their routes).</summary>
    public IReadOnlyList<(string Name, ServiceHost Host)> Services => _country.Services;

    public void PrintDirectory(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("Renkei デモ国 (demo country) — running on loopback:");
        output.WriteLine($"  {TextWidth.PadRight("情報提供ネットワークシステム (network)", 38)} {Network.BaseAddress,-26} {_country.Layout.NetworkDatabase().Describe()}");
        output.WriteLine($"  {TextWidth.PadRight("地方公共団体情報システム機構 (J-LIS)", 38)} {JlisAddress,-26} {_country.Layout.JlisDatabase().Describe()}");
        foreach (var ward in Wards)
        {
            var counts = ward.Register.Counts();
            output.WriteLine($"  {TextWidth.PadRight($"{ward.Descriptor.Name} ({ward.Descriptor.Code.Digits})", 38)} {ward.Host.BaseAddress,-26} {ward.Database.Describe()}");
            output.WriteLine($"  {"",-38} 住民 {counts.Residents:N0} 人, 世帯 {counts.Households:N0}, 転出 {counts.MovedOut:N0}, 個人番号未指定 {counts.ResidentsWithoutNumber:N0}");
            output.WriteLine($"  {TextWidth.PadRight("  職員用画面 (staff console)", 38)} {ward.ConsoleHost.BaseAddress + "login",-26} 職員ID: {string.Join(", ", ward.Staff.Select(s => s.Id.Value))}");
            output.WriteLine($"  {TextWidth.PadRight("  中間サーバー (intermediate server)", 38)} {ward.IntermediateHost.BaseAddress,-26} {ward.IntermediateDatabase.Describe()}");
        }
        foreach (var holder in Holders)
        {
            output.WriteLine($"  {TextWidth.PadRight($"{holder.Node.Name} ({holder.Node.InstitutionCode})", 38)} {holder.Node.BaseAddress,-26} {holder.Database.Describe()}");
            output.WriteLine($"  {TextWidth.PadRight("  中間サーバー (intermediate server)", 38)} {holder.IntermediateHost.BaseAddress,-26} {holder.IntermediateDatabase.Describe()}");
        }
        output.WriteLine($"  {TextWidth.PadRight($"{PortalName} (citizen portal)", 38)} {Portal.BaseAddress + "login",-26} カードのファイル: <data>/cards/<区>/（利用者証明用暗証番号 {DemoCards.UserPin}）");
        output.WriteLine($"  {TextWidth.PadRight("証明書交付センター (issuance centre)", 38)} {IssuanceCentre.BaseAddress + "verify",-26} 真正性確認 (certificate verification)");
        output.WriteLine($"  {TextWidth.PadRight("キオスク端末 (kiosk)", 38)} {Kiosk.BaseAddress,-26} {KioskLocation}: 同じカードのファイルと暗証番号で証明書を取得");
        output.WriteLine();
        output.WriteLine("  デモ職員のパスワードとワンタイムパスワード: ./renkei demo staff --municipality 131091");
        output.WriteLine();
        output.WriteLine("  try: curl -s " + Wards[0].Host.BaseAddress + MunicipalityRoutes.Health);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var ward in Wards) await ward.DisposeAsync();
        foreach (var connection in _wardJlis.Values) connection.Dispose();
        await _country.DisposeAsync();
    }
}

/// <summary>
/// One ward of the running demo: its register, its services, its operation log (shared by everything in this process that
/// records for the ward) and its demo staff. Changes go through the service as the demo's resident-register clerk.
/// </summary>
internal sealed class RunningWard(DemoWard descriptor, CountryWard ward) : IAsyncDisposable
{
    /// <summary>The demo clerk who registers the moves (住民記録係), acting in the resident-register affair.</summary>
    public const string ClerkId = "jumin01";
    public const string ClerkAffair = "resident-register";

    private readonly HttpClient _http = new() { BaseAddress = ward.Api!.BaseAddress, Timeout = TimeSpan.FromMinutes(1) };
    // The ward's business systems call its intermediate server as the ward: signed with the ward's institution key.
    private readonly InstitutionKeys _keys = InstitutionKeys.LoadOrCreate(ward.InstitutionKeyDirectory);
    private IntermediateHttpClient? _intermediate;
    private string? _token;

    public DemoWard Descriptor { get; } = descriptor;
    public CountryWard Ward { get; } = ward;
    public ResidentRegister Register => Ward.Register;
    public Database Database => Ward.Database;
    public ServiceHost Host => Ward.Api!;
    public OperationLog OperationLog => Ward.OperationLog!;
    public IReadOnlyList<DemoStaffAccount> Staff { get; } = DemoStaff.Accounts(descriptor.Code);

    /// <summary>The ward's staff console (web, Japanese).</summary>
    public ServiceHost ConsoleHost => Ward.Console!;

    /// <summary>The ward's intermediate server and its own database.</summary>
    public ServiceHost IntermediateHost => Ward.Intermediate!;
    public Database IntermediateDatabase => Ward.IntermediateDatabase!;
    public IntermediateHttpClient IntermediateClient =>
        LazyInitializer.EnsureInitialized(ref _intermediate, () => IntermediateHttpClient.Signed(IntermediateHost.BaseAddress, Descriptor.Code.Digits, _keys.Signing));

    /// <summary>Posts an event to the ward's own HTTP service as the demo clerk; a refusal stops the demo with the ward's reason.</summary>
    public async Task<JsonElement> PostAsync<T>(string route, T body, CancellationToken cancellationToken)
    {
        var token = _token ??= await LoginAsync(cancellationToken);
        return await SendAsync(HttpMethod.Post, route, body, token, cancellationToken);
    }

    /// <summary>
    /// Logs the demo clerk in (password and the authenticator's current code) and chooses the affair. A code is accepted
    /// once: if this step's code was spent already (another login in the same 30 seconds), the next step's code is used.
    /// </summary>
    private async Task<string> LoginAsync(CancellationToken cancellationToken)
    {
        var clerk = Staff.Single(a => a.Id.Value == ClerkId);
        var now = DateTimeOffset.UtcNow;
        JsonElement? session = null;
        foreach (var code in new[] { clerk.CodeAt(now), clerk.CodeAt(now.AddSeconds(Totp.StepSeconds)) })
        {
            using var response = await _http.PostAsJsonAsync(MunicipalityRoutes.StaffSessions,
                new StaffLoginRequest(ClerkId, clerk.Password, code), JsonDefaults.Options, cancellationToken);
            var json = await response.Content.ReadFromJsonAsync<JsonElement>(JsonDefaults.Options, cancellationToken);
            if (response.IsSuccessStatusCode) { session = json; break; }
            if (json.GetProperty("code").GetString() != "second-factor-failed")
                throw new InvalidOperationException($"{Descriptor.Name}: the demo clerk could not log in: {json.GetProperty("detail").GetString()}");
        }
        var token = session?.GetProperty("token").GetString()
            ?? throw new InvalidOperationException($"{Descriptor.Name}: the demo clerk's one-time codes were refused");
        await SendAsync(HttpMethod.Post, MunicipalityRoutes.StaffSessionAffair, new AffairChoiceRequest(ClerkAffair), token, cancellationToken);
        return token;
    }

    /// <summary>Ends the demo clerk's session, if one was opened.</summary>
    public async Task LogoutAsync(CancellationToken cancellationToken)
    {
        if (_token is not { } token) return;
        _token = null;
        using var request = new HttpRequestMessage(HttpMethod.Delete, MunicipalityRoutes.StaffSessionCurrent);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request, cancellationToken);
    }

    private async Task<JsonElement> SendAsync<T>(HttpMethod method, string route, T body, string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, route) { Content = JsonContent.Create(body, options: JsonDefaults.Options) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add(MunicipalityRoutes.TerminalHeader, "renkei-demo");
        using var response = await _http.SendAsync(request, cancellationToken);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(JsonDefaults.Options, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{Descriptor.Name} refused {route}: {json.GetProperty("detail").GetString()}");
        return json;
    }

    /// <summary>Releases the clerk's client and keys; the country stops the ward's services.</summary>
    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        _intermediate?.Dispose();
        _keys.Dispose();
        return ValueTask.CompletedTask;
    }
}
