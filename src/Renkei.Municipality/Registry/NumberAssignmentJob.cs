using System.Buffers.Binary;
using System.Data;
using System.Data.Common;
using System.Globalization;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;

namespace Renkei.Municipality.Registry;

public sealed record NumberAssignmentOptions(int BatchSize = 10_000, int MaxAttempts = 3);

/// <summary>Progress of <see cref="NumberAssignmentJob"/>, reported after every applied batch.</summary>
public sealed record NumberAssignmentProgress(int BatchesDone, int BatchesTotal, long ResidentsAssigned, long ResidentsTotal);

/// <summary>A resident still without a number after the job, with J-LIS's reason when J-LIS refused.</summary>
public sealed record UnassignedResident(long ResidentId, int Attempts, string Reason);

/// <summary>
/// What one run did. <see cref="Discarded"/> counts entries of J-LIS's file that were not applied
/// (the person left the register meanwhile, already had a number, or was not in the extract).
/// </summary>
public sealed record NumberAssignmentReport(
    int Batches,
    int ResentBatches,
    long Assigned,
    long Discarded,
    long Retried,
    long UnassignedCount,
    IReadOnlyList<UnassignedResident> Unassigned);

/// <summary>
/// Initial bulk assignment (初期一斉指定) as seed 001 describes it:
/// <list type="number">
/// <item>extract the resident-record codes of current residents without a number (抽出住民票コード), one batch at a time;</item>
/// <item>record the batch durably (batch id and codes) before J-LIS hears of it;</item>
/// <item>send it to J-LIS, which answers with the notification file (機構通知ファイル) of codes and numbers;</item>
/// <item>reconcile against the register as it is now, in one transaction that also marks the batch applied:
///   codes on both sides get their number; codes only in J-LIS's file are dropped (and recorded as discarded);
///   codes only in the extract are requested again in a later batch, at most <see cref="NumberAssignmentOptions.MaxAttempts"/> times.</item>
/// </list>
/// The process may stop at any point. A rerun first re-sends every recorded but unapplied batch with its
/// original id (J-LIS answers the same file), then continues, so no one is numbered twice or skipped.
/// Only one job may run on a register at a time.
/// </summary>
public sealed class NumberAssignmentJob(ResidentRegister register, IJlisNumberingClient jlis, NumberAssignmentOptions? options = null)
{
    public const int MaxListedUnassigned = 10_000;

    private readonly NumberAssignmentOptions _options = Validate(options ?? new NumberAssignmentOptions());

    /// <summary>Test hook: runs inside the apply transaction just before it commits.</summary>
    internal Action<Guid>? BeforeApplyCommit { get; set; }

