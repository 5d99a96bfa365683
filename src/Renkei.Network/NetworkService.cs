using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;
using Renkei.Infrastructure.Signing;
using Renkei.Infrastructure.Tls;
using Renkei.Network.Contracts;
using Renkei.Network.Http;
using Renkei.Network.Linkage;
using Renkei.Network.Policy;
using Renkei.Network.Records;
using Renkei.Network.Registry;
using Renkei.Network.Storage;
using Renkei.Network.Tokens;
using Renkei.ServiceDefaults.Tls;
using Renkei.ServiceDefaults;

namespace Renkei.Network;

/// <param name="Database">The network's own database.</param>
/// <param name="KeyDirectory">The network's keys: <c>token-master.key</c> (32 random bytes: every ID code and token
/// derives from it; back it up with the database), <c>signing.key</c> and <c>sealing.key</c> (<see cref="InstitutionKeys"/>).
/// Created on first start.</param>
/// <param name="Port">0 picks a free port.</param>
public sealed record NetworkServiceOptions(Database Database, string KeyDirectory, int Port = 0, string Address = "127.0.0.1")
{
    /// <summary>Registered (or updated) in the registry at start; more can be added later with <see cref="InstitutionRegistry.Upsert"/>.</summary>
    public IReadOnlyList<InstitutionInfo> Institutions { get; init; } = [];

    /// <summary>How long an immediate query waits for the provider (also the connect timeout). Default 5 s.</summary>
    public TimeSpan ProviderTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a token delivery to an institution's node may take (a batch of 50,000 is a few MB). Default 60 s.</summary>
    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The handler under the network's requests to nodes (mutual TLS plugs in here); default a <see cref="SocketsHttpHandler"/>.</summary>
    public Func<HttpMessageHandler>? OutgoingHandler { get; init; }

