using Microsoft.AspNetCore.Builder;
using Renkei.Core.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Renkei.Infrastructure;

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

    /// <summary>
    /// Builds and starts a service. <paramref name="port"/> 0 picks a free loopback port.
    /// </summary>
    public static async Task<ServiceHost> StartAsync(
        string name,
        Action<IServiceCollection> configureServices,
        Action<WebApplication> mapEndpoints,
        int port = 0,
        string address = "127.0.0.1",
        CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = name });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://{address}:{port}");
        builder.Services.ConfigureHttpJsonOptions(o => JsonDefaults.Configure(o.SerializerOptions));
        // Several services share one process (the demo): Ctrl+C and SIGTERM belong to the process, which stops every
        // host. The default console lifetime would swallow the signal to stop just this one and leave the process running.
        builder.Services.AddSingleton<IHostLifetime, ProcessOwnedLifetime>();
        configureServices(builder.Services);
        var app = builder.Build();
        app.UseExceptionHandler(ErrorResponses.HandleUnexpected);
        mapEndpoints(app);
        await app.StartAsync(cancellationToken);
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
