using Renkei.ServiceDefaults.Access;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
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

namespace Renkei.TestSupport;

/// <summary>
/// A minimal institution node for tests of the information provision network: real HTTP on loopback, real signatures
/// and sealing. It serves <see cref="NodeRoutes"/>, accepts only requests the network signed, keeps delivered tokens, and
/// answers queries from <see cref="Holdings"/> (token → information body), sealed to the inquirer and signed with its own key.
/// It can be stopped and started again on the same port, like a provider that goes down and comes back.
/// </summary>
public sealed class TestInstitutionNode : IAsyncDisposable
{
    private ServiceHost? _host;

    public TestInstitutionNode(string code, InstitutionClass kind, InstitutionKeys keys)
    {
        Code = code;
        Class = kind;
        Keys = keys;
    }

    public string Code { get; }
    public InstitutionClass Class { get; }
    public InstitutionKeys Keys { get; }
    public int Port { get; private set; }
    public Uri Endpoint => new($"http://127.0.0.1:{Port}/");

    /// <summary>The network's signing key (SPKI base64), set once the network runs.</summary>
    public string? NetworkKey { get; set; }

    public ConcurrentDictionary<Guid, Token> DeliveredTokens { get; } = new();
    public ConcurrentDictionary<Guid, IReadOnlyList<IndexedToken>> DeliveredBatches { get; } = new();
    public ConcurrentDictionary<Token, string> Holdings { get; } = new();
    public ConcurrentQueue<ProvideRequest> Queries { get; } = new();
    public ConcurrentQueue<string> RejectedSignatures { get; } = new();

    /// <summary>Delay before answering a query (to make the network time out).</summary>
    public TimeSpan AnswerDelay { get; set; }

    /// <summary>The bulk requests received (<see cref="NodeRoutes.ProvideBulk"/>); each of their items is in <see cref="Queries"/> too.</summary>
    public ConcurrentQueue<BulkProvideRequest> BulkQueries { get; } = new();

    /// <summary>
    /// How many more bulk requests die in the middle of their answer, as a provider killed mid-chunk: the node reads the
    /// request, works every item, writes half of the answer and cuts the connection.
    /// </summary>
    public int CutBulkAnswers
    {
        get => Volatile.Read(ref _cutBulkAnswers);
        set => Volatile.Write(ref _cutBulkAnswers, value);
    }

    private int _cutBulkAnswers;

    /// <summary>Bulk requests being answered right now.</summary>
    public int BulkInFlight => Volatile.Read(ref _bulkInFlight);

    /// <summary>The most bulk requests answered at once so far.</summary>
    public int MostBulkInFlight => Volatile.Read(ref _mostBulkInFlight);

    /// <summary>
    /// When above 1, each bulk request is held until this many are being answered at once (or <see cref="BulkHoldLimit"/> has
    /// passed, so a network that never sends that many still gets its answers): shows how many chunks the network has in flight.
    /// </summary>
    public int HoldBulkUntilInFlight { get; set; }

