using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Renkei.Infrastructure;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.ApiDescriptions;
using Renkei.TestSupport;
using static Microsoft.Playwright.Assertions;
using Renkei.ServiceDefaults;

namespace Renkei.Portal.Tests;

/// <summary>
/// DESIGN.md §4: every service of the running demo country publishes its OpenAPI description at /openapi/v1.json. It
/// describes every route the service maps (Razor Pages listed in x-renkei-pages), names the caller each needs, states the
/// refusals as problem bodies, and is committed under docs/openapi/ so that a change of the API shows in review.
/// </summary>
[Collection(PortalCountryCollection.Name)]
public sealed partial class ApiDescriptionTests(PortalCountry country)
{
    [Fact]
    public async Task Every_service_describes_every_route_it_maps_with_the_caller_it_needs()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
        var described = 0;
        foreach (var (service, host) in country.Country.Services)
        {
            var document = await DocumentAsync(http, host);
            Assert.Equal("3.1.1", (string?)document["openapi"]);
            var paths = document["paths"]!.AsObject();
            var pages = document[ApiDescription.PagesExtension]?.AsArray() ?? [];
            foreach (var route in host.Routes.Where(r => !IsTheDescriptionItself(r)))
            {
                var what = $"{service} {route}";
                if (route.IsPage)
                {
                    var listed = pages.SingleOrDefault(p => (string?)p!["route"] == route.Pattern);
                    Assert.True(listed is not null, $"{what}: the page is not listed in {ApiDescription.PagesExtension}");
                    Assert.Equal(route.Caller!.Kind.ToString(), (string?)listed!["caller"]!["kind"]);
                    continue;
                }
                Assert.NotEmpty(route.Methods);
                var path = paths[OpenApiPath(route.Pattern)];
                Assert.True(path is not null, $"{what}: not in the description");
                foreach (var method in route.Methods)
                {
                    var operation = path![method.ToLowerInvariant()];
                    Assert.True(operation is not null, $"{what}: {method} not in the description");
                    var caller = operation![ApiDescription.CallerExtension];
                    Assert.True(caller is not null, $"{what}: names no caller");
                    Assert.Equal(route.Caller!.Kind.ToString(), (string?)caller!["kind"]);
                    Assert.Equal(route.Caller.Who, (string?)caller["who"]);
                    Assert.Equal(route.Caller.Institutions, caller["institutions"]!.AsArray().Select(i => (string)i!));
                    var responses = operation["responses"]!.AsObject();
                    Assert.True(responses.Any(r => r.Key.StartsWith('2') && r.Value!["content"] is not null || r.Key == "204"),
                        $"{what}: no success response type");
                    described++;
                    if (method == "POST") Assert.True(operation["requestBody"]?["content"] is not null, $"{what}: no request type");
                    if (route.Caller.Kind == CallerKind.Public)
                    {
                        Assert.Null(operation["security"]);
                        continue;
                    }
                    if (route.Caller.Kind == CallerKind.LocalScreen)
                    {
                        // No credential to present: the connection's origin is the check (403 otherwise).
                        Assert.Null(operation["security"]);
                        Assert.True(responses["403"]?["content"]?["application/problem+json"] is not null, $"{what}: no 403 problem body");
                        continue;
                    }
                    Assert.NotEmpty(operation["security"]!.AsArray());
                    foreach (var status in new[] { "401", "403" })
                        Assert.True(responses[status]?["content"]?["application/problem+json"] is not null, $"{what}: no {status} problem body");
                }
            }
            // Every scheme an operation names is documented.
            var schemes = document["components"]?["securitySchemes"]?.AsObject().Select(s => s.Key).ToHashSet() ?? [];
            var named = paths.SelectMany(p => p.Value!.AsObject()).SelectMany(o => o.Value!["security"]?.AsArray() ?? [])
                .SelectMany(r => r!.AsObject().Select(s => s.Key));
            Assert.All(named, scheme => Assert.Contains(scheme, schemes));
        }
        Assert.True(described > 80, $"{described} operations checked");
    }

    [Fact]
    public async Task A_request_refused_at_the_door_answers_with_the_problem_body_the_description_states()
    {
        var network = country.Country.Services.Single(s => s.Name == "network").Host;
        using var http = new HttpClient { BaseAddress = network.BaseAddress };
        using var response = await http.PostAsync("tokens/issue", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        // The members the description's ProblemBody schema names, RFC 9457's and the code (message: deprecated alias of detail).
        var document = JsonNode.Parse(await http.GetStringAsync(ApiDescription.DocumentPath.TrimStart('/')))!;
        var schema = document["components"]!["schemas"]!["ProblemBody"]!;
        Assert.Equal(schema["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal), body.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["code", "detail", "message", "status", "title", "type"], body.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(401, (int)body["status"]!);
        Assert.Equal("urn:renkei:problem:" + (string)body["code"]!, (string)body["type"]!);
        Assert.Equal("認証が必要です", (string)body["title"]!);
        Assert.Equal((string)body["detail"]!, (string)body["message"]!);
    }

    /// <summary>
    /// docs/openapi/&lt;kind&gt;.json is each kind of service's description as the running service gives it (no host, no port):
    /// it cannot drift. After changing a route, rewrite them with <c>RENKEI_WRITE_OPENAPI=1 ./test --filter ApiDescription</c>.
    /// </summary>
    [Fact]
    public async Task The_descriptions_in_the_docs_are_what_the_services_publish()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
        var directory = RepositoryFiles.Path("docs", "openapi");
        var write = Environment.GetEnvironmentVariable("RENKEI_WRITE_OPENAPI") == "1";
        if (write) Directory.CreateDirectory(directory);
        var kinds = country.Country.Services.GroupBy(s => RouteInventoryTests.ServiceKind(s.Name)).ToList();
        Assert.Equal(RouteInventoryTests.ServiceKinds.Select(k => k.Kind).Order(StringComparer.Ordinal), kinds.Select(k => k.Key).Order(StringComparer.Ordinal));
        foreach (var kind in kinds)
        {
            var host = kind.First().Host;
            var text = (await DocumentAsync(http, host)).ToJsonString(Written) + "\n";
            Assert.DoesNotContain(host.BaseAddress.Authority, text, StringComparison.Ordinal);
            Assert.DoesNotContain("127.0.0.1", text, StringComparison.Ordinal);
            var path = Path.Combine(directory, kind.Key + ".json");
            if (write) await File.WriteAllTextAsync(path, text);
            Assert.True(File.Exists(path), $"docs/openapi/{kind.Key}.json is missing: run the test with RENKEI_WRITE_OPENAPI=1");
            Assert.True(text == (await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n"),
                $"docs/openapi/{kind.Key}.json differs from what the service publishes: run the test with RENKEI_WRITE_OPENAPI=1 and review the diff");
        }
        Assert.Equal(kinds.Count, Directory.GetFiles(directory, "*.json").Length);
    }

    [Fact]
    public async Task The_reference_page_opens_offline_and_shows_the_routes()
    {
        var network = country.Country.Services.Single(s => s.Name == "network").Host;
        await using var context = await country.Browser.NewContextAsync(new() { BaseURL = network.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        var elsewhere = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(network.BaseAddress.ToString(), StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
                elsewhere.Add(new Uri(request.Url).Host);
        };
        await page.GotoAsync(ApiDescription.ReferencePath.TrimStart('/'));
        await Expect(page.GetByText("/linkage/immediate").First).ToBeVisibleAsync();
        Assert.Empty(elsewhere);
    }

    /// <summary>A deployed service (<c>serve</c>) publishes its description but shows the reference page only when configured.</summary>
    [Fact]
    public async Task The_reference_page_is_served_only_where_the_host_is_told_to()
    {
        foreach (var reference in new[] { false, true })
        {
            await using var host = await ServiceHost.StartAsync("probe", _ => { },
                app => app.MapPost("/probe", (ProbeRequest request) => Results.Json(request)).RequireInstitution("a probe"),
                new ServiceHostOptions { ApiReference = reference });
            using var http = new HttpClient { BaseAddress = host.BaseAddress };
            using var page = await http.GetAsync(ApiDescription.ReferencePath.TrimStart('/') + "/");
            Assert.Equal(reference ? System.Net.HttpStatusCode.OK : System.Net.HttpStatusCode.NotFound, page.StatusCode);
            var document = await DocumentAsync(http, host);
            var operation = document["paths"]!["/probe"]!["post"]!;
            Assert.Equal("Institution", (string?)operation[ApiDescription.CallerExtension]!["kind"]);
            Assert.Equal("#/components/schemas/ProbeRequest", (string?)operation["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]);
        }
    }

    public sealed record ProbeRequest(string Name);

    private static readonly JsonSerializerOptions Written = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static async Task<JsonObject> DocumentAsync(HttpClient http, ServiceHost host)
    {
        using var response = await http.GetAsync(new Uri(host.BaseAddress, ApiDescription.DocumentPath.TrimStart('/')));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    /// <summary>The description's own routes (the document and the reference page) are not operations of the API.</summary>
    private static bool IsTheDescriptionItself(RouteEntry route) =>
        route.Pattern.StartsWith("/openapi/", StringComparison.Ordinal) || route.Pattern.StartsWith(ApiDescription.ReferencePath, StringComparison.Ordinal);

    /// <summary>A route pattern as OpenAPI writes it: <c>{id:long}</c> and <c>{handler?}</c> become <c>{id}</c> and <c>{handler}</c>.</summary>
    private static string OpenApiPath(string pattern) => RouteParameter().Replace(pattern, m => "{" + m.Groups[1].Value + "}");

    [GeneratedRegex(@"\{\*{0,2}([A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex RouteParameter();
}
