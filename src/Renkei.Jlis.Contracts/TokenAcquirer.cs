using System.Security.Cryptography;
using System.Text;
using Renkei.Core.Numbers;

namespace Renkei.Jlis.Contracts;

/// <summary>
/// The asking institution's own intermediate server (中間サーバー) as far as token acquisition needs it: the network
/// delivers tokens there, so a request is registered there as pending (request id → addressee number, or batch id and
/// positions → addressee numbers) before J-LIS is asked, and afterwards it says who holds a token. Implemented by the
/// caller over its intermediate server's client (the token itself never leaves the intermediate server). Registering
/// the same id with the same content again must succeed.
/// </summary>
public interface ITokenInbox
{
    /// <summary>Registers one pending request: the token delivered under <paramref name="requestId"/> belongs to <paramref name="addresseeNumber"/>. Returns true when the addressee already holds a token.</summary>
    Task<bool> RegisterPendingAsync(Guid requestId, long addresseeNumber, CancellationToken cancellationToken = default);

    /// <summary>Registers a pending batch: the token delivered at index i belongs to <paramref name="addresseeNumbers"/>[i].</summary>
    Task RegisterPendingBatchAsync(Guid batchId, IReadOnlyList<long> addresseeNumbers, CancellationToken cancellationToken = default);

    /// <summary>For each of <paramref name="addresseeNumbers"/> (any count), whether it holds a token now.</summary>
    Task<IReadOnlyList<bool>> HasTokensAsync(IReadOnlyList<long> addresseeNumbers, CancellationToken cancellationToken = default);
}

/// <summary>A person to acquire a token for: the institution's addressee number and the person's individual number. <see cref="ToString"/> shows neither.</summary>
public readonly record struct TokenSubject(long AddresseeNumber, IndividualNumber IndividualNumber)
{
    public override string ToString() => "TokenSubject { *** }";
}

/// <summary>A person whose token J-LIS refused, named by the institution's addressee number (never the individual number).</summary>
public sealed record RefusedSubject(long AddresseeNumber, string Code, string Reason);

/// <summary>
/// What one chunk (one J-LIS batch) did. <see cref="Accepted"/> and <see cref="Delivered"/> are J-LIS's and the network's
/// counts; <see cref="Held"/> and <see cref="NotDelivered"/> are what the intermediate server says afterwards about the
/// people J-LIS did not refuse (a person whose delivery failed can simply be asked for again).
/// </summary>
public sealed record TokenChunkResult(
    Guid BatchId,
    int Requested,
    int Accepted,
    int Delivered,
    IReadOnlyList<long> Held,
    IReadOnlyList<RefusedSubject> Refused,
    IReadOnlyList<long> NotDelivered);

/// <summary>Progress of <see cref="TokenAcquirer.AcquireManyAsync"/>, reported after every chunk.</summary>
public sealed record TokenAcquisitionProgress(int ChunksDone, int ChunksTotal, long Held, long Refused, long Total);

/// <summary>What <see cref="TokenAcquirer.AcquireManyAsync"/> did in all.</summary>
public sealed record TokenAcquisitionSummary(int Chunks, long Requested, long Held, IReadOnlyList<RefusedSubject> Refused, IReadOnlyList<long> NotDelivered);

/// <summary>
/// Acquires tokens (符号取得) for an institution that holds people's numbers — a ward, the pension organisation, an
/// insurer: it registers the request at the institution's own intermediate server (<see cref="ITokenInbox"/>), then asks
/// J-LIS (<see cref="IJlisTokenClient"/>, signed as the institution), which has the network deliver the token to that
/// intermediate server. One at a time (<see cref="AcquireAsync"/>), one batch (<see cref="AcquireChunkAsync"/>), or many
/// in chunks of <see cref="DefaultChunkSize"/> (<see cref="AcquireManyAsync"/>, 符号一斉取得).
/// <para>Every step is idempotent by its id: retrying with the same request id, batch id or run id (and the same people in
/// the same order) registers nothing twice and gets nobody a second token. The individual numbers go only to J-LIS.</para>
/// </summary>
public sealed class TokenAcquirer
{
    public const int DefaultChunkSize = 10_000;

    private readonly ITokenInbox _inbox;
    private readonly IJlisTokenClient _jlis;

