using System.Globalization;
using System.Text;
using System.Text.Json;
using Renkei.Cli.Commands;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;
using Renkei.Municipality.Audit;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests;

/// <summary><c>renkei audit verify/export/checkpoint</c> through the real program, on a log written with the library.</summary>
public class AuditCommandTests : IDisposable
{
    private const string Ward = "131091";
    private static readonly LocalGovernmentCode Code = LocalGovernmentCode.ParseOrThrow(Ward);
    private static readonly DateTimeOffset Day = new(2026, 4, 6, 9, 0, 0, TimeSpan.FromHours(9));
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private DataLayout Layout => new(new DirectoryInfo(_data.Path));

    private static OperationLogEntry Entry(int i) => new(
        $"staff{i % 3}", Day.AddHours(i), "TERM-01", "child-allowance", 5000 + i,
        i % 2 == 0 ? OperationAction.View : OperationAction.Search, OperationResult.Success, i % 5 == 0 ? "児童手当 現況届, 確認" : null);

    /// <summary>A ward with <paramref name="count"/> entries, one entry per hour from 2026-04-06 10:00 JST, checkpoints every 20 and at the head when the log closes.</summary>
    private void WriteLog(int count)
    {
        using var log = AuditCommands.OpenOperationLog(Layout, Code, new AuditLogOptions(CheckpointInterval: 20));
        log.AppendMany(Enumerable.Range(1, count).Select(Entry));
    }

    private Database Database => Layout.MunicipalityDatabase(Code);

    private void Sql(string sql)
    {
        using var connection = Database.Open();
        connection.Execute("DROP TRIGGER IF EXISTS operation_log_no_update");
        connection.Execute("DROP TRIGGER IF EXISTS operation_log_no_delete");
        connection.Execute(sql);
    }

    private Task<CliProcess.Outcome> Run(params string[] arguments) => CliProcess.RunAsync(_data.Path, arguments);

    private static JsonElement Json(CliProcess.Outcome outcome) => JsonDocument.Parse(outcome.StandardOutput).RootElement;

