using System.Net;
using System.Net.Http.Json;
using System.Text;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.ServiceDefaults.Access;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate.Contracts;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Service;
using Renkei.Network.Contracts;

using Renkei.TestSupport;
using Renkei.ServiceDefaults.Signing;
using Renkei.ServiceDefaults;
using Renkei.Municipality.Contracts;
using Renkei.Cli.Demo;

namespace Renkei.Portal.Tests;

/// <summary>
/// DESIGN.md trust rule 10: every route of every service of the running demo country (network, J-LIS, the portal, each
/// ward's API, console and intermediate server, each holder and its intermediate server) states who may call it, and the
/// door holds: an anonymous caller is refused (401, or the login page for pages), an institution the route is not for is
/// refused, and the one it is for gets past the door (its empty body is then the handler's business, never a 401/403).
/// Routes that still answer anyone are listed here by name: a new open door fails this test.
/// </summary>
[Collection(PortalCountryCollection.Name)]
public sealed class RouteInventoryTests(PortalCountry country)
{
    [Fact]
    public void Every_route_of_every_service_declares_who_may_call_it()
    {
        var routes = AllRoutes();
        Assert.True(routes.Count > 80, $"the demo country has {routes.Count} routes");
        Assert.All(routes, r => Assert.NotNull(r.Route.Caller));
        // Public only where the real system is public, each with its reason.
        var publicRoutes = routes.Where(r => r.Route.Caller!.Kind == CallerKind.Public).ToList();
        Assert.All(publicRoutes, r => Assert.Matches("health|login|top, login and logout|CA certificates|public keys|style sheet|scripts and styles|answers who called|API description|API reference page|audit the log|verification page",
            r.Route.Caller!.Who));
    }

