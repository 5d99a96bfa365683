using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Renkei.Core.Json;
using Renkei.Network.Contracts;
using Renkei.Network.Records;
using Renkei.Network.Storage;
using Renkei.ServiceDefaults;

namespace Renkei.Network.Linkage;

/// <summary>How batch queries are worked through.</summary>
/// <param name="Parallelism">items of one batch in flight at once</param>
/// <param name="RetryInitial">first wait after a provider was unavailable; doubles per consecutive failure</param>
/// <param name="RetryMax">longest wait between attempts</param>
/// <param name="ClaimLease">how long this instance's claim on the items it works lasts (renewed while it works them); an idle
/// instance also looks at the database this often, for batches another instance accepted or left behind</param>
/// <param name="ChunkSize">items claimed and forwarded to the provider together (one bulk request)</param>
/// <param name="ChunksInFlight">chunks this instance works at once, over all batches (one worker lane each)</param>
internal sealed record BatchOptions(int Parallelism, TimeSpan RetryInitial, TimeSpan RetryMax, TimeSpan ClaimLease, int ChunkSize,
    int ChunksInFlight);

/// <summary>
/// Batch queries (一括照会): accepted and persisted at once (202), then worked through in the background, in chunks, with
/// bounded parallelism: <see cref="BatchOptions.ChunksInFlight"/> worker lanes each take the unfinished batches in turn, one
/// chunk of each per round, so several chunks are on their way at once (one being checked, one at the provider, one being
/// recorded) and no batch waits for another to finish. An item whose provider is unavailable stays pending; the whole batch then waits (exponential
/// backoff per provider) and resumes when the provider answers again. Each item is recorded once: its answer is written
/// in the transaction of its provision record, and only while it is still pending. Unfinished batches resume when the
/// network starts.
/// <para>Several instances may serve one database: each takes the items it works with a claim in the database (a lease,
/// renewed while it works), so the others skip them and a dead instance's items are taken over when its claim lapses. The
/// claim saves asking the provider twice; that an item gets one record is decided by the database alone
/// (<see cref="NetworkStore.CompleteItem"/>), whatever the claims, the backoff or the wake-ups of this process say.</para>
/// </summary>
internal sealed class BatchService : IAsyncDisposable
{
    private readonly NetworkStore _store;
    private readonly LinkageService _linkage;
    private readonly ProvisionRecords _records;
    private readonly TimeProvider _clock;
    private readonly BatchOptions _options;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset Until)> _providerDown = new(StringComparer.Ordinal);

    // Names this running instance in the claims it takes; a restarted instance is another one (its old claims are let go or lapse).
    // Each lane claims under its own name (instance/lane), so a lane renews and lets go of its own chunk's items only.
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private Task? _loop;

    public BatchService(NetworkStore store, LinkageService linkage, ProvisionRecords records, TimeProvider clock, BatchOptions options)
    {
        _store = store;
        _linkage = linkage;
        _records = records;
        _clock = clock;
        _options = options;
    }

    /// <summary>Starts the background worker (and resumes unfinished batches). Failures are logged by exception type only.</summary>
    public void Start(ILogger logger)
    {
        _logger = logger;
        _loop ??= Task.WhenAll(Enumerable.Range(0, _options.ChunksInFlight).Select(lane => Task.Run(() => LoopAsync(lane))));
    }

    private ILogger? _logger;

    public async Task<BatchLinkageAccepted> SubmitAsync(BatchLinkageRequest request, CancellationToken cancellationToken)
    {
        Validate(request);
        var fingerprint = LinkageService.Fingerprint(request);
        var row = await _store.InsertBatchAsync(request, fingerprint, _clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (row.Fingerprint != fingerprint)
            throw new RefusalException(StatusCodes.Status409Conflict, "batch-id-reused",
                "this batch id was already used for a different batch (一括照会の識別子が別の照会に使われています)");
        _wake.Release(_options.ChunksInFlight); // every idle lane looks
        return new BatchLinkageAccepted(row.BatchId, row.Total, row.State);
    }

    public async Task<BatchStatusResponse> StatusAsync(BatchStatusRequest request, CancellationToken cancellationToken)
    {
        if (request.Limit is < 1 or > 1000)
            throw new RefusalException(StatusCodes.Status400BadRequest, "invalid-request", "limit: between 1 and 1000 (取得件数が正しくありません)");
        var row = await _store.FindBatchAsync(request.BatchId, cancellationToken).ConfigureAwait(false);
        if (row is null || row.Inquirer != request.Inquirer)
            throw new RefusalException(StatusCodes.Status404NotFound, "unknown-batch", "no batch query with this id from this inquirer (一括照会が見つかりません)");
        var (finished, pending) = await _store.CountItemsAsync(row.BatchId, cancellationToken).ConfigureAwait(false);
        var results = (await _store.FinishedItemsAsync(row.BatchId, request.AfterItemIndex, request.Limit, cancellationToken).ConfigureAwait(false))
            .Select(x => new BatchItemResult(x.Index, x.ItemId, JsonSerializer.Deserialize<LinkageResponse>(x.Response, JsonDefaults.Options)!))
            .ToList();
        var state = pending == 0 ? BatchState.Completed : finished == 0 && row.State == BatchState.Queued ? BatchState.Queued : BatchState.Running;
        return new BatchStatusResponse(row.BatchId, state, row.Total, finished, pending, results);
    }

    private static void Validate(BatchLinkageRequest request)
    {
        static RefusalException Bad(string message) => new(StatusCodes.Status400BadRequest, "invalid-request", message);
        if (request.Items.Count == 0) throw Bad("items: a batch query needs at least one item (照会対象がありません)");
        if (request.Items.Count > NetworkRoutes.MaxLinkageBatch)
            throw new RefusalException(StatusCodes.Status400BadRequest, "batch-too-large",
                $"items: at most {NetworkRoutes.MaxLinkageBatch} people per batch query (一括照会の件数が多すぎます)");
        if (string.IsNullOrWhiteSpace(request.Affair) || string.IsNullOrWhiteSpace(request.Provider) || string.IsNullOrWhiteSpace(request.Kind))
            throw Bad("affair, provider and kind are required (事務・提供者・情報種別は必須です)");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < request.Items.Count; i++)
        {
            var id = request.Items[i].ItemId;
            if (string.IsNullOrWhiteSpace(id) || id.Length > 64)
                throw Bad($"items[{i}].itemId: 1 to 64 characters (項目識別子が正しくありません)");
            if (!ids.Add(id)) throw new RefusalException(StatusCodes.Status400BadRequest, "duplicate-item-id", $"items[{i}].itemId: used twice in the batch (項目識別子が重複しています)");
        }
    }

    /// <summary>The request id of a batch item, the same on every attempt (the provider records under it).</summary>
    public static Guid ItemRequestId(Guid batchId, int itemIndex)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"renkei/network/batch-item/v1\n{batchId:D}\n{itemIndex}"), hash);
        hash[7] = (byte)((hash[7] & 0x0F) | 0x80); // version 8 (name-based, custom)
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(hash[..16]);
    }

    /// <summary>One worker lane: the unfinished batches in turn, one chunk of each per round, until none is due.</summary>
    private async Task LoopAsync(int lane)
    {
        var owner = $"{_instance}/{lane}";
        var stop = _stopping.Token;
        while (!stop.IsCancellationRequested)
        {
            DateTimeOffset? wakeAt = null;
            var worked = false;
            try
            {
                foreach (var batch in _store.UnfinishedBatches())
                {
                    if (stop.IsCancellationRequested) break;
                    worked |= await WorkAsync(batch, owner, stop).ConfigureAwait(false);
                    var next = _store.NextDue(batch.BatchId);
                    if (next is null) _store.SetState(batch.BatchId, BatchState.Completed);
                    else if (wakeAt is null || next < wakeAt) wakeAt = next;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception failure)
            {
                // A database hiccup: nothing half-written (each item commits with its record); try again shortly.
                _logger?.LogError("batch worker: {ExceptionType}; retrying", failure.GetType().Name);
                wakeAt = _clock.GetUtcNow() + _options.RetryInitial;
            }
            if (worked) continue;
            // Idle, this lane still looks again within a lease: a batch accepted by another instance, or left behind by
            // one that died, is found in the database (a wake-up only comes from submissions to this instance). Items another
            // lane holds count as due when its claim lapses; that lane goes on with the batch meanwhile.
            var delay = wakeAt is { } at ? at - _clock.GetUtcNow() : _options.ClaimLease;
            if (delay <= TimeSpan.Zero) continue;
            if (delay > _options.ClaimLease) delay = _options.ClaimLease;
            try
            {
                using var timer = new CancellationTokenSource(delay, _clock);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(stop, timer.Token);
                await _wake.WaitAsync(either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                // the wait is over: items are due
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>
    /// Claims one chunk of the batch's due items and works it through; true when any item finished. The claims are renewed
    /// while the chunk is worked and let go at the end, so the items left pending are free for any instance when next due.
    /// </summary>
    private async Task<bool> WorkAsync(BatchRow batch, string owner, CancellationToken stop)
    {
        var now = _clock.GetUtcNow();
        var items = _store.ClaimDueItems(batch.BatchId, owner, now, now + _options.ClaimLease, _options.ChunkSize);
        if (items.Count == 0) return false;
        using var working = new CancellationTokenSource();
        var renewing = RenewClaimsAsync(batch.BatchId, owner, working.Token);
        try
        {
            if (batch.State == BatchState.Queued) _store.SetState(batch.BatchId, BatchState.Running);
            return await WorkClaimedAsync(batch, items, stop).ConfigureAwait(false);
        }
        finally
        {
            await working.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(false);
            ReleaseClaims(batch.BatchId, owner);
        }
    }

    /// <summary>
    /// Works a claimed chunk: the network's own checks for every item (its refusals are final at once), then the items it
    /// forwards go to the batch's provider in one signed request (<see cref="LinkageService.ForwardBulkAsync"/>; one by one
    /// when the provider does not serve the bulk route), then every final item is recorded in one transaction. When the
    /// provider cannot be reached or its answer breaks off, none of its items is recorded: they stay pending and are retried
    /// with the batch's backoff.
    /// </summary>
    private async Task<bool> WorkClaimedAsync(BatchRow batch, List<BatchItemRow> items, CancellationToken stop)
    {
        var linkages = items.Select(item => new LinkageCase(ItemRequestId(batch.BatchId, item.ItemIndex), batch.Inquirer, item.InquirerToken,
            batch.Affair, batch.Provider, batch.Kind, item.AsOf, batch.PolicyDate)).ToArray();
        var decisions = new LinkageService.Decision[items.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, items.Count), new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = stop },
            async (i, ct) => decisions[i] = await _linkage.DecideAsync(linkages[i], ct).ConfigureAwait(false)).ConfigureAwait(false);

        var evaluations = new Evaluation?[items.Count];
        var forward = new List<int>();
        for (var i = 0; i < items.Count; i++)
        {
            if (decisions[i].Refusal is { } refusal) evaluations[i] = refusal;
            else forward.Add(i);
        }
        var unavailable = new List<int>();
        // While the provider is down the items wait with the batch instead of timing out.
        if (forward.Count > 0 && !(_providerDown.TryGetValue(batch.Provider, out var down) && down.Until > _clock.GetUtcNow()))
        {
            var forwarded = await ForwardAsync(forward.Select(i => (linkages[i], decisions[i].Forward!)).ToList(), stop).ConfigureAwait(false);
            for (var j = 0; j < forward.Count; j++)
            {
                if (forwarded[j] is not { } evaluation) continue; // not sent: it waits with the batch
                if (evaluation.Retryable) unavailable.Add(items[forward[j]].ItemIndex);
                else evaluations[forward[j]] = evaluation;
            }
        }

        var finished = Record(batch, linkages, items, evaluations);

        if (_providerDown.TryGetValue(batch.Provider, out var stillDown) && stillDown.Until > _clock.GetUtcNow() && unavailable.Count == 0)
        {
            // Not tried this round: the rest of the batch waits for the provider's next attempt.
            _store.Postpone(batch.BatchId, [], stillDown.Until);
        }
        else if (unavailable.Count == 0)
        {
            _providerDown.TryRemove(batch.Provider, out _);
        }
        else if (_providerDown.TryGetValue(batch.Provider, out var counted) && counted.Until > _clock.GetUtcNow())
        {
            // Another lane's chunk found the provider down in this same round and counted the failure: wait as long.
            _store.Postpone(batch.BatchId, unavailable, counted.Until);
        }
        else
        {
            var failures = _providerDown.TryGetValue(batch.Provider, out var previous) ? previous.Failures + 1 : 1;
            var wait = TimeSpan.FromTicks(Math.Min(_options.RetryMax.Ticks, _options.RetryInitial.Ticks * (1L << Math.Min(failures - 1, 20))));
            var until = _clock.GetUtcNow() + wait;
            _providerDown[batch.Provider] = (failures, until);
            _store.Postpone(batch.BatchId, unavailable, until);
        }
        return finished > 0;
    }

    /// <summary>
    /// The provider's answers to the items, in order: one bulk request for the chunk, or, from a provider without the bulk
    /// route, one request per item (no further item is sent once one found the provider unavailable: those are null).
    /// </summary>
    private async Task<Evaluation?[]> ForwardAsync(List<(LinkageCase Linkage, LinkageService.ForwardTo Forward)> items, CancellationToken stop)
    {
        if (await _linkage.ForwardBulkAsync(items, stop).ConfigureAwait(false) is { } answers) return answers;
        var evaluations = new Evaluation?[items.Count];
        var unavailable = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, items.Count), new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = stop }, async (i, ct) =>
        {
            if (Volatile.Read(ref unavailable) != 0) return;
            var evaluation = await _linkage.ForwardAsync(items[i].Linkage, items[i].Forward, ct).ConfigureAwait(false);
            if (evaluation.Retryable) Interlocked.Exchange(ref unavailable, 1);
            evaluations[i] = evaluation;
        }).ConfigureAwait(false);
        return evaluations;
    }

    /// <summary>
    /// Records every item with a final evaluation (null: still pending) in one transaction, each with its answer
    /// (<see cref="NetworkStore.CompleteItem"/>); returns how many were recorded. Should another instance have answered one of
    /// them meanwhile (its claim here had lapsed), that transaction rolls back whole and the items are recorded one by one,
    /// so the others still get their one record and that one none.
    /// </summary>
    private int Record(BatchRow batch, LinkageCase[] linkages, List<BatchItemRow> items, Evaluation?[] evaluations)
    {
        var final = Enumerable.Range(0, items.Count).Where(i => evaluations[i] is not null).ToList();
        if (final.Count == 0) return 0;
        (ProvisionDraft, long?, Action<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, long>?) Entry(int i)
        {
            var (linkage, evaluation, itemIndex) = (linkages[i], evaluations[i]!, items[i].ItemIndex);
            return (LinkageService.ToPayload(linkage, evaluation), evaluation.IdCode, (c, t, sequence) =>
                NetworkStore.CompleteItem(c, t, batch.BatchId, itemIndex,
                    JsonSerializer.Serialize(LinkageService.ToResponse(linkage.RequestId, evaluation, sequence), JsonDefaults.Options), sequence));
        }
        try
        {
            return _records.AppendBatch(final.Select(Entry).ToList()).Length;
        }
        catch (BatchItemAlreadyAnsweredException)
        {
            // Nothing of the chunk was written: one by one, so only the items answered elsewhere go without a record here.
        }
        var recorded = 0;
        foreach (var i in final)
        {
            try
            {
                _records.AppendBatch([Entry(i)]);
                recorded++;
            }
            catch (BatchItemAlreadyAnsweredException)
            {
                // Another instance answered the item first: its record stands, this one rolled back.
            }
        }
        return recorded;
    }

    /// <summary>Keeps the lane's claims on the batch alive (a third of the lease apart) until <paramref name="done"/>.</summary>
    private async Task RenewClaimsAsync(Guid batchId, string owner, CancellationToken done)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.ClaimLease / 3, _clock, done).ConfigureAwait(false);
                try
                {
                    _store.RenewClaims(batchId, owner, _clock.GetUtcNow() + _options.ClaimLease);
                }
                catch (Exception failure) when (failure is not OperationCanceledException)
                {
                    // Should the claims lapse meanwhile, another instance may ask the provider again; still one record per item.
                    _logger?.LogWarning("batch worker: renewing claims failed: {ExceptionType}", failure.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (done.IsCancellationRequested)
        {
            // the chunk is done
        }
    }

    /// <summary>Lets go of the lane's claims on the batch's items still pending; should the database be away, they lapse instead.</summary>
    private void ReleaseClaims(Guid batchId, string owner)
    {
        try
        {
            _store.ReleaseClaims(batchId, owner);
        }
        catch (Exception failure)
        {
            _logger?.LogWarning("batch worker: letting go of claims failed: {ExceptionType}", failure.GetType().Name);
        }
    }

    private int _disposed;

    /// <summary>Stops the worker (the host does so before HTTP stops; the container disposes it again, which does nothing).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stopping.Cancel();
        if (_loop is not null)
        {
            try { await _loop.ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
        _stopping.Dispose();
        _wake.Dispose();
    }
}
