using Microsoft.AspNetCore.Builder;
using Renkei.Core.Json;
using Microsoft.Extensions.DependencyInjection;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.ApiDescriptions;
using Renkei.ServiceDefaults.Health;
using Renkei.ServiceDefaults.Logging;
using Renkei.ServiceDefaults.Telemetry;

namespace Renkei.ServiceDefaults;

/// <summary>
/// What every institution's service has, whatever its module (eShop's ServiceDefaults): strict JSON, deny-by-default route
/// access, redacted logging, OpenTelemetry when configured, health checks and the OpenAPI description.
/// <see cref="ServiceHost"/> calls both methods around the module's own AddX and MapXApi.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ServiceInstance.Of(builder.Configuration); // a bad instance name stops the service before it listens
        builder.Services.ConfigureHttpJsonOptions(o => JsonDefaults.Configure(o.SerializerOptions));
        RouteAccess.AddDenyByDefault(builder.Services);
        LogRedaction.Add(builder);
        ServiceTelemetry.Add(builder, serviceName);
        ServiceHealth.Add(builder.Services);
        ApiDescription.Add(builder.Services, serviceName);
        return builder;
    }

    /// <summary>The routes every service has: <c>/health/live</c> and <c>/health/ready</c>.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        ServiceHealth.Map(app);
        return app;
    }
}