    [Fact]
    public async Task Anonymous_callers_are_refused_at_every_door_that_is_not_public()
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(60) };
        var checkedRoutes = 0;
        foreach (var (service, host, route) in AllRoutes().Where(r => r.Route.Caller!.Kind != CallerKind.Public))
        {
            using var request = Request(host, route);
            var what = $"{service} {route}";
            if (route.Caller!.Kind == CallerKind.LocalScreen)
            {
                // This test runs on the device itself: what it must not be is another site's page in the device's browser.
                request.Headers.Add("Origin", "http://attacker.example");
                request.Headers.Add("Sec-Fetch-Site", "cross-site");
                using var refused = await http.SendAsync(request);
                Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{what}: {(int)refused.StatusCode}");
                Assert.Contains(LocalScreenAuthentication.RefusedCode, await refused.Content.ReadAsStringAsync());
                checkedRoutes++;
                continue;
            }
            using var response = await http.SendAsync(request);
            if (route.Caller!.Kind is CallerKind.StaffSession or CallerKind.ResidentSession && response.StatusCode == HttpStatusCode.Redirect)
            {
                Assert.EndsWith("/login", response.Headers.Location!.ToString(), StringComparison.OrdinalIgnoreCase);
            }
            else
            {
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{what}: {(int)response.StatusCode}");
                var body = await response.Content.ReadAsStringAsync();
                Assert.Contains("\"code\"", body);
            }
            checkedRoutes++;
        }
        Assert.True(checkedRoutes > 50, $"{checkedRoutes} routes checked");
    }

    [Fact]
    public async Task Institution_routes_refuse_other_institutions_and_let_their_own_callers_past_the_door()
    {
        var signers = Signers();
        var checkedRoutes = 0;
        foreach (var (service, host, route) in AllRoutes().Where(r => r.Route.Caller!.Kind is CallerKind.Institution or CallerKind.OneInstitution))
        {
            var audience = AudienceOf(service);
            var what = $"{service} {route}";
            var allowed = route.Caller!.Kind == CallerKind.OneInstitution
                ? signers.Where(s => route.Caller.Institutions.Contains(s.Code)).ToList()
                : signers.Where(s => s.Class != "Network" // the network is no institution of its own registry
                                     && (route.Caller.Institutions.Count == 0 || route.Caller.Institutions.Contains(s.Class))).ToList();
            var refused = signers.Except(allowed).ToList();
            Assert.NotEmpty(allowed);
            foreach (var signer in allowed.Take(1))
            {
                using var response = await SendSignedAsync(host, route, signer, audience);
                Assert.False(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                             && (await response.Content.ReadAsStringAsync()).Contains(RouteAccess.NotPermittedCode),
                    $"{what}: its own caller {signer.Code} was refused at the door");
                Assert.True(response.StatusCode != HttpStatusCode.Unauthorized, $"{what}: {signer.Code}: {await response.Content.ReadAsStringAsync()}");
            }
            foreach (var signer in refused.Take(2))
            {
                using var response = await SendSignedAsync(host, route, signer, audience);
                // 403 where the service knows the institution; 401 unknown-institution where it knows only its own callers.
                Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized, $"{what}: {signer.Code} got {(int)response.StatusCode}");
            }
            // Signed for another receiver: refused as such.
            using (var misdirected = await SendSignedAsync(host, route, allowed[0], audience == "131091" ? "131105" : "131091"))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, misdirected.StatusCode);
                Assert.Contains(SignedRequestVerifier.WrongAudience, await misdirected.Content.ReadAsStringAsync());
            }
            checkedRoutes++;
        }
        Assert.True(checkedRoutes > 25, $"{checkedRoutes} routes checked");
    }

    /// <summary>
    /// A staff member logged in and in an affair without the right (the library clerk in <c>library</c>, no need to know the
    /// register): every staff route of every ward's API other than the session's own routes refuses with 403 and a code, and
    /// each refusal is in the ward's operation log with staff, terminal and affair.
    /// </summary>
    [Fact]
    public async Task Every_ward_staff_route_refuses_an_affair_without_the_right()
    {
        var checkedRoutes = 0;
        foreach (var ward in country.Country.Wards)
        {
            var routes = ward.Host.Routes.Where(r => r.Caller!.Kind == CallerKind.StaffSession && !r.Pattern.StartsWith("/staff/sessions", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(routes);
            var librarian = ward.Staff.Single(a => a.Id.Value == "tosho01");
            using var http = new HttpClient { BaseAddress = ward.Host.BaseAddress, Timeout = TimeSpan.FromMinutes(1) };
            http.DefaultRequestHeaders.Add(MunicipalityRoutes.TerminalHeader, "route-inventory");
            using (var login = await http.PostAsJsonAsync(MunicipalityRoutes.StaffSessions,
                       new StaffLoginRequest(librarian.Id.Value, librarian.Password, librarian.CodeAt(DateTimeOffset.UtcNow)), JsonDefaults.Options))
            {
                Assert.Equal(HttpStatusCode.OK, login.StatusCode);
                var session = await login.Content.ReadFromJsonAsync<StaffLoginResponse>(JsonDefaults.Options);
                http.DefaultRequestHeaders.Authorization = new("Bearer", session!.Token);
            }
            using (var chosen = await http.PostAsJsonAsync(MunicipalityRoutes.StaffSessionAffair, new AffairChoiceRequest("library"), JsonDefaults.Options))
                Assert.Equal(HttpStatusCode.OK, chosen.StatusCode);
            var before = ward.OperationLog.Read().Count();
            foreach (var route in routes)
            {
                using var response = await http.SendAsync(Request(ward.Host, route));
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{ward.Descriptor.Code} {route}: {(int)response.StatusCode}");
                Assert.Contains("\"code\"", body);
                checkedRoutes++;
            }
            var refusals = ward.OperationLog.Read().Skip(before).Select(r => r.Entry).ToList();
            Assert.Equal(routes.Count, refusals.Count);
            Assert.All(refusals, e => Assert.Equal(("tosho01", "library", OperationResult.Refused), (e.StaffId, e.AffairCode, e.Result)));
            Assert.All(refusals, e => Assert.StartsWith("route-inventory@", e.Terminal, StringComparison.Ordinal));
        }
        Assert.True(checkedRoutes > 20, $"{checkedRoutes} routes checked");
    }

    [Fact]
    public async Task A_captured_signed_request_is_refused_when_replayed()
    {
        var portal = Signers().Single(s => s.Class == nameof(InstitutionClass.Portal));
        var network = country.Country.Services.Single(s => s.Name == "network").Host;
        var captured = new CapturingHandler();
        using var client = new HttpClient(new SigningHandler(portal.Code, portal.Keys.Signing, NodeRoutes.NetworkInstitutionCode) { InnerHandler = captured })
        {
            BaseAddress = network.BaseAddress,
        };
        using (var first = await client.PostAsync(PortalRoutes.TreeHead, Json($$"""{"institution":"{{portal.Code}}"}""")))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var raw = new HttpClient();
        using var replay = new HttpRequestMessage(HttpMethod.Post, new Uri(network.BaseAddress, PortalRoutes.TreeHead)) { Content = Json(captured.Body!) };
        foreach (var header in captured.Headers!) replay.Headers.TryAddWithoutValidation(header.Key, header.Value);
        using var replayed = await raw.SendAsync(replay);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Contains(SignedRequestVerifier.ReplayedRequest, await replayed.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// docs/routes.md is the table of who may call what, made from the routes the running services declare: it cannot drift.
    /// After changing a declaration, rewrite it with <c>RENKEI_WRITE_ROUTES=1 ./test --filter RouteInventory</c>.
    /// </summary>
    [Fact]
    public void The_route_table_in_the_docs_is_what_the_services_declare()
    {
        var table = RouteTable();
        var path = RepositoryFiles.Path("docs", "routes.md");
        if (Environment.GetEnvironmentVariable("RENKEI_WRITE_ROUTES") == "1") File.WriteAllText(path, table);
        Assert.True(File.Exists(path), "docs/routes.md is missing: run the test with RENKEI_WRITE_ROUTES=1");
        Assert.Equal(table, File.ReadAllText(path).ReplaceLineEndings("\n"));
    }

    // ------------------------------------------------------------------ helpers

    internal static readonly (string Kind, string Title)[] ServiceKinds =
    [
        ("network", "情報提供ネットワークシステム (network)"),
        ("jlis", "J-LIS (numbering, cards, JPKI, tokens, portal login)"),
        ("intermediate", "中間サーバー (each ward's and holder's intermediate server)"),
        ("ward", "Ward API (住民基本台帳, staff sessions, e-application inbox)"),
        ("console", "Staff console (職員用画面)"),
        ("holder", "Holders (日本年金機構, 健康保険組合)"),
        ("portal", "マイナポータル (citizen portal)"),
        ("issuance", "証明書交付センター (certificate issuance centre, run by J-LIS)"),
        ("kiosk", "キオスク端末 (kiosk terminal: its own touch screen only)"),
    ];

    private string RouteTable()
    {
        var text = new StringBuilder();
        text.Append("# Who may call what\n\n");
        text.Append("Every route of every Renkei service, with who may call it, as the services declare it where the routes are mapped\n");
        text.Append("(`src/Renkei.ServiceDefaults/Access/RouteAccess.cs`; see docs/trust-rules.md, rule 10). A service with an undeclared\n");
        text.Append("route does not start. Made by `RouteInventoryTests` from a running demo country; do not edit by hand.\n\n");
        text.Append("Kinds: **Public** (anyone), **Institution** (a registered institution of the listed classes, by mutual-TLS certificate or\n");
        text.Append("request signature), **OneInstitution** (exactly that institution), **StaffSession** / **ResidentSession** (a live login\n");
        text.Append("session), **LocalScreen** (the device's own screen: a browser on the same machine, same origin).\n");
        var routes = AllRoutes()
            .Select(r => (Kind: ServiceKind(r.Service), r.Route))
            .DistinctBy(r => (r.Kind, string.Join(",", r.Route.Methods), r.Route.Pattern))
            .ToList();
        foreach (var (kind, title) in ServiceKinds)
        {
            text.Append("\n## ").Append(title).Append("\n\n| method | route | caller | who |\n|---|---|---|---|\n");
            foreach (var (_, route) in routes.Where(r => r.Kind == kind).OrderBy(r => r.Route.Pattern, StringComparer.Ordinal).ThenBy(r => string.Join(",", r.Route.Methods), StringComparer.Ordinal))
            {
                var caller = route.Caller!;
                var kindText = caller.Institutions.Count == 0 ? caller.Kind.ToString() : $"{caller.Kind} ({string.Join(", ", caller.Institutions)})";
                text.Append("| ").Append(route.Methods.Count == 0 ? "GET, POST" : string.Join(", ", route.Methods))
                    .Append(" | `").Append(route.Pattern).Append("` | ").Append(kindText).Append(" | ").Append(caller.Who.Replace("|", "/")).Append(" |\n");
            }
        }
        return text.ToString();
    }


    private sealed record Signer(string Code, string Class, InstitutionKeys Keys);

    private List<Signer> Signers()
    {
        var layout = country.Layout;
        var registry = country.Country.Network.Registry;
        var signers = new List<Signer>
        {
            new(NodeRoutes.NetworkInstitutionCode, "Network", InstitutionKeys.LoadOrCreate(layout.NetworkKeyDirectory)),
            new(JlisTokenRoutes.JlisInstitutionCode, nameof(InstitutionClass.NumberingAuthority), InstitutionKeys.LoadOrCreate(layout.JlisInstitutionKeyDirectory)),
            new(PortalRoutes.DemoPortalCode, nameof(InstitutionClass.Portal), InstitutionKeys.LoadOrCreate(layout.PortalInstitutionKeyDirectory)),
        };
        foreach (var ward in country.Country.Wards)
            signers.Add(new(ward.Descriptor.Code.Digits, nameof(InstitutionClass.Municipality), InstitutionKeys.LoadOrCreate(layout.MunicipalityInstitutionKeyDirectory(ward.Descriptor.Code))));
        foreach (var holder in country.Country.Holders)
            signers.Add(new(holder.Node.InstitutionCode, registry.Find(holder.Node.InstitutionCode)!.Class.ToString(),
                InstitutionKeys.LoadOrCreate(layout.HolderInstitutionKeyDirectory(holder.Node.InstitutionCode))));
        // Convenience-store issuance: the centre (known to J-LIS and the wards by role) and the kiosk (known to the centre).
        signers.Add(new(IssuanceCentreDeclaration.DemoCode, KioskIssuanceRoutes.IssuanceCentreClass, InstitutionKeys.LoadOrCreate(layout.IssuanceCentreInstitutionKeyDirectory)));
        signers.Add(new(DemoCountry.KioskCode, Renkei.IssuanceCentre.Contracts.IssuanceCentreRoutes.KioskClass, InstitutionKeys.LoadOrCreate(layout.KioskKeyDirectory(DemoCountry.KioskCode))));
        return signers;
    }

    private List<(string Service, ServiceHost Host, RouteEntry Route)> AllRoutes() =>
        country.Country.Services.SelectMany(s => s.Host.Routes.Select(r => (s.Name, s.Host, r))).ToList();

    /// <summary>The institution code a service answers signed requests as.</summary>
    private static string AudienceOf(string service) => service switch
    {
        "network" => NodeRoutes.NetworkInstitutionCode,
        "jlis" => JlisTokenRoutes.JlisInstitutionCode,
        "issuance-centre" => IssuanceCentreDeclaration.DemoCode,
        _ when service.StartsWith("intermediate-", StringComparison.Ordinal) => service["intermediate-".Length..],
        _ when service.StartsWith("ward-", StringComparison.Ordinal) => service["ward-".Length..],
        _ => service,
    };

    /// <summary>Services of one kind share routes: the wards' intermediate servers as "intermediate", and so on.</summary>
    internal static string ServiceKind(string service) => service.Split('-')[0];

    private static HttpRequestMessage Request(ServiceHost host, RouteEntry route)
    {
        var method = route.Methods.Count == 0 ? HttpMethod.Get : new HttpMethod(route.Methods[0]);
        // Route parameters get a value their constraint accepts, so the request reaches the route.
        var path = System.Text.RegularExpressions.Regex.Replace(route.Pattern, "\\{[^}]+\\}",
            m => m.Value.Contains(":guid", StringComparison.Ordinal) ? Guid.NewGuid().ToString() : m.Value.Contains(":int", StringComparison.Ordinal) || m.Value.Contains(":long", StringComparison.Ordinal) ? "1" : "x").TrimStart('/');
        var request = new HttpRequestMessage(method, new Uri(host.BaseAddress, path));
        if (method != HttpMethod.Get && method != HttpMethod.Delete) request.Content = Json("{}");
        return request;
    }

    private static async Task<HttpResponseMessage> SendSignedAsync(ServiceHost host, RouteEntry route, Signer signer, string audience)
    {
        using var client = new HttpClient(new SigningHandler(signer.Code, signer.Keys.Signing, audience) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false } })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
        using var request = Request(host, route);
        if (route.StreamsBody) request.Options.Set(SigningHandler.StreamedBodyOption, true);
        return await client.SendAsync(request);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>Keeps the last request's signed headers and body as they left the client.</summary>
    private sealed class CapturingHandler : DelegatingHandler
    {
        public CapturingHandler() => InnerHandler = new SocketsHttpHandler();

        public string? Body { get; private set; }
        public List<KeyValuePair<string, IEnumerable<string>>>? Headers { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            Headers = request.Headers.Where(h => h.Key.StartsWith("X-Renkei-", StringComparison.Ordinal)).ToList();
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
