using System.Security.Cryptography;
using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Network.Contracts;

namespace Renkei.Portal.SelfInformation;

/// <summary>What became of one (institution, kind) query of the self-information page.</summary>
public enum SelfInformationState
{
    /// <summary>提供: the holder answered with the information, signature and seal checked.</summary>
    Provided,
    /// <summary>該当なし: the holder holds nothing of this kind for the person.</summary>
    NotHeld,
    /// <summary>The network refused the query (a refusal code says why).</summary>
    Refused,
    /// <summary>The holder did not answer (down or too slow), or the network could not be reached.</summary>
    Unavailable,
    /// <summary>An answer arrived but failed a check (signature, seal, kind or outcome): it is not shown.</summary>
    NotAuthentic,
}

/// <summary>
/// One answer on the self-information page: which holder, which kind, and what came back. <paramref name="Information"/>
/// is present for <see cref="SelfInformationState.Provided"/> (and carries the holder's reason for
/// <see cref="SelfInformationState.NotHeld"/>). <paramref name="RecordSequence"/> is the network's provision record of
/// the query (it shows in やりとり履歴).
/// </summary>
public sealed record SelfInformationItem(
    string Institution,
    string InstitutionName,
    string Kind,
    string KindName,
    SelfInformationState State,
    ProvidedInformation? Information,
    long? RecordSequence,
    string? RefusalCode);

/// <summary>A holder the person has a token at, and its answers in the order the network listed the kinds.</summary>
public sealed record SelfInformationSource(string Institution, string Name, InstitutionClass Class, IReadOnlyList<SelfInformationItem> Items);

public sealed record SelfInformationReport(IReadOnlyList<SelfInformationSource> Sources, DateTimeOffset FetchedAt);

