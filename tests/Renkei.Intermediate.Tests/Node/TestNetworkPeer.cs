using Renkei.ServiceDefaults.Access;
using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults.Signing;
using Renkei.ServiceDefaults;

namespace Renkei.Intermediate.Tests.Node;

/// <summary>
/// A small stand-in for the information provision network, for these unit tests only (the real network service is
/// tested with the real nodes end to end elsewhere): a Kestrel endpoint on loopback that verifies the institutions'
/// signatures, knows which token denotes which test person at which institution, forwards queries to the provider's
/// node signed with its own key as <see cref="NodeRoutes.NetworkInstitutionCode"/>, answers lookups from its registry,
/// and runs batch queries when they are submitted. It can be told to tamper with answers.
/// </summary>
public sealed class TestNetworkPeer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (InstitutionInfo Info, ECDsa Key)> _registry = new();
    private readonly ConcurrentDictionary<(string Institution, Token Token), string> _persons = new();
    private readonly ConcurrentDictionary<(string Person, string Institution), Token> _tokens = new();
    private readonly ConcurrentDictionary<Guid, LinkageResponse> _answered = new();
    private readonly ConcurrentDictionary<Guid, (string Inquirer, List<BatchItemResult> Results)> _batches = new();
    private readonly ConcurrentDictionary<string, HttpClient> _nodeClients = new();
    private long _sequence;
    private int _linkages;
    private int _batchSubmissions;

    private TestNetworkPeer(ServiceHost host) => Host = host;

    public ECDsa Key { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public string SigningPublicKey => Convert.ToBase64String(Key.ExportSubjectPublicKeyInfo());
    public ServiceHost Host { get; }
    public Uri BaseAddress => Host.BaseAddress;

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
        TestNetworkPeer? peer = null;
        var host = await ServiceHost.StartAsync("test-network", _ => { }, app =>
        {
            var routes = app.MapGroup("").AllowPublic("test double: checks the signature itself");
            routes.MapPost("/" + NetworkRoutes.Linkage, (HttpRequest request) => peer!.LinkageAsync(request.HttpContext));
            routes.MapPost("/" + NetworkRoutes.LinkageBatch, (HttpRequest request) => peer!.SubmitBatchAsync(request.HttpContext));
            routes.MapPost("/" + NetworkRoutes.LinkageBatchStatus, (HttpRequest request) => peer!.BatchStatusAsync(request.HttpContext));
            routes.MapPost("/" + NetworkRoutes.InstitutionLookup, (HttpRequest request) => peer!.LookupAsync(request.HttpContext));
        });
        peer = new TestNetworkPeer(host);
        return peer;
    }

    public void Register(InstitutionInfo info) => _registry[info.Code] = (info, RequestSignature.ImportPublicKey(info.SigningPublicKey));

    /// <summary>The network's knowledge that <paramref name="token"/> denotes <paramref name="person"/> at <paramref name="institution"/>.</summary>
    public void Issue(string person, string institution, Token token)
    {
        _persons[(institution, token)] = person;
        _tokens[(person, institution)] = token;
    }

    /// <summary>A client that signs as the network, for calling a node's <see cref="NodeRoutes"/>.</summary>
    public HttpClient ClientFor(Uri node, string holder) => _nodeClients.GetOrAdd(node + "|" + holder, _ =>
        SigningHandler.CreateClient(node, NodeRoutes.NetworkInstitutionCode, Key, holder));

    private async Task<IResult> LinkageAsync(HttpContext context)
    {
        var (request, refused) = await ReadAsync<LinkageRequest>(context);
        if (request is null) return refused!;
        if (_answered.TryGetValue(request.RequestId, out var first)) return Results.Json(first, JsonDefaults.Options);
        Interlocked.Increment(ref _linkages);
        var answer = await RouteAsync(request.RequestId, request.Inquirer, request.InquirerToken, request.Affair, request.Provider, request.Kind, request.AsOf);
        return Results.Json(_answered.GetOrAdd(request.RequestId, answer), JsonDefaults.Options);
    }

    private async Task<IResult> SubmitBatchAsync(HttpContext context)
    {
        var (request, refused) = await ReadAsync<BatchLinkageRequest>(context);
        if (request is null) return refused!;
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

    private async Task<IResult> BatchStatusAsync(HttpContext context)
    {
        var (request, refused) = await ReadAsync<BatchStatusRequest>(context);
        if (request is null) return refused!;
        if (!_batches.TryGetValue(request.BatchId, out var batch) || batch.Inquirer != request.Inquirer)
            return ErrorResponses.Problem(404, "unknown-batch", "no such batch");
        var page = batch.Results.Where(r => r.ItemIndex > request.AfterItemIndex).Take(request.Limit).ToList();
        return Results.Json(new BatchStatusResponse(request.BatchId, BatchState.Completed, batch.Results.Count, batch.Results.Count, 0, page), JsonDefaults.Options);
    }

    private async Task<IResult> LookupAsync(HttpContext context)
    {
        var (request, refused) = await ReadAsync<InstitutionLookupRequest>(context);
        if (request is null) return refused!;
        return _registry.TryGetValue(request.Code, out var entry)
            ? Results.Json(entry.Info, JsonDefaults.Options)
            : ErrorResponses.Problem(404, "unknown-institution", "no such institution");
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
            reply = await ClientFor(target.Info.Endpoint, target.Info.Code).PostAsJsonAsync(NodeRoutes.Provide, forward, JsonDefaults.Options);
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

    private async Task<(T? Request, IResult? Refused)> ReadAsync<T>(HttpContext context) where T : class
    {
        var signed = await SignedRequestVerifier.ReadAsync(context, code => _registry.TryGetValue(code, out var entry) ? entry.Key : null, TimeProvider.System, NodeRoutes.NetworkInstitutionCode);
        if (!signed.IsVerified) return (null, signed.ToProblem());
        return (JsonSerializer.Deserialize<T>(signed.Body, JsonDefaults.Options)!, null);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        foreach (var client in _nodeClients.Values) client.Dispose();
        foreach (var (_, key) in _registry.Values) key.Dispose();
        Key.Dispose();
    }
}