    /// <param name="institution">The institution's code on the network (the signer of <paramref name="jlis"/>'s requests).</param>
    public TokenAcquirer(string institution, ITokenInbox inbox, IJlisTokenClient jlis)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(institution);
        Institution = institution;
        _inbox = inbox ?? throw new ArgumentNullException(nameof(inbox));
        _jlis = jlis ?? throw new ArgumentNullException(nameof(jlis));
    }

    public string Institution { get; }

    /// <summary>
    /// One person's token. Returns true when the intermediate server holds the person's token afterwards (delivered now,
    /// or held already, in which case J-LIS is not asked).
    /// </summary>
    /// <exception cref="JlisException">J-LIS refused (e.g. <see cref="TokenRefusalCodes.NumberSuperseded"/>) or could not reach the network.</exception>
    public async Task<bool> AcquireAsync(Guid requestId, TokenSubject subject, CancellationToken cancellationToken = default)
    {
        if (requestId == Guid.Empty) throw new ArgumentException("the request id is empty", nameof(requestId));
        if (await _inbox.RegisterPendingAsync(requestId, subject.AddresseeNumber, cancellationToken).ConfigureAwait(false)) return true;
        var response = await _jlis.RequestTokenAsync(new TokenRequest(requestId, Institution, subject.IndividualNumber), cancellationToken)
            .ConfigureAwait(false);
        if (response.RequestId != requestId) throw new InvalidOperationException("J-LIS answered a token request with another request's id");
        return response.Delivered;
    }

    /// <summary>
    /// One batch of at most <see cref="JlisTokenRoutes.MaxBatchItems"/> people, indexed by their position in
    /// <paramref name="subjects"/>. The whole batch always goes to J-LIS (also people who hold a token already), so a resent
    /// batch is the same request and J-LIS answers it alike.
    /// </summary>
    /// <exception cref="JlisException">J-LIS refused the batch as a whole or could not reach the network.</exception>
    public async Task<TokenChunkResult> AcquireChunkAsync(Guid batchId, IReadOnlyList<TokenSubject> subjects, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        if (batchId == Guid.Empty) throw new ArgumentException("the batch id is empty", nameof(batchId));
        if (subjects.Count is 0 or > JlisTokenRoutes.MaxBatchItems)
            throw new ArgumentOutOfRangeException(nameof(subjects), $"a batch holds 1 … {JlisTokenRoutes.MaxBatchItems} people");

        var addressees = new long[subjects.Count];
        var items = new IndexedNumber[subjects.Count];
        for (var i = 0; i < subjects.Count; i++)
        {
            addressees[i] = subjects[i].AddresseeNumber;
            items[i] = new IndexedNumber(i, subjects[i].IndividualNumber);
        }
        await _inbox.RegisterPendingBatchAsync(batchId, addressees, cancellationToken).ConfigureAwait(false);
        var response = await _jlis.RequestTokenBatchAsync(new TokenBatchRequest(batchId, Institution, items), cancellationToken).ConfigureAwait(false);
        if (response.BatchId != batchId) throw new InvalidOperationException("J-LIS answered a token batch with another batch's id");

        var refusedAt = new bool[addressees.Length];
        var refused = new List<RefusedSubject>(response.Refused.Count);
        foreach (var item in response.Refused)
        {
            if (item.Index < 0 || item.Index >= addressees.Length)
                throw new InvalidOperationException("J-LIS refused an index that is not in the batch");
            if (refusedAt[item.Index]) continue;
            refusedAt[item.Index] = true;
            refused.Add(new RefusedSubject(addressees[item.Index], item.Code, item.Reason));
        }
        var asked = new List<long>(addressees.Length - refused.Count);
        for (var i = 0; i < addressees.Length; i++) if (!refusedAt[i]) asked.Add(addressees[i]);
        var holds = asked.Count == 0 ? [] : await _inbox.HasTokensAsync(asked, cancellationToken).ConfigureAwait(false);
        if (holds.Count != asked.Count) throw new InvalidOperationException("the intermediate server answered for another number of addressees");
        var held = new List<long>(asked.Count);
        var notDelivered = new List<long>();
        for (var i = 0; i < asked.Count; i++) (holds[i] ? held : notDelivered).Add(asked[i]);
        return new TokenChunkResult(batchId, subjects.Count, response.Accepted, response.Delivered, held, refused, notDelivered);
    }

    /// <summary>
    /// Many people in chunks of <paramref name="chunkSize"/>. Chunk i is sent with batch id <see cref="ChunkId"/>(<paramref name="runId"/>, i),
    /// so running again with the same run id and the same people in the same order resends the same batches, which is
    /// harmless. Callers that must survive a crash between chunks keep their own progress (see the ward's token job).
    /// </summary>
    public async Task<TokenAcquisitionSummary> AcquireManyAsync(Guid runId, IReadOnlyList<TokenSubject> subjects, int chunkSize = DefaultChunkSize,
        IProgress<TokenAcquisitionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        if (chunkSize is < 1 or > JlisTokenRoutes.MaxBatchItems)
            throw new ArgumentOutOfRangeException(nameof(chunkSize), $"a chunk holds 1 … {JlisTokenRoutes.MaxBatchItems} people");
        var chunks = (subjects.Count + chunkSize - 1) / chunkSize;
        long held = 0;
        var refused = new List<RefusedSubject>();
        var notDelivered = new List<long>();
        progress?.Report(new TokenAcquisitionProgress(0, chunks, 0, 0, subjects.Count));
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = chunk * chunkSize;
            var slice = new TokenSubject[Math.Min(chunkSize, subjects.Count - start)];
            for (var i = 0; i < slice.Length; i++) slice[i] = subjects[start + i];
            var result = await AcquireChunkAsync(ChunkId(runId, chunk), slice, cancellationToken).ConfigureAwait(false);
            held += result.Held.Count;
            refused.AddRange(result.Refused);
            notDelivered.AddRange(result.NotDelivered);
            progress?.Report(new TokenAcquisitionProgress(chunk + 1, chunks, held, refused.Count, subjects.Count));
        }
        return new TokenAcquisitionSummary(chunks, subjects.Count, held, refused, notDelivered);
    }

    /// <summary>The batch id of chunk <paramref name="chunkIndex"/> of run <paramref name="runId"/> (a name-based id: the same inputs give the same id).</summary>
    public static Guid ChunkId(Guid runId, int chunkIndex) => DerivedId(runId, "token-chunk/" + chunkIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A request id for a follow-up call, derived from another id and a purpose so a retry derives the same one.</summary>
    public static Guid DerivedId(Guid id, string purpose)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        Span<byte> input = stackalloc byte[16 + Encoding.UTF8.GetByteCount(purpose)];
        id.TryWriteBytes(input);
        Encoding.UTF8.GetBytes(purpose, input[16..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        return new Guid(hash[..16]);
    }
}
