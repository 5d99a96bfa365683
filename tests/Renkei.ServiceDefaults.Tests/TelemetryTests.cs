using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.Telemetry;

namespace Renkei.ServiceDefaults.Tests;

/// <summary>Runs alone: ASP.NET Core's activity source is process-wide, so hosts of other tests would be traced too.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TracingCollection
{
    public const string Name = "process-wide tracing";
}

/// <summary>OpenTelemetry is off unless configured (nothing leaves the machine by default); switched on, requests are traced by route.</summary>
[Collection(TracingCollection.Name)]
public sealed class TelemetryTests
{
    [Fact]
    public async Task Off_by_default()
    {
        await using var host = await ServiceHost.StartAsync("probe", _ => { }, _ => { });
        Assert.Null(host.Services.GetService<TracerProvider>());
    }

    [Fact]
    public async Task Switched_on_a_request_is_traced_by_its_route_and_carries_no_body_or_query()
    {
        var spans = new List<Activity>();
        await using (var host = await ServiceHost.StartAsync("probe",
                         b => b.Services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans)),
                         app => app.MapPost("/things/{id}", (string id) => Results.NoContent()).AllowPublic("a probe of tracing"),
                         new ServiceHostOptions { Settings = new Dictionary<string, string?> { [ServiceTelemetry.Section + ":Enabled"] = "true" } }))
        {
            Assert.NotNull(host.Services.GetService<TracerProvider>());
            using var http = new HttpClient { BaseAddress = host.BaseAddress };
            (await http.PostAsync("things/42?who=someone", new StringContent("{\"secret\":\"body\"}"))).EnsureSuccessStatusCode();
        }

        var span = Assert.Single(spans, s => s.Kind == ActivityKind.Server && (s.GetTagItem("http.route") as string) == "/things/{id}");
        Assert.Equal("POST", span.GetTagItem("http.request.method"));
        var tags = string.Join(" ", span.TagObjects.Select(t => $"{t.Key}={t.Value}"));
        Assert.DoesNotContain("someone", tags, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", tags, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_exporter_address_stops_the_start_naming_the_setting()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => ServiceHost.StartAsync("probe", _ => { }, _ => { },
            new ServiceHostOptions { Settings = new Dictionary<string, string?> { [ServiceTelemetry.Section + ":OtlpEndpoint"] = "not a uri" } }));
        Assert.Contains("Renkei:Telemetry:OtlpEndpoint", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not a uri", failure.Message, StringComparison.Ordinal);
    }
}
