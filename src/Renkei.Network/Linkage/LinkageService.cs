using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Audit;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Network.Contracts;
using Renkei.Network.Policy;
using Renkei.Network.Records;
using Renkei.Network.Registry;
using Renkei.Network.Storage;
using Renkei.Network.Tokens;
using Renkei.ServiceDefaults;

namespace Renkei.Network.Linkage;

/// <summary>One linkage to decide: an immediate query, or one item of a batch query.</summary>
internal sealed record LinkageCase(
    Guid RequestId, string Inquirer, Token InquirerToken, string Affair, string Provider, string Kind, DateOnly? AsOf, DateOnly? PolicyDate);

/// <summary>What the network decided or the provider answered, before it is recorded.</summary>
/// <param name="Retryable">the provider could not be reached (a batch item stays pending and is retried)</param>
internal sealed record Evaluation(LinkageOutcome Outcome, string? RefusalCode, string? Message, SignedSealedAnswer? Answer, long? IdCode, Token? ProviderToken, bool Retryable = false);

/// <summary>
/// The linkage protocol (情報連携) at the network: inquirer's token → issued to it? → provider registered? → legal policy
/// → provider's token issued? → forward <see cref="ProvideRequest"/> to the provider's node (timeout, no retry) → check
/// the provider's signature → record (情報提供等記録) → answer. Every refusal and every unavailable provider is recorded
/// too. Immediate queries are idempotent by request id: the first answer is stored with the record, in one transaction,
/// and a retry returns it without a second record — also when it lands on another instance serving the same database.
/// </summary>
internal sealed class LinkageService(
    NetworkStore store,
    InstitutionRegistry registry,
    TokenDeriver tokens,
    ProvisionRecords records,
    NodeClient nodes,
    LinkagePolicy policy,
    TimeProvider clock,
    TimeSpan providerTimeout,
    TimeSpan bulkProviderTimeout)
{
    private const string Operation = "linkage";

    // Saves a second evaluation when a retry reaches this same instance; correctness does not rest on it (the ledger decides).
    private readonly ConcurrentDictionary<Guid, (string Fingerprint, Task<LinkageResponse> Task)> _inFlight = new();

    private long _answered;

    /// <summary>Immediate queries this instance answered (first answers and stored ones).</summary>
    public long Answered => Interlocked.Read(ref _answered);

    public async Task<LinkageResponse> ImmediateAsync(LinkageRequest request)
    {
        var fingerprint = Fingerprint(request);
        // The in-flight slot first, then one look in the ledger: a request that finished has committed its answer before
        // leaving the slot, so whoever holds the slot finds any earlier answer there (one ledger read per linkage).
        var completion = new TaskCompletionSource<LinkageResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var mine = (fingerprint, completion.Task);
        var current = _inFlight.GetOrAdd(request.RequestId, mine);
        if (current.Task != completion.Task)
        {
            // The same request id is being answered right now (a client retried before the first answer came back).
            if (current.Fingerprint != fingerprint) throw Reused();
            return await current.Task.ConfigureAwait(false);
        }
        try
        {
            var response = await StoredAsync(request.RequestId, fingerprint).ConfigureAwait(false) ?? await RunAsync(request, fingerprint).ConfigureAwait(false);
            Interlocked.Increment(ref _answered);
            completion.SetResult(response);
            return response;
        }
        catch (Exception e)
        {
            completion.SetException(e);
            _ = completion.Task.Exception; // observed
            throw;
        }
        finally
        {
            _inFlight.TryRemove(request.RequestId, out _);
        }
    }

    private async Task<LinkageResponse> RunAsync(LinkageRequest request, string fingerprint)
    {
        var linkage = new LinkageCase(request.RequestId, request.Inquirer, request.InquirerToken, request.Affair, request.Provider,
            request.Kind, request.AsOf, request.PolicyDate);
        // Not cancelled when the caller hangs up: once the provider may have answered, the record must be written.
        var evaluation = await EvaluateAsync(linkage, CancellationToken.None).ConfigureAwait(false);
        LinkageResponse? response = null;
        long sequence;
        try
        {
            sequence = await records.AppendAsync(ToPayload(linkage, evaluation), evaluation.IdCode, (c, t, seq) =>
            {
                response = ToResponse(linkage.RequestId, evaluation, seq);
                store.CompleteRequest(c, t, linkage.RequestId, Operation, fingerprint,
                    JsonSerializer.Serialize(response, JsonDefaults.Options), clock.GetUtcNow());
            }).ConfigureAwait(false);
        }
        catch (RequestAlreadyAnsweredException)
        {
            // Another instance on the same database (a retry that landed there) recorded this request first: its answer
            // is the answer, and this evaluation leaves no record.
            return await StoredAsync(linkage.RequestId, fingerprint).ConfigureAwait(false)
                ?? throw new InvalidOperationException("the request ledger holds the request without its answer");
        }
        return response ?? ToResponse(linkage.RequestId, evaluation, sequence);
    }

    private async Task<LinkageResponse?> StoredAsync(Guid requestId, string fingerprint)
    {
        var stored = await store.FindRequestAsync(requestId).ConfigureAwait(false);
        if (stored is null) return null;
        if (stored.Operation != Operation || stored.Fingerprint != fingerprint) throw Reused();
        return stored.Response is null ? null : JsonSerializer.Deserialize<LinkageResponse>(stored.Response, JsonDefaults.Options);
    }

    private static RefusalException Reused() => new(StatusCodes.Status409Conflict, "request-id-reused",
        "this request id was already used for a different request (処理通番が別の要求に使われています)");

    /// <summary>Decides one linkage and, when everything allows it, asks the provider. Writes nothing.</summary>
    public async Task<Evaluation> EvaluateAsync(LinkageCase linkage, CancellationToken cancellationToken)
    {
        var decision = await DecideAsync(linkage, cancellationToken).ConfigureAwait(false);
        return decision.Refusal ?? await ForwardAsync(linkage, decision.Forward!, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What <see cref="DecideAsync"/> found: a final refusal, or what forwarding needs.</summary>
    internal sealed record Decision(Evaluation? Refusal, ForwardTo? Forward);

    internal sealed record ForwardTo(InstitutionRegistry.Entry Inquirer, InstitutionRegistry.Entry Provider, long IdCode, Token ProviderToken);

    /// <summary>The network's own checks, in order: token issued to the inquirer, provider registered, policy, provider's token.</summary>
    public async Task<Decision> DecideAsync(LinkageCase linkage, CancellationToken cancellationToken)
    {
        var inquirer = registry.EntryOf(linkage.Inquirer)
            ?? throw new InvalidOperationException("the inquirer was verified but is not registered");
        var idCode = tokens.IdCodeOf(linkage.InquirerToken, linkage.Inquirer);
        await using var connection = await store.Database.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (!await NetworkStore.IsIssuedAsync(connection, linkage.Inquirer, idCode, cancellationToken).ConfigureAwait(false))
            return Refuse(RefusalCodes.UnknownToken, "the token was not issued to the inquirer (照会者に発行された符号ではありません)", null);

        var provider = registry.EntryOf(linkage.Provider);
        if (provider is null || provider.Info.Endpoint is null || provider.Info.Class is InstitutionClass.NumberingAuthority or InstitutionClass.Portal)
            return Refuse(RefusalCodes.ProviderNotRegistered, "the provider is not registered as an information provider (情報提供者として登録されていません)", idCode);

        var date = linkage.PolicyDate ?? ProvisionRecords.JapanDate(clock.GetUtcNow());
        var decision = policy.Check(inquirer.Info.Class, linkage.Affair, provider.Info.Class, linkage.Kind, date);
        if (!decision.IsAllowed)
            return Refuse(decision.RefusalCode!, decision.Message, idCode);

        if (!await NetworkStore.IsIssuedAsync(connection, linkage.Provider, idCode, cancellationToken).ConfigureAwait(false))
            return Refuse(RefusalCodes.ProviderHasNoToken, "the provider holds no token for the person (情報提供者に当該本人の符号がありません)", idCode);
        return new Decision(null, new ForwardTo(inquirer, provider, idCode, tokens.TokenFor(idCode, linkage.Provider)));

        static Decision Refuse(string code, string message, long? idCode) =>
            new(new Evaluation(LinkageOutcome.Refused, code, message, null, idCode, null), null);
    }

    /// <summary>Asks the provider's node (one attempt, with the timeout) and checks its signed answer.</summary>
    public async Task<Evaluation> ForwardAsync(LinkageCase linkage, ForwardTo forward, CancellationToken cancellationToken)
    {
        var (inquirer, provider, idCode, providerToken) = forward;
        var call = await nodes.PostAsync<ProvideRequest, SignedSealedAnswer>(provider.Info.Code, provider.Info.Endpoint!, NodeRoutes.Provide,
            new ProvideRequest(linkage.RequestId, linkage.Inquirer, linkage.Affair, linkage.Provider, providerToken, linkage.Kind, linkage.AsOf,
                inquirer.Info.SealingPublicKey),
            providerTimeout, cancellationToken).ConfigureAwait(false);
        if (!call.Succeeded)
            return new Evaluation(LinkageOutcome.ProviderUnavailable, null,
                $"the provider did not answer the query: {call.Message} (情報提供者から応答がありません)", null, idCode, providerToken,
                Retryable: call.Failure == NodeFailure.Unavailable);

        return Checked(provider, linkage, idCode, providerToken, call.Value!);
    }

    /// <summary>
    /// Asks the provider's node for a chunk of one batch's items (one inquirer, affair, provider and kind) in one signed
    /// request (<see cref="NodeRoutes.ProvideBulk"/>; one attempt, with the bulk timeout) and checks every answer's signature
    /// exactly as <see cref="ForwardAsync"/> does; per item, in order, what <see cref="ForwardAsync"/> would have given.
    /// When the provider could not be reached or its answer broke off, every item is <see cref="Evaluation.Retryable"/>; so
    /// is an item the provider could not answer just now (<c>request-in-progress</c>) or left out. Null when the provider
    /// does not serve the bulk route (404): the caller forwards the items one by one.
    /// </summary>
    public async Task<Evaluation[]?> ForwardBulkAsync(IReadOnlyList<(LinkageCase Linkage, ForwardTo Forward)> items, CancellationToken cancellationToken)
    {
        var (first, (inquirer, provider, _, _)) = items[0];
        var request = new BulkProvideRequest(Guid.NewGuid(), first.Inquirer, first.Affair, first.Provider, first.Kind, inquirer.Info.SealingPublicKey,
            items.Select(i => new BulkProvideItem(i.Linkage.RequestId, i.Forward.ProviderToken, i.Linkage.AsOf)).ToList());
        var call = await nodes.PostAsync<BulkProvideRequest, BulkProvideResponse>(provider.Info.Code, provider.Info.Endpoint!, NodeRoutes.ProvideBulk,
            request, bulkProviderTimeout, cancellationToken).ConfigureAwait(false);
        if (call is { Failure: NodeFailure.Refused, Status: StatusCodes.Status404NotFound }) return null;

        var evaluations = new Evaluation[items.Count];
        var results = new Dictionary<Guid, BulkProvideResult>();
        if (call.Succeeded && call.Value!.ChunkId == request.ChunkId && call.Value.Results is { } answered)
            foreach (var result in answered)
                if (result is not null) results.TryAdd(result.RequestId, result);
        for (var i = 0; i < items.Count; i++)
        {
            var (linkage, (_, _, idCode, providerToken)) = items[i];
            Evaluation Unavailable(string message, bool retryable) => new(LinkageOutcome.ProviderUnavailable, null, message, null, idCode, providerToken,
                Retryable: retryable);
            if (!call.Succeeded)
                evaluations[i] = Unavailable($"the provider did not answer the query: {call.Message} (情報提供者から応答がありません)",
                    call.Failure == NodeFailure.Unavailable);
            else if (call.Value!.ChunkId != request.ChunkId || call.Value.Results is null)
                evaluations[i] = Unavailable("the provider did not answer the query: the node's answer is for another request (情報提供者から応答がありません)", false);
            else if (!results.TryGetValue(linkage.RequestId, out var result))
                evaluations[i] = Unavailable("the provider's answer left the query out (情報提供者から応答がありません)", true);
            else if (result.Answer is null)
                evaluations[i] = Unavailable($"the provider did not answer the query: the node refused ({result.Code}) (情報提供者から応答がありません)",
                    result.Code == "request-in-progress");
            else
                evaluations[i] = Checked(provider, linkage, idCode, providerToken, result.Answer);
        }
        return evaluations;
    }

    /// <summary>The provider's answer to <paramref name="linkage"/> when it is signed with the provider's registered key; otherwise provider-unavailable.</summary>
    private static Evaluation Checked(InstitutionRegistry.Entry provider, LinkageCase linkage, long idCode, Token providerToken, SignedSealedAnswer answer)
    {
        if (answer.Provider != linkage.Provider || answer.Sealed is null || answer.Signature is null
            || !VerifyAnswer(provider.SigningKey, linkage, answer))
            return new Evaluation(LinkageOutcome.ProviderUnavailable, null,
                "the provider's answer is not signed with its registered key (情報提供者の署名を検証できません)", null, idCode, providerToken);
        return new Evaluation(answer.Held ? LinkageOutcome.Provided : LinkageOutcome.NotHeld, null, null, answer, idCode, providerToken);
    }

    private static bool VerifyAnswer(ECDsa providerKey, LinkageCase linkage, SignedSealedAnswer answer)
    {
        var text = SignedSealedAnswer.SignedText(linkage.RequestId, linkage.Provider, linkage.Inquirer, linkage.Kind, answer.Sealed);
        try
        {
            lock (providerKey) return RequestSignature.VerifyText(providerKey, text, answer.Signature);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public static ProvisionDraft ToPayload(LinkageCase linkage, Evaluation evaluation) => new(
        linkage.RequestId, linkage.Inquirer, linkage.Provider, linkage.Affair, linkage.Kind, ToResult(evaluation.Outcome),
        evaluation.RefusalCode, linkage.InquirerToken, evaluation.ProviderToken);

    public static LinkageResponse ToResponse(Guid requestId, Evaluation evaluation, long sequence) =>
        new(requestId, evaluation.Outcome, evaluation.RefusalCode, evaluation.Message, evaluation.Answer, sequence);

    private static ProvisionResult ToResult(LinkageOutcome outcome) => outcome switch
    {
        LinkageOutcome.Provided => ProvisionResult.Provided,
        LinkageOutcome.NotHeld => ProvisionResult.NotHeld,
        LinkageOutcome.Refused => ProvisionResult.Refused,
        _ => ProvisionResult.ProviderUnavailable,
    };

    /// <summary>SHA-256 of the request's canonical JSON: a resent request id must carry the same request.</summary>
    public static string Fingerprint<T>(T request) => Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.Serialize(request)));
}
