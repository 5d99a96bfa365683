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