    public TimeSpan BulkHoldLimit { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Awaited before a bulk request is answered (e.g. to hold one chunk back while later ones finish).</summary>
    public Func<BulkProvideRequest, Task>? BeforeBulkAnswer { get; set; }

    private int _bulkInFlight;
    private int _mostBulkInFlight;

    public InstitutionInfo Info => new(Code, "test " + Code, Class, Endpoint, Keys.SigningPublicKey, Keys.SealingPublicKey);

    public async Task StartAsync()
    {
        _host = await ServiceHost.StartAsync("node-" + Code, _ => { }, Map, Port);
        Port = _host.BaseAddress.Port;
    }

    public async Task StopAsync()
    {
        if (_host is null) return;
        await _host.DisposeAsync();
        _host = null;
    }

    public bool Running => _host is not null;

    private void Map(WebApplication app)
    {
        var routes = app.MapGroup("").AllowPublic("test double: checks the signature itself");
        routes.MapPost("/" + NodeRoutes.DeliverToken, async (HttpContext context) =>
        {
            var (delivery, refusal) = await Read<TokenDelivery>(context);
            if (refusal is not null) return refusal;
            DeliveredTokens[delivery!.RequestId] = delivery.Token;
            return Results.Json(new TokenDeliveryAck(delivery.RequestId, true), JsonDefaults.Options);
        });
        routes.MapPost("/" + NodeRoutes.DeliverTokenBatch, async (HttpContext context) =>
        {
            var (delivery, refusal) = await Read<TokenBatchDelivery>(context);
            if (refusal is not null) return refusal;
            DeliveredBatches[delivery!.BatchId] = delivery.Tokens;
            return Results.Json(new TokenBatchDeliveryAck(delivery.BatchId, delivery.Tokens.Count), JsonDefaults.Options);
        });
        routes.MapPost("/" + NodeRoutes.Provide, async (HttpContext context) =>
        {
            var (query, refusal) = await Read<ProvideRequest>(context);
            if (refusal is not null) return refusal;
            Queries.Enqueue(query!);
            if (AnswerDelay > TimeSpan.Zero) await Task.Delay(AnswerDelay);
            var (information, sealedPayload) = Answer(query!);
            var signature = RequestSignature.SignText(Keys.Signing,
                SignedSealedAnswer.SignedText(query!.RequestId, Code, query.Inquirer, query.Kind, sealedPayload));
            return Results.Json(new SignedSealedAnswer(Code, sealedPayload, signature, information.Held), JsonDefaults.Options);
        });
        routes.MapPost("/" + NodeRoutes.ProvideBulk, async (HttpContext context) =>
        {
            var (bulk, refusal) = await Read<BulkProvideRequest>(context);
            if (refusal is not null) return refusal;
            BulkQueries.Enqueue(bulk!);
            var inFlight = Interlocked.Increment(ref _bulkInFlight);
            try
            {
                for (var most = MostBulkInFlight; inFlight > most; most = MostBulkInFlight)
                    Interlocked.CompareExchange(ref _mostBulkInFlight, inFlight, most);
                var holdUntil = DateTime.UtcNow + BulkHoldLimit;
                while (BulkInFlight < HoldBulkUntilInFlight && DateTime.UtcNow < holdUntil) await Task.Delay(10);
                if (BeforeBulkAnswer is { } before) await before(bulk!);
                return await AnswerBulkAsync(context, bulk!);
            }
            finally
            {
                Interlocked.Decrement(ref _bulkInFlight);
            }
        });
    }

    private async Task<IResult> AnswerBulkAsync(HttpContext context, BulkProvideRequest bulk)
    {
        var answers = new List<(Guid RequestId, ProvidedInformation Information, SealedPayload Sealed)>();
        foreach (var item in bulk.Items)
        {
            var query = bulk.ItemRequest(item);
            Queries.Enqueue(query);
            var (information, sealedPayload) = Answer(query);
            answers.Add((query.RequestId, information, sealedPayload));
        }
        if (AnswerDelay > TimeSpan.Zero) await Task.Delay(AnswerDelay);
        // One batch signature over the chunk's answers; each answer carries its own index and audit path.
        var signatures = await BatchSigner.For(Keys.Signing).SignAllAsync(
            answers.Select(a => SignedSealedAnswer.SignedText(a.RequestId, Code, bulk.Inquirer, bulk.Kind, a.Sealed)).ToList());
        var response = new BulkProvideResponse(bulk.ChunkId, answers.Select((a, i) =>
            new BulkProvideResult(a.RequestId, new SignedSealedAnswer(Code, a.Sealed, signatures[i], a.Information.Held))).ToList());
        var bytes = JsonSerializer.SerializeToUtf8Bytes(response, JsonDefaults.Options);
        if (Interlocked.Decrement(ref _cutBulkAnswers) >= 0)
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
            await context.Response.Body.FlushAsync();
            context.Abort();
            return Results.Empty;
        }
        Interlocked.Increment(ref _cutBulkAnswers); // not cut: undo the decrement
        return Results.Bytes(bytes, "application/json");
    }

    private (ProvidedInformation Information, SealedPayload Sealed) Answer(ProvideRequest query)
    {
        var held = Holdings.TryGetValue(query.ProviderToken, out var body);
        var information = new ProvidedInformation(held, query.Kind, query.AsOf, held ? 1 : null, held ? DateTimeOffset.UnixEpoch : null,
            held ? JsonDocument.Parse(body!).RootElement : null, held ? null : "no copy for this person");
        var sealedPayload = MessageSealing.Seal(Convert.FromBase64String(query.InquirerSealingKey),
            JsonSerializer.SerializeToUtf8Bytes(information, JsonDefaults.Options), MessageSealing.AssociatedData(query.RequestId.ToString("D")));
        return (information, sealedPayload);
    }

    private async Task<(T?, IResult?)> Read<T>(HttpContext context) where T : class
    {
        using var networkKey = NetworkKey is null ? null : RequestSignature.ImportPublicKey(NetworkKey);
        var signed = await SignedRequestVerifier.ReadAsync(context,
            code => code == NodeRoutes.NetworkInstitutionCode ? networkKey : null, TimeProvider.System, Code);
        if (!signed.IsVerified)
        {
            RejectedSignatures.Enqueue(signed.FailureCode!);
            return (null, signed.ToProblem());
        }
        return (JsonSerializer.Deserialize<T>(signed.Body, JsonDefaults.Options), null);
    }

    /// <summary>Opens an answer sealed to <paramref name="inquirer"/> as the inquirer would.</summary>
    public static ProvidedInformation Open(InstitutionKeys inquirer, Guid requestId, SignedSealedAnswer answer)
    {
        var plain = MessageSealing.Open(inquirer.Sealing, answer.Sealed, MessageSealing.AssociatedData(requestId.ToString("D")));
        return JsonSerializer.Deserialize<ProvidedInformation>(plain, JsonDefaults.Options)!;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Keys.Dispose();
    }
}
