using Microsoft.Extensions.DependencyInjection;
using Renkei.Infrastructure.Audit;
using Renkei.Infrastructure.Signing;
using Renkei.Network.Policy;
using Renkei.Network.Records;
using Renkei.Network.Registry;
using Renkei.Network.Tokens;
using Renkei.ServiceDefaults;

namespace Renkei.Network;

/// <summary>A running network service. Dispose to stop it (the batch worker first, then HTTP, then the record writer).</summary>
public sealed class NetworkNode : IAsyncDisposable
{
    private readonly InstitutionKeys _keys;
    private int _disposed;

    /// <summary>The handle of a network a host runs (<see cref="NetworkModule.AddNetwork"/>), from its services.</summary>
    public NetworkNode(ServiceHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        Host = host;
        var services = host.Services;
        _keys = services.GetRequiredService<InstitutionKeys>();
        Registry = services.GetRequiredService<InstitutionRegistry>();
        Tokens = services.GetRequiredService<TokenDeriver>();
        Records = services.GetRequiredService<ProvisionRecords>();
        Policy = services.GetRequiredService<LinkagePolicy>();
        _linkage = services.GetRequiredService<Linkage.LinkageService>();
    }

    private readonly Linkage.LinkageService _linkage;

    /// <summary>Immediate linkages this instance evaluated and answered since it started (for a balancer's per-instance figures; decides nothing).</summary>
    public long ImmediateLinkagesAnswered => _linkage.Answered;

    /// <summary>Runs the network on its own host: <paramref name="options"/> as its settings, <paramref name="services"/> registers instances first (a database, a tap, a clock).</summary>
    public static async Task<NetworkNode> StartAsync(NetworkOptions options, Action<IServiceCollection>? services = null, ServiceHostOptions? host = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new NetworkNode(await ServiceHost.StartAsync("network", b => { services?.Invoke(b.Services); b.AddNetwork(); }, a => a.MapNetworkApi(),
            (host ?? new ServiceHostOptions()) with { Settings = ServiceSettings.From(NetworkOptions.Section, options) }, ct));
    }

    public ServiceHost Host { get; }
    public Uri BaseAddress => Host.BaseAddress;

    /// <summary>The network's request-signing key (SPKI DER, base64): nodes verify the network's requests with it.</summary>
    public string SigningPublicKey => _keys.SigningPublicKey;

    /// <summary>
    /// The network's log-signing key (SPKI DER, base64), separate from the request key: it signs the provision records'
    /// tree heads, checkpoints and name table, and is what auditors, monitors and the portal pin.
    /// </summary>
    public string LogPublicKey => Records.NetworkPublicKey;

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

    /// <summary>Stops the host: the batch worker stops first, then HTTP; the container then disposes the records' writer and the keys.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) await Host.DisposeAsync();
    }
}
