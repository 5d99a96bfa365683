using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Renkei.Holders.Http;
using Renkei.Infrastructure;
using Renkei.ServiceDefaults.Tls;
using Renkei.ServiceDefaults;

namespace Renkei.Holders;

/// <summary>
/// An information holder (the pension organisation or a health insurer) as a module of a service: <see cref="AddHolder"/>
/// reads <see cref="HolderOptions"/> from the section <c>Holder</c> and registers what the holder runs with;
/// <see cref="MapHolderApi"/> maps its staff API (<see cref="Contracts.HolderRoutes"/>).
/// </summary>
public static class HolderModule
{
    /// <summary>
    /// Binds and validates <see cref="HolderOptions"/> (at start, naming the setting) and registers the holder's runtime — its
    /// store, keys, operation log, records, feed and token clients — created on first use and disposed with the host. A
    /// <see cref="Database"/>, <see cref="TimeProvider"/> or <see cref="MutualTls"/> the composer registered before wins.
    /// </summary>
    public static WebApplicationBuilder AddHolder(this WebApplicationBuilder builder)
    {
        var services = builder.AddModuleOptions<HolderOptions>(HolderOptions.Section,
            (databaseRegistered, _) => new HolderOptionsValidator(databaseRegistered), o => o.Database);
        // A factory registration: the container disposes the runtime (keys, operation log, clients) with the host.
        services.AddSingleton(sp => HolderRuntime.Create(sp.GetRequiredService<IOptions<HolderOptions>>().Value,
            sp.GetRequiredService<Database>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<MutualTls>()));
        HolderEndpoints.AddStaffScheme(services);
        return builder;
    }

    /// <summary>Maps the staff API of the holder's kind, each route with its access declaration (the health check public, the rest the staff key).</summary>
    public static WebApplication MapHolderApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        HolderEndpoints.Map(app, app.Services.GetRequiredService<HolderRuntime>(),
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Renkei.Holders"));
        return app;
    }
}
