using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Kinds;
using Renkei.Intermediate.Tests.Node;
using Renkei.Network.Contracts;
using Renkei.TestSupport;
using static Renkei.Intermediate.Tests.IntermediateHarness;

namespace Renkei.Intermediate.Tests;

/// <summary>
/// Trust rule 3 (DESIGN.md; seed 001: 中間サーバーは個人番号・基本4情報を保有せず): after a ward's feed has loaded copies for a
/// population of generated people, neither the intermediate server's schema nor its stored bytes hold any person's
/// individual number or name. The scan would fail if a column for them were added, if the feed's validator let a
/// number through in a body, or if a body carried a name. The server runs as a network node with everyone's token bound
/// and provisions recorded, so the token and record tables are scanned too.
/// </summary>
public sealed class TrustRuleTests
{
    private sealed record Person(
        long AddresseeNumber, IndividualNumber Number, string FamilyName, string GivenName, string FamilyKana, string GivenKana,
        DateOnly BirthDate, string Address, string HouseholdNumber, int Relationship, long[] Household);

    private static readonly string[] FamilyNames = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田"];
    private static readonly string[] FamilyKana = ["サトウ", "スズキ", "タカハシ", "タナカ", "イトウ", "ワタナベ", "ヤマモト", "ナカムラ", "コバヤシ", "カトウ", "ヨシダ", "ヤマダ"];
    private static readonly string[] GivenNames = ["蓮", "陽翔", "結衣", "陽葵", "湊", "凛", "美咲", "大翔", "さくら", "悠真", "葵", "翔太"];
    private static readonly string[] GivenKana = ["レン", "ハルト", "ユイ", "ヒマリ", "ミナト", "リン", "ミサキ", "ヒロト", "サクラ", "ユウマ", "アオイ", "ショウタ"];

    /// <summary>People in households of one to four, as the ward's register would hold them.</summary>
    private static List<Person> GeneratePeople(int count, int seed)
    {
        var random = new Random(seed);
        var people = new List<Person>(count);
        var numbers = new HashSet<long>();
        long addressee = 100_000;
        var household = 0;
        while (people.Count < count)
        {
            household++;
            var size = Math.Min(random.Next(1, 5), count - people.Count);
            var members = Enumerable.Range(0, size).Select(_ => ++addressee).ToArray();
            var family = random.Next(FamilyNames.Length);
            var address = $"東京都品川区大井{random.Next(1, 8)}丁目{random.Next(1, 30)}番{random.Next(1, 20)}号";
            for (var m = 0; m < size; m++)
            {
                IndividualNumber number;
                do number = IndividualNumber.FromBody(random.NextInt64(1, IndividualNumber.BodyCount)); while (!numbers.Add(number.ToInt64()));
                var given = random.Next(GivenNames.Length);
                people.Add(new Person(members[m], number, FamilyNames[family], GivenNames[given], FamilyKana[family], GivenKana[given],
                    new DateOnly(1940, 1, 1).AddDays(random.Next(0, 30_000)), address, "7" + household.ToString("D8"), m == 0 ? 1 : 4, members));
            }
        }
        return people;
    }

