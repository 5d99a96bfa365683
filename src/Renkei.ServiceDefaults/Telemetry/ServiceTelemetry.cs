using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Renkei.ServiceDefaults.Telemetry;

/// <summary>
/// OpenTelemetry traces and metrics for HTTP (server and client), PostgreSQL (Npgsql's own sources) and Renkei's own
/// meters (<see cref="MeterPrefix"/>, e.g. the network's linkage counts). Off unless configured, so nothing leaves the
/// machine by default: <c>Renkei:Telemetry:OtlpEndpoint</c> (e.g. <c>http://127.0.0.1:4317</c>) exports by OTLP;
/// <c>Renkei:Telemetry:Enabled=true</c> collects without an exporter (for a listener in the same process). Traces carry
/// routes and status codes, never bodies; query strings are redacted by the instrumentation and exceptions are not recorded.
/// </summary>
public static class ServiceTelemetry
{
    public const string Section = "Renkei:Telemetry";

    /// <summary>Every Renkei meter's name starts with this (<c>Renkei.Network</c>, …).</summary>
    public const string MeterPrefix = "Renkei.";

    /// <summary>Npgsql's ActivitySource and Meter name.</summary>
    private const string Npgsql = "Npgsql";

    internal static void Add(WebApplicationBuilder builder, string serviceName)
    {
        var section = builder.Configuration.GetSection(Section);
        var endpoint = section["OtlpEndpoint"];
        if (!section.GetValue<bool>("Enabled") && string.IsNullOrWhiteSpace(endpoint)) return;
        if (!string.IsNullOrWhiteSpace(endpoint) && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
            throw new InvalidOperationException($"{Section}:OtlpEndpoint is not an absolute URI");
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceInstanceId: ServiceInstance.Of(builder.Configuration)))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.RecordException = false)
                .AddHttpClientInstrumentation(o => o.RecordException = false)
                .AddSource(Npgsql))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter(MeterPrefix + "*", Npgsql));
        if (!string.IsNullOrWhiteSpace(endpoint))
            telemetry.UseOtlpExporter(OpenTelemetry.Exporter.OtlpExportProtocol.Grpc, new Uri(endpoint));
    }
}
