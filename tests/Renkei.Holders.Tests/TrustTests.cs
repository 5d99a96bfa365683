using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Holders.Demo;
using Renkei.Holders.Records;
using Renkei.Infrastructure;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Kinds;
using Renkei.TestSupport;
using Renkei.Holders.Contracts;

namespace Renkei.Holders.Tests;

/// <summary>
/// Trust rule 3 for the other holders: the pension organisation and the insurer keep numbers, names and basic pension
/// numbers in their own databases, but their intermediate servers hold none of them after the feed. The scan reads the
/// SQLite files themselves (database and WAL) or every row on PostgreSQL, and proves it can see what it looks for by
/// finding the names and basic pension numbers in the holder's own database.
/// </summary>
public sealed class TrustTests
{
    private static readonly string[] FamilyNames = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村"];
    private static readonly string[] GivenNames = ["蓮", "陽翔", "結衣", "陽葵", "湊", "凛", "美咲", "大翔"];

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_holders_intermediate_databases_hold_no_number_no_name_and_no_basic_pension_number(string provider)
    {
        var people = HolderHarness.DemoPeople(1_200, seed: 21);
        var reference = new DateOnly(2026, 11, 22);
        foreach (var kind in new[] { HolderKind.PensionOrganisation, HolderKind.HealthInsurer })
        {
            await using var h = await HolderHarness.StartAsync(provider, kind);
            HolderDemoData.Seed(h.Node.Records, people.Skip(60).ToList(), reference);
            // Sixty more come through the staff API, with names for the holder's own screens.
            var named = new List<(IndividualNumber Number, string Family, string Given)>();
            for (var i = 0; i < 60; i++)
            {
                var person = people[i];
                var (family, given) = (FamilyNames[i % FamilyNames.Length], GivenNames[i / FamilyNames.Length % GivenNames.Length]);
                var details = new PersonDetails(family + " " + given, person.BirthDate, person.Sex);
                if (kind == HolderKind.PensionOrganisation)
                {
                    var right = person.BirthDate.AddYears(20).AddDays(100);
                    await h.Staff.RecordPensionAsync(new PensionRecordRequest(Guid.NewGuid(), person.Number, (2_000_000_000L + i).ToString("D10"), 2026,
                        [new PensionBenefitItem(PensionType.Disability, PensionScheme.Basic, 2, PensionRules.DisabilityBasic(2, 0), right,
                            PensionRules.PaymentStart(right), null, false, null)], details));
                }
                else
                    await h.Staff.RecordQualificationAsync(new QualificationRequest(Guid.NewGuid(), person.Number, HealthInsuranceMemberCategory.Insured,
                        Max(person.BirthDate.AddYears(1), new DateOnly(2016, 4, 1)), null, details));
                named.Add((person.Number, family, given));
            }
            var fed = await h.Node.FeedCopiesAsync();
            Assert.True(fed.Sent > 100, "the demo seeded too few copies to mean anything");
            await h.Staff.LookupAsync(new PersonLookupRequest(people[0].Number));

            // The intermediate server's columns are none of a number or a basic fact.
            Assert.DoesNotContain(Columns(h.IntermediateDatabase.Database), c => ForbiddenContent.IsForbiddenPropertyName(c.Split('.')[1]));

            var stored = Bytes(h.IntermediateDatabase.Database, provider);
            var own = Bytes(h.HolderDatabase.Database, provider);
            // Positive controls: the scan sees the copies' bodies, and the names where they are (the holder's own database).
            Assert.True(Contains(stored, kind == HolderKind.PensionOrganisation ? "\"amountFiscalYear\":2026" : "\"insurerNumber\":\"06139999\""));
            Assert.All(named, n => Assert.True(Contains(own, n.Family + " " + n.Given)));

            var runs = DigitRuns(stored, IndividualNumber.Length);
            Assert.Equal(0, people.Count(p => runs.Contains(p.Number.ToInt64())));
            Assert.DoesNotContain(named, n => Contains(stored, n.Family) || Contains(stored, n.Given));
            // Integer columns are stored in binary: the copies are keyed by the holder's person IDs, which are no one's number.
            var numbers = people.Select(p => p.Number.ToInt64()).ToHashSet();
            Assert.DoesNotContain(AddresseeNumbers(h.IntermediateDatabase.Database), numbers.Contains);
            if (kind == HolderKind.PensionOrganisation)
            {
                var pensionNumbers = DigitRuns(stored, 10);
                using var c = h.HolderDatabase.Database.Open();
                using var command = c.Command("SELECT basic_pension_number FROM pension_members");
                using var reader = command.ExecuteReader();
                int found = 0, total = 0;
                while (reader.Read())
                {
                    total++;
                    if (pensionNumbers.Contains(long.Parse(reader.GetString(0)))) found++;
                    Assert.True(Contains(own, reader.GetString(0)), "the scan does not see the holder's own basic pension numbers");
                }
                Assert.True(total > 60);
                Assert.Equal(0, found);
            }

            // The holder's operation log names people by person ID only.
            var log = h.Node.OperationLog.Store.ReadEntries().SelectMany(e => e.Payload).ToArray();
            Assert.True(log.Length > 0);
            var logRuns = DigitRuns(log, IndividualNumber.Length);
            Assert.Equal(0, people.Count(p => logRuns.Contains(p.Number.ToInt64())));
            Assert.True(h.Node.OperationLog.Verify().IsIntact);
        }
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

    private static List<long> AddresseeNumbers(Database database)
    {
        using var c = database.Open();
        using var command = c.Command("SELECT addressee_number FROM intermediate_copies");
        using var reader = command.ExecuteReader();
        var list = new List<long>();
        while (reader.Read()) list.Add(reader.GetInt64(0));
        Assert.NotEmpty(list);
        return list;
    }

    private static List<string> Columns(Database database)
    {
        // The schema journals (schema_journal_*, Migrations) hold script names and when they ran, nothing about anyone.
        using var c = database.Open();
        var sql = database.Provider == DatabaseProvider.Sqlite
            ? "SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'schema_journal_%'"
            : "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name NOT LIKE 'schema_journal_%'";
        using var command = c.Command(sql);
        using var reader = command.ExecuteReader();
        var columns = new List<string>();
        while (reader.Read()) columns.Add(reader.GetString(0));
        return columns;
    }

    /// <summary>The SQLite files in the database's own directory, or every value of every table on PostgreSQL, as bytes.</summary>
    private static byte[] Bytes(Database database, string provider)
    {
        if (provider == "sqlite")
        {
            SqliteConnection.ClearAllPools();
            var file = new SqliteConnectionStringBuilder(database.ConnectionString).DataSource;
            using var all = new MemoryStream();
            foreach (var path in Directory.GetFiles(Path.GetDirectoryName(Path.GetFullPath(file))!))
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                stream.CopyTo(all);
            }
            return all.ToArray();
        }
        using var c = database.Open();
        var tables = new List<string>();
        using (var list = c.Command("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"))
        using (var reader = list.ExecuteReader())
            while (reader.Read()) tables.Add(reader.GetString(0));
        var text = new StringBuilder();
        foreach (var table in tables)
        {
            var columns = new List<string>();
            using (var list = c.Command("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @t").With("t", table))
            using (var reader = list.ExecuteReader())
                while (reader.Read()) columns.Add(reader.GetString(0));
            foreach (var column in columns)
            {
                using var select = c.Command($"SELECT CAST({column} AS text) FROM {table}");
                using DbDataReader reader = select.ExecuteReader();
                while (reader.Read()) text.Append(reader.IsDBNull(0) ? "" : reader.GetString(0)).Append('\n');
            }
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static bool Contains(byte[] haystack, string needle) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;

    /// <summary>Every window of <paramref name="length"/> ASCII digits in the bytes, as integers.</summary>
    private static HashSet<long> DigitRuns(byte[] bytes, int length)
    {
        var found = new HashSet<long>();
        var run = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] is < (byte)'0' or > (byte)'9') { run = 0; continue; }
            if (++run < length) continue;
            long value = 0;
            for (var j = i - length + 1; j <= i; j++) value = value * 10 + (bytes[j] - '0');
            found.Add(value);
        }
        return found;
    }
}