    /// <summary>The copies a ward's business systems would send for a person: addressee number and facts, never who the person is.</summary>
    private static IEnumerable<CopyUpdate> CopiesOf(Person person, DateOnly today)
    {
        var age = today.Year - person.BirthDate.Year;
        yield return new CopyUpdate(person.AddresseeNumber, InformationKindCodes.ResidentRecord, new DateOnly(2026, 4, 1), 1,
            CopyBodies.ToJson(new ResidentRecordBody(person.HouseholdNumber, person.Relationship, person.Household, ResidentStatus.Resident,
                new DateOnly(2010, 4, 1).AddDays((int)(person.AddresseeNumber % 3000)), null)));
        var income = person.AddresseeNumber % 7 * 1_100_000;
        yield return new CopyUpdate(person.AddresseeNumber, InformationKindCodes.LocalTax, new DateOnly(2026, 6, 1), 1,
            CopyBodies.ToJson(new LocalTaxBody(2026, income > 0, income, Math.Min(income, 1_000_000), Math.Max(0, income - 1_000_000),
                Math.Max(0, income - 1_000_000) / 10, income > 0 ? 5_000 : 0, person.Household.Length - 1)));
        if (person.Relationship == 1 && person.Household.Length > 2)
            yield return new CopyUpdate(person.AddresseeNumber, InformationKindCodes.ChildAllowance, new DateOnly(2026, 4, 1), 1,
                CopyBodies.ToJson(new ChildAllowanceBody(true, person.Household.Length - 2, 10_000 * (person.Household.Length - 2), new DateOnly(2026, 4, 1), null)));
        if (age >= 65)
            yield return new CopyUpdate(person.AddresseeNumber, InformationKindCodes.NursingCareInsurance, new DateOnly(2026, 4, 1), 1,
                CopyBodies.ToJson(new NursingCareInsuranceBody(InsuredCategory.First, CareLevel.None, 5, null)));
        if (person.AddresseeNumber % 3 == 0)
            yield return new CopyUpdate(person.AddresseeNumber, InformationKindCodes.NationalHealthInsurance, new DateOnly(2026, 4, 1), 1,
                CopyBodies.ToJson(new NationalHealthInsuranceBody(new DateOnly(2015, 4, 1), null, person.Relationship == 1, 120_000)));
        if (person.AddresseeNumber % 41 == 0)
            yield return new CopyUpdate(person.AddresseeNumber, InformationKindCodes.PublicAssistance, new DateOnly(2026, 4, 1), 1,
                CopyBodies.ToJson(new PublicAssistanceBody(true, new DateOnly(2023, 7, 1), [AidType.Livelihood, AidType.Medical])));
    }

    private static async IAsyncEnumerable<CopyUpdate> AsAsync(IEnumerable<CopyUpdate> copies)
    {
        foreach (var copy in copies)
        {
            yield return copy;
            await Task.CompletedTask;
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_schema_and_the_stored_bytes_hold_no_number_and_no_name_of_anyone(string provider)
    {
        var people = GeneratePeople(2_000, seed: 3);
        using var database = TestDatabase.Create(provider);
        using var keys = new TempDirectory();
        await using var network = await TestNetworkPeer.StartAsync();
        await using (var host = await TestModules.StartIntermediateAsync(database.Database, TestNode.Options(Holder, HolderName, keys.Path, network)))
        {
            using var holderKeys = InstitutionKeys.LoadOrCreate(keys.Path);
            using var client = IntermediateHttpClient.Signed(host.BaseAddress, Holder, holderKeys.Signing);
            var copies = people.SelectMany(p => CopiesOf(p, new DateOnly(2026, 6, 1))).ToList();
            var loaded = await client.LoadStreamAsync(Holder, TestActors.Feed, AsAsync(copies), batchSize: 1_000);
            Assert.Null(loaded.Failure);
            Assert.Equal(copies.Count, loaded.Stored);
            await client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), Holder, copies[0] with { Version = 2 }, TestActors.Feed));

            // A feed that slips a person's number into a body (here: as the household number) is refused whole.
            var careless = people.Take(20).Select(p => new CopyUpdate(p.AddresseeNumber, InformationKindCodes.ResidentRecord, new DateOnly(2026, 5, 1), 9,
                CopyBodies.ToJson(new ResidentRecordBody(p.Number.Digits, 1, [p.AddresseeNumber], ResidentStatus.Resident, null, null))));
            var refused = await Assert.ThrowsAsync<IntermediateException>(() =>
                client.LoadBatchAsync(new LoadBatchRequest(Guid.NewGuid(), Holder, careless.ToList(), TestActors.Feed)));
            Assert.Equal("invalid-copy", refused.Code);
            Assert.False(people.Any(p => refused.Message.Contains(p.Number.Digits, StringComparison.Ordinal)), "an individual number was echoed in the refusal");

            // As a network node: everyone's token is bound, and the network asks for some people's copies (recorded).
            var batch = Guid.NewGuid();
            await client.RegisterPendingTokenBatchAsync(new PendingTokenBatchRequest(batch, Holder, people.Select(p => p.AddresseeNumber).ToList(), TestActors.Feed));
            var tokens = people.Select((p, i) => new IndexedToken(i, Token.FromInt64(5_000_000_000_000_000 + p.AddresseeNumber))).ToList();
            using (var delivered = await network.ClientFor(host.BaseAddress, Holder).PostAsJsonAsync(NodeRoutes.DeliverTokenBatch,
                new TokenBatchDelivery(batch, Holder, tokens), JsonDefaults.Options))
                Assert.Equal(people.Count, (await delivered.Content.ReadFromJsonAsync<TokenBatchDeliveryAck>(JsonDefaults.Options))!.Bound);
            using var inquirerKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
            foreach (var token in tokens.Where((_, i) => i % 100 == 0))
            {
                using var provided = await network.ClientFor(host.BaseAddress, Holder).PostAsJsonAsync(NodeRoutes.Provide,
                    new ProvideRequest(Guid.NewGuid(), "131113", "child-allowance", Holder, token.Token, InformationKindCodes.LocalTax, null,
                        Convert.ToBase64String(inquirerKey.ExportSubjectPublicKeyInfo())), JsonDefaults.Options);
                Assert.Equal(System.Net.HttpStatusCode.OK, provided.StatusCode);
            }
            Assert.Equal(20, (await client.RecordsAsync(new PartyRecordQuery(Holder))).Records.Count);
        }

