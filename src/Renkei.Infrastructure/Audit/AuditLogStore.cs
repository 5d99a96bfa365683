using System.Data;
using System.Data.Common;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Renkei.Core.Audit;

namespace Renkei.Infrastructure.Audit;

/// <summary>Tuning of an <see cref="AuditLogStore"/>.</summary>
/// <param name="CheckpointInterval">a signed checkpoint is made at every entry whose sequence is a multiple of this (and on demand)</param>
/// <param name="MaxGroupCommit">most appends the background writer commits in one transaction</param>
/// <param name="QueueCapacity">appends waiting for the background writer before <see cref="AuditLogStore.AppendAsync"/> waits too</param>
public sealed record AuditLogOptions(int CheckpointInterval = 1000, int MaxGroupCommit = 8192, int QueueCapacity = 65536)
{
    public static AuditLogOptions Default { get; } = new();

    /// <summary>
    /// How long the head may stay unsigned while entries arrive: a writable store signs a checkpoint at its head this
    /// often when entries were appended since the last one (and once more when it is disposed). Between 10 ms and 5 minutes.
    /// </summary>
    public TimeSpan CheckpointPeriod { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// A durable, append-only, tamper-evident log in its owner's <see cref="Database"/> (SQLite or PostgreSQL), built on the
/// hash chain of <see cref="AuditChain"/>. Two tables per log:
/// <code>
/// &lt;name&gt;             (sequence PK, recorded_at, payload, prev_hash, hash)   recorded_at in µs since the epoch (UTC)
/// &lt;name&gt;_checkpoints (sequence PK, hash, signed_at, signature,             ECDSA P-256 over AuditCheckpoint.SignedBytes
///                      covered_hashes, coverage_signature)                      the entries' hashes since the checkpoint before (AuditCoverage)
/// </code>
/// <para>Checkpoints are signed at every <see cref="AuditLogOptions.CheckpointInterval"/>-th entry, on demand
/// (<see cref="Checkpoint"/>), every <see cref="AuditLogOptions.CheckpointPeriod"/> while entries arrive (a timer that signs
/// the head when something was appended since the last checkpoint) and when the store is disposed, so the head is never
/// unsigned for long. Each lists, under a second signature, the hash of every entry since the checkpoint before (at most
/// <see cref="MaxCoverage"/>): an entry rewritten with the hashes after it recomputed is then named by the verifier.</para>
/// <para>Appending is one transaction that takes the log's write lock (SQLite: BEGIN IMMEDIATE, the single writer;
/// PostgreSQL: LOCK TABLE … SHARE ROW EXCLUSIVE, which readers pass), reads the head, links the new entries and signs a
/// checkpoint at every <see cref="AuditLogOptions.CheckpointInterval"/>-th entry, so two writers — threads or processes —
/// never get the same sequence and nothing is half-written. <see cref="AppendAsync"/> goes through a background writer
/// that commits whatever has queued up as one transaction (group commit), so many concurrent single appends cost few commits.</para>
/// <para>Triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) on both tables. They stop mistakes, not an
/// administrator who drops them: that is what the hash chain and the signed checkpoints are for.</para>
/// <para>Checkpoints are read before entries when verifying, so a checkpoint committed during verification can only
/// refer to entries the verifier will also read.</para>
/// </summary>
public sealed partial class AuditLogStore : IAsyncDisposable, IDisposable
{
    private readonly AuditCheckpointSigner? _signer;
    private readonly TimeProvider _clock;
    private readonly Channel<PendingAppend> _queue;
    private readonly Lock _writerGate = new();
    private Task? _writer;
    private ITimer? _checkpointTimer;
    private int _appendedSinceCheckpoint;
    private int _checkpointing;
    private bool _disposed;

    /// <summary>Most entries one checkpoint lists one by one (<see cref="AuditCoverage"/>); older ones are covered by the chain alone.</summary>
    public const int MaxCoverage = 10_000;

    private sealed record PendingAppend(byte[] Payload, Action<DbConnection, DbTransaction, AuditEntry>? Alongside, TaskCompletionSource<AuditEntry> Completion);

    /// <param name="database">the owner's database</param>
    /// <param name="tableName">the log's table: lower-case letters, digits and underscores, starting with a letter (≤ 48)</param>
    /// <param name="signer">the owner's checkpoint signer; null opens the log for reading and verifying only</param>
    public AuditLogStore(Database database, string tableName, AuditCheckpointSigner? signer, AuditLogOptions? options = null, TimeProvider? clock = null)
    {
        if (!TableNamePattern().IsMatch(tableName))
            throw new ArgumentException("an audit log table name is lower-case letters, digits and '_', starting with a letter, at most 48 characters", nameof(tableName));
        Database = database;
        TableName = tableName;
        CheckpointTableName = tableName + "_checkpoints";
        _signer = signer;
        Options = options ?? AuditLogOptions.Default;
        if (Options.CheckpointInterval < 1 || Options.MaxGroupCommit < 1 || Options.QueueCapacity < 1)
            throw new ArgumentException("checkpoint interval, group commit and queue capacity are at least 1", nameof(options));
        if (Options.CheckpointPeriod < TimeSpan.FromMilliseconds(10) || Options.CheckpointPeriod > TimeSpan.FromMinutes(5))
            throw new ArgumentException("the checkpoint period is between 10 milliseconds and 5 minutes", nameof(options));
        _clock = clock ?? TimeProvider.System;
        _queue = Channel.CreateBounded<PendingAppend>(new BoundedChannelOptions(Options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public Database Database { get; }
    public string TableName { get; }
    public string CheckpointTableName { get; }
    public AuditLogOptions Options { get; }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,47}$")]
    private static partial Regex TableNamePattern();

    /// <summary>
    /// Creates or upgrades the tables and their append-only triggers (<see cref="AuditLogSchema"/>). Idempotent; safe from
    /// several processes.
    /// </summary>
    public void EnsureSchema() => Migrations.Apply(Database, AuditLogSchema.For(TableName));

    /// <summary>True when the log's table exists in the database (it may be empty).</summary>
    public bool Exists()
    {
        using var connection = Database.Open();
        var sql = Database.Provider == DatabaseProvider.Sqlite
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @name"
            : "SELECT COUNT(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = @name AND n.nspname = current_schema() AND c.relkind IN ('r', 'p')";
        using var command = connection.Command(sql).With("@name", TableName);
        return command.ScalarInt64() > 0;
    }

    public AuditEntry Append(byte[] payload) => AppendBatch([payload])[0];

    /// <summary>Appends the payloads, in order, in one transaction; returns the stored entries.</summary>
    public IReadOnlyList<AuditEntry> AppendBatch(IReadOnlyList<byte[]> payloads) => AppendBatch(payloads, null);

    /// <summary>
    /// Like <see cref="AppendBatch(IReadOnlyList{byte[]})"/>; <paramref name="alongside"/>[i] (when given and not null)
    /// runs in the same transaction right after the entries are inserted, with entry i, so the owner's own rows about an
    /// entry (an index, a request ledger) commit with it or not at all.
    /// </summary>
    public IReadOnlyList<AuditEntry> AppendBatch(IReadOnlyList<byte[]> payloads, IReadOnlyList<Action<DbConnection, DbTransaction, AuditEntry>?>? alongside)
    {
        if (alongside is not null && alongside.Count != payloads.Count)
            throw new ArgumentException("one alongside action (or null) per payload", nameof(alongside));
        var signer = _signer ?? throw new InvalidOperationException($"the audit log {TableName} was opened for reading only");
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (payloads.Count == 0) return [];
        foreach (var payload in payloads) ArgumentNullException.ThrowIfNull(payload, nameof(payloads));

        using var connection = Database.Open();
        using var transaction = BeginWrite(connection);
        var chain = new AuditChain(ReadHead(connection, transaction));
        var now = _clock.GetUtcNow();
        var entries = new AuditEntry[payloads.Count];
        for (var i = 0; i < entries.Length; i++) entries[i] = chain.Append(now, payloads[i]);
        InsertEntries(connection, transaction, entries);
        if (alongside is not null)
            for (var i = 0; i < entries.Length; i++) alongside[i]?.Invoke(connection, transaction, entries[i]);
        foreach (var entry in entries)
            if (entry.Sequence % Options.CheckpointInterval == 0
                && SignCheckpoint(connection, transaction, signer, entry.Head, now, entries) is { } checkpoint)
                InsertCheckpoint(connection, transaction, checkpoint); // none over a damaged log: the appends are kept all the same
        transaction.Commit();
        if (entries[^1].Sequence % Options.CheckpointInterval != 0) Volatile.Write(ref _appendedSinceCheckpoint, 1);
        EnsureCheckpointTimer();
        return entries;
    }

    /// <summary>
    /// Appends through the background writer, which commits concurrent appends together. Completes when the entry is
    /// committed. Cancelling stops the wait only: an append already queued is still written.
    /// </summary>
    public Task<AuditEntry> AppendAsync(byte[] payload, CancellationToken cancellationToken = default) =>
        AppendAsync(payload, null, cancellationToken);

    /// <summary>
    /// <see cref="AppendAsync(byte[], CancellationToken)"/> with the owner's own writes about the entry:
    /// <paramref name="alongside"/> runs in the transaction that commits the entry (see
    /// <see cref="AppendBatch(IReadOnlyList{byte[]}, IReadOnlyList{Action{DbConnection, DbTransaction, AuditEntry}?}?)"/>).
    /// Should it throw, the appends grouped with it are retried one by one, so only this one fails.
    /// </summary>
    public async Task<AuditEntry> AppendAsync(byte[] payload, Action<DbConnection, DbTransaction, AuditEntry>? alongside, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (_signer is null) throw new InvalidOperationException($"the audit log {TableName} was opened for reading only");
        ObjectDisposedException.ThrowIf(_disposed, this);
        EnsureWriter();
        var pending = new PendingAppend(payload, alongside, new TaskCompletionSource<AuditEntry>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        return await pending.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Signs a checkpoint at the current head now (or returns the one already there); null for an empty log. Throws
    /// <see cref="InvalidOperationException"/> when the stored entries do not agree with the checkpoints already signed
    /// (nothing is signed over a damaged log: verify it).
    /// </summary>
    public AuditCheckpoint? Checkpoint()
    {
        var signer = _signer ?? throw new InvalidOperationException($"the audit log {TableName} was opened for reading only");
        using var connection = Database.Open();
        using var transaction = BeginWrite(connection);
        var head = ReadHead(connection, transaction);
        if (head.Sequence == 0) return null;
        var existing = ReadCheckpoints(connection, transaction, head.Sequence).FirstOrDefault();
        if (existing is not null) return existing;
        var checkpoint = SignCheckpoint(connection, transaction, signer, head, _clock.GetUtcNow())
            ?? throw new InvalidOperationException($"the audit log {TableName} does not agree with its signed checkpoints: nothing was signed; verify the log");
        InsertCheckpoint(connection, transaction, checkpoint);
        transaction.Commit();
        return checkpoint;
    }

    /// <summary>
    /// A checkpoint at <paramref name="head"/> listing the hashes of the entries since the checkpoint before it (at most
    /// <see cref="MaxCoverage"/>), read in the write transaction; the hashes of <paramref name="appended"/> (the entries this
    /// transaction inserted, in order, built on the head it read) are taken from memory. Null when the stored entries do
    /// not agree with the checkpoints already signed — a later checkpoint exists, or an entry read does not match its hash
    /// or does not link to the one before (or to the checkpoint before): the owner never signs over a damaged log, so a
    /// rewrite made while the service runs is not made good by the next checkpoint.
    /// </summary>
    private AuditCheckpoint? SignCheckpoint(DbConnection connection, DbTransaction transaction, AuditCheckpointSigner signer, AuditHead head, DateTimeOffset now,
        AuditEntry[]? appended = null)
    {
        using (var beyond = connection.Command($"SELECT COUNT(*) FROM {CheckpointTableName} WHERE sequence > @sequence", transaction)
                   .With("@sequence", head.Sequence))
            if (beyond.ScalarInt64() > 0) return null; // the log was cut below a signed checkpoint
        long previous = 0;
        byte[]? previousHash = null;
        using (var before = connection.Command(
                   $"SELECT sequence, hash FROM {CheckpointTableName} WHERE sequence < @sequence ORDER BY sequence DESC LIMIT 1", transaction)
                   .With("@sequence", head.Sequence))
        using (var reader = before.ExecuteReader())
            if (reader.Read()) (previous, previousHash) = (reader.GetInt64(0), reader.GetFieldValue<byte[]>(1));
        var from = Math.Max(previous + 1, head.Sequence - MaxCoverage + 1);
        var hashes = new byte[checked((int)(head.Sequence - from + 1) * AuditHash.Size)];
        var inMemoryFrom = appended is { Length: > 0 } ? Math.Max(from, appended[0].Sequence) : head.Sequence + 1;
        var expected = from;
        var link = from == previous + 1 ? previousHash : null; // what the next entry read must link to (unknown when the list is capped)
        if (from < inMemoryFrom)
        {
            using var read = connection.Command(
                $"SELECT sequence, recorded_at, payload, prev_hash, hash FROM {TableName} WHERE sequence >= @from AND sequence < @to ORDER BY sequence", transaction)
                .With("@from", from).With("@to", inMemoryFrom);
            using var reader = read.ExecuteReader();
            while (reader.Read())
            {
                var entry = new { Sequence = reader.GetInt64(0), RecordedAt = reader.GetInt64(1), Payload = reader.GetFieldValue<byte[]>(2),
                    Previous = reader.GetFieldValue<byte[]>(3), Hash = reader.GetFieldValue<byte[]>(4) };
                if (entry.Sequence != expected || entry.Hash.Length != AuditHash.Size || entry.Previous.Length != AuditHash.Size
                    || (link is not null && !entry.Previous.AsSpan().SequenceEqual(link))
                    || !AuditHash.ComputeEntryHash(entry.Sequence, entry.RecordedAt, entry.Previous, entry.Payload).AsSpan().SequenceEqual(entry.Hash))
                    return null;
                entry.Hash.CopyTo(hashes, (int)(expected - from) * AuditHash.Size);
                link = entry.Hash;
                expected++;
            }
        }
        if (expected != inMemoryFrom) return null; // an entry is missing
        if (expected <= head.Sequence && link is not null && !appended![expected - appended[0].Sequence].PreviousHash.AsSpan().SequenceEqual(link))
            return null;
        for (; expected <= head.Sequence; expected++)
            appended![expected - appended[0].Sequence].Hash.CopyTo(hashes, (int)(expected - from) * AuditHash.Size);
        return signer.Sign(head, now, hashes);
    }

    /// <summary>Starts the timer that signs the head every <see cref="AuditLogOptions.CheckpointPeriod"/> while entries arrive.</summary>
    private void EnsureCheckpointTimer()
    {
        if (_checkpointTimer is not null) return;
        lock (_writerGate)
        {
            if (_checkpointTimer is not null || _disposed) return;
            _checkpointTimer = _clock.CreateTimer(_ => CheckpointIfAppended(), null, Options.CheckpointPeriod, Options.CheckpointPeriod);
        }
    }

    /// <summary>Signs the head when entries were appended since the last checkpoint; a failure leaves that for the next try.</summary>
    private void CheckpointIfAppended()
    {
        if (Interlocked.Exchange(ref _checkpointing, 1) == 1) return; // the previous tick is still signing
        try
        {
            if (Interlocked.Exchange(ref _appendedSinceCheckpoint, 0) == 0) return;
            try { Checkpoint(); }
            catch (InvalidOperationException)
            {
                // The log does not agree with its checkpoints: nothing is signed over it (verify names the damage).
            }
            catch (Exception)
            {
                // The database is busy or failing: the next tick (or disposal) tries again. The appends themselves are unaffected.
                Volatile.Write(ref _appendedSinceCheckpoint, 1);
            }
        }
        finally
        {
            Volatile.Write(ref _checkpointing, 0);
        }
    }

    public AuditHead Head()
    {
        using var connection = Database.Open();
        return ReadHead(connection, null);
    }

    public IReadOnlyList<AuditCheckpoint> Checkpoints()
    {
        using var connection = Database.Open();
        return ReadCheckpoints(connection, null, null).ToList();
    }

    /// <summary>The entries from <paramref name="fromSequence"/> to <paramref name="toSequence"/>, in order, streamed from the database.</summary>
    public IEnumerable<AuditEntry> ReadEntries(long fromSequence = 1, long toSequence = long.MaxValue)
    {
        using var connection = Database.Open();
        using var command = connection.Command(
            $"SELECT sequence, recorded_at, payload, prev_hash, hash FROM {TableName} WHERE sequence >= @from AND sequence <= @to ORDER BY sequence")
            .With("@from", fromSequence).With("@to", toSequence);
        using var reader = command.ExecuteReader();
        while (reader.Read())
            yield return new AuditEntry(reader.GetInt64(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2),
                FixedHash(reader.GetFieldValue<byte[]>(3)), FixedHash(reader.GetFieldValue<byte[]>(4)));
    }

    /// <summary>
    /// Verifies the whole log in one streaming pass (see <see cref="AuditVerifier"/>) against the owner's public key and,
    /// if given, the head an auditor kept.
    /// </summary>
    public AuditVerification Verify(AuditCheckpointVerifier publicKey, AuditHead? expectedHead = null)
    {
        var checkpoints = Checkpoints(); // before the entries: see the class remarks
        var verifier = new AuditVerifier(checkpoints, publicKey, expectedHead);
        if (!verifier.WantsMore) return verifier.Complete();
        using var connection = Database.Open();
        using var command = connection.Command($"SELECT sequence, recorded_at, payload, prev_hash, hash FROM {TableName} ORDER BY sequence");
        using var reader = command.ExecuteReader();
        // GetFieldValue<byte[]> copies the column once. (Microsoft.Data.Sqlite's GetBytes opens an incremental blob
        // handle per call, several times slower.)
        while (reader.Read())
        {
            if (!verifier.Add(reader.GetInt64(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2), reader.GetFieldValue<byte[]>(3), reader.GetFieldValue<byte[]>(4)))
                break;
        }
        return verifier.Complete();
    }

    private static byte[] FixedHash(byte[] stored) => stored.Length == AuditHash.Size ? stored : new byte[AuditHash.Size];

    /// <summary>A write transaction; every caller reads the head next, which on PostgreSQL takes the log's lock.</summary>
    private DbTransaction BeginWrite(DbConnection connection)
    {
        // SQLite: Serializable is BEGIN IMMEDIATE, the database's single write lock, taken before the head is read.
        return connection.BeginTransaction(Database.Provider == DatabaseProvider.Sqlite ? IsolationLevel.Serializable : IsolationLevel.ReadCommitted);
    }

    /// <summary>
    /// The head. Inside a write transaction on PostgreSQL this first takes the log's lock, in the same round trip
    /// (SHARE ROW EXCLUSIVE conflicts with itself, so one writer at a time, while readers pass).
    /// </summary>
    private AuditHead ReadHead(DbConnection connection, DbTransaction? transaction)
    {
        var lockFirst = transaction is not null && Database.Provider == DatabaseProvider.PostgreSql
            ? $"LOCK TABLE {TableName} IN SHARE ROW EXCLUSIVE MODE; "
            : "";
        using var command = connection.Command($"{lockFirst}SELECT sequence, hash, recorded_at FROM {TableName} ORDER BY sequence DESC LIMIT 1", transaction);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return AuditHead.Empty;
        return new AuditHead(reader.GetInt64(0), FixedHash(reader.GetFieldValue<byte[]>(1)), reader.GetInt64(2));
    }

    private IEnumerable<AuditCheckpoint> ReadCheckpoints(DbConnection connection, DbTransaction? transaction, long? sequence)
    {
        using var command = connection.Command(
            $"SELECT sequence, hash, signed_at, signature, covered_hashes, coverage_signature FROM {CheckpointTableName}" + (sequence is null ? "" : " WHERE sequence = @sequence") + " ORDER BY sequence",
            transaction);
        if (sequence is not null) command.With("@sequence", sequence.Value);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var sequenceRead = reader.GetInt64(0);
            var coverage = reader.IsDBNull(4) || reader.IsDBNull(5)
                ? null
                : new AuditCoverage(sequenceRead, reader.GetFieldValue<byte[]>(4), reader.GetFieldValue<byte[]>(5));
            yield return new AuditCheckpoint(sequenceRead, reader.GetFieldValue<byte[]>(1), reader.GetInt64(2), reader.GetFieldValue<byte[]>(3), coverage);
        }
    }

    private void InsertEntries(DbConnection connection, DbTransaction transaction, AuditEntry[] entries)
    {
        if (Database.Provider == DatabaseProvider.PostgreSql)
        {
            // One round trip per batch: arrays unnested server-side.
            using var bulk = connection.Command(
                $"INSERT INTO {TableName} (sequence, recorded_at, payload, prev_hash, hash) SELECT * FROM unnest(@sequence, @recorded_at, @payload, @prev_hash, @hash)",
                transaction)
                .With("@sequence", entries.Select(e => e.Sequence).ToArray())
                .With("@recorded_at", entries.Select(e => e.RecordedAtMicros).ToArray())
                .With("@payload", entries.Select(e => e.Payload).ToArray())
                .With("@prev_hash", entries.Select(e => e.PreviousHash).ToArray())
                .With("@hash", entries.Select(e => e.Hash).ToArray());
            bulk.ExecuteNonQuery();
            return;
        }
        using var command = connection.Command(
            $"INSERT INTO {TableName} (sequence, recorded_at, payload, prev_hash, hash) VALUES (@sequence, @recorded_at, @payload, @prev_hash, @hash)", transaction);
        var sequence = command.Parameter("@sequence", DbType.Int64);
        var recordedAt = command.Parameter("@recorded_at", DbType.Int64);
        var payload = command.Parameter("@payload", DbType.Binary);
        var previous = command.Parameter("@prev_hash", DbType.Binary);
        var hash = command.Parameter("@hash", DbType.Binary);
        command.Prepare();
        foreach (var entry in entries)
        {
            sequence.Value = entry.Sequence;
            recordedAt.Value = entry.RecordedAtMicros;
            payload.Value = entry.Payload;
            previous.Value = entry.PreviousHash;
            hash.Value = entry.Hash;
            command.ExecuteNonQuery();
        }
    }

    private void InsertCheckpoint(DbConnection connection, DbTransaction transaction, AuditCheckpoint checkpoint)
    {
        using var command = connection.Command(
            $"INSERT INTO {CheckpointTableName} (sequence, hash, signed_at, signature, covered_hashes, coverage_signature) VALUES (@sequence, @hash, @signed_at, @signature, @covered, @coverage_signature) ON CONFLICT (sequence) DO NOTHING",
            transaction)
            .With("@sequence", checkpoint.Sequence).With("@hash", checkpoint.Hash)
            .With("@signed_at", checkpoint.SignedAtMicros).With("@signature", checkpoint.Signature);
        command.Parameter("@covered", DbType.Binary).Value = (object?)checkpoint.Coverage?.Hashes ?? DBNull.Value;
        command.Parameter("@coverage_signature", DbType.Binary).Value = (object?)checkpoint.Coverage?.Signature ?? DBNull.Value;
        command.ExecuteNonQuery();
    }

    private void EnsureWriter()
    {
        if (_writer is not null) return;
        lock (_writerGate)
        {
            if (_writer is not null) return;
            // Its own thread: the commits are blocking database calls, and on a small machine a pool thread blocked in
            // them would starve the continuations of the very appends that fill the next batch.
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() =>
            {
                try { WriteLoop(); }
                finally { stopped.TrySetResult(); }
            })
            {
                IsBackground = true,
                Name = "audit writer " + TableName,
            };
            thread.Start();
            _writer = stopped.Task;
        }
    }

    private void WriteLoop()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingAppend>(Options.MaxGroupCommit);
        var payloads = new List<byte[]>(Options.MaxGroupCommit);
        var alongside = new List<Action<DbConnection, DbTransaction, AuditEntry>?>(Options.MaxGroupCommit);
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            payloads.Clear();
            alongside.Clear();
            var anyAlongside = false;
            while (batch.Count < Options.MaxGroupCommit && reader.TryRead(out var pending))
            {
                batch.Add(pending);
                payloads.Add(pending.Payload);
                alongside.Add(pending.Alongside);
                anyAlongside |= pending.Alongside is not null;
            }
            try
            {
                var entries = AppendBatch(payloads, anyAlongside ? alongside : null);
                for (var i = 0; i < batch.Count; i++) batch[i].Completion.TrySetResult(entries[i]);
            }
            catch (Exception) when (anyAlongside && batch.Count > 1)
            {
                // One owner's write may have failed the group: retry each append alone, so only that one fails.
                foreach (var pending in batch)
                {
                    try { pending.Completion.TrySetResult(AppendBatch([pending.Payload], [pending.Alongside])[0]); }
                    catch (Exception single) { pending.Completion.TrySetException(single); }
                }
            }
            catch (Exception failure)
            {
                foreach (var pending in batch) pending.Completion.TrySetException(failure);
            }
        }
    }

    /// <summary>Lets queued appends finish, stops the background writer and the checkpoint timer, then signs the head if entries were appended since the last checkpoint.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _queue.Writer.TryComplete();
        if (_writer is not null) await _writer.ConfigureAwait(false);
        ITimer? timer;
        lock (_writerGate)
        {
            _disposed = true;
            timer = _checkpointTimer;
        }
        if (timer is not null) await timer.DisposeAsync().ConfigureAwait(false);
        while (Volatile.Read(ref _checkpointing) == 1) await Task.Delay(10).ConfigureAwait(false); // a tick still signing
        if (_signer is not null && Volatile.Read(ref _appendedSinceCheckpoint) == 1)
        {
            try { Checkpoint(); }
            catch (Exception)
            {
                // Shutting down with the database gone: the entries stay covered by the chain until the next checkpoint.
            }
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
