using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Holders.Audit;
using Renkei.Holders.Feed;
using Renkei.Holders.Http;
using Renkei.Holders.Records;
using Renkei.Holders.Storage;
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
    /// Creates the holder's schema and keys if missing and starts its service. The intermediate server at
    /// <see cref="HolderServiceOptions.IntermediateAddress"/> is the holder's own, started separately
    /// (<c>IntermediateService.StartAsync</c> with the holder's code).
    /// </summary>
    public static async Task<HolderNode> StartAsync(HolderServiceOptions options, CancellationToken ct = default)
    {
        var runtime = HolderRuntime.Create(options);
        try
        {
            var host = await ServiceHost.StartAsync("holder-" + options.InstitutionCode,
                builder =>
                {
                    var services = builder.Services;
                    services.AddSingleton(runtime);
                    HolderEndpoints.AddStaffScheme(services, runtime);
                },
                app => HolderEndpoints.Map(app, runtime, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Renkei.Holders")),
                new ServiceHostOptions(options.Port, options.Address) { MutualTls = options.Tls, ApiReference = options.ApiReference }, ct);
            return new HolderNode(host, runtime);
        }
        catch
        {
            await runtime.DisposeAsync();
            throw;
        }
    }
}

/// <summary>
/// A running holder: its staff API at <see cref="BaseAddress"/>, and the same operations in process (for the demo and
/// batch jobs): its records, the feed to its intermediate server and token acquisition.
/// </summary>
public sealed class HolderNode : IAsyncDisposable
{
    private readonly ServiceHost _host;
    private readonly HolderRuntime _runtime;

    internal HolderNode(ServiceHost host, HolderRuntime runtime)
    {
        _host = host;
        _runtime = runtime;
    }

    /// <summary>The holder's own service.</summary>
    public ServiceHost Host => _host;

    public HolderKind Kind => _runtime.Options.Kind;
    public string InstitutionCode => _runtime.Options.InstitutionCode;
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
        _runtime.Options.IntermediateAddress, SigningPublicKey, SealingPublicKey);

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

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _runtime.DisposeAsync();
    }
}

/// <summary>Everything one holder runs with, created once per service.</summary>
internal sealed class HolderRuntime : IAsyncDisposable
{
    private readonly HttpClient _intermediateHttp;
    private readonly HttpClient? _jlisHttp;

    private HolderRuntime(HolderServiceOptions options, HolderStore store, InstitutionKeys keys, HolderOperationLog log, byte[] staffKey,
        HttpClient intermediateHttp, HttpClient? jlisHttp)
    {
        Options = options;
        Keys = keys;
        OperationLog = log;
        StaffKey = staffKey;
        _intermediateHttp = intermediateHttp;
        _jlisHttp = jlisHttp;
        Records = new HolderRecords(store, options.Kind, options.InstitutionCode, options.InsurerType, options.Clock);
        var intermediate = new IntermediateHttpClient(intermediateHttp);
        Linkage = intermediate;
        Feed = new CopyFeed(Records, intermediate);
        Tokens = new HolderTokens(store, options.InstitutionCode, intermediate, jlisHttp is null ? null : new JlisHttpClient(jlisHttp), options.Clock);
    }

    public HolderServiceOptions Options { get; }
    public InstitutionKeys Keys { get; }
    public HolderOperationLog OperationLog { get; }
    public byte[] StaffKey { get; }
    public HolderRecords Records { get; }
    public CopyFeed Feed { get; }
    public HolderTokens Tokens { get; }

    /// <summary>The intermediate server as the holder's node for queries (情報照会).</summary>
    public IIntermediateLinkageClient Linkage { get; }

    public static HolderRuntime Create(HolderServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Database);
        ArgumentNullException.ThrowIfNull(options.IntermediateAddress);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Name);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.KeyDirectory);
        if (!Enum.IsDefined(options.Kind)) throw new ArgumentException("unknown holder kind", nameof(options));
        if (!HolderInstitutions.IsInstitutionCode(options.InstitutionCode))
            throw new ArgumentException("an institution code is 6–8 of 0-9 and A-Z", nameof(options));
        if (options.Kind == HolderKind.HealthInsurer && !HolderInstitutions.IsInsurerNumber(options.InstitutionCode))
            throw new ArgumentException("an insurer's institution code is its 8-digit insurer number (保険者番号)", nameof(options));

        var store = new HolderStore(options.Database);
        store.EnsureSchema();
        var keys = InstitutionKeys.LoadOrCreate(options.InstitutionKeyDirectory);
        HolderOperationLog? log = null;
        try
        {
            var staffKey = SecretKeyFile.LoadOrCreate(Path.Combine(options.KeyDirectory, HolderRoutes.StaffKeyFileName));
            log = HolderOperationLog.Open(options.Database, options.InstitutionCode,
                Path.Combine(options.KeyDirectory, HolderOperationLog.SigningKeyFileName), options.Clock, options.AuditLog);
            // The holder's own intermediate server takes calls from the holder alone: signed with its institution key.
            var intermediateHttp = SigningHandler.CreateClient(options.IntermediateAddress, options.InstitutionCode, keys.Signing, options.InstitutionCode,
                options.Tls?.CreateHandler(), TimeSpan.FromMinutes(5), options.Clock);
            var jlisHttp = options.JlisAddress is null
                ? null
                : SigningHandler.CreateClient(options.JlisAddress, options.InstitutionCode, keys.Signing, Renkei.Jlis.Contracts.JlisTokenRoutes.JlisInstitutionCode, options.Tls?.CreateHandler(),
                    TimeSpan.FromMinutes(10), options.Clock);
            return new HolderRuntime(options, store, keys, log, staffKey, intermediateHttp, jlisHttp);
        }
        catch
        {
            keys.Dispose();
            log?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>True when <paramref name="presented"/> is the staff key (compared in constant time).</summary>
    public bool IsStaffKey(ReadOnlySpan<byte> presented) => CryptographicOperations.FixedTimeEquals(presented, StaffKey);

    public async ValueTask DisposeAsync()
    {
        _intermediateHttp.Dispose();
        _jlisHttp?.Dispose();
        await OperationLog.DisposeAsync();
        Keys.Dispose();
        CryptographicOperations.ZeroMemory(StaffKey);
    }
}