        // 1. The schema: exactly these columns, none of them for a number or a basic fact.
        var columns = ReadColumns(database.Database);
        Assert.Equal(
            [
                "intermediate_copies.addressee_number", "intermediate_copies.as_of", "intermediate_copies.body", "intermediate_copies.holder_code",
                "intermediate_copies.kind", "intermediate_copies.updated_at", "intermediate_copies.version",
                "intermediate_holder_actions.addressee_number", "intermediate_holder_actions.affair", "intermediate_holder_actions.items",
                "intermediate_holder_actions.kind", "intermediate_holder_actions.operation", "intermediate_holder_actions.recorded_at",
                "intermediate_holder_actions.request_id", "intermediate_holder_actions.sequence", "intermediate_holder_actions.staff",
                "intermediate_holder_actions.terminal",
                "intermediate_inquiry_batch_items.addressee_number", "intermediate_inquiry_batch_items.as_of", "intermediate_inquiry_batch_items.batch_id",
                "intermediate_inquiry_batch_items.item_id", "intermediate_inquiry_batch_items.item_index",
                "intermediate_inquiry_batches.accepted", "intermediate_inquiry_batches.affair", "intermediate_inquiry_batches.batch_id",
                "intermediate_inquiry_batches.created_at", "intermediate_inquiry_batches.fingerprint", "intermediate_inquiry_batches.items",
                "intermediate_inquiry_batches.kind", "intermediate_inquiry_batches.provider", "intermediate_inquiry_batches.submitted",
                "intermediate_party_claims.claimed_at", "intermediate_party_claims.fingerprint", "intermediate_party_claims.item_index",
                "intermediate_party_claims.log_head", "intermediate_party_claims.record_sequence", "intermediate_party_claims.request_id",
                "intermediate_party_claims.response", "intermediate_party_claims.role", "intermediate_party_claims.state",
                "intermediate_party_records.hash", "intermediate_party_records.payload", "intermediate_party_records.prev_hash",
                "intermediate_party_records.recorded_at", "intermediate_party_records.sequence",
                "intermediate_party_records_checkpoints.coverage_signature", "intermediate_party_records_checkpoints.covered_hashes",
                "intermediate_party_records_checkpoints.hash", "intermediate_party_records_checkpoints.sequence",
                "intermediate_party_records_checkpoints.signature", "intermediate_party_records_checkpoints.signed_at",
                "intermediate_requests.fingerprint", "intermediate_requests.operation", "intermediate_requests.received_at",
                "intermediate_requests.request_id", "intermediate_requests.response",
                "intermediate_sent_notices.fingerprint", "intermediate_sent_notices.operation", "intermediate_sent_notices.received_at",
                "intermediate_sent_notices.request_id", "intermediate_sent_notices.response",
                "intermediate_token_requests.addressee_number", "intermediate_token_requests.holder_code", "intermediate_token_requests.is_batch",
                "intermediate_token_requests.item_index", "intermediate_token_requests.registered_at", "intermediate_token_requests.request_id",
                "intermediate_token_requests.state",
                "intermediate_tokens.addressee_number", "intermediate_tokens.bound_at", "intermediate_tokens.holder_code", "intermediate_tokens.token",
            ],
            columns);
        Assert.DoesNotContain(columns, c => ForbiddenContent.IsForbiddenPropertyName(c.Split('.')[1]));