    /// <summary>The legal linkage policy; default <see cref="LinkagePolicy.LoadDefault"/>.</summary>
    public LinkagePolicy? Policy { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Sees every message body the network receives (tests that scan them for numbers and names).</summary>
    public IMessageTap? Tap { get; init; }

    /// <summary>Mutual TLS on the network CA's certificates for the network's own listener; null: plain HTTP. The caller disposes it after the node.</summary>
    public MutualTls? Tls { get; init; }

    /// <summary>Serves the browsable API reference page (<see cref="ServiceHostOptions.ApiReference"/>): the demo.</summary>
    public bool ApiReference { get; init; }

    /// <summary>Batch items of one batch in flight at once. Default 8.</summary>
    public int BatchParallelism { get; init; } = 8;

    /// <summary>First wait before a batch retries an unavailable provider; doubles per failure up to <see cref="BatchRetryMax"/>. Default 1 s.</summary>
    public TimeSpan BatchRetryInitial { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan BatchRetryMax { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The provision records' Merkle tree head (records/tree-head) is signed anew at most this often when the log has
    /// grown; a proof of a record the head does not cover yet signs a new one at once. Default 5 s.
    /// </summary>
    public TimeSpan TreeHeadInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The provision records' log: how often its head is signed while records arrive (<see cref="AuditLogOptions.CheckpointPeriod"/>). Default <see cref="AuditLogOptions.Default"/>.</summary>
    public AuditLogOptions AuditLog { get; init; } = AuditLogOptions.Default;
}

/// <summary>Runs the information provision network (情報提供ネットワークシステム) over HTTP.</summary>
public static class NetworkService
{
    public const string MasterKeyFileName = "token-master.key";

    public static async Task<NetworkNode> StartAsync(NetworkServiceOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.KeyDirectory);
        if (options.ProviderTimeout <= TimeSpan.Zero || options.DeliveryTimeout <= TimeSpan.Zero)
            throw new ArgumentException("timeouts must be positive", nameof(options));
        if (options.BatchParallelism < 1) throw new ArgumentException("batch parallelism is at least 1", nameof(options));

        var clock = options.Clock;
        var policy = options.Policy ?? LinkagePolicy.LoadDefault();
        var store = new NetworkStore(options.Database);
        store.EnsureSchema();
        var tokens = CreateDeriver(store, options.KeyDirectory);
        var resources = new List<object> { tokens };
        try
        {
            var keys = InstitutionKeys.LoadOrCreate(options.KeyDirectory);
            resources.Add(keys);
            var registry = new InstitutionRegistry(store, clock);
            foreach (var institution in options.Institutions) registry.Upsert(institution);

            // The checkpoint signer gets its own copy of the key: it serialises its own use, the node client its own.
            var checkpointKey = ECDsa.Create(keys.Signing.ExportParameters(includePrivateParameters: true));
            resources.Add(checkpointKey);
            var records = new ProvisionRecords(store, checkpointKey, clock, options.TreeHeadInterval, options.AuditLog);
            resources.Add(records);
            var outgoing = options.OutgoingHandler?.Invoke() ?? new SocketsHttpHandler
            {
                ConnectTimeout = options.ProviderTimeout,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            };
            var nodes = new NodeClient(keys.Signing, outgoing, clock, options.Tap);
            resources.Add(nodes);
            var linkage = new LinkageService(store, registry, tokens, records, nodes, policy, clock, options.ProviderTimeout);
            var batches = new BatchService(store, linkage, records, clock,
                new BatchOptions(options.BatchParallelism, options.BatchRetryInitial, options.BatchRetryMax));
            resources.Add(batches);
            var issuance = new TokenIssuance(store, registry, tokens, nodes, clock, options.DeliveryTimeout);
            var endpoints = new NetworkEndpoints(store, registry, tokens, issuance, linkage, batches, records, policy, clock, options.Tap);
            var host = await ServiceHost.StartAsync("network", _ => { }, endpoints.Map,
                new ServiceHostOptions(options.Port, options.Address) { MutualTls = options.Tls, ApiReference = options.ApiReference }, ct);
            batches.Start(host.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("Renkei.Network.Batches"));
            return new NetworkNode(host, keys, registry, tokens, records, policy, resources);
        }
        catch
        {
            await DisposeAllAsync(resources);
            throw;
        }
    }

    /// <summary>
    /// The token deriver on this database's master key (created with random bytes on first start), after checking that
    /// the key is the one this database's tokens were made with: with another key every issued token would denote
    /// someone else, so the network refuses to start.
    /// </summary>
    internal static TokenDeriver CreateDeriver(NetworkStore store, string keyDirectory)
    {
        var master = SecretKeyFile.LoadOrCreate(Path.Combine(keyDirectory, MasterKeyFileName), TokenDeriver.MasterKeyLength);
        TokenDeriver? tokens = null;
        try
        {
            tokens = new TokenDeriver(master);
            if (!store.KeyMatches(tokens.KeyCheck))
                throw new InvalidOperationException(
                    $"the token master key ({MasterKeyFileName}) is not the one this network database's tokens were made with; restore the right key file");
            return tokens;
        }
        catch
        {
            tokens?.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(master);
        }
    }

    internal static async Task DisposeAllAsync(List<object> resources)
    {
        for (var i = resources.Count - 1; i >= 0; i--)
        {
            switch (resources[i])
            {
                case IAsyncDisposable asyncDisposable: await asyncDisposable.DisposeAsync(); break;
                case IDisposable disposable: disposable.Dispose(); break;
            }
        }
    }
}

/// <summary>A running network service. Dispose to stop it (the batch worker first, then HTTP, then the record writer).</summary>
public sealed class NetworkNode : IAsyncDisposable
{
    private readonly InstitutionKeys _keys;
    private readonly List<object> _resources;
    private int _disposed;

    internal NetworkNode(ServiceHost host, InstitutionKeys keys, InstitutionRegistry registry, TokenDeriver tokens, ProvisionRecords records,
        LinkagePolicy policy, List<object> resources)
    {
        Host = host;
        _keys = keys;
        Registry = registry;
        Tokens = tokens;
        Records = records;
        Policy = policy;
        _resources = resources;
    }

    public ServiceHost Host { get; }
    public Uri BaseAddress => Host.BaseAddress;

    /// <summary>The network's signing key (SPKI DER, base64): nodes verify the network's requests with it, auditors its checkpoints.</summary>
    public string SigningPublicKey => _keys.SigningPublicKey;

    public string SealingPublicKey => _keys.SealingPublicKey;

    public InstitutionRegistry Registry { get; }

    public LinkagePolicy Policy { get; }

    internal TokenDeriver Tokens { get; }
    internal ProvisionRecords Records { get; }

    /// <summary>The options the provision records' log runs with (its checkpoint period among them).</summary>
    public AuditLogOptions RecordsLogOptions => Records.Log.Options;

    /// <summary>Verifies the provision records' hash chain and signed checkpoints (optionally against a head an auditor kept).</summary>
    public Renkei.Core.Audit.AuditVerification VerifyRecords(Renkei.Core.Audit.AuditHead? expectedHead = null) =>
        Records.Log.Verify(Records.Verifier(), expectedHead);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        // The batch worker stops before HTTP so no item is half-way when the records close.
        var batches = _resources.OfType<BatchService>().FirstOrDefault();
        if (batches is not null) await batches.DisposeAsync();
        await Host.DisposeAsync();
        await NetworkService.DisposeAllAsync(_resources.Where(r => r is not BatchService).ToList());
    }
}
