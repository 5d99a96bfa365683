using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;
using Renkei.Infrastructure.Signing;
using Renkei.Infrastructure.Tls;
using Renkei.Network.Contracts;
using Renkei.Network.Policy;
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

    /// <summary>Starts the network from <paramref name="options"/>: its settings as configuration (<see cref="NetworkOptions"/>), its instances in DI.</summary>
    public static async Task<NetworkNode> StartAsync(NetworkServiceOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = new Dictionary<string, string?>
        {
            ["Network:KeyDirectory"] = options.KeyDirectory,
            ["Network:ProviderTimeout"] = Setting(options.ProviderTimeout),
            ["Network:DeliveryTimeout"] = Setting(options.DeliveryTimeout),
            ["Network:BatchParallelism"] = Setting(options.BatchParallelism),
            ["Network:BatchRetryInitial"] = Setting(options.BatchRetryInitial),
            ["Network:BatchRetryMax"] = Setting(options.BatchRetryMax),
            ["Network:TreeHeadInterval"] = Setting(options.TreeHeadInterval),
        };
        foreach (var (key, value) in AuditLogSetting.Settings("Network:AuditLog", options.AuditLog)) settings[key] = value;
        for (var i = 0; i < options.Institutions.Count; i++)
        {
            var institution = options.Institutions[i];
            var key = $"Network:Institutions:{i}:";
            settings[key + "Code"] = institution.Code;
            settings[key + "Name"] = institution.Name;
            settings[key + "Class"] = institution.Class.ToString();
            settings[key + "Endpoint"] = institution.Endpoint?.OriginalString;
            settings[key + "SigningPublicKey"] = institution.SigningPublicKey;
            settings[key + "SealingPublicKey"] = institution.SealingPublicKey;
        }
        var host = await ServiceHost.StartAsync("network", builder =>
            {
                var services = builder.Services;
                services.AddSingleton(options.Database);
                services.AddSingleton(options.Clock);
                if (options.Policy is not null) services.AddSingleton(options.Policy);
                if (options.Tap is not null) services.AddSingleton(options.Tap);
                if (options.OutgoingHandler is not null) services.AddSingleton(new NetworkOutgoingHandler(options.OutgoingHandler));
                builder.AddNetwork();
            },
            app => app.MapNetworkApi(),
            new ServiceHostOptions(options.Port, options.Address) { MutualTls = options.Tls, ApiReference = options.ApiReference, Settings = settings }, ct);
        return new NetworkNode(host);
    }

    private static string Setting(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
    private static string Setting(int value) => value.ToString(CultureInfo.InvariantCulture);

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
}
