using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Network.Http;
using Renkei.Network.Linkage;
using Renkei.Network.Policy;
using Renkei.Network.Records;
using Renkei.Network.Registry;
using Renkei.Network.Storage;
using Renkei.Network.Tokens;
using Renkei.ServiceDefaults;

namespace Renkei.Network;

/// <summary>The information provision network (情報提供ネットワークシステム) as a module of a host: its services and its routes.</summary>
public static class NetworkModule
{
    /// <summary>
    /// Binds <see cref="NetworkOptions"/> (checked at start) and registers the network's services; the container disposes
    /// them when the host stops. A composer registers a <see cref="Database"/>, <see cref="TimeProvider"/>,
    /// <see cref="LinkagePolicy"/>, <see cref="IMessageTap"/> or <see cref="NetworkOutgoingHandler"/> before this to replace the defaults.
    /// </summary>
    public static WebApplicationBuilder AddNetwork(this WebApplicationBuilder builder)
    {
        var services = builder.AddModuleOptions<NetworkOptions>(NetworkOptions.Section,
            (databaseRegistered, _) => new NetworkOptionsValidator(databaseRegistered), o => o.Database);
        services.TryAddSingleton(_ => LinkagePolicy.LoadDefault());
        services.TryAddSingleton(sp => new NetworkOutgoingHandler(() => new SocketsHttpHandler
        {
            ConnectTimeout = Options(sp).ProviderTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        }));

        services.AddSingleton(sp =>
        {
            var store = new NetworkStore(sp.GetRequiredService<Database>());
            store.EnsureSchema();
            return store;
        });
        services.AddSingleton(sp => NetworkService.CreateDeriver(sp.GetRequiredService<NetworkStore>(), Options(sp).KeyDirectory!));
        services.AddSingleton(sp => InstitutionKeys.LoadOrCreate(Options(sp).KeyDirectory!));
        services.AddSingleton(sp =>
        {
            var registry = new InstitutionRegistry(sp.GetRequiredService<NetworkStore>(), sp.GetRequiredService<TimeProvider>());
            var institutions = Options(sp).Institutions;
            for (var i = 0; i < institutions.Count; i++)
            {
                try
                {
                    registry.Upsert(institutions[i].ToInfo());
                }
                catch (ArgumentException e)
                {
                    // The registry's message names the field and the rule, never the value.
                    throw new OptionsValidationException(NetworkOptions.Section, typeof(NetworkOptions),
                        [$"{NetworkOptions.Section}:Institutions:{i}: {e.Message.Split(" (Parameter", 2)[0]}"]);
                }
            }
            return registry;
        });
        // The log has its own key (log-signing.key, created beside the others on first start), never the request key; a log
        // begun before that key existed keeps its older checkpoints, signed with the request key, which the start-up check accepts.
        services.AddSingleton(sp => new CheckpointKey(InstitutionKeys.LoadOrCreateLogSigningKey(Options(sp).KeyDirectory!)));
        services.AddSingleton(sp => LogSigningCertificate.Load(Options(sp).KeyDirectory!, sp.GetRequiredService<CheckpointKey>().Key));
        services.AddSingleton(sp => new ProvisionRecords(sp.GetRequiredService<NetworkStore>(), sp.GetRequiredService<CheckpointKey>().Key,
            sp.GetRequiredService<InstitutionKeys>().SigningPublicKey, sp.GetRequiredService<TimeProvider>(), Options(sp).TreeHeadInterval,
            Options(sp).AuditLog.ToOptions()));
        services.AddSingleton(sp => new NodeClient(sp.GetRequiredService<InstitutionKeys>().Signing, sp.GetRequiredService<NetworkOutgoingHandler>().Create(),
            sp.GetRequiredService<TimeProvider>(), sp.GetService<IMessageTap>()));
        services.AddSingleton(sp => new LinkageService(sp.GetRequiredService<NetworkStore>(), sp.GetRequiredService<InstitutionRegistry>(),
            sp.GetRequiredService<TokenDeriver>(), sp.GetRequiredService<ProvisionRecords>(), sp.GetRequiredService<NodeClient>(),
            sp.GetRequiredService<LinkagePolicy>(), sp.GetRequiredService<TimeProvider>(), Options(sp).ProviderTimeout, Options(sp).BulkProviderTimeout));
        services.AddSingleton(sp => new BatchService(sp.GetRequiredService<NetworkStore>(), sp.GetRequiredService<LinkageService>(),
            sp.GetRequiredService<ProvisionRecords>(), sp.GetRequiredService<TimeProvider>(),
            new BatchOptions(Options(sp).BatchParallelism, Options(sp).BatchRetryInitial, Options(sp).BatchRetryMax, Options(sp).BatchClaimLease,
                Options(sp).BatchChunkSize, Options(sp).BatchChunksInFlight)));
        services.AddSingleton(sp => new TokenIssuance(sp.GetRequiredService<NetworkStore>(), sp.GetRequiredService<InstitutionRegistry>(),
            sp.GetRequiredService<TokenDeriver>(), sp.GetRequiredService<NodeClient>(), sp.GetRequiredService<TimeProvider>(), Options(sp).DeliveryTimeout));
        services.AddHostedService<BatchWorker>();
        return builder;
    }

    /// <summary>Maps the network's routes (<see cref="Contracts.NetworkRoutes"/>) with their access declarations.</summary>
    public static WebApplication MapNetworkApi(this WebApplication app)
    {
        var sp = app.Services;
        // The master key is checked before anything is registered or opened: with another key the network does not start.
        var tokens = sp.GetRequiredService<TokenDeriver>();
        new NetworkEndpoints(sp.GetRequiredService<NetworkStore>(), sp.GetRequiredService<InstitutionRegistry>(), tokens,
            sp.GetRequiredService<TokenIssuance>(), sp.GetRequiredService<LinkageService>(), sp.GetRequiredService<BatchService>(),
            sp.GetRequiredService<ProvisionRecords>(), sp.GetRequiredService<LinkagePolicy>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetService<IMessageTap>(), sp.GetRequiredService<LogSigningCertificate>()).Map(app);
        return app;
    }

    private static NetworkOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<NetworkOptions>>().Value;

    /// <summary>The provision records' log-signing key; disposed after the records, which sign a last checkpoint with it.</summary>
    private sealed record CheckpointKey(ECDsa Key) : IDisposable
    {
        public void Dispose() => Key.Dispose();
    }

    /// <summary>
    /// Runs the batch worker once the host has started and stops it before HTTP stops, so no batch item is half-way when
    /// the records close (the container disposes them after this).
    /// </summary>
    private sealed class BatchWorker(BatchService batches, ILoggerFactory loggers) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken)
        {
            batches.Start(loggers.CreateLogger("Renkei.Network.Batches"));
            return Task.CompletedTask;
        }

        public async Task StoppingAsync(CancellationToken cancellationToken) => await batches.DisposeAsync();
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
