using Microsoft.AspNetCore.Builder;
using Renkei.Core.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Configuration;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.ApiDescriptions;
using Renkei.Infrastructure.Tls;
using Renkei.ServiceDefaults.Tls;

namespace Renkei.ServiceDefaults;

/// <summary>
/// Runs one institution's HTTP service on Kestrel. Every institution talks to the others over
/// HTTP, also in the single-process demo, where each listens on its own loopback port.
/// </summary>
public sealed class ServiceHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServiceHost(string name, WebApplication app, Uri baseAddress)
    {
        Name = name;
        _app = app;
        BaseAddress = baseAddress;
    }

    public string Name { get; }
    public Uri BaseAddress { get; }
    public IServiceProvider Services => _app.Services;

    /// <summary>Every route of the service with who may call it (the route inventory test reads this).</summary>
    public IReadOnlyList<RouteEntry> Routes => RouteInventory.Of(_app);

    /// <summary>The configuration setting (environment <c>Renkei__ApiReference=true</c>) that shows the API reference page on a deployed service.</summary>
    public const string ApiReferenceSetting = "Renkei:ApiReference";

    /// <summary>
    /// Builds and starts a service. <paramref name="port"/> 0 picks a free loopback port.
    /// </summary>
    public static Task<ServiceHost> StartAsync(
        string name,
        Action<WebApplicationBuilder> addModule,
        Action<WebApplication> mapModule,
        int port = 0,
        string address = "127.0.0.1",
        CancellationToken cancellationToken = default) =>
        StartAsync(name, addModule, mapModule, new ServiceHostOptions(port, address), cancellationToken);

    /// <summary>
    /// Builds and starts a service the way a module composes itself: <paramref name="addModule"/> is the module's
    /// <c>AddX(builder)</c> (services and options from <see cref="WebApplicationBuilder.Configuration"/>, which holds
    /// <see cref="ServiceHostOptions.Settings"/>, appsettings.json and the environment), <paramref name="mapModule"/> its
    /// <c>MapXApi(app)</c>. Options validated at start (<c>ValidateOnStart</c>) fail here, before the port opens.
    /// </summary>
    public static async Task<ServiceHost> StartAsync(
        string name,
        Action<WebApplicationBuilder> addModule,
        Action<WebApplication> mapModule,
        ServiceHostOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(addModule);
        ArgumentNullException.ThrowIfNull(mapModule);
        ArgumentNullException.ThrowIfNull(options);
        // No configuration file is reloaded on change: a file watcher per service woke on every database write in the
        // working directory (a large share of a linkage's kernel time in the benchmark).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = name,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        if (options.Settings is { Count: > 0 } settings)
        {
            builder.Configuration.AddInMemoryCollection(settings);
            // The environment still has the last word (Section__Key), as for any ASP.NET Core app.
            builder.Configuration.AddEnvironmentVariables();
        }
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        var tls = options.MutualTls;
        builder.WebHost.UseUrls($"{(tls is null ? "http" : "https")}://{options.Address}:{options.Port}");
        if (tls is not null)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(tls.ConfigureServer));
        }
        // Several services share one process (the demo): Ctrl+C and SIGTERM belong to the process, which stops every
        // host. The default console lifetime would swallow the signal to stop just this one and leave the process running.
        builder.Services.AddSingleton<IHostLifetime, ProcessOwnedLifetime>();
        builder.AddServiceDefaults(name);
        addModule(builder);
        var app = builder.Build();
        try
        {
            app.UseExceptionHandler(ErrorResponses.HandlerOptions());
            ServiceInstance.Use(app);
            if (tls is not null)
            {
                app.Use(CallerCertificate.RequireCertificateUnlessPublic);
                app.Use(CallerCertificate.RequireMatchingInstitution);
            }
            // Routing runs first (WebApplication adds it), so authorization sees each route's declaration (RouteAccess).
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapDefaultEndpoints();
            mapModule(app);
            ApiDescription.Map(app, options.ApiReference || app.Configuration.GetValue<bool>(ApiReferenceSetting));
            RouteInventory.EnsureDeclared(app, name);
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            // A module that did not start (a setting refused at start, a port taken) leaves nothing open: the container
            // disposes what the module created so far (keys, logs, database connections).
            await app.DisposeAsync();
            throw;
        }
        var server = app.Services.GetRequiredService<IServer>();
        var bound = server.Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ServiceHost(name, app, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>A host lifetime that installs no signal handlers: the owning process decides when hosts stop.</summary>
    private sealed class ProcessOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Where and how a <see cref="ServiceHost"/> listens.</summary>
/// <param name="Port">0 picks a free port.</param>
/// <param name="Address">The address (or host name) to listen on.</param>
public sealed record ServiceHostOptions(int Port = 0, string Address = "127.0.0.1")
{
    /// <summary>
    /// Mutual TLS on the network CA's certificates (deployments); null: plain HTTP (the single-process demo on loopback).
    /// The host does not own it: the caller disposes it after the host.
    /// </summary>
    public MutualTls? MutualTls { get; init; }

    /// <summary>
    /// Serves the browsable API reference page at <see cref="ApiDescription.ReferencePath"/> (the demo; a deployment only
    /// when configured with <see cref="ServiceHost.ApiReferenceSetting"/>). The description itself is always served.
    /// </summary>
    public bool ApiReference { get; init; }

    /// <summary>
    /// Configuration the composer sets for this service (keys as in appsettings, <c>Section:Key</c>), read by the module's
    /// options; an environment variable (<c>Section__Key</c>) overrides it.
    /// </summary>
    public IReadOnlyDictionary<string, string?>? Settings { get; init; }
}