    [Fact]
    public async Task Verify_exits_0_on_an_intact_log_and_prints_its_head()
    {
        WriteLog(50);

        var human = await Run("audit", "verify", "--municipality", Ward);
        var json = await Run("audit", "verify", "--municipality", Ward, "--json");

        Assert.True(human.ExitCode == 0, human.StandardOutput + human.StandardError);
        Assert.Contains("50 件", human.StandardOutput);
        Assert.DoesNotContain("次のチェックポイントまで", human.StandardOutput); // the log signed its head when it closed
        Assert.Equal(0, json.ExitCode);
        var report = Json(json);
        Assert.True(report.GetProperty("intact").GetBoolean());
        Assert.Equal(50, report.GetProperty("entries").GetInt64());
        Assert.Equal(3, report.GetProperty("checkpoints").GetInt64()); // 20, 40 and the head, 50
        Assert.Equal(0, report.GetProperty("unprotectedEntries").GetInt64());
        Assert.StartsWith("50:", report.GetProperty("head").GetString());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("problem").ValueKind);
    }

    [Fact]
    public async Task Editing_one_row_of_the_database_makes_verify_fail_naming_that_entry()
    {
        WriteLog(50);
        var forged = OperationLog.Serialize(Entry(17) with { StaffId = "someone-else" });
        Sql($"UPDATE operation_log SET payload = X'{Convert.ToHexString(forged)}' WHERE sequence = 17");

        var human = await Run("audit", "verify", "--municipality", Ward);
        var json = await Run("audit", "verify", "--municipality", Ward, "--json");

        Assert.Equal(1, human.ExitCode);
        Assert.Contains("記録 17 番", human.StandardOutput);
        Assert.Contains("editedEntry", human.StandardOutput);
        Assert.Contains("1〜16 番は無傷", human.StandardOutput);
        Assert.Equal(1, json.ExitCode);
        var problem = Json(json).GetProperty("problem");
        Assert.Equal("editedEntry", problem.GetProperty("kind").GetString());
        Assert.Equal(17, problem.GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task An_edit_with_every_later_hash_recomputed_is_named_by_the_signed_checkpoints()
    {
        WriteLog(50);
        var original = new AuditLogStore(Database, OperationLog.TableName, null).ReadEntries().ToList();
        var forged = OperationLog.Serialize(Entry(27) with { StaffId = "someone-else" });

        Tamper.RewriteFrom(Database, OperationLog.TableName, original, 27,
            original.Skip(26).Select(e => (e.RecordedAt, e.Sequence == 27 ? forged : e.Payload)));
        var edited = await Run("audit", "verify", "--municipality", Ward, "--json");
        var human = await Run("audit", "verify", "--municipality", Ward);

        Assert.Equal(1, edited.ExitCode);
        var problem = Json(edited).GetProperty("problem");
        Assert.Equal(("editedEntry", 27L), (problem.GetProperty("kind").GetString(), problem.GetProperty("sequence").GetInt64()));
        Assert.Equal(1, human.ExitCode);
        Assert.Contains("記録 27 番 (editedEntry)", human.StandardOutput);
        Assert.Contains("1〜26 番は無傷", human.StandardOutput);
    }

    [Fact]
    public async Task Removing_or_reordering_entries_with_every_later_hash_recomputed_is_named_too()
    {
        WriteLog(50);
        var original = new AuditLogStore(Database, OperationLog.TableName, null).ReadEntries().ToList();

        Tamper.RewriteFrom(Database, OperationLog.TableName, original, 33, original.Skip(33).Select(e => (e.RecordedAt, e.Payload)));
        var removed = await Run("audit", "verify", "--municipality", Ward, "--json");
        var moved = original.Skip(4).ToList();
        (moved[0], moved[3]) = (moved[3], moved[0]); // entries 5 and 8
        Tamper.RewriteFrom(Database, OperationLog.TableName, original, 5, moved.Select(e => (e.RecordedAt, e.Payload)));
        var reordered = await Run("audit", "verify", "--municipality", Ward, "--json");

        Assert.Equal(1, removed.ExitCode);
        Assert.Equal(("removedEntry", 33L), (Json(removed).GetProperty("problem").GetProperty("kind").GetString(),
            Json(removed).GetProperty("problem").GetProperty("sequence").GetInt64()));
        Assert.Equal(1, reordered.ExitCode);
        Assert.Equal(("reorderedEntries", 5L), (Json(reordered).GetProperty("problem").GetProperty("kind").GetString(),
            Json(reordered).GetProperty("problem").GetProperty("sequence").GetInt64()));
    }

    [Fact]
    public async Task Deleting_one_row_and_swapping_two_are_named_too()
    {
        WriteLog(50);
        Sql("DELETE FROM operation_log WHERE sequence = 33");
        var deleted = await Run("audit", "verify", "--municipality", Ward, "--json");

        Assert.Equal(1, deleted.ExitCode);
        Assert.Equal("removedEntry", Json(deleted).GetProperty("problem").GetProperty("kind").GetString());
        Assert.Equal(33, Json(deleted).GetProperty("problem").GetProperty("sequence").GetInt64());

        Sql("UPDATE operation_log SET sequence = -1 WHERE sequence = 5; UPDATE operation_log SET sequence = 5 WHERE sequence = 9; UPDATE operation_log SET sequence = 9 WHERE sequence = -1");
        var swapped = await Run("audit", "verify", "--municipality", Ward);

        Assert.Equal(1, swapped.ExitCode);
        Assert.Contains("記録 5 番 (reorderedEntries)", swapped.StandardOutput);
        Assert.Contains("stored as entry 9", swapped.StandardOutput);
    }

    [Fact]
    public async Task A_checkpoint_taken_on_demand_catches_the_tail_being_cut_and_so_does_the_head_kept_from_it()
    {
        WriteLog(45);
        var checkpoint = await Run("audit", "checkpoint", "--municipality", Ward, "--json");
        Assert.Equal(0, checkpoint.ExitCode);
        var head = Json(checkpoint).GetProperty("head").GetString()!;
        Assert.StartsWith("45:", head);

        Sql("DELETE FROM operation_log WHERE sequence > 42");
        var cut = await Run("audit", "verify", "--municipality", Ward, "--json");
        Assert.Equal(1, cut.ExitCode);
        Assert.Equal("truncatedAfterCheckpoint", Json(cut).GetProperty("problem").GetProperty("kind").GetString());
        Assert.Equal(43, Json(cut).GetProperty("problem").GetProperty("sequence").GetInt64());

        using (var connection = Database.Open())
        {
            connection.Execute("DROP TRIGGER IF EXISTS operation_log_checkpoints_no_delete");
            connection.Execute("DELETE FROM operation_log_checkpoints WHERE sequence > 40");
        }
        Assert.Equal(0, (await Run("audit", "verify", "--municipality", Ward)).ExitCode);
        var withHead = await Run("audit", "verify", "--municipality", Ward, "--expect-head", head);
        Assert.Equal(1, withHead.ExitCode);
        Assert.Contains("記録 43 番 (truncatedAfterCheckpoint)", withHead.StandardOutput);
    }

    [Fact]
    public async Task A_removed_log_whose_key_remains_fails_and_a_ward_without_a_log_is_not_intact()
    {
        var none = await Run("audit", "verify", "--municipality", Ward, "--json");
        Assert.Equal(1, none.ExitCode);
        Assert.Equal("noLog", Json(none).GetProperty("problem").GetProperty("kind").GetString());

        WriteLog(5);
        using (var connection = Database.Open()) connection.Execute("DROP TABLE operation_log");
        var removed = await Run("audit", "verify", "--municipality", Ward, "--json");

        Assert.Equal(1, removed.ExitCode);
        Assert.Equal("logMissing", Json(removed).GetProperty("problem").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Export_writes_csv_to_a_file_with_the_rows_of_the_chosen_days()
    {
        WriteLog(60); // hourly from 2026-04-06 10:00 JST: 14 on the 6th, 24 on the 7th, 22 from the 8th
        var file = _data.File("audit.csv");

        var outcome = await Run("audit", "export", "--municipality", Ward, "--format", "csv", "--output", file, "--from", "2026-04-07", "--to", "2026-04-07");

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        Assert.Contains("24 件", outcome.StandardError);
        var lines = File.ReadAllText(file, Encoding.UTF8).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join(",", OperationLog.CsvColumns), lines[0]);
        Assert.Equal(25, lines.Length);
        Assert.Equal(Enumerable.Range(15, 24).Select(i => i.ToString(CultureInfo.InvariantCulture)), lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.StartsWith("15,", lines[1]);
        Assert.Contains(",2026-04-07T00:00:00.000000+09:00,staff0,TERM-01,child-allowance,5015,search,success,\"児童手当 現況届, 確認\",", lines[1]);
        Assert.False(File.Exists(file + ".partial"));
    }

    [Fact]
    public async Task Export_writes_json_to_standard_output_filtered_by_staff_and_subject()
    {
        WriteLog(30);

        var byStaff = await Run("audit", "export", "-m", Ward, "--format", "json", "--staff", "staff1");
        var bySubject = await Run("audit", "export", "-m", Ward, "--format", "json", "--subject", "5020");

        Assert.Equal(0, byStaff.ExitCode);
        var entries = Json(byStaff).GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(10, Json(byStaff).GetProperty("count").GetInt64());
        Assert.Equal([1L, 4, 7, 10, 13, 16, 19, 22, 25, 28], entries.Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.All(entries, e => Assert.Equal("staff1", e.GetProperty("staffId").GetString()));
        var only = Assert.Single(Json(bySubject).GetProperty("entries").EnumerateArray());
        Assert.Equal(20, only.GetProperty("sequence").GetInt64());
        Assert.Equal("view", only.GetProperty("action").GetString());
        Assert.Equal("2026-04-07T05:00:00.000000+09:00", only.GetProperty("at").GetString());
    }

    [Fact]
    public async Task Bad_options_are_usage_errors()
    {
        WriteLog(2);

        var badHead = await Run("audit", "verify", "-m", Ward, "--expect-head", "12:xyz");
        var badDate = await Run("audit", "export", "-m", Ward, "--format", "csv", "--from", "4月1日");
        var badFormat = await Run("audit", "export", "-m", Ward, "--format", "xml");
        var instants = await Run("audit", "export", "-m", Ward, "--format", "json", "--from", "2026-04-06T11:00", "--to", "2026-04-06T03:00:00.5Z");

        Assert.Equal(2, badHead.ExitCode);
        Assert.Contains("--expect-head", badHead.StandardError);
        Assert.Equal(2, badDate.ExitCode);
        Assert.Contains("--from", badDate.StandardError);
        Assert.Equal(2, badFormat.ExitCode);
        Assert.Equal(0, instants.ExitCode); // a time without a zone is Japan time: 11:00+09:00 is 02:00Z
        Assert.Equal(2, Assert.Single(Json(instants).GetProperty("entries").EnumerateArray()).GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task The_audit_benchmark_appends_and_verifies_every_entry()
    {
        var result = await AuditCommands.RunBenchAsync(Layout, entries: 3000, producers: 16, checkpointInterval: 500, quiet: true, CancellationToken.None);

        Assert.True(result.Intact);
        Assert.Equal(3000, result.Entries);
        Assert.True(result.Checkpoints >= 6, $"{result.Checkpoints} checkpoints"); // every 500, and the head every 2 s while appending
        Assert.True(result.AppendsPerSecond > 0 && result.VerifiedPerSecond > 0);
        var json = JsonSerializer.Serialize(result, Renkei.Core.Json.JsonDefaults.Options);
        foreach (var field in new[] { "\"appendsPerSecond\":", "\"verifiedPerSecond\":", "\"entries\":3000", "\"seconds\":", "\"machine\":{\"processorCount\":" })
            Assert.Contains(field, json);
    }
}
