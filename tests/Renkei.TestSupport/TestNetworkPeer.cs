using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.Signing;

namespace Renkei.TestSupport;

/// <summary>
/// A small real HTTP stand-in for the information provision network, for tests of the services that call it (the real
/// network service is tested with the real nodes end to end elsewhere): a Kestrel endpoint on loopback that verifies
/// every request's signature against its registry and keeps every body it received (so tests can scan them).
/// <list type="bullet">
/// <item>For J-LIS: it serves <see cref="NetworkRoutes.IssueToken"/> and <see cref="NetworkRoutes.IssueTokenBatch"/>
/// (issuance only from <see cref="InstitutionClass.NumberingAuthority"/>) and derives a stand-in token with an HMAC
/// (the real derivation is the network's business, tested there). When the institution has an endpoint it delivers the
/// token there on <see cref="NodeRoutes"/>; otherwise it keeps the deliveries itself (<see cref="Kept"/>).</item>
/// <item>For intermediate servers: it knows which token denotes which test person at which institution
/// (<see cref="Issue"/>), forwards <see cref="NetworkRoutes.Linkage"/> queries to the provider's node, runs batch
/// queries when they are submitted, and can be told to refuse affairs or tamper with answers.</item>
/// </list>
/// It answers <see cref="NetworkRoutes.InstitutionLookup"/> from its registry, and everything it sends to a node is
/// signed as <see cref="NodeRoutes.NetworkInstitutionCode"/> with <see cref="SigningKey"/>.
/// </summary>
public sealed class TestNetworkPeer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (InstitutionInfo Info, ECDsa Key)> _registry = new();
    private readonly byte[] _tokenKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<(string Institution, Token Token), string> _persons = new();
    private readonly ConcurrentDictionary<(string Person, string Institution), Token> _tokens = new();
    private readonly ConcurrentDictionary<Guid, LinkageResponse> _answered = new();
    private readonly ConcurrentDictionary<Guid, (string Inquirer, List<BatchItemResult> Results)> _batches = new();
    private readonly ConcurrentDictionary<string, HttpClient> _nodeClients = new();
    private ServiceHost _host = null!;
    private long _sequence;
    private int _linkages;
    private int _batchSubmissions;

    private TestNetworkPeer()
    {
    }

    /// <summary>The key the peer signs its requests to intermediate servers with (pin its public half there).</summary>
    public ECDsa SigningKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public string SigningPublicKey => Convert.ToBase64String(SigningKey.ExportSubjectPublicKeyInfo());

    public Uri BaseAddress => _host.BaseAddress;

    /// <summary>Every request body received (signature verified), with its route, in order.</summary>
    public ConcurrentQueue<(string Route, string Body)> Received { get; } = new();

    /// <summary>Issuance requests received (single) and the code each carried.</summary>
    public ConcurrentQueue<IssueTokenRequest> Issued { get; } = new();

    public ConcurrentQueue<IssueTokenBatchRequest> BatchesIssued { get; } = new();

    /// <summary>Tokens kept by the peer for institutions without an endpoint: (institution, request or batch id, index) → token.</summary>
    public ConcurrentDictionary<(string Institution, Guid Id, int Index), Token> Kept { get; } = new();

    /// <summary>False: issuance routes answer 503 (the network is down for token issuance).</summary>
    public bool Available { get; set; } = true;

    /// <summary>Set: the next batch delivery passes only this many tokens to the node and answers that count (a partial delivery), then clears.</summary>
    public int? DeliverOnlyNext { get; set; }

    /// <summary>Linkage requests answered the first time (a replayed request id is not counted).</summary>
    public int Linkages => _linkages;

    /// <summary>Batch submissions received (a resent batch id is counted, and ignored).</summary>
    public int BatchSubmissions => _batchSubmissions;

    /// <summary>Refuses queries in these affairs with <see cref="RefusalCodes.NoPolicyRow"/>.</summary>
    public HashSet<string> AffairsWithoutPolicy { get; } = [];

    /// <summary>Applied to every provider answer before it goes back (to forge or damage it).</summary>
    public Func<SignedSealedAnswer, SignedSealedAnswer>? AlterAnswer { get; set; }

    public static async Task<TestNetworkPeer> StartAsync()
    {
        var peer = new TestNetworkPeer();
        peer._host = await ServiceHost.StartAsync("test-network", _ => { }, peer.Map);
        return peer;
    }

    public void Register(InstitutionInfo info) => _registry[info.Code] = (info, RequestSignature.ImportPublicKey(info.SigningPublicKey));

    /// <summary>Registers an institution that signs and seals with one key (enough where nothing is sealed to it).</summary>
    public void Register(string code, InstitutionClass kind, string signingPublicKey, Uri? endpoint = null) =>
        Register(new InstitutionInfo(code, code, kind, endpoint, signingPublicKey, signingPublicKey));

    /// <summary>The stand-in token of a resident-record code for an institution.</summary>
    public Token TokenOf(ResidentCode code, string institution)
    {
        var mac = HMACSHA256.HashData(_tokenKey, Encoding.UTF8.GetBytes(institution + "|" + code.Digits));
        return Token.FromInt64((long)(BitConverter.ToUInt64(mac, 0) % (ulong)Token.ValueCount));
    }

    /// <summary>The network's knowledge that <paramref name="token"/> denotes <paramref name="person"/> at <paramref name="institution"/>.</summary>
    public void Issue(string person, string institution, Token token)
    {
        _persons[(institution, token)] = person;
        _tokens[(person, institution)] = token;
    }

    /// <summary>A client that signs as the network, for calling a node's <see cref="NodeRoutes"/>.</summary>
    public HttpClient ClientFor(Uri node, string holder) => _nodeClients.GetOrAdd(node + "|" + holder, _ =>
        SigningHandler.CreateClient(node, NodeRoutes.NetworkInstitutionCode, SigningKey, holder));

    private void Map(WebApplication app)
    {
        var routes = app.MapGroup("").AllowPublic("test double: checks the signature itself");
        routes.MapPost("/" + NetworkRoutes.InstitutionLookup, (HttpRequest http) => Handle<InstitutionLookupRequest>(http.HttpContext, NetworkRoutes.InstitutionLookup, LookupAsync));
        routes.MapPost("/" + NetworkRoutes.IssueToken, (HttpRequest http) => Handle<IssueTokenRequest>(http.HttpContext, NetworkRoutes.IssueToken, IssueAsync));
        routes.MapPost("/" + NetworkRoutes.IssueTokenBatch, (HttpRequest http) => Handle<IssueTokenBatchRequest>(http.HttpContext, NetworkRoutes.IssueTokenBatch, IssueBatchAsync));
        routes.MapPost("/" + NetworkRoutes.Linkage, (HttpRequest http) => Handle<LinkageRequest>(http.HttpContext, NetworkRoutes.Linkage, LinkageAsync));
        routes.MapPost("/" + NetworkRoutes.LinkageBatch, (HttpRequest http) => Handle<BatchLinkageRequest>(http.HttpContext, NetworkRoutes.LinkageBatch, SubmitBatchAsync));
        routes.MapPost("/" + NetworkRoutes.LinkageBatchStatus, (HttpRequest http) => Handle<BatchStatusRequest>(http.HttpContext, NetworkRoutes.LinkageBatchStatus, BatchStatusAsync));
    }

    private Task<IResult> LookupAsync(string sender, InstitutionLookupRequest request) => Task.FromResult(
        _registry.TryGetValue(request.Code, out var entry)
            ? Results.Json(entry.Info, JsonDefaults.Options)
            : ErrorResponses.Problem(404, "unknown-institution", "no such institution"));

    private async Task<IResult> IssueAsync(string sender, IssueTokenRequest request)
    {
        if (!Available) return ErrorResponses.Problem(503, "unavailable", "down for the test");
        if (_registry[sender].Info.Class != InstitutionClass.NumberingAuthority) return ErrorResponses.Problem(403, "not-numbering-authority", "J-LIS only");
        if (!_registry.TryGetValue(request.Institution, out var entry)) return ErrorResponses.Problem(404, "unknown-institution", "no such institution");
        Issued.Enqueue(request);
        var token = TokenOf(request.ResidentCode, request.Institution);
        if (entry.Info.Endpoint is null)
        {
            Kept[(request.Institution, request.RequestId, 0)] = token;
            return Results.Json(new IssueTokenResponse(request.RequestId, true), JsonDefaults.Options);
        }
        using var response = await PostToNodeAsync(entry.Info, NodeRoutes.DeliverToken, new TokenDelivery(request.RequestId, request.Institution, token));
        var ack = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<TokenDeliveryAck>(JsonDefaults.Options) : null;
        return Results.Json(new IssueTokenResponse(request.RequestId, ack?.Bound == true), JsonDefaults.Options);
    }

    private async Task<IResult> IssueBatchAsync(string sender, IssueTokenBatchRequest request)
    {
        if (!Available) return ErrorResponses.Problem(503, "unavailable", "down for the test");
        if (_registry[sender].Info.Class != InstitutionClass.NumberingAuthority) return ErrorResponses.Problem(403, "not-numbering-authority", "J-LIS only");
        if (!_registry.TryGetValue(request.Institution, out var entry)) return ErrorResponses.Problem(404, "unknown-institution", "no such institution");
        BatchesIssued.Enqueue(request);
        var tokens = request.Items.Select(i => new IndexedToken(i.Index, TokenOf(i.ResidentCode, request.Institution))).ToList();
        if (DeliverOnlyNext is { } only)
        {
            DeliverOnlyNext = null;
            tokens = tokens.Take(only).ToList();
        }
        if (entry.Info.Endpoint is null)
        {
            foreach (var t in tokens) Kept[(request.Institution, request.BatchId, t.Index)] = t.Token;
            return Results.Json(new IssueTokenBatchResponse(request.BatchId, tokens.Count), JsonDefaults.Options);
        }
        if (tokens.Count == 0) return Results.Json(new IssueTokenBatchResponse(request.BatchId, 0), JsonDefaults.Options);
        using var response = await PostToNodeAsync(entry.Info, NodeRoutes.DeliverTokenBatch, new TokenBatchDelivery(request.BatchId, request.Institution, tokens));
        var ack = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<TokenBatchDeliveryAck>(JsonDefaults.Options) : null;
        return Results.Json(new IssueTokenBatchResponse(request.BatchId, ack?.Bound ?? 0), JsonDefaults.Options);
    }

    private async Task<IResult> LinkageAsync(string sender, LinkageRequest request)
    {
        if (_answered.TryGetValue(request.RequestId, out var first)) return Results.Json(first, JsonDefaults.Options);
        Interlocked.Increment(ref _linkages);
        var answer = await RouteAsync(request.RequestId, request.Inquirer, request.InquirerToken, request.Affair, request.Provider, request.Kind, request.AsOf);
        return Results.Json(_answered.GetOrAdd(request.RequestId, answer), JsonDefaults.Options);
    }

    private async Task<IResult> SubmitBatchAsync(string sender, BatchLinkageRequest request)
    {
        Interlocked.Increment(ref _batchSubmissions);
        if (!_batches.ContainsKey(request.BatchId))
        {
            var results = new List<BatchItemResult>();
            for (var i = 0; i < request.Items.Count; i++)
            {
                var item = request.Items[i];
                var response = await RouteAsync(Guid.NewGuid(), request.Inquirer, item.InquirerToken, request.Affair, request.Provider, request.Kind, item.AsOf);
                results.Add(new BatchItemResult(i, item.ItemId, response));
            }
            _batches.TryAdd(request.BatchId, (request.Inquirer, results));
        }
        return Results.Json(new BatchLinkageAccepted(request.BatchId, request.Items.Count, BatchState.Queued), JsonDefaults.Options, statusCode: 202);
    }

    private Task<IResult> BatchStatusAsync(string sender, BatchStatusRequest request)
    {
        if (!_batches.TryGetValue(request.BatchId, out var batch) || batch.Inquirer != request.Inquirer)
            return Task.FromResult(ErrorResponses.Problem(404, "unknown-batch", "no such batch"));
        var page = batch.Results.Where(r => r.ItemIndex > request.AfterItemIndex).Take(request.Limit).ToList();
        return Task.FromResult(Results.Json(new BatchStatusResponse(request.BatchId, BatchState.Completed, batch.Results.Count, batch.Results.Count, 0, page), JsonDefaults.Options));
    }

    private async Task<LinkageResponse> RouteAsync(Guid requestId, string inquirer, Token token, string affair, string provider, string kind, DateOnly? asOf)
    {
        LinkageResponse Refuse(string code) => new(requestId, LinkageOutcome.Refused, code, "refused by the test network: " + code, null, Interlocked.Increment(ref _sequence));
        if (!_persons.TryGetValue((inquirer, token), out var person)) return Refuse(RefusalCodes.UnknownToken);
        if (!_registry.TryGetValue(provider, out var target) || target.Info.Endpoint is null) return Refuse(RefusalCodes.ProviderNotRegistered);
        if (AffairsWithoutPolicy.Contains(affair)) return Refuse(RefusalCodes.NoPolicyRow);
        if (!_tokens.TryGetValue((person, provider), out var providerToken)) return Refuse(RefusalCodes.ProviderHasNoToken);
        var forward = new ProvideRequest(requestId, inquirer, affair, provider, providerToken, kind, asOf, _registry[inquirer].Info.SealingPublicKey);
        HttpResponseMessage reply;
        try
        {
            reply = await PostToNodeAsync(target.Info, NodeRoutes.Provide, forward);
        }
        catch (HttpRequestException)
        {
            return new LinkageResponse(requestId, LinkageOutcome.ProviderUnavailable, null, "provider unavailable", null, Interlocked.Increment(ref _sequence));
        }
        using (reply)
        {
            reply.EnsureSuccessStatusCode();
            var answer = (await reply.Content.ReadFromJsonAsync<SignedSealedAnswer>(JsonDefaults.Options))!;
            answer = AlterAnswer?.Invoke(answer) ?? answer;
            return new LinkageResponse(requestId, answer.Held ? LinkageOutcome.Provided : LinkageOutcome.NotHeld, null, null, answer, Interlocked.Increment(ref _sequence));
        }
    }

    /// <summary>Verifies the signature, records the body, and hands the sender's code and the request to <paramref name="work"/>.</summary>
    private async Task<IResult> Handle<T>(HttpContext context, string route, Func<string, T, Task<IResult>> work)
    {
        var signed = await SignedRequestVerifier.ReadAsync(context, code => _registry.TryGetValue(code, out var entry) ? entry.Key : null, TimeProvider.System, NodeRoutes.NetworkInstitutionCode);
        if (!signed.IsVerified) return signed.ToProblem();
        Received.Enqueue((route, Encoding.UTF8.GetString(signed.Body)));
        var request = JsonSerializer.Deserialize<T>(signed.Body, JsonDefaults.Options)!;
        return await work(signed.Institution!, request);
    }

    /// <summary>Posts to an institution's node, signed as the network for that institution.</summary>
    private Task<HttpResponseMessage> PostToNodeAsync<T>(InstitutionInfo institution, string route, T body) =>
        ClientFor(institution.Endpoint!, institution.Code).PostAsJsonAsync(route, body, JsonDefaults.Options);

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        foreach (var client in _nodeClients.Values) client.Dispose();
        foreach (var (_, key) in _registry.Values) key.Dispose();
        SigningKey.Dispose();
    }
}
