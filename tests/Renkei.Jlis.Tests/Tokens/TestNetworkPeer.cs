using Renkei.Core.Crypto;
using Renkei.ServiceDefaults.Access;
using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults.Signing;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Tests.Tokens;

/// <summary>
/// A small real HTTP peer standing in for the information provision network in token tests: it serves
/// <see cref="NetworkRoutes.InstitutionLookup"/>, <see cref="NetworkRoutes.IssueToken"/> and
/// <see cref="NetworkRoutes.IssueTokenBatch"/>, verifies every request's signature against its registry (issuance only
/// from <see cref="InstitutionClass.NumberingAuthority"/>), keeps every body it received (so tests can scan them), and
/// derives a stand-in token with an HMAC (the real derivation is the network's business, tested there). When the
/// institution has an endpoint it delivers the token there on <see cref="NodeRoutes"/>, signed as
/// <see cref="NodeRoutes.NetworkInstitutionCode"/> with <see cref="SigningKey"/>; otherwise it keeps the deliveries itself.
/// </summary>
public sealed class TestNetworkPeer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, InstitutionInfo> _registry = new();
    private readonly ConcurrentDictionary<string, ECDsa> _keys = new();
    private readonly byte[] _tokenKey = RandomNumberGenerator.GetBytes(32);
    private readonly HttpClient _outgoing;
    private ServiceHost _host = null!;

    private TestNetworkPeer()
    {
        _outgoing = new HttpClient(new SigningHandler(NodeRoutes.NetworkInstitutionCode, SigningKey, audience: null) { InnerHandler = new SocketsHttpHandler() });
    }

    /// <summary>The key the peer signs its requests to intermediate servers with (pin its public half there).</summary>
    public ECDsa SigningKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public string SigningPublicKey => Convert.ToBase64String(SigningKey.ExportSubjectPublicKeyInfo());

    public Uri BaseAddress => _host.BaseAddress;

    /// <summary>Every request body received, with its route, in order.</summary>
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

    public static async Task<TestNetworkPeer> StartAsync()
    {
        var peer = new TestNetworkPeer();
        peer._host = await ServiceHost.StartAsync("test-network", _ => { }, peer.Map);
        return peer;
    }

    public void Register(string code, InstitutionClass kind, string signingPublicKey, Uri? endpoint = null)
    {
        _registry[code] = new InstitutionInfo(code, code, kind, endpoint, signingPublicKey, signingPublicKey);
        _keys[code] = Core.Crypto.RequestSignature.ImportPublicKey(signingPublicKey);
    }

    /// <summary>The stand-in token of a resident-record code for an institution.</summary>
    public Token TokenOf(ResidentCode code, string institution)
    {
        var mac = HMACSHA256.HashData(_tokenKey, Encoding.UTF8.GetBytes(institution + "|" + code.Digits));
        return Token.FromInt64((long)(BitConverter.ToUInt64(mac, 0) % (ulong)Token.ValueCount));
    }

    private void Map(WebApplication app)
    {
        var routes = app.MapGroup("").AllowPublic("test double: checks the signature itself");
        routes.MapPost("/" + NetworkRoutes.InstitutionLookup, (HttpRequest http) => Handle<InstitutionLookupRequest>(http.HttpContext, NetworkRoutes.InstitutionLookup,
            (_, request) => Task.FromResult(_registry.TryGetValue(request.Code, out var info)
                ? Results.Json(info, JsonDefaults.Options)
                : ErrorResponses.Problem(404, "unknown-institution", "no such institution"))));
        routes.MapPost("/" + NetworkRoutes.IssueToken, (HttpRequest http) => Handle<IssueTokenRequest>(http.HttpContext, NetworkRoutes.IssueToken, IssueAsync));
        routes.MapPost("/" + NetworkRoutes.IssueTokenBatch, (HttpRequest http) => Handle<IssueTokenBatchRequest>(http.HttpContext, NetworkRoutes.IssueTokenBatch, IssueBatchAsync));
    }

    private async Task<IResult> IssueAsync(string sender, IssueTokenRequest request)
    {
        if (!Available) return ErrorResponses.Problem(503, "unavailable", "down for the test");
        if (_registry[sender].Class != InstitutionClass.NumberingAuthority) return ErrorResponses.Problem(403, "not-numbering-authority", "J-LIS only");
        if (!_registry.TryGetValue(request.Institution, out var institution)) return ErrorResponses.Problem(404, "unknown-institution", "no such institution");
        Issued.Enqueue(request);
        var token = TokenOf(request.ResidentCode, request.Institution);
        if (institution.Endpoint is null)
        {
            Kept[(request.Institution, request.RequestId, 0)] = token;
            return Results.Json(new IssueTokenResponse(request.RequestId, true), JsonDefaults.Options);
        }
        using var response = await PostToNodeAsync(institution, NodeRoutes.DeliverToken, new TokenDelivery(request.RequestId, request.Institution, token));
        var ack = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<TokenDeliveryAck>(JsonDefaults.Options) : null;
        return Results.Json(new IssueTokenResponse(request.RequestId, ack?.Bound == true), JsonDefaults.Options);
    }

    private async Task<IResult> IssueBatchAsync(string sender, IssueTokenBatchRequest request)
    {
        if (!Available) return ErrorResponses.Problem(503, "unavailable", "down for the test");
        if (_registry[sender].Class != InstitutionClass.NumberingAuthority) return ErrorResponses.Problem(403, "not-numbering-authority", "J-LIS only");
        if (!_registry.TryGetValue(request.Institution, out var institution)) return ErrorResponses.Problem(404, "unknown-institution", "no such institution");
        BatchesIssued.Enqueue(request);
        var tokens = request.Items.Select(i => new IndexedToken(i.Index, TokenOf(i.ResidentCode, request.Institution))).ToList();
        if (DeliverOnlyNext is { } only)
        {
            DeliverOnlyNext = null;
            tokens = tokens.Take(only).ToList();
        }
        if (institution.Endpoint is null)
        {
            foreach (var t in tokens) Kept[(request.Institution, request.BatchId, t.Index)] = t.Token;
            return Results.Json(new IssueTokenBatchResponse(request.BatchId, tokens.Count), JsonDefaults.Options);
        }
        if (tokens.Count == 0) return Results.Json(new IssueTokenBatchResponse(request.BatchId, 0), JsonDefaults.Options);
        using var response = await PostToNodeAsync(institution, NodeRoutes.DeliverTokenBatch, new TokenBatchDelivery(request.BatchId, request.Institution, tokens));
        var ack = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<TokenBatchDeliveryAck>(JsonDefaults.Options) : null;
        return Results.Json(new IssueTokenBatchResponse(request.BatchId, ack?.Bound ?? 0), JsonDefaults.Options);
    }

    private async Task<IResult> Handle<T>(HttpContext context, string route, Func<string, T, Task<IResult>> work)
    {
        var signed = await SignedRequestVerifier.ReadAsync(context, code => _keys.GetValueOrDefault(code), TimeProvider.System, NodeRoutes.NetworkInstitutionCode);
        if (!signed.IsVerified) return signed.ToProblem();
        Received.Enqueue((route, Encoding.UTF8.GetString(signed.Body)));
        var request = JsonSerializer.Deserialize<T>(signed.Body, JsonDefaults.Options)!;
        return await work(signed.Institution!, request);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _outgoing.Dispose();
        SigningKey.Dispose();
        foreach (var key in _keys.Values) key.Dispose();
    }

    /// <summary>Posts to an institution's node, signed for that institution.</summary>
    private Task<HttpResponseMessage> PostToNodeAsync<T>(InstitutionInfo institution, string route, T body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(institution.Endpoint!, route)) { Content = JsonContent.Create(body, options: JsonDefaults.Options) };
        request.Options.Set(SigningHandler.AudienceOption, institution.Code);
        return _outgoing.SendAsync(request);
    }
}