        // 2. The stored bytes: the SQLite files themselves (database, WAL), or every row of every table on PostgreSQL.
        var bytes = provider == "sqlite" ? ReadSqliteFiles(database.Database) : ReadAllRows(database.Database);
        // Positive control: the scan sees the stored content in plain text (it would find a number if one were there).
        foreach (var person in people.Where((_, i) => i % 97 == 0))
            Assert.True(Contains(bytes, Encoding.UTF8.GetBytes($"\"householdNumber\":\"{person.HouseholdNumber}\"")), "the scan does not see stored bodies");
        Assert.True(Contains(bytes, Encoding.UTF8.GetBytes($"\"token\":\"{5_000_000_000_000_000 + people[0].AddresseeNumber}\"")), "the scan does not see the provision records");

        var twelveDigitRuns = TwelveDigitWindows(bytes);
        var numbersFound = people.Count(p => twelveDigitRuns.Contains(p.Number.ToInt64()));
        Assert.True(numbersFound == 0, $"{numbersFound} individual number(s) found in the stored bytes");
        var namesFound = people.Count(p =>
            Contains(bytes, Encoding.UTF8.GetBytes(p.FamilyName + p.GivenName))
            || Contains(bytes, Encoding.UTF8.GetBytes(p.FamilyName))
            || Contains(bytes, Encoding.UTF8.GetBytes(p.GivenName))
            || Contains(bytes, Encoding.UTF8.GetBytes(p.FamilyKana + p.GivenKana))
            || Contains(bytes, Encoding.UTF8.GetBytes(p.Address)));
        Assert.True(namesFound == 0, $"{namesFound} person(s) with a name, kana or address found in the stored bytes");
        // (Birth dates are not searched: a date alone also occurs as an as-of or moving date; the schema has no column for one.)
    }

    private static List<string> ReadColumns(Database database)
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
        columns.Sort(StringComparer.Ordinal);
        return columns;
    }

    private static byte[] ReadSqliteFiles(Database database)
    {
        SqliteConnection.ClearAllPools();
        var file = new SqliteConnectionStringBuilder(database.ConnectionString).DataSource;
        var directory = Path.GetDirectoryName(Path.GetFullPath(file))!;
        using var all = new MemoryStream();
        foreach (var path in Directory.GetFiles(directory))
        {
            var content = File.ReadAllBytes(path);
            all.Write(content);
        }
        Assert.True(all.Length > 100_000, "the database files were not found");
        return all.ToArray();
    }

    private static byte[] ReadAllRows(Database database)
    {
        using var c = database.Open();
        var tables = new List<string>();
        using (var list = c.Command("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"))
        using (var reader = list.ExecuteReader())
            while (reader.Read()) tables.Add(reader.GetString(0));
        var text = new StringBuilder();
        foreach (var table in tables)
        {
            var columns = new List<(string Name, string Type)>();
            using (var list = c.Command("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @t"))
            using (var reader = list.With("t", table).ExecuteReader())
                while (reader.Read()) columns.Add((reader.GetString(0), reader.GetString(1)));
            // Each value as text, unquoted (a row literal would double the quotes inside JSON bodies); bytes (the provision
            // records' payloads) with printable characters as they are.
            foreach (var (column, type) in columns)
            {
                using var select = c.Command(type == "bytea" ? $"SELECT encode({column}, 'escape') FROM {table}" : $"SELECT CAST({column} AS text) FROM {table}");
                using DbDataReader reader = select.ExecuteReader();
                while (reader.Read()) text.Append(reader.IsDBNull(0) ? "" : reader.GetString(0)).Append('\n');
            }
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    /// <summary>Every run of twelve ASCII digits in the bytes (each window of longer runs too), as integers.</summary>
    private static HashSet<long> TwelveDigitWindows(byte[] bytes)
    {
        var found = new HashSet<long>();
        var run = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] is < (byte)'0' or > (byte)'9')
            {
                run = 0;
                continue;
            }
            run++;
            if (run < 12) continue;
            long value = 0;
            for (var j = i - 11; j <= i; j++) value = value * 10 + (bytes[j] - '0');
            found.Add(value);
        }
        return found;
    }
}
