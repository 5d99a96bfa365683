using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Renkei.Infrastructure;
using Renkei.ServiceDefaults.Health;
using Renkei.TestSupport;

namespace Renkei.ServiceDefaults.Tests;

/// <summary>Every service's <c>/health/live</c> and <c>/health/ready</c>: ready only while its database answers, and the answer names no server.</summary>
public sealed class HealthTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Ready_when_the_database_answers(string provider)
    {
        using var database = TestDatabase.Create(provider);
        await using var host = await ServiceHost.StartAsync("probe", b => b.Services.AddSingleton(database.Database), _ => { });
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        var (status, body) = await GetAsync(http, ServiceHealth.ReadyPath);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.Equal("ok", body.GetProperty("checks").GetProperty("database").GetString());
        var (liveStatus, live) = await GetAsync(http, ServiceHealth.LivePath);
        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Equal("live", live.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Not_ready_while_the_database_is_unreachable_and_live_all_the_same()
    {
        // Nothing listens on port 1: the check fails at connect, and the answer says so without the connection's details.
        var unreachable = Database.PostgreSql("Host=127.0.0.1;Port=1;Username=nobody-here;Database=secret-db;Timeout=2");
        await using var host = await ServiceHost.StartAsync("probe", b => b.Services.AddSingleton(unreachable), _ => { });
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        var response = await http.GetAsync(ServiceHealth.ReadyPath.TrimStart('/'));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(text);
        Assert.Equal("not-ready", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("failed", body.RootElement.GetProperty("checks").GetProperty("database").GetString());
        Assert.DoesNotContain("nobody-here", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-db", text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(ServiceHealth.LivePath.TrimStart('/'))).StatusCode);
    }

    [Fact]
    public async Task A_service_without_a_database_is_ready_and_its_health_routes_are_declared_public()
    {
        await using var host = await ServiceHost.StartAsync("probe", _ => { }, _ => { });
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var (status, body) = await GetAsync(http, ServiceHealth.ReadyPath);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ready", body.GetProperty("status").GetString());
        var declared = host.Routes.Where(r => r.Pattern.StartsWith("/health/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, declared.Count);
        Assert.All(declared, r => Assert.Equal(Renkei.ServiceDefaults.Access.CallerKind.Public, r.Caller?.Kind));
    }

    private static async Task<(HttpStatusCode, JsonElement)> GetAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path.TrimStart('/'));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, document.RootElement.Clone());
    }
}
