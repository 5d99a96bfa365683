using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Holders.Audit;
using Renkei.Holders.Feed;
using Renkei.Holders.Records;
using Renkei.Holders.Tokens;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;
using Renkei.Infrastructure.Signing;
using Renkei.Infrastructure.Tls;
using Renkei.Intermediate.Contracts;
using Renkei.Jlis.Contracts;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults.Tls;
using Renkei.ServiceDefaults;
using Renkei.Holders.Contracts;

namespace Renkei.Holders;

/// <summary>
/// How to run one information holder (the pension organisation or a health insurer).
/// </summary>
/// <param name="Kind">Pension organisation or health insurer.</param>
/// <param name="InstitutionCode">Its code on the network (6–8 of 0-9 and A-Z); for an insurer, its 8-digit insurer number (保険者番号).</param>
/// <param name="Name">Its name, e.g. 日本年金機構.</param>
/// <param name="Database">Its own database (never its intermediate server's).</param>
/// <param name="KeyDirectory">
/// Its keys, each created on first use (mode 600): <c>institution/</c> (signing and sealing keys as a network institution,
/// see <see cref="InstitutionKeys"/>), <c>staff-api.key</c> (the staff API's bearer key) and <c>audit-signing.key</c> (the
/// operation log's checkpoint key, public key beside it).
/// </param>
/// <param name="IntermediateAddress">Its own intermediate server (中間サーバー), where the copies and tokens go.</param>
/// <param name="Port">0 picks a free port.</param>
public sealed record HolderServiceOptions(
    HolderKind Kind,
    string InstitutionCode,
    string Name,
    Database Database,
    string KeyDirectory,
    Uri IntermediateAddress,
    int Port = 0,
    string Address = "127.0.0.1")
{
    /// <summary>J-LIS, for token acquisition (符号取得); null: the holder acquires no tokens.</summary>
    public Uri? JlisAddress { get; init; }

    /// <summary>The insurer's type in its copies (insurers only).</summary>
    public InsurerType InsurerType { get; init; } = InsurerType.HealthInsuranceSociety;

    /// <summary>
    /// Mutual TLS on the network CA's certificates (deployments): the service listens with it and calls its intermediate
    /// server and J-LIS with the holder's certificate; null: plain HTTP. The caller disposes it.
    /// </summary>
    public MutualTls? Tls { get; init; }

    /// <summary>Serves the browsable API reference page (<see cref="ServiceHostOptions.ApiReference"/>): the demo.</summary>
    public bool ApiReference { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The holder's operation log: how often its head is signed while entries arrive (<see cref="AuditLogOptions.CheckpointPeriod"/>). Default <see cref="AuditLogOptions.Default"/>.</summary>
    public AuditLogOptions AuditLog { get; init; } = AuditLogOptions.Default;

    /// <summary>The directory of the holder's network keys (<see cref="InstitutionKeys"/>).</summary>
    public string InstitutionKeyDirectory => Path.Combine(KeyDirectory, "institution");
}

/// <summary>Runs an information holder's own service (the staff API over its records) on Kestrel.</summary>
public static class HolderService
{
    /// <summary>
    /// Creates the holder's schema and keys if missing and starts its service (<see cref="HolderModule.AddHolder"/> and
    /// <see cref="HolderModule.MapHolderApi"/> with <paramref name="options"/> as settings). The intermediate server at
    /// <see cref="HolderServiceOptions.IntermediateAddress"/> is the holder's own, started separately
    /// (<c>IntermediateService.StartAsync</c> with the holder's code).
    /// </summary>
    /// <exception cref="OptionsValidationException">a setting is wrong (the message names it); nothing listens.</exception>
    public static async Task<HolderNode> StartAsync(HolderServiceOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Database);
        var host = await ServiceHost.StartAsync("holder-" + options.InstitutionCode,
            builder =>
            {
                // What is not configuration: the caller's database, clock and TLS (the caller owns and disposes them).
                builder.Services.AddSingleton(options.Database);
                builder.Services.AddSingleton(options.Clock);
                if (options.Tls is { } tls) builder.Services.AddSingleton(tls);
                builder.AddHolder();
            },
            app => app.MapHolderApi(),
            new ServiceHostOptions(options.Port, options.Address) { MutualTls = options.Tls, ApiReference = options.ApiReference, Settings = Settings(options) }, ct);
        return new HolderNode(host);
    }

    private static Dictionary<string, string?> Settings(HolderServiceOptions options) => new()
    {
        [$"{HolderOptions.Section}:{nameof(HolderOptions.Kind)}"] = options.Kind.ToString(),
        [$"{HolderOptions.Section}:{nameof(HolderOptions.InstitutionCode)}"] = options.InstitutionCode,
        [$"{HolderOptions.Section}:{nameof(HolderOptions.Name)}"] = options.Name,
        [$"{HolderOptions.Section}:{nameof(HolderOptions.KeyDirectory)}"] = options.KeyDirectory,
        [$"{HolderOptions.Section}:{nameof(HolderOptions.IntermediateAddress)}"] = options.IntermediateAddress?.ToString(),
        [$"{HolderOptions.Section}:{nameof(HolderOptions.JlisAddress)}"] = options.JlisAddress?.ToString(),
        [$"{HolderOptions.Section}:{nameof(HolderOptions.InsurerType)}"] = options.InsurerType.ToString(),
        [$"{HolderOptions.Section}:{nameof(HolderOptions.AuditCheckpointPeriod)}"] =
            options.AuditLog.CheckpointPeriod.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// A running holder: its staff API at <see cref="BaseAddress"/>, and the same operations in process (for the demo and
/// batch jobs): its records, the feed to its intermediate server and token acquisition.
/// </summary>
public sealed class HolderNode : IAsyncDisposable
{
    private readonly ServiceHost _host;
    private readonly HolderRuntime _runtime;

    /// <summary>The handle of a holder a host runs (<see cref="HolderModule.AddHolder"/>), from its services.</summary>
    public HolderNode(ServiceHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        _host = host;
        _runtime = host.Services.GetRequiredService<HolderRuntime>();
    }

    /// <summary>The holder's own service.</summary>
    public ServiceHost Host => _host;

    public HolderKind Kind => _runtime.Kind;
    public string InstitutionCode => _runtime.InstitutionCode;
    public string Name => _runtime.Options.Name;
    public Uri BaseAddress => _host.BaseAddress;

    /// <summary>The holder's records (in process).</summary>
    public HolderRecords Records => _runtime.Records;

    public HolderOperationLog OperationLog => _runtime.OperationLog;

    /// <summary>The holder's public keys as a network institution (SubjectPublicKeyInfo DER, base64), for the network's registry.</summary>
    public string SigningPublicKey => _runtime.Keys.SigningPublicKey;
    public string SealingPublicKey => _runtime.Keys.SealingPublicKey;

    /// <summary>The holder's entry for the network's registry: its class, its intermediate server as endpoint, its public keys.</summary>
    public InstitutionInfo Registration => new(InstitutionCode, Name,
        Kind == HolderKind.PensionOrganisation ? InstitutionClass.PensionOrganisation : InstitutionClass.HealthInsurer,
        _runtime.Options.IntermediateAddress!, SigningPublicKey, SealingPublicKey);

    /// <summary>A client of the staff API carrying the staff key. <paramref name="handler"/>: e.g. a mutual-TLS handler (default: plain sockets).</summary>
    public HolderStaffClient CreateStaffClient(HttpMessageHandler? handler = null) =>
        new(new HttpClient(handler ?? new SocketsHttpHandler(), disposeHandler: true) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(10) },
            _runtime.StaffKey, ownsHttpClient: true);

    /// <summary>Sends every changed copy to the intermediate server.</summary>
    public Task<CopyFeedReport> FeedCopiesAsync(int batchSize = CopyFeed.DefaultBatchSize, CancellationToken ct = default) =>
        _runtime.Feed.FeedAsync(batchSize, null, ct);

    /// <summary>Acquires tokens for the people with <paramref name="numbers"/>, or for everyone without one (null).</summary>
    public Task<TokenAcquisitionReport> AcquireTokensAsync(IReadOnlyList<IndividualNumber>? numbers = null, int batchSize = TokenAcquirer.DefaultChunkSize,
        IProgress<TokenAcquisitionProgress>? progress = null, CancellationToken ct = default) =>
        _runtime.Tokens.AcquireAsync(numbers, batchSize, progress, ct);

    /// <summary>Stops the service; the host's container then disposes the runtime (keys, operation log, clients).</summary>
    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
