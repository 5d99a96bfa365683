using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Renkei.Core.Crypto;

/// <summary>
/// Signs messages with one ECDSA key, a batch at a time (<see cref="BatchSignature"/>): a message handed to
/// <see cref="SignAsync"/> joins the queue; when the signer is free, it takes everything queued, signs the Merkle root of
/// the lot once and hands every message its own batch signature. A message that finds the signer free is signed at once
/// as a batch of one, so nothing ever waits for a batch to fill (no timers, no minimum size): batches grow only while
/// messages arrive faster than one signature takes. The signing runs on the caller that found the signer free; a batch
/// queued meanwhile is signed on the thread pool, so no caller carries other callers' work for long.
/// <para>One signer per key object (<see cref="For"/>), shared by everything that signs with that key (requests, answers),
/// so all of them share batches. Signing locks the key object, as every other use of an institution's key does.</para>
/// </summary>
public sealed class BatchSigner
{
    private static readonly ConditionalWeakTable<ECDsa, BatchSigner> ByKey = new();

    private readonly ECDsa _key;
    private readonly Lock _gate = new();
    private List<Pending> _queue = [];
    private bool _signing;

    public BatchSigner(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key;
    }

    /// <summary>The process's one signer for <paramref name="key"/> (the key stays its owner's).</summary>
    public static BatchSigner For(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return ByKey.GetValue(key, k => new BatchSigner(k));
    }

    /// <summary>How many batches and messages this signer has signed (for benchmarks and tests).</summary>
    public long Batches => Interlocked.Read(ref _batches);
    public long Messages => Interlocked.Read(ref _messages);
    private long _batches;
    private long _messages;
    private long _unsigned;

    /// <summary>Every signer of this process together: root signatures made and messages they covered (for benchmarks).</summary>
    public static (long Signatures, long Messages) ProcessTotals => (Interlocked.Read(ref s_batches), Interlocked.Read(ref s_messages));
    private static long s_batches;
    private static long s_messages;

    /// <summary>How many messages are waiting for their signature now (queued or in the batch being signed).</summary>
    public long Unsigned => Interlocked.Read(ref _unsigned);

    /// <summary>For tests: whether a batch is being signed (or handed on) now.</summary>
    internal bool IsSigning
    {
        get
        {
            lock (_gate) return _signing;
        }
    }

    /// <summary>The batch signature (<see cref="BatchSignature.Encode"/> form) of <paramref name="text"/>'s UTF-8 bytes.</summary>
    public Task<string> SignAsync(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var pending = new Pending(BatchSignature.MessageDigest(text));
        Enqueue([pending]);
        return pending.Result.Task;
    }

    /// <summary>
    /// The batch signatures of <paramref name="texts"/>, in order, all from one batch: they join the queue together, so one
    /// root signature covers every one of them (with whatever else was queued at that moment).
    /// </summary>
    public async Task<string[]> SignAllAsync(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) return [];
        var pending = new Pending[texts.Count];
        for (var i = 0; i < pending.Length; i++) pending[i] = new Pending(BatchSignature.MessageDigest(texts[i] ?? throw new ArgumentNullException(nameof(texts))));
        Enqueue(pending);
        var signatures = new string[pending.Length];
        for (var i = 0; i < pending.Length; i++) signatures[i] = await pending[i].Result.Task.ConfigureAwait(false);
        return signatures;
    }

    /// <summary>Queues <paramref name="pending"/> together; a caller that finds the signer free signs the queue at once.</summary>
    private void Enqueue(Pending[] pending)
    {
        Interlocked.Add(ref _unsigned, pending.Length);
        bool lead;
        lock (_gate)
        {
            _queue.AddRange(pending);
            lead = !_signing;
            if (lead) _signing = true;
        }
        if (lead) SignQueued(handOff: true);
    }

    /// <summary>Signs what is queued, then either hands further batches to the thread pool or keeps signing them.</summary>
    private void SignQueued(bool handOff)
    {
        while (true)
        {
            List<Pending> batch;
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _signing = false;
                    return;
                }
                batch = _queue;
                _queue = [];
            }
            Sign(batch);
            if (!handOff) continue;
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _signing = false;
                    return;
                }
            }
            ThreadPool.UnsafeQueueUserWorkItem(static signer => signer.SignQueued(handOff: false), this, preferLocal: false);
            return;
        }
    }

    private void Sign(List<Pending> batch)
    {
        try
        {
            var digests = new byte[batch.Count][];
            for (var i = 0; i < digests.Length; i++) digests[i] = batch[i].Digest;
            BatchSignature[] signatures;
            lock (_key) signatures = BatchSignature.SignBatch(_key, digests);
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _messages, batch.Count);
            Interlocked.Increment(ref s_batches);
            Interlocked.Add(ref s_messages, batch.Count);
            Interlocked.Add(ref _unsigned, -batch.Count);
            for (var i = 0; i < batch.Count; i++) batch[i].Result.TrySetResult(signatures[i].Encode());
        }
        catch (Exception e)
        {
            Interlocked.Add(ref _unsigned, -batch.Count);
            foreach (var pending in batch) pending.Result.TrySetException(e);
        }
    }

    private sealed class Pending(byte[] digest)
    {
        public byte[] Digest { get; } = digest;
        public TaskCompletionSource<string> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
