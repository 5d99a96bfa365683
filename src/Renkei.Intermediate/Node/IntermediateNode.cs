using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Audit;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure.Audit;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Copies;
using Renkei.Intermediate.Kinds;
using Renkei.Intermediate.Records;
using Renkei.Intermediate.Storage;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults.Signing;
using Renkei.ServiceDefaults;

namespace Renkei.Intermediate.Node;

/// <summary>
/// The intermediate server as its institution's node on the network (情報照会・提供機能, 情報提供等記録管理機能):
/// <list type="bullet">
/// <item>provider: answers the network's <see cref="ProvideRequest"/> from the copies, by the holder's token, sealed to the
/// inquirer and signed with the institution's key;</item>
/// <item>inquirer: asks the network for the holder's business systems, by addressee number mapped to the holder's token,
/// checks the provider's signature and opens the answer with the institution's sealing key;</item>
/// <item>both: writes every provision to the holder's own provision records (<see cref="PartyRecordLog"/>), once per request.</item>
/// </list>
/// Requests to and from the network are signed (<see cref="SigningHandler"/>, <see cref="SignedRequestVerifier"/>).
/// </summary>
public sealed class IntermediateNode : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Strict = new(JsonDefaults.Options)
    {
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    private readonly CopyService _copies;
    private readonly INetworkClient _network;
    private readonly InstitutionDirectory _directory;
    private readonly IDisposable? _ownedHttp;
    private readonly TimeProvider _clock;
    private const int MaxCheckedSealingKeys = 4096;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ECDiffieHellmanPublicKey> _sealingKeys = new(StringComparer.Ordinal);
    /// <summary>The provider's windowed sealing keys: one ephemeral key per second (at most 4,096 answers), one agreement per inquirer and window.</summary>
    private readonly SealingWindows _sealingWindows;

    public IntermediateNode(CopyService copies, InstitutionKeys keys, ECDsa networkSigningKey, INetworkClient network, TimeProvider? clock = null,
        IDisposable? ownedHttp = null, AuditLogOptions? recordsLog = null)
    {
        _copies = copies;
        Keys = keys;
        NetworkSigningKey = networkSigningKey;
        _network = network;
        _directory = new InstitutionDirectory(network);
        _ownedHttp = ownedHttp;
        _clock = clock ?? TimeProvider.System;
        _sealingWindows = new SealingWindows(_clock);
        Records = new PartyRecordLog(copies.Store.Database, copies.HolderCode, keys.Signing, _clock, recordsLog);
        Batches = new InquiryBatchStore(copies.Store.Database);
    }

    /// <summary>
    /// The node of <paramref name="copies"/>' holder as <paramref name="options"/> configure it (keys loaded or created,
    /// the network's pinned key, a signed client for the network over <paramref name="outgoing"/>, or plain sockets when
    /// null); creates the node's tables. The options are checked already (<see cref="IntermediateModule.AddIntermediate"/>).
    /// </summary>
    public static IntermediateNode Create(CopyService copies, IntermediateOptions options, HttpMessageHandler? outgoing, TimeProvider clock)
    {
        var networkKey = RequestSignature.ImportPublicKey(options.NetworkSigningPublicKey!);
        var keys = InstitutionKeys.LoadOrCreate(options.InstitutionKeyDirectory!);
        var http = SigningHandler.CreateClient(options.NetworkAddress!, copies.HolderCode, keys.Signing, NodeRoutes.NetworkInstitutionCode, outgoing, options.NetworkTimeout, clock);
        var node = new IntermediateNode(copies, keys, networkKey, new NetworkHttpClient(http), clock, http, options.AuditLog.ToOptions());
        try
        {
            node.EnsureSchema();
            return node;
        }
        catch
        {
            node.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    public string HolderCode => _copies.HolderCode;

    /// <summary>The institution's signing and sealing keys (published in the network's registry).</summary>
    public InstitutionKeys Keys { get; }

    /// <summary>The network's signing key, pinned: every request on <see cref="NodeRoutes"/> must carry its signature.</summary>
    public ECDsa NetworkSigningKey { get; }

    public PartyRecordLog Records { get; }
    public InquiryBatchStore Batches { get; }

    private TokenStore Tokens => _copies.Store.Tokens;

    public void EnsureSchema()
    {
        Records.EnsureSchema();
    }

    /// <summary>Notices sent (notice id → the sealed push request), so a resend pushes the very same bytes (a no-op at the network).</summary>
    private static readonly Infrastructure.RequestLedger SentNotices = new("intermediate_sent_notices");

    /// <summary>The verifying key for requests on <see cref="NodeRoutes"/>: the network's, for the network's code only.</summary>
    public ECDsa? SigningKeyOf(string institution) =>
        institution == NodeRoutes.NetworkInstitutionCode ? NetworkSigningKey : null;

    // ---------------------------------------------------------------- provider (情報提供)

    /// <summary>
    /// Answers the network's forwarded query from the copies: the person by the holder's own token, the copy as the
    /// intermediate server's provision logic finds it (as-of date, not-held reasons), sealed to the inquirer and signed.
    /// Recorded once; a resent request gets the very same answer.
    /// </summary>
    public async Task<SignedSealedAnswer> ProvideAsync(ProvideRequest request, CancellationToken cancellationToken = default)
    {
        CheckProvide(request.Provider, request.RequestId, "requestId", request.Inquirer, request.Affair, request.Kind);
        var sealingKey = InquirerSealingKey(request.InquirerSealingKey);

        var (answer, _) = await Records.OnceAsync(PartyRole.Provider, request.RequestId, Fingerprint(request), async () =>
        {
            var information = (await InformationAsync(request.Kind, [request], cancellationToken))[0];
            var answer = await SignedAnswers.CreateAsync(request.RequestId, HolderCode, request.Inquirer, information, sealingKey,
                request.InquirerSealingKey!, _sealingWindows, Keys.Signing);
            return (answer, (PartyRecordEntry?)ProviderEntry(request, answer.Held));
        }, cancellationToken);
        return answer;
    }

    /// <summary>
    /// Answers a chunk of a batch query the network forwards in one request: every item exactly as <see cref="ProvideAsync"/>
    /// answers its <see cref="BulkProvideRequest.ItemRequest"/> (the same checks, one record per request id, a resent item
    /// its stored answer), the fresh answers read in one look-up, sealed under the current window, signed in one batch and
    /// recorded in one group (<see cref="PartyRecordLog.OnceManyAsync"/>). An item that cannot be answered now (e.g. the same
    /// request id is being answered by another call) carries its refusal code instead of an answer, and the network asks
    /// again later; the other items are answered regardless.
    /// </summary>
    public async Task<BulkProvideResponse> ProvideBulkAsync(BulkProvideRequest request, CancellationToken cancellationToken = default)
    {
        CheckProvide(request.Provider, request.ChunkId, "chunkId", request.Inquirer, request.Affair, request.Kind);
        var items = request.Items ?? throw Invalid("items: required (照会対象がありません)");
        if (items.Count == 0 || items.Count > BulkProvideRequest.MaxItems)
            throw new RefusalException(StatusCodes.Status400BadRequest, "batch-too-large",
                $"items: 1 to {BulkProvideRequest.MaxItems} per request (件数が正しくありません)");
        var ids = new HashSet<Guid>();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not { } item) throw Invalid($"items[{i}]: required (照会対象がありません)");
            RequireId(item.RequestId, $"items[{i}].requestId");
            if (!ids.Add(item.RequestId)) throw Invalid($"items[{i}].requestId: used twice in the request (要求IDが重複しています)");
        }
        var sealingKey = InquirerSealingKey(request.InquirerSealingKey);

        // Only the items not answered before are worked: read together, sealed and signed together, recorded in one group.
        var singles = items.Select(request.ItemRequest).ToArray();
        var outcomes = await Records.OnceManyAsync<SignedSealedAnswer>(PartyRole.Provider, singles.Select(s => (s.RequestId, Fingerprint(s))).ToList(), async fresh =>
        {
            var asked = fresh.Select(i => singles[i]).ToList();
            var information = await InformationAsync(request.Kind, asked, cancellationToken);
            var answers = await SignedAnswers.CreateManyAsync(HolderCode, request.Inquirer, asked.Select((s, j) => (s.RequestId, information[j])).ToList(),
                sealingKey, request.InquirerSealingKey, _sealingWindows, Keys.Signing);
            return answers.Select((answer, j) => (answer, ProviderEntry(asked[j], answer.Held))).ToList();
        }, cancellationToken);
        return new BulkProvideResponse(request.ChunkId,
            outcomes.Select((o, i) => new BulkProvideResult(singles[i].RequestId, o.Refusal is null ? o.Answer : null, o.Refusal?.Code)).ToArray());
    }

    /// <summary>The checks a single and a bulk provide share: this holder's, an id, an inquirer, an affair and a kind.</summary>
    private void CheckProvide(string provider, Guid id, string idField, string inquirer, string affair, string kind)
    {
        if (provider != HolderCode)
            throw new RefusalException(StatusCodes.Status400BadRequest, "wrong-holder",
                $"this node provides for institution {HolderCode} only (この中間サーバーの機関ではありません)");
        RequireId(id, idField);
        Require(inquirer, "inquirer");
        Require(affair, "affair");
        Require(kind, "kind");
    }

    /// <summary>The provider's record of one answered request: by the holder's own token, provided or not held.</summary>
    private PartyRecordEntry ProviderEntry(ProvideRequest request, bool held) =>
        new(PartyRole.Provider, request.RequestId, null, request.Inquirer, HolderCode, request.Affair, request.Kind,
            held ? ProvisionResult.Provided : ProvisionResult.NotHeld, null, request.ProviderToken);

    /// <summary>
    /// The inquirer's sealing key (SPKI DER, base64), imported and checked to be an ECDH P-256 public key. A key seen before
    /// is not imported again: inquirers are few and keep their keys, so the import (which validates the point and costs
    /// about as much as the key agreement) is paid once per key, not per request.
    /// </summary>
    private ECDiffieHellmanPublicKey InquirerSealingKey(string? base64)
    {
        try
        {
            var text = base64 ?? "";
            if (_sealingKeys.TryGetValue(text, out var known)) return known;
            ECDiffieHellmanPublicKey key;
            using (var imported = MessageSealing.ImportRecipient(Convert.FromBase64String(text))) key = imported.PublicKey;
            // A key dropped from the cache is left to the garbage collector: a concurrent answer may still be sealing to it.
            if (_sealingKeys.Count >= MaxCheckedSealingKeys) _sealingKeys.Clear();
            return _sealingKeys.GetOrAdd(text, key);
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            throw new RefusalException(StatusCodes.Status400BadRequest, "invalid-request",
                "inquirerSealingKey: not an ECDH public key (SubjectPublicKeyInfo DER, base64) (照会者の公開鍵が正しくありません)");
        }
    }

    /// <summary>
    /// What the copies hold for each of <paramref name="requests"/> (all for <paramref name="kind"/>): the person by the
    /// holder's token, the copy as the provision logic finds it (as-of date, not-held reasons), for all of them in one look-up.
    /// </summary>
    private async Task<ProvidedInformation[]> InformationAsync(string kind, IReadOnlyList<ProvideRequest> requests, CancellationToken cancellationToken)
    {
        var information = new ProvidedInformation[requests.Count];
        if (_copies.Kinds.Find(kind) is null)
        {
            Array.Fill(information, new ProvidedInformation(false, kind, null, null, null, null, "kind-not-kept"));
            return information;
        }
        var copies = await _copies.Store.FindByTokensAsync(HolderCode, requests.Select(r => r.ProviderToken).Distinct().ToList(), kind, cancellationToken);
        for (var i = 0; i < requests.Count; i++)
        {
            var request = requests[i];
            if (!copies.TryGetValue(request.ProviderToken, out var copy))
            {
                information[i] = new ProvidedInformation(false, kind, null, null, null, null, "unknown-token");
                continue;
            }
            var answer = CopyService.Answer(request.RequestId, kind, request.AsOf, copy);
            information[i] = new ProvidedInformation(answer.Outcome == ProvisionOutcome.Provided, kind, answer.AsOf, answer.Version, answer.UpdatedAt,
                answer.Body, answer.Reason);
        }
        return information;
    }

    // ---------------------------------------------------------------- inquirer (情報照会)

    /// <summary>
    /// An immediate query for the holder's business system: the addressee's token (none: 409 <c>no-token</c>), the network's
    /// <see cref="NetworkRoutes.Linkage"/> signed as the holder, the provider's signature checked, the answer opened,
    /// recorded once. Resending the same request id returns the first answer.
    /// </summary>
    public async Task<InquiryResponse> QueryAsync(InquiryRequest request, CancellationToken cancellationToken = default)
    {
        _copies.CheckHolder(request.Holder);
        RequireId(request.RequestId, "requestId");
        if (request.AddresseeNumber < 1)
            throw new RefusalException(StatusCodes.Status400BadRequest, "invalid-request", "addresseeNumber: must be at least 1 (団体内統合宛名番号が正しくありません)");
        Require(request.Affair, "affair");
        Require(request.Provider, "provider");
        Require(request.Kind, "kind");
        var actor = CopyService.RequireActor(request.Actor, request.Affair);
        var token = await Tokens.TokenOfAsync(HolderCode, request.AddresseeNumber, cancellationToken) ?? throw NoToken();

        ProvidedInformation? information = null;
        var answered = false;
        // The stored answer is the network's, still sealed: a repeat opens it again rather than keeping the content.
        var (linkage, sequence) = await Records.OnceAsync(PartyRole.Inquirer, request.RequestId, Fingerprint(request), async () =>
        {
            var linkage = await CallNetworkAsync(() => _network.LinkageAsync(new LinkageRequest(request.RequestId, HolderCode, token, request.Affair,
                request.Provider, request.Kind, request.AsOf, request.PolicyDate), cancellationToken));
            if (linkage.RequestId != request.RequestId) throw NotAuthentic("the network answered another request id (別の要求への応答です)");
            information = await OpenAsync(linkage, request.Provider, request.Kind, cancellationToken); // never record an answer that is not authentic
            answered = true;
            var entry = new PartyRecordEntry(PartyRole.Inquirer, request.RequestId, null, HolderCode, request.Provider, request.Affair, request.Kind,
                ResultOf(linkage.Outcome), linkage.RefusalCode, token, actor.Staff, actor.Terminal);
            return (linkage, (PartyRecordEntry?)entry);
        }, cancellationToken);
        if (!answered) information = await OpenAsync(linkage, request.Provider, request.Kind, cancellationToken);
        return new InquiryResponse(request.RequestId, linkage.Outcome, linkage.RefusalCode, linkage.Message, request.Provider, information,
            linkage.RecordSequence, sequence);
    }

    /// <summary>
    /// Submits a batch query: items whose addressee has a token go to the network (its index = position among them), the
    /// others are named in the answer. Resending the batch resubmits the same items (the network ignores a repeat).
    /// </summary>
    public async Task<InquiryBatchAccepted> SubmitBatchAsync(InquiryBatchRequest request, CancellationToken cancellationToken = default)
    {
        _copies.CheckHolder(request.Holder);
        RequireId(request.BatchId, "batchId");
        Require(request.Affair, "affair");
        Require(request.Provider, "provider");
        Require(request.Kind, "kind");
        var actor = CopyService.RequireActor(request.Actor, request.Affair);
        var items = request.Items ?? throw Invalid("items: required (照会対象がありません)");
        if (items.Count == 0 || items.Count > NetworkRoutes.MaxLinkageBatch)
            throw new RefusalException(StatusCodes.Status400BadRequest, "batch-too-large",
                $"items: 1 to {NetworkRoutes.MaxLinkageBatch} per batch (件数が正しくありません)");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not { ItemId.Length: > 0 and <= 100 } item) throw Invalid($"items[{i}].itemId: 1 to 100 characters required (照会対象IDが正しくありません)");
            if (!ids.Add(item.ItemId)) throw Invalid($"items[{i}].itemId: used twice in the batch (照会対象IDが重複しています)");
            if (item.AddresseeNumber < 1) throw Invalid($"items[{i}].addresseeNumber: must be at least 1 (団体内統合宛名番号が正しくありません)");
        }

        var fingerprint = Fingerprint(request);
        var stored = await Batches.FindAsync(request.BatchId, cancellationToken);
        if (stored is null)
        {
            var tokens = await Tokens.TokensOfAsync(HolderCode, items.Select(i => i.AddresseeNumber).Distinct().ToList(), cancellationToken);
            var submitted = new List<StoredInquiryItem>();
            var withoutToken = new List<string>();
            foreach (var item in items)
            {
                if (tokens.ContainsKey(item.AddresseeNumber)) submitted.Add(new StoredInquiryItem(submitted.Count, item.ItemId, item.AddresseeNumber, item.AsOf));
                else withoutToken.Add(item.ItemId);
            }
            var accepted = new InquiryBatchAccepted(request.BatchId, submitted.Count, withoutToken, submitted.Count == 0 ? BatchState.Completed : BatchState.Queued);
            // The batch's actor is kept with it (in the same transaction): each item's provision record names it when recorded.
            await Batches.TryCreateAsync(request.BatchId, fingerprint, request.Affair, request.Provider, request.Kind, Serialize(accepted), submitted,
                _clock.GetUtcNow(),
                (c, t, now) => _copies.Store.Actions.AppendAsync(c, t, request.BatchId, HolderActionLog.QueryBatch, actor, now, items: submitted.Count,
                    cancellationToken: cancellationToken),
                cancellationToken);
            stored = (await Batches.FindAsync(request.BatchId, cancellationToken))!;
        }
        if (stored.Fingerprint != fingerprint)
            throw new RefusalException(StatusCodes.Status409Conflict, "request-id-reused",
                "this batch id was used for a different batch (一括照会IDが別の照会で使用済みです)");
        return await EnsureSubmittedAsync(stored, request, cancellationToken);
    }

    private async Task<InquiryBatchAccepted> EnsureSubmittedAsync(StoredInquiryBatch stored, InquiryBatchRequest request, CancellationToken cancellationToken)
    {
        var accepted = JsonSerializer.Deserialize<InquiryBatchAccepted>(stored.Accepted, JsonDefaults.Options)!;
        if (stored.Submitted) return accepted;
        if (stored.Items > 0)
        {
            var items = await Batches.ItemsAsync(request.BatchId, cancellationToken: cancellationToken);
            var tokens = await Tokens.TokensOfAsync(HolderCode, items.Select(i => i.AddresseeNumber).Distinct().ToList(), cancellationToken);
            var network = await CallNetworkAsync(() => _network.SubmitBatchAsync(new BatchLinkageRequest(request.BatchId, HolderCode, request.Affair,
                request.Provider, request.Kind, request.PolicyDate,
                items.Select(i => new BatchLinkageItem(i.ItemId, tokens[i.AddresseeNumber], i.AsOf)).ToList()), cancellationToken));
            accepted = accepted with { State = network.State };
        }
        await Batches.MarkSubmittedAsync(request.BatchId, Serialize(accepted), cancellationToken);
        return accepted;
    }

    /// <summary>
    /// A page of a batch's results from the network, opened and checked like an immediate answer, each recorded once in
    /// the holder's provision records (the first poll that sees it records it).
    /// </summary>
    public async Task<InquiryBatchStatusResponse> BatchStatusAsync(InquiryBatchStatusRequest request, CancellationToken cancellationToken = default)
    {
        _copies.CheckHolder(request.Holder);
        RequireId(request.BatchId, "batchId");
        if (request.Limit is < 1 or > 1000) throw Invalid("limit: 1 to 1000 (件数が正しくありません)");
        var stored = await Batches.FindAsync(request.BatchId, cancellationToken) ?? throw new RefusalException(StatusCodes.Status404NotFound, "unknown-batch",
            "no batch query was submitted under this id (この一括照会はありません)");
        if (!stored.Submitted)
            throw new RefusalException(StatusCodes.Status409Conflict, "batch-not-submitted",
                "the batch has not reached the network yet: submit it again with the same request (一括照会が未送信です。同じ内容で再送してください)");
        if (stored.Items == 0) return new InquiryBatchStatusResponse(request.BatchId, BatchState.Completed, 0, 0, 0, []);

        var status = await CallNetworkAsync(() => _network.BatchStatusAsync(
            new BatchStatusRequest(request.BatchId, HolderCode, request.AfterItemIndex, request.Limit), cancellationToken));
        if (status.Results.Count == 0)
            return new InquiryBatchStatusResponse(request.BatchId, status.State, status.Total, status.Finished, status.Pending, []);
        var items = (await Batches.ItemsAsync(request.BatchId, status.Results.Min(r => r.ItemIndex), status.Results.Max(r => r.ItemIndex), cancellationToken))
            .ToDictionary(i => i.Index);
        var tokens = await Tokens.TokensOfAsync(HolderCode, items.Values.Select(i => i.AddresseeNumber).Distinct().ToList(), cancellationToken);
        var query = (stored.Affair, stored.Provider, stored.Kind);
        var actor = (await _copies.Store.Actions.OfRequestAsync(request.BatchId, cancellationToken)).FirstOrDefault(a => a.Operation == HolderActionLog.QueryBatch);

        var opened = new List<(BatchItemResult Result, StoredInquiryItem Item, ProvidedInformation? Information)>(status.Results.Count);
        foreach (var result in status.Results)
        {
            if (!items.TryGetValue(result.ItemIndex, out var item) || item.ItemId != result.ItemId)
                throw new RefusalException(StatusCodes.Status502BadGateway, "answer-not-authentic",
                    "the network's batch result names an item this batch does not have (一括照会の結果が照会内容と一致しません)");
            opened.Add((result, item, await OpenAsync(result.Response, query.Provider, query.Kind, cancellationToken)));
        }
        var entries = opened.Select(o => new PartyRecordEntry(PartyRole.Inquirer, o.Result.Response.RequestId, o.Result.ItemIndex, HolderCode,
            query.Provider, query.Affair, query.Kind, ResultOf(o.Result.Response.Outcome), o.Result.Response.RefusalCode, tokens[o.Item.AddresseeNumber],
            actor?.Staff, actor?.Terminal)).ToList();
        var sequences = await Records.RecordBatchItemsAsync(PartyRole.Inquirer, request.BatchId, entries, cancellationToken);
        var results = opened.Select((o, i) => new InquiryBatchItemResult(o.Result.ItemIndex, o.Item.ItemId, o.Item.AddresseeNumber,
            new InquiryResponse(o.Result.Response.RequestId, o.Result.Response.Outcome, o.Result.Response.RefusalCode, o.Result.Response.Message,
                query.Provider, o.Information, o.Result.Response.RecordSequence, sequences[i]))).ToList();
        return new InquiryBatchStatusResponse(request.BatchId, status.State, status.Total, status.Finished, status.Pending, results);
    }

    /// <summary>
    /// Checks and opens an answer: the provider's signature (its key from the network's registry, looked up again once if
    /// it fails), the seal (the institution's key, the request id as associated data), and that the content agrees with
    /// what was asked and with the outcome the network saw. Anything else is 502 <c>answer-not-authentic</c>.
    /// </summary>
    private async Task<ProvidedInformation?> OpenAsync(LinkageResponse linkage, string provider, string kind, CancellationToken cancellationToken)
    {
        try
        {
            if (SignedAnswers.ExpectedAnswer(linkage, provider) is not { } answer) return null;
            var key = await CallNetworkAsync(() => _directory.SigningKeyAsync(provider, refresh: false, cancellationToken));
            if (!SignedAnswers.Verify(answer, linkage.RequestId, HolderCode, kind, key))
            {
                key = await CallNetworkAsync(() => _directory.SigningKeyAsync(provider, refresh: true, cancellationToken));
                if (!SignedAnswers.Verify(answer, linkage.RequestId, HolderCode, kind, key))
                    throw new AnswerNotAuthenticException("the provider's signature on the answer does not verify (提供情報の署名を検証できません)");
            }
            return SignedAnswers.OpenChecked(linkage, answer, HolderCode, kind, Keys.Sealing);
        }
        catch (AnswerNotAuthenticException e)
        {
            throw NotAuthentic(e.Message);
        }
    }

    // ---------------------------------------------------------------- notices (お知らせ, プッシュ型サービス)

    public const int MaxNoticeTitle = 100;
    public const int MaxNoticeBody = 2000;

    /// <summary>
    /// A notice to the person an addressee number denotes: the holder's token for the addressee (none: 409 <c>no-token</c>),
    /// the portal's sealing key from the network's registry (not a portal: 400 <c>not-a-portal</c>), the content sealed to
    /// it (associated data <see cref="PushNoticeRequest.SealingContext"/>) and pushed to the network signed as the holder.
    /// The content is refused if it holds an individual number (400 <c>invalid-request</c>). The sealed request is kept
    /// under the notice id, so a resend pushes the same bytes (a no-op at the network); the same id with another notice
    /// is 409 <c>request-id-reused</c>. The kept request holds the token and the sealed content, never the content in clear.
    /// </summary>
    public async Task<PushNoticeAccepted> SendNoticeAsync(SendNoticeRequest request, CancellationToken cancellationToken = default)
    {
        _copies.CheckHolder(request.Holder);
        RequireId(request.NoticeId, "noticeId");
        if (request.AddresseeNumber < 1)
            throw Invalid("addresseeNumber: must be at least 1 (団体内統合宛名番号が正しくありません)");
        Require(request.Portal, "portal");
        var actor = CopyService.RequireActor(request.Actor);
        var content = request.Content ?? throw Invalid("content: required (お知らせの内容がありません)");
        if (string.IsNullOrWhiteSpace(content.Title) || content.Title.Length > MaxNoticeTitle)
            throw Invalid($"content.title: 1 to {MaxNoticeTitle} characters (件名が正しくありません)");
        if (string.IsNullOrWhiteSpace(content.Body) || content.Body.Length > MaxNoticeBody)
            throw Invalid($"content.body: 1 to {MaxNoticeBody} characters (本文が正しくありません)");
        if (content.Category is { Length: > 50 }) throw Invalid("content.category: at most 50 characters (分類が正しくありません)");
        foreach (var (text, field) in new[] { (content.Title, "title"), (content.Body, "body"), (content.Category, "category") })
            if (text is not null && ForbiddenContent.ContainsIndividualNumber(text))
                throw Invalid($"content.{field}: holds an individual number; a notice never does (お知らせに個人番号は記載できません)");
        var fingerprint = Fingerprint(request);
        await using (var connection = await _copies.Store.Database.OpenAsync(cancellationToken))
            if (await SentNotices.FindAsync(connection, null, request.NoticeId, cancellationToken) is { } earlier)
            {
                if (earlier.Fingerprint != fingerprint || earlier.Response is null)
                    throw new RefusalException(StatusCodes.Status409Conflict, "request-id-reused",
                        "this notice id was used for another notice (お知らせIDが別のお知らせで使用済みです)");
                var stored = JsonSerializer.Deserialize<PushNoticeRequest>(earlier.Response, JsonDefaults.Options)!;
                return await CallNetworkAsync(() => _network.PushNoticeAsync(stored, cancellationToken));
            }
        var token = await Tokens.TokenOfAsync(HolderCode, request.AddresseeNumber, cancellationToken) ?? throw NoToken();
        var portal = await CallNetworkAsync(() => _network.LookupInstitutionAsync(new InstitutionLookupRequest(request.Portal), cancellationToken));
        if (portal.Class != InstitutionClass.Portal)
            throw new RefusalException(StatusCodes.Status400BadRequest, "not-a-portal",
                "the institution named as portal is not a portal (お知らせの宛先がポータルではありません)");
        SealedPayload sealedContent;
        try
        {
            var plaintext = JsonSerializer.SerializeToUtf8Bytes(content, JsonDefaults.Options);
            sealedContent = MessageSealing.Seal(Convert.FromBase64String(portal.SealingPublicKey), plaintext,
                MessageSealing.AssociatedData(PushNoticeRequest.SealingContext(request.NoticeId, HolderCode)));
            CryptographicOperations.ZeroMemory(plaintext);
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            throw new RefusalException(StatusCodes.Status502BadGateway, "portal-key-unusable",
                "the portal's published sealing key is unusable (ポータルの公開鍵が正しくありません)");
        }
        var push = new PushNoticeRequest(request.NoticeId, HolderCode, token, request.Portal, sealedContent);
        var kept = await _copies.Store.Database.InTransactionAsync(async (connection, transaction) =>
        {
            var claimed = await SentNotices.ClaimAsync(connection, transaction, request.NoticeId, "notice", fingerprint, _clock.GetUtcNow(), cancellationToken);
            if (claimed is null)
            {
                await SentNotices.CompleteAsync(connection, transaction, request.NoticeId, Serialize(push), cancellationToken);
                await _copies.Store.Actions.AppendAsync(connection, transaction, request.NoticeId, HolderActionLog.Notice, actor, _clock.GetUtcNow(),
                    request.AddresseeNumber, cancellationToken: cancellationToken);
                return push;
            }
            // Sent concurrently under the same id: push what that request kept.
            return claimed.Fingerprint == fingerprint && claimed.Response is { } response
                ? JsonSerializer.Deserialize<PushNoticeRequest>(response, JsonDefaults.Options)!
                : throw new RefusalException(StatusCodes.Status409Conflict, "request-id-reused",
                    "this notice id was used for another notice (お知らせIDが別のお知らせで使用済みです)");
        }, cancellationToken: cancellationToken);
        return await CallNetworkAsync(() => _network.PushNoticeAsync(kept, cancellationToken));
    }

    // ---------------------------------------------------------------- the holder's provision records

    /// <summary>The holder's provision records, by addressee (through its token) or all, in a period, paged by sequence.</summary>
    public async Task<PartyRecordList> ReadRecordsAsync(PartyRecordQuery query, CancellationToken cancellationToken = default)
    {
        _copies.CheckHolder(query.Holder);
        if (query.Limit is < 1 or > IntermediateNodeRoutes.MaxRecordPage)
            throw Invalid($"limit: 1 to {IntermediateNodeRoutes.MaxRecordPage} (件数が正しくありません)");
        if (query.AfterSequence < 0) throw Invalid("afterSequence: must be at least 0 (開始位置が正しくありません)");
        if (query.AddresseeNumber is < 1) throw Invalid("addresseeNumber: must be at least 1 (団体内統合宛名番号が正しくありません)");
        Token? only = null;
        if (query.AddresseeNumber is { } addressee)
        {
            only = await Tokens.TokenOfAsync(HolderCode, addressee, cancellationToken);
            if (only is null) return new PartyRecordList([], null);
        }
        var page = new List<(AuditEntry Stored, PartyRecordEntry Entry)>();
        foreach (var (stored, entry) in Records.Read(query.AfterSequence))
        {
            if (only is { } token && entry.Token != token) continue;
            var at = stored.RecordedAt;
            if (query.From is { } from && at < from) continue;
            if (query.To is { } to && at >= to) break; // recorded times never go backwards
            page.Add((stored, entry));
            if (page.Count == query.Limit) break;
        }
        var addressees = new Dictionary<Token, long?>();
        foreach (var token in page.Select(p => p.Entry.Token).Distinct())
            addressees[token] = only is not null ? query.AddresseeNumber : await Tokens.AddresseeOfAsync(HolderCode, token, cancellationToken);
        var records = page.Select(p => new PartyRecord(p.Stored.Sequence, p.Stored.RecordedAt, p.Entry.Role, p.Entry.RequestId, p.Entry.ItemIndex,
            p.Entry.Inquirer, p.Entry.Provider, p.Entry.Affair, p.Entry.Kind, p.Entry.Result, p.Entry.RefusalCode, addressees[p.Entry.Token],
            p.Entry.Staff, p.Entry.Terminal)).ToList();
        return new PartyRecordList(records, page.Count == query.Limit ? page[^1].Stored.Sequence : null);
    }

    // ---------------------------------------------------------------- helpers

    private static ProvisionResult ResultOf(LinkageOutcome outcome) => outcome switch
    {
        LinkageOutcome.Provided => ProvisionResult.Provided,
        LinkageOutcome.NotHeld => ProvisionResult.NotHeld,
        LinkageOutcome.Refused => ProvisionResult.Refused,
        _ => ProvisionResult.ProviderUnavailable,
    };

    /// <summary>Calls the network; its refusals become 502 <c>network-refused</c> (with its code), no answer 503 <c>network-unavailable</c>.</summary>
    /// <summary>
    /// The network's published policy rows for the holder's class in <paramref name="request"/>'s affair (asked in the
    /// holder's name, signed): what the holder's systems may offer their staff.
    /// </summary>
    public Task<PolicyLinkagesResponse> PolicyAsync(NodePolicyRequest request, CancellationToken cancellationToken = default)
    {
        _copies.CheckHolder(request.Holder);
        Require(request.Affair, "affair");
        return CallNetworkAsync(() => _network.PolicyLinkagesAsync(new PolicyLinkagesRequest(HolderCode, request.Affair, request.Date), cancellationToken));
    }

    private static async Task<T> CallNetworkAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (NetworkException refused)
        {
            throw new RefusalException(StatusCodes.Status502BadGateway, "network-refused",
                $"{refused.Message} (情報提供ネットワークシステムが要求を拒否しました)");
        }
        catch (HttpRequestException)
        {
            throw NetworkUnavailable();
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            throw NetworkUnavailable();
        }
        catch (CryptographicException)
        {
            throw NotAuthentic("the provider's published signing key is unusable (提供者の公開鍵が正しくありません)");
        }
    }

    private static RefusalException NetworkUnavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, "network-unavailable", "the network did not answer (情報提供ネットワークシステムが応答しません)");

    private static RefusalException NotAuthentic(string message) =>
        new(StatusCodes.Status502BadGateway, "answer-not-authentic", message);

    private static RefusalException NoToken() =>
        new(StatusCodes.Status409Conflict, "no-token",
            "the addressee has no token yet: acquire it through J-LIS first (この宛名番号の符号が未取得です。先に符号を取得してください)");

    private static RefusalException Invalid(string message) =>
        new(StatusCodes.Status400BadRequest, "invalid-request", message);

    private static void Require(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 100)
            throw Invalid($"{field}: required, at most 100 characters (必須項目です)");
    }

    private static void RequireId(Guid id, string field)
    {
        if (id == Guid.Empty) throw Invalid($"{field}: required (要求IDがありません)");
    }

    /// <summary>The request's identity for idempotency: SHA-256 of its canonical JSON.</summary>
    private static string Fingerprint<T>(T request) => Convert.ToHexString(SHA256.HashData(CanonicalJson.Serialize(request)));

    private static string Serialize<T>(T value) => JsonSerializer.Serialize(value, JsonDefaults.Options);

    public async ValueTask DisposeAsync()
    {
        await Records.DisposeAsync();
        _directory.Dispose();
        _ownedHttp?.Dispose();
        NetworkSigningKey.Dispose();
        Keys.Dispose();
        _sealingWindows.Dispose();
        foreach (var key in _sealingKeys.Values) key.Dispose();
        _sealingKeys.Clear();
    }
}
