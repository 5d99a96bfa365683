using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Renkei.Core.Audit;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;
using Renkei.Municipality.Audit;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Audit;

public sealed class OperationLogTests : IDisposable
{
    private const string Table = OperationLog.TableName;
    private static readonly DateTimeOffset Monday = new(2026, 4, 6, 9, 0, 0, TimeSpan.FromHours(9));
    private readonly TempDirectory _keys = new();

    public void Dispose() => _keys.Dispose();

    private string KeyPath => _keys.File("keys/audit-signing.key");

    /// <summary>
    /// The log with checkpoints every <paramref name="checkpointInterval"/> entries; the timed ones every
    /// <paramref name="checkpointPeriod"/> (default: 5 minutes, so that counts of checkpoints in these tests are exact;
    /// the timer has its own tests).
    /// </summary>
    private OperationLog Open(TestDatabase db, int checkpointInterval = 1000, TimeSpan? checkpointPeriod = null) =>
        OperationLog.Open(db.Database, TestData.Shinagawa, KeyPath,
            new AuditLogOptions(CheckpointInterval: checkpointInterval) { CheckpointPeriod = checkpointPeriod ?? TimeSpan.FromMinutes(5) });

    internal static OperationLogEntry Entry(int i, string? staff = null, long? subject = null) => new(
        staff ?? $"staff{i % 5:D3}",
        Monday.AddMinutes(i),
        $"TERM-{i % 3 + 1:D2}",
        i % 4 == 0 ? null : "child-allowance",
        i % 7 == 0 ? null : 1000 + i % 50,
        (OperationAction)(i % 11),
        i % 13 == 0 ? OperationResult.Refused : OperationResult.Success,
        i % 2 == 0 ? $"画面 {i}: 児童手当 認定" : null);

    private static OperationLog Filled(OperationLog log, int count)
    {
        log.AppendMany(Enumerable.Range(1, count).Select(i => Entry(i)));
        return log;
    }

