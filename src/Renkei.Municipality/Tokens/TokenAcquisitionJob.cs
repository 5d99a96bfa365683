using System.Buffers.Binary;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Registry;

namespace Renkei.Municipality.Tokens;

public sealed record TokenAcquisitionOptions(int ChunkSize = TokenAcquirer.DefaultChunkSize);

/// <summary>Progress of <see cref="TokenAcquisitionJob"/>, reported after every chunk.</summary>
public sealed record TokenAcquisitionJobProgress(int ChunksDone, int ChunksTotal, long Held, long Total);

/// <summary>
/// What one run did: chunks sent (of them <see cref="ResentChunks"/> left unapplied by an interrupted run), people who hold a
/// token after it, people J-LIS refused (first <see cref="TokenAcquisitionJob.MaxListedRefusals"/> listed, by addressee
/// number and J-LIS's code), and people J-LIS accepted whose token did not reach the intermediate server (a rerun asks again).
/// </summary>
public sealed record TokenAcquisitionReport(
    int Chunks,
    int ResentChunks,
    long Held,
    long Refused,
    long NotDelivered,
    IReadOnlyList<RefusedSubject> Refusals);

/// <summary>
/// Bulk token acquisition (符号一斉取得) for the ward's whole addressee system: everyone with an integrated addressee number
/// and a current individual number (register people and 住登外者) whom the ward has not recorded as holding a token, in
/// chunks of <see cref="TokenAcquisitionOptions.ChunkSize"/> through <see cref="TokenAcquirer"/>.
/// <list type="number">
/// <item>Take the next people by addressee number and record the chunk (id, people) durably before anyone hears of it.</item>
/// <item>Register it at the intermediate server, ask J-LIS (which has the network deliver), and ask the intermediate server who holds a token now.</item>
/// <item>In one transaction, record the holders and J-LIS's refusals and mark the chunk applied.</item>
/// </list>
/// The process may stop at any point. A rerun first resends every recorded but unapplied chunk with its original id and
/// people (the intermediate server, J-LIS and the network treat it as the same request; the network derives the same
/// token, and the intermediate server binds one token per addressee), then continues, so every person ends up with exactly
/// one token, and no one is skipped. One run passes over the addressees once. Only one job may run for a ward at a time.
/// </summary>
public sealed class TokenAcquisitionJob
{
    public const int MaxListedRefusals = 10_000;

    private readonly TokenAcquirer _acquirer;
    private readonly TokenHoldings _holdings;
    private readonly TokenAcquisitionOptions _options;

    /// <param name="addressees">The ward's integrated addressee system (its tables must exist; run a sync first for newcomers).</param>
    public TokenAcquisitionJob(AddresseeSystem addressees, TokenAcquirer acquirer, TokenAcquisitionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(addressees);
        _acquirer = acquirer ?? throw new ArgumentNullException(nameof(acquirer));
        _options = options ?? new TokenAcquisitionOptions();
        if (_options.ChunkSize is < 1 or > JlisTokenRoutes.MaxBatchItems)
            throw new ArgumentOutOfRangeException(nameof(options), $"the chunk size is 1 … {JlisTokenRoutes.MaxBatchItems}");
        _holdings = new TokenHoldings(addressees.Database);
    }

    public TokenHoldings Holdings => _holdings;

    private Database Database => _holdings.Database;

    /// <summary>Test hook: runs inside the apply transaction just before it commits.</summary>
    internal Action<Guid>? BeforeApplyCommit { get; set; }

    public async Task<TokenAcquisitionReport> RunAsync(IProgress<TokenAcquisitionJobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var pending = LoadPendingChunks();
        var total = pending.Sum(c => (long)c.Subjects.Length) + CountEligible();
        var chunksTotal = pending.Count + (int)Math.Ceiling((total - pending.Sum(c => (long)c.Subjects.Length)) / (double)_options.ChunkSize);
        int chunksDone = 0, resent = 0;
        long held = 0, refused = 0, notDelivered = 0;
        var refusals = new List<RefusedSubject>();

        void Count(TokenChunkResult result)
        {
            chunksDone++;
            held += result.Held.Count;
            refused += result.Refused.Count;
            notDelivered += result.NotDelivered.Count;
            foreach (var r in result.Refused) if (refusals.Count < MaxListedRefusals) refusals.Add(r);
            chunksTotal = Math.Max(chunksTotal, chunksDone);
            progress?.Report(new TokenAcquisitionJobProgress(chunksDone, chunksTotal, held, total));
        }

        progress?.Report(new TokenAcquisitionJobProgress(0, chunksTotal, 0, total));
        foreach (var chunk in pending)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Count(await SendAndApplyAsync(chunk, cancellationToken));
            resent++;
        }