    private static NumberAssignmentOptions Validate(NumberAssignmentOptions options)
    {
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "the batch size is at least 1");
        if (options.MaxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(options), "at least one attempt is needed");
        return options;
    }

    private Database Database => register.Database;

    public async Task<NumberAssignmentReport> RunAsync(IProgress<NumberAssignmentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var pending = LoadPendingBatches();
        var eligible = CountEligible();
        var pendingCodes = pending.Sum(b => (long)b.Entries.Length);
        var batchesTotal = pending.Count + (int)Math.Ceiling(Math.Max(0, eligible - pendingCodes) / (double)_options.BatchSize);
        int batchesDone = 0, resent = 0;
        long assigned = 0, discarded = 0, retried = 0;

        void Count(ApplyOutcome outcome)
        {
            batchesDone++;
            assigned += outcome.Assigned;
            discarded += outcome.Discarded;
            retried += outcome.Retried;
            batchesTotal = Math.Max(batchesTotal, batchesDone);
            progress?.Report(new NumberAssignmentProgress(batchesDone, batchesTotal, assigned, eligible));
        }

        progress?.Report(new NumberAssignmentProgress(0, batchesTotal, 0, eligible));
        foreach (var batch in pending)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Count(await SendAndApplyAsync(batch, cancellationToken));
            resent++;
        }

        long cursor = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var entries = Extract(cursor);
            if (entries.Length == 0 && cursor != 0)
            {
                // End of a pass: start again from the beginning for codes to request again.
                cursor = 0;
                entries = Extract(0);
            }
            if (entries.Length == 0) break;
            cursor = entries[^1].ResidentId;
            var batch = Record(entries);
            if (batchesDone >= batchesTotal) batchesTotal = batchesDone + 1;
            Count(await SendAndApplyAsync(batch, cancellationToken));
        }

        var (unassignedCount, unassigned) = Unassigned();
        return new NumberAssignmentReport(batchesDone, resent, assigned, discarded, retried, unassignedCount, unassigned);
    }

    // ---------------------------------------------------------------- extract and record

    internal readonly record struct Entry(long ResidentId, long ResidentCode);

    private sealed record Batch(Guid BatchId, Entry[] Entries);

    private readonly record struct ApplyOutcome(int Assigned, int Discarded, int Retried);

    private long CountEligible()
    {
        using var connection = Database.Open();
        using var command = connection.Command("""
            SELECT COUNT(*) FROM residents r LEFT JOIN assignment_attempts a ON a.resident_code = r.resident_code
            WHERE r.status = 0 AND NOT EXISTS (SELECT 1 FROM resident_numbers n WHERE n.resident_id = r.id AND n.valid_to IS NULL) AND (a.attempts IS NULL OR a.attempts < @max)
            """).With("@max", _options.MaxAttempts);
        return command.ScalarInt64();
    }

    /// <summary>The next residents (by id, after <paramref name="cursor"/>) who need a number and may still be requested.</summary>
    private Entry[] Extract(long cursor)
    {
        using var connection = Database.Open();
        using var command = connection.Command("""
            SELECT r.id, r.resident_code FROM residents r LEFT JOIN assignment_attempts a ON a.resident_code = r.resident_code
            WHERE r.id > @cursor AND r.status = 0 AND NOT EXISTS (SELECT 1 FROM resident_numbers n WHERE n.resident_id = r.id AND n.valid_to IS NULL) AND (a.attempts IS NULL OR a.attempts < @max)
            ORDER BY r.id LIMIT @limit
            """).With("@cursor", cursor).With("@max", _options.MaxAttempts).With("@limit", _options.BatchSize);
        using var reader = command.ExecuteReader();
        var entries = new List<Entry>(_options.BatchSize);
        while (reader.Read()) entries.Add(new Entry(reader.GetInt64(0), reader.GetInt64(1)));
        return [.. entries];
    }

    /// <summary>Stores the batch (id and codes) durably before J-LIS is called.</summary>
    private Batch Record(Entry[] entries)
    {
        var batch = new Batch(Guid.NewGuid(), entries);
        Database.InTransaction((c, t) =>
        {
            var seq = c.Command("SELECT COALESCE(MAX(seq), 0) + 1 FROM assignment_batches", t).ScalarInt64();
            c.Command("""
                INSERT INTO assignment_batches (batch_id, seq, codes, code_count, state, recorded_at, assigned, discarded, retried, refused)
                VALUES (@id, @seq, @codes, @count, 0, @at, 0, 0, 0, 0)
                """, t)
                .With("@id", batch.BatchId.ToString("N")).With("@seq", seq).With("@codes", Pack(entries)).With("@count", entries.Length)
                .With("@at", ResidentRegister.Now()).ExecuteNonQuery();
        });
        return batch;
    }

    private List<Batch> LoadPendingBatches()
    {
        using var connection = Database.Open();
        using var command = connection.Command("SELECT batch_id, codes FROM assignment_batches WHERE state = 0 ORDER BY seq");
        using var reader = command.ExecuteReader();
        var list = new List<Batch>();
        while (reader.Read())
            list.Add(new Batch(Guid.ParseExact(reader.GetString(0), "N"), Unpack((byte[])reader.GetValue(1))));
        return list;
    }

    private static byte[] Pack(Entry[] entries)
    {
        var bytes = new byte[entries.Length * 16];
        for (var i = 0; i < entries.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 16), entries[i].ResidentId);
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 16 + 8), entries[i].ResidentCode);
        }
        return bytes;
    }

    private static Entry[] Unpack(byte[] bytes)
    {
        var entries = new Entry[bytes.Length / 16];
        for (var i = 0; i < entries.Length; i++)
            entries[i] = new Entry(BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * 16)),
                BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * 16 + 8)));
        return entries;
    }

    // ---------------------------------------------------------------- send and apply

    private async Task<ApplyOutcome> SendAndApplyAsync(Batch batch, CancellationToken cancellationToken)
    {
        var codes = new ResidentCode[batch.Entries.Length];
        for (var i = 0; i < codes.Length; i++) codes[i] = ResidentCode.FromInt64(batch.Entries[i].ResidentCode);
        var file = await jlis.RequestBatchAsync(new NumberingBatchRequest(batch.BatchId, register.Municipality, codes), cancellationToken);
        if (file.BatchId != batch.BatchId)
            throw new InvalidOperationException("J-LIS answered a batch request with the file of another batch");
        return Apply(batch, file);
    }

    /// <summary>Reconciles J-LIS's file with the extract and the register as it is now (機構通知ファイル突合), in one transaction.</summary>
    private ApplyOutcome Apply(Batch batch, NumberingBatchResponse file)
    {
        var numbers = new Dictionary<long, long>(file.Assignments.Count);
        foreach (var assignment in file.Assignments) numbers[assignment.ResidentCode.ToInt64()] = assignment.IndividualNumber.ToInt64();
        var refusals = new Dictionary<long, string>(file.Refused.Count);
        foreach (var refused in file.Refused) refusals[refused.ResidentCode.ToInt64()] = refused.Reason;
        var batchId = batch.BatchId.ToString("N");
        var today = ResidentRegister.FormatDate(DateOnly.FromDateTime(DateTime.Today));

        return Database.InTransaction((c, t) =>
        {
            if (Database.Provider == DatabaseProvider.Sqlite) c.Execute("PRAGMA cache_size = -131072", t); // index pages of a large register stay in memory
            // The file goes into a session-private table first; the register is then changed with a few set-based statements.
            c.Execute("""
                CREATE TEMP TABLE IF NOT EXISTS assignment_file (
                  resident_id BIGINT NULL, resident_code BIGINT NOT NULL, individual_number BIGINT NOT NULL, ok INTEGER NOT NULL)
                """, t);
            c.Execute("DELETE FROM assignment_file", t);
            using (var row = new FileRowWriter(c, t))
            {
                var inExtract = new HashSet<long>(batch.Entries.Length);
                foreach (var entry in batch.Entries)
                {
                    inExtract.Add(entry.ResidentCode);
                    if (numbers.TryGetValue(entry.ResidentCode, out var number)) row.Write(entry.ResidentId, entry.ResidentCode, number);
                }
                foreach (var (code, number) in numbers)
                    if (!inExtract.Contains(code)) row.Write(null, code, number); // only in J-LIS's file
            }

            // Both sides, and still a resident without a number now → designate.
            c.Execute("""
                UPDATE assignment_file SET ok = 1 WHERE resident_id IS NOT NULL AND EXISTS (
                  SELECT 1 FROM residents r WHERE r.id = assignment_file.resident_id AND r.resident_code = assignment_file.resident_code
                    AND r.status = 0)
                  AND NOT EXISTS (SELECT 1 FROM resident_numbers n WHERE n.resident_id = assignment_file.resident_id AND n.valid_to IS NULL)
                """, t);
            c.Command("""
                INSERT INTO resident_numbers (resident_id, individual_number, valid_from, reason)
                SELECT resident_id, individual_number, @from, @reason FROM assignment_file WHERE ok = 1 ORDER BY individual_number
                """, t).With("@from", today).With("@reason", NumberReasons.InitialAssignment).ExecuteNonQuery();
            // Everything else in the file is deleted, not applied; what was dropped is kept (codes only, no numbers).
            c.Command("""
                INSERT INTO assignment_discards (batch_id, resident_code, reason)
                SELECT @b, resident_code, CASE WHEN resident_id IS NULL THEN @onlyInFile ELSE @gone END FROM assignment_file WHERE ok = 0
                """, t)
                .With("@b", batchId).With("@onlyInFile", "only in J-LIS's file, not in the extract (機構通知ファイルにのみ存在)")
                .With("@gone", "no longer a resident without a number (住民でない又は指定済み)").ExecuteNonQuery();
            var assigned = (int)c.Command("SELECT COUNT(*) FROM assignment_file WHERE ok = 1", t).ScalarInt64();
            var discarded = (int)c.Command("SELECT COUNT(*) FROM assignment_file WHERE ok = 0", t).ScalarInt64();
            c.Execute("DELETE FROM assignment_file", t);

            // Only in the extract → request again later (bounded); J-LIS's reason is kept for the report.
            var retried = 0;
            using (var attempt = c.Command("""
                INSERT INTO assignment_attempts (resident_code, attempts, refused, last_reason) VALUES (@code, 1, @refused, @reason)
                ON CONFLICT (resident_code) DO UPDATE SET attempts = assignment_attempts.attempts + 1, refused = @refused, last_reason = @reason
                """, t))
            {
                var aCode = attempt.Parameter("@code", DbType.Int64);
                var aRefused = attempt.Parameter("@refused", DbType.Int32);
                var aReason = attempt.Parameter("@reason", DbType.String);
                foreach (var entry in batch.Entries)
                {
                    if (numbers.ContainsKey(entry.ResidentCode)) continue;
                    var refused = refusals.TryGetValue(entry.ResidentCode, out var reason);
                    aCode.Value = entry.ResidentCode;
                    aRefused.Value = refused ? 1 : 0;
                    aReason.Value = refused ? reason! : "J-LIS returned no number for this code (機構通知ファイルに該当なし)";
                    attempt.ExecuteNonQuery();
                    retried++;
                }
            }

            var marked = c.Command("""
                UPDATE assignment_batches SET state = 1, applied_at = @at, assigned = @assigned, discarded = @discarded, retried = @retried, refused = @refused
                WHERE batch_id = @b AND state = 0
                """, t)
                .With("@at", ResidentRegister.Now()).With("@assigned", assigned).With("@discarded", discarded).With("@retried", retried)
                .With("@refused", refusals.Count).With("@b", batchId).ExecuteNonQuery();
            if (marked != 1) throw new InvalidOperationException("the batch was applied by someone else meanwhile; run one assignment job at a time");
            BeforeApplyCommit?.Invoke(batch.BatchId);
            return new ApplyOutcome(assigned, discarded, retried);
        });
    }

    /// <summary>Writes rows of J-LIS's file into the session-private table, natively on SQLite.</summary>
    private sealed class FileRowWriter : IDisposable
    {
        private const string Sql = "INSERT INTO assignment_file (resident_id, resident_code, individual_number, ok) VALUES ";
        private readonly SqliteFastStatement? _fast;
        private readonly DbCommand? _command;
        private readonly DbParameter? _id, _code, _number;

        public FileRowWriter(DbConnection connection, DbTransaction transaction)
        {
            if (connection is Microsoft.Data.Sqlite.SqliteConnection sqlite)
            {
                _fast = new SqliteFastStatement(sqlite, Sql + "(?1, ?2, ?3, 0)");
                return;
            }
            _command = connection.Command(Sql + "(@id, @code, @n, 0)", transaction);
            _id = _command.Parameter("@id", DbType.Int64);
            _code = _command.Parameter("@code", DbType.Int64);
            _number = _command.Parameter("@n", DbType.Int64);
            _command.Prepare();
        }

        public void Write(long? residentId, long code, long number)
        {
            if (_fast is not null)
            {
                if (residentId is { } id) _fast.Bind(1, id); else _fast.BindNull(1);
                _fast.Bind(2, code);
                _fast.Bind(3, number);
                _fast.Execute();
                return;
            }
            _id!.Value = residentId is { } value ? value : DBNull.Value;
            _code!.Value = code;
            _number!.Value = number;
            _command!.ExecuteNonQuery();
        }

        public void Dispose()
        {
            _fast?.Dispose();
            _command?.Dispose();
        }
    }

    private (long Count, IReadOnlyList<UnassignedResident> List) Unassigned()
    {
        using var connection = Database.Open();
        var count = connection.Command("SELECT COUNT(*) FROM residents r WHERE r.status = 0 AND NOT EXISTS (SELECT 1 FROM resident_numbers n WHERE n.resident_id = r.id AND n.valid_to IS NULL)").ScalarInt64();
        if (count == 0) return (0, []);
        using var command = connection.Command("""
            SELECT r.id, COALESCE(a.attempts, 0), a.last_reason FROM residents r LEFT JOIN assignment_attempts a ON a.resident_code = r.resident_code
            WHERE r.status = 0 AND NOT EXISTS (SELECT 1 FROM resident_numbers n WHERE n.resident_id = r.id AND n.valid_to IS NULL) ORDER BY r.id LIMIT @limit
            """).With("@limit", MaxListedUnassigned);
        using var reader = command.ExecuteReader();
        var list = new List<UnassignedResident>();
        while (reader.Read())
            list.Add(new UnassignedResident(reader.GetInt64(0), Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture),
                reader.NullableString(2) ?? "not requested yet (未要求)"));
        return (count, list);
    }
}