    public static TheoryData<string> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public void A_clean_log_verifies_and_reads_back_what_was_recorded(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Filled(Open(db, checkpointInterval: 10), 25);

        var result = log.Verify();
        var records = log.Read().ToList();

        Assert.True(result.IsIntact, result.Problem?.Message);
        Assert.Equal(25, result.EntriesVerified);
        Assert.Equal(2, result.CheckpointsVerified);
        Assert.Equal(20, result.LatestCheckpointSequence);
        Assert.Equal(5, result.UnprotectedEntries);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), records.Select(r => r.Sequence));
        Assert.Equal(Enumerable.Range(1, 25).Select(i => Entry(i) with { At = Entry(i).At.ToUniversalTime() }), records.Select(r => r.Entry));
        Assert.Equal(result.HeadHash, records[^1].Hash);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void The_database_refuses_update_and_delete_on_the_log(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Filled(Open(db), 3);
        log.Checkpoint();

        Assert.ThrowsAny<Exception>(() => Tamper.Sql(db.Database, $"UPDATE {Table} SET payload = payload WHERE sequence = 2"));
        Assert.ThrowsAny<Exception>(() => Tamper.Sql(db.Database, $"DELETE FROM {Table} WHERE sequence = 3"));
        Assert.ThrowsAny<Exception>(() => Tamper.Sql(db.Database, $"DELETE FROM {Table}_checkpoints"));
        Assert.True(log.Verify().IsIntact);
        Assert.Equal(3, log.Read().Count());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Editing_one_row_names_that_entry(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Filled(Open(db), 40);
        Tamper.DropGuards(db.Database, Table);
        var forged = OperationLog.Serialize(Entry(17, staff: "someone-else"));

        Tamper.Sql(db.Database, $"UPDATE {Table} SET payload = @p WHERE sequence = 17", ("@p", forged));

        var problem = log.Verify().Problem!;
        Assert.Equal(AuditProblemKind.EditedEntry, problem.Kind);
        Assert.Equal(17, problem.Sequence);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Editing_a_recorded_time_names_that_entry(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Filled(Open(db), 10);
        Tamper.DropGuards(db.Database, Table);

        Tamper.Sql(db.Database, $"UPDATE {Table} SET recorded_at = recorded_at - 3600000000 WHERE sequence = 4");

        Assert.Equal((AuditProblemKind.EditedEntry, 4L), Problem(log));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Deleting_one_middle_row_names_that_entry(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Filled(Open(db), 40);
        Tamper.DropGuards(db.Database, Table);

        Tamper.Sql(db.Database, $"DELETE FROM {Table} WHERE sequence = 23");

        Assert.Equal((AuditProblemKind.RemovedEntry, 23L), Problem(log));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Swapping_two_rows_names_the_position(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Filled(Open(db), 40);
        Tamper.DropGuards(db.Database, Table);

        Tamper.SwapSequences(db.Database, Table, 8, 31);

        var problem = log.Verify().Problem!;
        Assert.Equal((AuditProblemKind.ReorderedEntries, 8L), (problem.Kind, problem.Sequence));
        Assert.Equal(31, problem.RelatedSequence);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Swapping_two_payloads_names_the_first_of_them(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Filled(Open(db), 12);
        Tamper.DropGuards(db.Database, Table);
        var records = log.Read().ToList();

        Tamper.Sql(db.Database, $"UPDATE {Table} SET payload = @p WHERE sequence = 5", ("@p", OperationLog.Serialize(records[5].Entry)));
        Tamper.Sql(db.Database, $"UPDATE {Table} SET payload = @p WHERE sequence = 6", ("@p", OperationLog.Serialize(records[4].Entry)));

        Assert.Equal((AuditProblemKind.EditedEntry, 5L), Problem(log));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Deleting_the_last_entries_after_a_checkpoint_is_detected(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Filled(Open(db, checkpointInterval: 10), 35);
        Tamper.DropGuards(db.Database, Table);

        Tamper.Sql(db.Database, $"DELETE FROM {Table} WHERE sequence > 27");

        var problem = log.Verify().Problem!;
        Assert.Equal((AuditProblemKind.TruncatedAfterCheckpoint, 28L), (problem.Kind, problem.Sequence));
        Assert.Equal(30, problem.RelatedSequence);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Deleting_the_tail_after_the_last_checkpoint_is_caught_by_an_on_demand_checkpoint_or_a_kept_head(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Filled(Open(db, checkpointInterval: 10), 35);
        var kept = log.Verify();
        var head = new AuditHead(kept.LastSequence, AuditHash.FromHex(kept.HeadHash!), 0);
        var onDemand = log.Checkpoint()!;
        Assert.Equal(35, onDemand.Sequence);
        Assert.Equal(onDemand.Signature, log.Checkpoint()!.Signature); // idempotent at the same head
        Tamper.DropGuards(db.Database, Table);

        Tamper.Sql(db.Database, $"DELETE FROM {Table} WHERE sequence > 33");

        Assert.Equal((AuditProblemKind.TruncatedAfterCheckpoint, 34L), Problem(log));
        Tamper.DropGuards(db.Database, Table + "_checkpoints");
        Tamper.Sql(db.Database, $"DELETE FROM {Table}_checkpoints WHERE sequence = 35");
        Assert.True(log.Verify().IsIntact); // with the checkpoint gone too, only the kept head can tell
        Assert.Equal((AuditProblemKind.TruncatedAfterCheckpoint, 34L), Problem(log, head));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void A_forged_checkpoint_signature_is_detected(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Filled(Open(db, checkpointInterval: 10), 25);
        Tamper.DropGuards(db.Database, Table + "_checkpoints");
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var head = log.Store.ReadEntries(20, 20).Single().Head;
        var forged = new AuditCheckpointSigner(log.Identity, attacker).Sign(head, DateTimeOffset.UtcNow);

        Tamper.Sql(db.Database, $"UPDATE {Table}_checkpoints SET signature = @s, signed_at = @t WHERE sequence = 20",
            ("@s", forged.Signature), ("@t", forged.SignedAtMicros));

        Assert.Equal((AuditProblemKind.BadCheckpointSignature, 20L), Problem(log));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void A_rewritten_log_with_recomputed_hashes_names_the_rewritten_entry(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Filled(Open(db, checkpointInterval: 10), 25);
        var original = log.Store.ReadEntries().ToList();

        Tamper.RewriteFrom(db.Database, Table, original, 13, original.Skip(12).Select(e =>
            (e.RecordedAt, e.Sequence == 13 ? OperationLog.Serialize(Entry(13, staff: "nobody")) : e.Payload)));

        var problem = log.Verify().Problem!;
        Assert.Equal((AuditProblemKind.EditedEntry, 13L), (problem.Kind, problem.Sequence));
        Assert.Equal(20, problem.RelatedSequence); // the checkpoint whose signed list holds entry 13's hash
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Checkpoints_without_their_list_of_entries_still_catch_a_recomputed_rewrite_at_the_next_checkpoint(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Filled(Open(db, checkpointInterval: 10), 25);
        var original = log.Store.ReadEntries().ToList();
        Tamper.DropGuards(db.Database, Table + "_checkpoints");
        Tamper.Sql(db.Database, $"UPDATE {Table}_checkpoints SET covered_hashes = NULL, coverage_signature = NULL"); // as made before the lists existed

        Tamper.RewriteFrom(db.Database, Table, original, 13, original.Skip(12).Select(e =>
            (e.RecordedAt, e.Sequence == 13 ? OperationLog.Serialize(Entry(13, staff: "nobody")) : e.Payload)));

        var problem = log.Verify().Problem!;
        Assert.Equal((AuditProblemKind.CheckpointMismatch, 20L), (problem.Kind, problem.Sequence));
        Assert.Equal(11, problem.RelatedSequence);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Removing_an_entry_and_renumbering_the_rest_with_recomputed_hashes_names_the_removed_entry(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Filled(Open(db, checkpointInterval: 10), 25);
        var original = log.Store.ReadEntries().ToList();

        Tamper.RewriteFrom(db.Database, Table, original, 14, original.Skip(14).Select(e => (e.RecordedAt, e.Payload))); // entry 14 left out

        var problem = log.Verify().Problem!;
        Assert.Equal((AuditProblemKind.RemovedEntry, 14L), (problem.Kind, problem.Sequence));
        Assert.Equal(15, problem.RelatedSequence);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Reordering_entries_with_recomputed_hashes_names_the_moved_entry(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Filled(Open(db, checkpointInterval: 10), 25);
        var original = log.Store.ReadEntries().ToList();
        var reordered = original.Skip(15).ToList();
        (reordered[0], reordered[2]) = (reordered[2], reordered[0]); // entries 16 and 18 change places

        Tamper.RewriteFrom(db.Database, Table, original, 16, reordered.Select(e => (e.RecordedAt, e.Payload)));

        var problem = log.Verify().Problem!;
        Assert.Equal((AuditProblemKind.ReorderedEntries, 16L), (problem.Kind, problem.Sequence));
        Assert.Equal(18, problem.RelatedSequence);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_head_is_signed_within_the_checkpoint_period_while_entries_arrive(string provider)
    {
        using var db = TestDatabase.Create(provider);
        await using var log = Open(db, checkpointInterval: 1000, checkpointPeriod: TimeSpan.FromMilliseconds(50));
        foreach (var i in Enumerable.Range(1, 7)) await log.AppendAsync(Entry(i));

        await WaitForCheckpointAsync(log, 7);
        var result = log.Verify();
        Assert.True(result.IsIntact, result.Problem?.Message);
        Assert.Equal((7L, 0L), (result.LatestCheckpointSequence!.Value, result.UnprotectedEntries));

        foreach (var i in Enumerable.Range(8, 3)) await log.AppendAsync(Entry(i));
        await WaitForCheckpointAsync(log, 10);
        var original = log.Store.ReadEntries().ToList();
        Tamper.RewriteFrom(db.Database, Table, original, 3, original.Skip(2).Select(e =>
            (e.RecordedAt, e.Sequence == 3 ? OperationLog.Serialize(Entry(3, staff: "nobody")) : e.Payload)));
        Assert.Equal((AuditProblemKind.EditedEntry, 3L), Problem(log));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Nothing_is_signed_over_a_log_rewritten_while_it_is_open(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Filled(Open(db, checkpointInterval: 10), 25);
        var original = log.Store.ReadEntries().ToList();
        Tamper.RewriteFrom(db.Database, Table, original, 15, original.Skip(14).Select(e =>
            (e.RecordedAt, e.Sequence == 15 ? OperationLog.Serialize(Entry(15, staff: "nobody")) : e.Payload))); // 15 is signed with 20

        Assert.Throws<InvalidOperationException>(() => log.Checkpoint()); // on demand, as the timer and closing do
        var later = log.AppendMany(Enumerable.Range(26, 6).Select(i => Entry(i))); // 26 … 31: the entries are still recorded

        Assert.Equal(31, later[^1].Sequence);
        Assert.Equal([10L, 20], log.Store.Checkpoints().Select(c => c.Sequence)); // but no checkpoint at 30 over the rewrite
        Assert.Equal((AuditProblemKind.EditedEntry, 15L), Problem(log));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Closing_the_log_signs_its_head(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using (Filled(Open(db, checkpointInterval: 10), 23)) { }

        using var log = Open(db, checkpointInterval: 10);
        Assert.Equal([10L, 20, 23], log.Store.Checkpoints().Select(c => c.Sequence));
        Assert.Equal([10L, 10, 3], log.Store.Checkpoints().Select(c => c.Coverage!.Count));
        Assert.Equal(0, log.Verify().UnprotectedEntries);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void A_list_of_entries_not_signed_by_the_owner_is_detected(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Filled(Open(db, checkpointInterval: 10), 25);
        Tamper.DropGuards(db.Database, Table + "_checkpoints");
        var hashes = log.Store.Checkpoints().Single(c => c.Sequence == 20).Coverage!.Hashes.ToArray();
        hashes[0] ^= 1;

        Tamper.Sql(db.Database, $"UPDATE {Table}_checkpoints SET covered_hashes = @h WHERE sequence = 20", ("@h", hashes));

        Assert.Equal((AuditProblemKind.BadCheckpointSignature, 20L), Problem(log));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void A_checkpoint_table_made_before_the_lists_existed_gets_their_columns(string provider)
    {
        using var db = TestDatabase.Create(provider);
        Tamper.Sql(db.Database, $"CREATE TABLE {Table}_checkpoints (sequence BIGINT PRIMARY KEY, hash {db.Database.BytesType} NOT NULL, signed_at BIGINT NOT NULL, signature {db.Database.BytesType} NOT NULL)");

        using var log = Filled(Open(db, checkpointInterval: 10), 12);

        Assert.NotNull(log.Store.Checkpoints().Single().Coverage);
        Assert.True(log.Verify().IsIntact);
    }

    private static async Task WaitForCheckpointAsync(OperationLog log, long sequence)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!log.Store.Checkpoints().Any(c => c.Sequence == sequence)) await Task.Delay(20, patience.Token);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Concurrent_appends_from_many_tasks_and_two_writers_make_one_gapless_chain(string provider)
    {
        using var db = TestDatabase.Create(provider);
        await using var first = Open(db, checkpointInterval: 100);
        await using var second = Open(db, checkpointInterval: 100); // another process's writer on the same database

        var tasks = Enumerable.Range(0, 40).Select(worker => Task.Run(async () =>
        {
            var log = worker % 2 == 0 ? first : second;
            var sequences = new List<long>();
            for (var i = 0; i < 25; i++)
            {
                if (worker % 5 == 4 && i % 5 == 0)
                    sequences.AddRange(log.AppendMany(Enumerable.Range(0, 3).Select(k => Entry(worker * 1000 + i * 10 + k))).Select(r => r.Sequence));
                else
                    sequences.Add((await log.AppendAsync(Entry(worker * 1000 + i))).Sequence);
            }
            return sequences;
        })).ToList();
        var all = (await Task.WhenAll(tasks)).SelectMany(s => s).ToList();

        var expected = 40 * 25 + 8 * 5 * 2; // workers 4, 9, … write three entries instead of one, five times each
        Assert.Equal(expected, all.Count);
        Assert.Equal(Enumerable.Range(1, expected).Select(i => (long)i), all.Order());
        var result = first.Verify();
        Assert.True(result.IsIntact, result.Problem?.Message);
        Assert.Equal(expected, result.EntriesVerified);
        Assert.Equal(expected / 100, result.CheckpointsVerified);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void An_invalid_entry_in_a_batch_records_nothing(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Filled(Open(db), 2);
        var batch = new[] { Entry(3), Entry(4) with { Detail = "照会番号 1234-5678-9018" }, Entry(5) };

        var refused = Assert.Throws<OperationLogException>(() => log.AppendMany(batch));

        Assert.Contains("entry 2 of 3", refused.Message);
        Assert.Equal(2, log.Read().Count());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Reading_filters_by_staff_subject_action_and_time(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Filled(Open(db), 200);
        var all = Enumerable.Range(1, 200).Select(i => Entry(i)).ToList();

        Assert.Equal(all.Count(e => e.StaffId == "staff003"), log.Read(new OperationLogQuery(StaffId: "staff003")).Count());
        Assert.Equal(all.Count(e => e.SubjectAddresseeNumber == 1010), log.Read(new OperationLogQuery(SubjectAddresseeNumber: 1010)).Count());
        Assert.Equal(all.Count(e => e.Action == OperationAction.Export), log.Read(new OperationLogQuery(Action: OperationAction.Export)).Count());
        var window = log.Read(new OperationLogQuery(From: Monday.AddMinutes(50), To: Monday.AddMinutes(60))).Select(r => r.Sequence).ToList();
        Assert.Equal(Enumerable.Range(50, 10).Select(i => (long)i), window);
        Assert.Equal([10L, 11, 12], log.Read(fromSequence: 10, toSequence: 12).Select(r => r.Sequence));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Csv_export_has_one_parseable_row_per_entry_in_japan_time(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Filled(Open(db), 30);
        log.Append(new OperationLogEntry("staff001", Monday.AddHours(1), "TERM-01", "tax", 77, OperationAction.Export, OperationResult.Success, "課税台帳, \"抽出\"\n2行目"));
        using var output = new MemoryStream();

        var summary = log.Export(output, OperationLogExportFormat.Csv, new OperationLogQuery(StaffId: "staff001"));

        var rows = ParseCsv(Encoding.UTF8.GetString(output.ToArray()));
        Assert.Equal(OperationLog.CsvColumns, rows[0]);
        Assert.Equal(summary.Entries + 1, rows.Count);
        Assert.Equal(7, summary.Entries); // 1, 6, 11, 16, 21, 26 and the extra one
        Assert.All(rows.Skip(1), row => Assert.Equal("staff001", row[3]));
        var last = rows[^1];
        Assert.Equal("31", last[0]);
        Assert.Equal("2026-04-06T10:00:00.000000+09:00", last[2]);
        Assert.Equal(["TERM-01", "tax", "77", "export", "success", "課税台帳, \"抽出\"\n2行目"], last[4..10]);
        Assert.Equal(log.Read(fromSequence: 31).Single().Hash, last[10]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Csv_export_neutralises_text_that_a_spreadsheet_would_run_as_a_formula(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Open(db);
        log.Append(new OperationLogEntry("staff001", Monday, "@TERM-01", "tax", 77, OperationAction.Export, OperationResult.Success, "=HYPERLINK(\"http://x\",\"y\")"));
        log.Append(new OperationLogEntry("-staff002", Monday.AddMinutes(1), "TERM-02", null, 78, OperationAction.View, OperationResult.Refused, "+SUM(1)"));
        using var output = new MemoryStream();

        log.Export(output, OperationLogExportFormat.Csv);

        var rows = ParseCsv(Encoding.UTF8.GetString(output.ToArray()));
        Assert.Equal(["1", "'@TERM-01", "tax", "77", "export", "success", "'=HYPERLINK(\"http://x\",\"y\")"],
            (string[])[rows[1][0], .. rows[1][4..10]]);
        Assert.Equal(["'-staff002", "'+SUM(1)"], (string[])[rows[2][3], rows[2][9]]);
        Assert.Equal("2026-04-06T09:01:00.000000+09:00", rows[2][2]); // times keep their form (and a "+09:00" is not at the start)
        // The log itself keeps the values as recorded; only the spreadsheet file is defused.
        Assert.Equal("+SUM(1)", log.Read(fromSequence: 2).Single().Entry.Detail);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Json_export_lists_the_entries_and_their_count(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using var log = Filled(Open(db), 30);
        using var output = new MemoryStream();

        var summary = log.Export(output, OperationLogExportFormat.Json, new OperationLogQuery(From: Monday.AddMinutes(10), To: Monday.AddMinutes(20)));

        using var json = JsonDocument.Parse(output.ToArray());
        var entries = json.RootElement.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal("131091", json.RootElement.GetProperty("municipality").GetString());
        Assert.Equal(10, json.RootElement.GetProperty("count").GetInt64());
        Assert.Equal((10, 10L, 19L), ((int)summary.Entries, summary.FirstSequence!.Value, summary.LastSequence!.Value));
        Assert.Equal(Enumerable.Range(10, 10).Select(i => (long)i), entries.Select(e => e.GetProperty("sequence").GetInt64()));
        var twelve = entries[2];
        Assert.Equal(Entry(12).StaffId, twelve.GetProperty("staffId").GetString());
        Assert.Equal(Entry(12).SubjectAddresseeNumber, twelve.GetProperty("subjectAddresseeNumber").GetInt64());
        Assert.Equal(OperationLog.Name(Entry(12).Action), twelve.GetProperty("action").GetString());
        Assert.Equal(Monday.AddMinutes(12), DateTimeOffset.Parse(twelve.GetProperty("at").GetString()!, CultureInfo.InvariantCulture));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void An_auditor_verifies_with_the_published_public_key_only(string provider)
    {
        using var db = TestDatabase.Create(provider);
        using (Filled(Open(db, checkpointInterval: 5), 12)) { }
        var publicPem = File.ReadAllText(AuditSigningKeyFile.PublicKeyPath(KeyPath));

        using var audit = OperationLog.OpenForAudit(db.Database, TestData.Shinagawa, publicPem);

        Assert.True(audit.Verify().IsIntact);
        Assert.Equal(12, audit.Read().Count());
        Assert.Throws<InvalidOperationException>(() => audit.Append(Entry(13)));
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var wrongKey = OperationLog.OpenForAudit(db.Database, TestData.Shinagawa, otherKey.ExportSubjectPublicKeyInfoPem());
        Assert.Equal((AuditProblemKind.BadCheckpointSignature, 5L), Problem(wrongKey));
        using var otherWard = OperationLog.OpenForAudit(db.Database, TestData.Ota, publicPem); // same key, another log's identity
        Assert.Equal(AuditProblemKind.BadCheckpointSignature, Problem(otherWard).Item1);
    }

    [Fact]
    public void The_signing_key_is_private_to_its_owner_and_stays_the_same_across_openings()
    {
        using var db = TestDatabase.CreateSqlite();
        string firstPublic;
        using (var log = Open(db)) firstPublic = log.PublicKey.KeyFingerprint;
        using var again = Open(db);

        Assert.Equal(firstPublic, again.PublicKey.KeyFingerprint);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(KeyPath));
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", File.ReadAllText(AuditSigningKeyFile.PublicKeyPath(KeyPath)));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
    }

    private static (AuditProblemKind, long) Problem(OperationLog log, AuditHead? expected = null)
    {
        var result = log.Verify(expected);
        Assert.False(result.IsIntact, "the log should not verify");
        return (result.Problem!.Kind, result.Problem.Sequence);
    }

    private static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (c == '\r') { }
            else if (c == '\n') { row.Add(field.ToString()); field.Clear(); rows.Add([.. row]); row.Clear(); }
            else field.Append(c);
        }
        return rows;
    }
}