        long cursor = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var subjects = Extract(cursor);
            if (subjects.Length == 0) break;
            cursor = subjects[^1].AddresseeNumber;
            Count(await SendAndApplyAsync(Record(subjects), cancellationToken));
        }
        return new TokenAcquisitionReport(chunksDone, resent, held, refused, notDelivered, refusals);
    }

    // ---------------------------------------------------------------- extract and record

    private sealed record Chunk(Guid ChunkId, TokenSubject[] Subjects);

    private const string Eligible = """
        FROM addressee_persons a LEFT JOIN resident_numbers n ON n.resident_id = a.resident_id AND n.valid_to IS NULL
        WHERE COALESCE(n.individual_number, a.individual_number) IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM token_holdings h WHERE h.addressee_number = a.addressee_number)
        """;

    private long CountEligible()
    {
        using var connection = Database.Open();
        return connection.Command("SELECT COUNT(*) " + Eligible).ScalarInt64();
    }

    /// <summary>The next people (by addressee number, after <paramref name="cursor"/>) with a number and no recorded token.</summary>
    private TokenSubject[] Extract(long cursor)
    {
        using var connection = Database.Open();
        using var command = connection.Command(
            "SELECT a.addressee_number, COALESCE(n.individual_number, a.individual_number) " + Eligible
            + " AND a.addressee_number > @cursor ORDER BY a.addressee_number LIMIT @limit")
            .With("@cursor", cursor).With("@limit", _options.ChunkSize);
        using var reader = command.ExecuteReader();
        var subjects = new List<TokenSubject>(_options.ChunkSize);
        while (reader.Read()) subjects.Add(new TokenSubject(reader.GetInt64(0), IndividualNumber.FromInt64(reader.GetInt64(1))));
        return [.. subjects];
    }

    /// <summary>
    /// Stores the chunk durably before the intermediate server or J-LIS hears of it. The numbers are kept with it (the
    /// ward's own database holds them anyway) so a resend is byte for byte the same request even if a number changed
    /// meanwhile; they are wiped when the chunk is applied.
    /// </summary>
    private Chunk Record(TokenSubject[] subjects)
    {
        var chunk = new Chunk(Guid.NewGuid(), subjects);
        Database.InTransaction((c, t) =>
        {
            var seq = c.Command("SELECT COALESCE(MAX(seq), 0) + 1 FROM token_chunks", t).ScalarInt64();
            c.Command("""
                INSERT INTO token_chunks (chunk_id, seq, payload, item_count, state, recorded_at, held, refused, not_delivered)
                VALUES (@id, @seq, @payload, @count, 0, @at, 0, 0, 0)
                """, t)
                .With("@id", chunk.ChunkId.ToString("N")).With("@seq", seq).With("@payload", Pack(subjects)).With("@count", subjects.Length)
                .With("@at", ResidentRegister.Now()).ExecuteNonQuery();
        });
        return chunk;
    }

    private List<Chunk> LoadPendingChunks()
    {
        using var connection = Database.Open();
        using var command = connection.Command("SELECT chunk_id, payload FROM token_chunks WHERE state = 0 ORDER BY seq");
        using var reader = command.ExecuteReader();
        var list = new List<Chunk>();
        while (reader.Read()) list.Add(new Chunk(Guid.ParseExact(reader.GetString(0), "N"), Unpack((byte[])reader.GetValue(1))));
        return list;
    }

    private static byte[] Pack(TokenSubject[] subjects)
    {
        var bytes = new byte[subjects.Length * 16];
        for (var i = 0; i < subjects.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 16), subjects[i].AddresseeNumber);
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 16 + 8), subjects[i].IndividualNumber.ToInt64());
        }
        return bytes;
    }

    private static TokenSubject[] Unpack(byte[] bytes)
    {
        var subjects = new TokenSubject[bytes.Length / 16];
        for (var i = 0; i < subjects.Length; i++)
            subjects[i] = new TokenSubject(BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * 16)),
                IndividualNumber.FromInt64(BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * 16 + 8))));
        return subjects;
    }

    // ---------------------------------------------------------------- send and apply

    private async Task<TokenChunkResult> SendAndApplyAsync(Chunk chunk, CancellationToken cancellationToken)
    {
        var result = await _acquirer.AcquireChunkAsync(chunk.ChunkId, chunk.Subjects, cancellationToken);
        Database.InTransaction((c, t) =>
        {
            TokenHoldings.RecordHeld(c, t, result.Held, "bulk");
            TokenHoldings.RecordRefused(c, t, result.Refused);
            c.Command("""
                UPDATE token_chunks SET state = 1, payload = NULL, applied_at = @at, held = @held, refused = @refused, not_delivered = @missing
                WHERE chunk_id = @id
                """, t)
                .With("@at", ResidentRegister.Now()).With("@held", result.Held.Count).With("@refused", result.Refused.Count)
                .With("@missing", result.NotDelivered.Count).With("@id", chunk.ChunkId.ToString("N")).ExecuteNonQuery();
            BeforeApplyCommit?.Invoke(chunk.ChunkId);
        });
        return result;
    }
}