/// <summary>
/// 自己情報表示: fetches the logged-in person's own information from every holder, through the network, for the page and
/// nothing else. It asks the network which institutions hold a token for the person and which self-display kinds each may
/// be asked for (<see cref="PortalRoutes.SelfSources"/>), then queries each (institution, kind) on the ordinary linkage
/// route as the portal in affair <see cref="SelfDisplay.Affair"/> with the session's portal token — so every query is a
/// provision record like any other. Each answer's provider signature is checked against the key the network's registry
/// publishes for the provider and opened with the portal's sealing key (<see cref="SignedAnswers"/>); an answer that fails
/// any check is not shown. Nothing is stored: the report lives as long as the page that shows it.
/// </summary>
public sealed class SelfInformationReader(
    INetworkClient network,
    IPortalNetworkClient portalNetwork,
    string portal,
    ECDiffieHellman sealingKey,
    TimeProvider clock)
{
    /// <summary>Queries in flight at once for one page (the network and the holders answer each in turn).</summary>
    public const int Parallelism = 4;

    /// <exception cref="NetworkException">The network refused the list of sources (e.g. the session's token is no longer valid).</exception>
    public async Task<SelfInformationReport> ReadAsync(Token portalToken, CancellationToken cancellationToken)
    {
        var list = await portalNetwork.SelfSourcesAsync(new SelfSourcesRequest(portal, portalToken), cancellationToken);
        var keys = new Dictionary<string, Task<ECDsa?>>(StringComparer.Ordinal);
        foreach (var source in list.Sources)
            keys.TryAdd(source.Institution, ProviderKeyAsync(source.Institution, cancellationToken));

        var fetch = SelfDisplayFetch.Start();
        using var gate = new SemaphoreSlim(Parallelism);
        try
        {
            var queries = list.Sources.Select(source => (source, items: source.Kinds.Select(async kind =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    return await QueryAsync(fetch, source, kind, portalToken, keys[source.Institution], cancellationToken);
                }
                finally
                {
                    gate.Release();
                }
            }).ToList())).ToList();
            var result = new List<SelfInformationSource>(queries.Count);
            foreach (var (source, items) in queries)
                result.Add(new SelfInformationSource(source.Institution, source.Name, source.Class, await Task.WhenAll(items)));
            return new SelfInformationReport(result, clock.GetUtcNow());
        }
        finally
        {
            foreach (var key in keys.Values)
                if (key.IsCompletedSuccessfully) key.Result?.Dispose();
        }
    }

    private async Task<SelfInformationItem> QueryAsync(SelfDisplayFetch fetch, SelfSource source, SelfDisplayKind kind, Token portalToken,
        Task<ECDsa?> providerKey, CancellationToken cancellationToken)
    {
        SelfInformationItem Item(SelfInformationState state, ProvidedInformation? information = null, long? sequence = null, string? refusal = null) =>
            new(source.Institution, source.Name, kind.Kind, kind.Name, state, information, sequence, refusal);

        LinkageResponse linkage;
        var request = new LinkageRequest(fetch.NextRequestId(), portal, portalToken, SelfDisplay.Affair, source.Institution, kind.Kind, null, null);
        try
        {
            linkage = await network.LinkageAsync(request, cancellationToken);
        }
        catch (Exception e) when (e is NetworkException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Item(SelfInformationState.Unavailable);
        }
        if (linkage.RequestId != request.RequestId) return Item(SelfInformationState.NotAuthentic, sequence: linkage.RecordSequence);
        switch (linkage.Outcome)
        {
            case LinkageOutcome.Refused:
                return Item(SelfInformationState.Refused, sequence: linkage.RecordSequence, refusal: linkage.RefusalCode);
            case LinkageOutcome.ProviderUnavailable:
                return Item(SelfInformationState.Unavailable, sequence: linkage.RecordSequence);
        }
        var key = await providerKey;
        if (key is null) return Item(SelfInformationState.Unavailable, sequence: linkage.RecordSequence);
        try
        {
            var information = SignedAnswers.VerifyAndOpen(linkage, portal, source.Institution, kind.Kind, key, sealingKey);
            return information is null
                ? Item(SelfInformationState.Unavailable, sequence: linkage.RecordSequence)
                : Item(information.Held ? SelfInformationState.Provided : SelfInformationState.NotHeld, information, linkage.RecordSequence);
        }
        catch (AnswerNotAuthenticException)
        {
            return Item(SelfInformationState.NotAuthentic, sequence: linkage.RecordSequence);
        }
    }

    /// <summary>The provider's signing key as the registry publishes it now (looked up per page: a changed key is seen at once); null when unobtainable.</summary>
    private async Task<ECDsa?> ProviderKeyAsync(string institution, CancellationToken cancellationToken)
    {
        try
        {
            var info = await network.LookupInstitutionAsync(new InstitutionLookupRequest(institution), cancellationToken);
            return RequestSignature.ImportPublicKey(info.SigningPublicKey);
        }
        catch (Exception e) when (e is NetworkException or HttpRequestException or FormatException or CryptographicException
                                      or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}

/// <summary>
/// One fetch of わたしの情報: its queries' request ids share their first 8 bytes (random per fetch; the other 8 are random per
/// query, so ids stay unique), which lets やりとり履歴 show the fetch's provision records as one line (<see cref="History.Groups"/>).
/// The shared part says nothing about the person: it is random and lives only in the portal's own requests.
/// </summary>
public sealed class SelfDisplayFetch
{
    private readonly byte[] _prefix;

    private SelfDisplayFetch(byte[] prefix) => _prefix = prefix;

    public static SelfDisplayFetch Start() => new(RandomNumberGenerator.GetBytes(8));

    /// <summary>A new request id of this fetch.</summary>
    public Guid NextRequestId()
    {
        Span<byte> bytes = stackalloc byte[16];
        _prefix.CopyTo(bytes);
        RandomNumberGenerator.Fill(bytes[8..]);
        return new Guid(bytes);
    }

    /// <summary>Whether two request ids were made by the same fetch.</summary>
    public static bool Same(Guid a, Guid b)
    {
        Span<byte> x = stackalloc byte[16], y = stackalloc byte[16];
        a.TryWriteBytes(x);
        b.TryWriteBytes(y);
        return x[..8].SequenceEqual(y[..8]);
    }
}
