using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Service;
using Renkei.TestSupport;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Tests.Service;

/// <summary>
/// Property tests (CsCheck) over the outside input of the ward: the staff API's JSON bodies, mutated from valid ones and
/// sent to the real service over HTTP, and the register CSV importer. Whatever comes in: never a 500 or a crash, a refusal
/// never repeats what was sent, is logged, and stores nothing.
/// </summary>
public sealed class WardApiFuzzTests
{
    /// <summary>Every generated text starts with this, so an echo is found wherever it lands.</summary>
    private const string Marker = "ⓏⓍ";

    private const string Register = "resident-register";

    // ------------------------------------------------------------------ generators

    /// <summary>Texts around the bounds that matter: metacharacters, digits that look like numbers, long runs, control characters.</summary>
    private static readonly Gen<string> Text = Gen.Frequency(
        (4, Gen.Char["山田タカハシ%_\\\"' ,;\n\t\r{}[]:=+-@０１２３456789あ\u0000\u3000"].Array[0, 24].Select(chars => Marker + new string(chars))),
        (1, Gen.Int[0, 40_000].Select(n => Marker + new string('あ', n))),
        (1, Gen.Long[100_000_000_000, 999_999_999_999].Select(n => Marker + n.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.String[0, 30].Select(s => Marker + s)));

    /// <summary>A JSON value as text, of any type, with the texts it carries (to look for echoes).</summary>
    private static readonly Gen<(string Json, string[] Texts)> Value = Gen.Frequency(
        (4, Text.Select(t => (JsonSerializer.Serialize(t), new[] { t }))),
        (2, Gen.Long.Select(n => (n.ToString(System.Globalization.CultureInfo.InvariantCulture), Array.Empty<string>()))),
        (1, Gen.OneOf("true", "false", "null", "[]", "{}", "[1,\"a\"]", "{\"a\":{\"b\":[null]}}", "1e400", "-0", "\"\"").Select(j => (j, Array.Empty<string>()))),
        (2, Gen.OneOf("0001-01-01", "1867-12-31", "1868-01-01", "2024-06-01", "9999-12-31", "2024-02-30", "head", "male", "child", "holderRequest",
            "resident-register", "library", "00000001", "999999999999").Select(s => (JsonSerializer.Serialize(s), Array.Empty<string>()))));

    /// <summary>One field's fate: kept as the valid value, dropped, null, or replaced.</summary>
    private enum Fate { Keep, Drop, Null, Replace }

    private static readonly Gen<Fate> Fates = Gen.Frequency((5, Gen.Const(Fate.Keep)), (1, Gen.Const(Fate.Drop)), (1, Gen.Const(Fate.Null)), (3, Gen.Const(Fate.Replace)));

    private const int MaxFields = 12;

    private sealed record Route(string Path, (string Name, string Valid)[] Fields);

    private static Route[] Routes(long resident, string household, long other) =>
    [
        new(MunicipalityRoutes.Births, [("requestId", "$GUID"), ("person", Person), ("householdNumber", Q(household)), ("relationship", Q("child")), ("address", "null")]),
        new(MunicipalityRoutes.ArrivalsFromAbroad, [("requestId", "$GUID"), ("person", Person), ("address", Q("東京都品川区大崎一丁目1番1号")), ("householdNumber", "null"),
            ("relationship", Q("head")), ("date", Q("2024-05-02")), ("fromCountry", Q("ペルー")), ("foreignResident", "true"), ("nationality", Q("ペルー"))]),
        new(MunicipalityRoutes.Arrivals, [("requestId", "$GUID"), ("residentCode", Q("12345678901")), ("individualNumber", Q("123456789012")), ("person", Person),
            ("address", Q("東京都品川区大崎一丁目1番1号")), ("householdNumber", "null"), ("relationship", Q("head")), ("date", Q("2024-05-02")), ("fromMunicipality", Q("131113"))]),
        new(MunicipalityRoutes.AddressChanges, [("requestId", "$GUID"), ("residentId", N(resident)), ("newAddress", Q("東京都品川区大崎三丁目3番3号")), ("date", Q("2024-06-01")),
            ("wholeHousehold", "false")]),
        new(MunicipalityRoutes.NameChanges, [("requestId", "$GUID"), ("residentId", N(resident)), ("familyName", Q("田中")), ("givenName", Q("誠")),
            ("familyNameKana", Q("タナカ")), ("givenNameKana", Q("マコト")), ("date", Q("2024-06-01")), ("reason", Q("婚姻"))]),
        new(MunicipalityRoutes.HouseholdChanges, [("requestId", "$GUID"), ("residentId", N(other)), ("targetHouseholdNumber", Q(household)), ("relationship", Q("child")),
            ("date", Q("2024-06-01"))]),
        new(MunicipalityRoutes.HeadChanges, [("requestId", "$GUID"), ("newHeadResidentId", N(other)), ("formerHeadRelationship", Q("child")), ("date", Q("2024-06-01"))]),
        new(MunicipalityRoutes.Departures, [("requestId", "$GUID"), ("residentId", N(other)), ("date", Q("2024-06-01")), ("destination", Q("大田区"))]),
        new(MunicipalityRoutes.Deaths, [("requestId", "$GUID"), ("residentId", N(other)), ("date", Q("2024-06-01"))]),
        new(MunicipalityRoutes.NumberChanges, [("requestId", "$GUID"), ("residentId", N(resident)), ("reason", Q("holderRequest")), ("date", Q("2024-06-01"))]),
        new(MunicipalityRoutes.Search, [("name", Q("高橋")), ("kana", Q("タカハシ")), ("birthDate", "null"), ("includeFormerResidents", "false"), ("limit", "50"),
            ("includeNumbers", "false"), ("individualNumber", "null"), ("affairCode", Q(Register))]),
        new(MunicipalityRoutes.ResidenceCertificate, [("residentId", N(resident)), ("wholeHousehold", "true"), ("includeNumber", "false"), ("affairCode", Q(Register))]),
        new(MunicipalityRoutes.StaffSessions, [("staffId", Q("nobody01")), ("password", Q("not-the-password")), ("totpCode", Q("123456"))]),
    ];

    private const string Person =
        """{"familyName":"佐藤","givenName":"一","familyNameKana":"サトウ","givenNameKana":"ハジメ","birthDate":"2024-05-20","sex":"male"}""";

    private static string Q(string text) => JsonSerializer.Serialize(text);
    private static string N(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The body a sample stands for: the route's fields, each kept, dropped, nulled or replaced.</summary>
    private static string Build(Route route, Fate[] fates, (string Json, string[] Texts)[] values)
    {
        var parts = new List<string>();
        for (var i = 0; i < route.Fields.Length; i++)
        {
            var (name, valid) = route.Fields[i];
            var json = fates[i] switch
            {
                Fate.Drop => null,
                Fate.Null => "null",
                Fate.Replace => values[i].Json,
                _ => valid == "$GUID" ? Q(Guid.NewGuid().ToString()) : valid,
            };
            if (json is not null) parts.Add(Q(name) + ":" + json);
        }
        return "{" + string.Join(",", parts) + "}";
    }

    private static readonly Gen<(int Route, Fate[] Fates, (string Json, string[] Texts)[] Values, int Shape, string Text)> Samples = Gen.Select(
        Gen.Int[0, 12], Fates.Array[MaxFields], Value.Array[MaxFields], Gen.Frequency((14, Gen.Const(0)), (1, Gen.Const(1)), (1, Gen.Const(2))), Text);

    // ------------------------------------------------------------------ the staff API's JSON bodies

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Random_and_mutated_bodies_never_answer_500_never_echo_and_store_nothing_when_refused(string provider)
    {
        await using var ward = await WardService.StartAsync(provider);
        var people = await StaffApiTests.SeedAsync(ward);
        var head = people.Single(p => p.Name.GivenName == "誠");
        var other = people.Single(p => p.Name.GivenName == "健一");
        var routes = Routes(head.Id, head.HouseholdNumber, other.Id);
        Assert.Equal(13, routes.Length);
        var clerk = await ward.LoginAsync("jumin01", Register);
        var numbers = people.Select(p => p.IndividualNumber!.Value.Digits).ToList();
        var refusals = 0;

        await Samples.SampleAsync(async sample =>
        {
            var route = routes[sample.Route];
            var (body, texts) = sample.Shape switch
            {
                1 => (sample.Text, new[] { sample.Text }),
                2 => ("[" + Q(sample.Text) + "]", new[] { sample.Text }),
                _ => (Build(route, sample.Fates, sample.Values),
                    sample.Values.Where((_, i) => i < route.Fields.Length && sample.Fates[i] == Fate.Replace).SelectMany(v => v.Texts).ToArray()),
            };
            var stored = ward.Stored();
            var logged = ward.Entries().Count;

            var answer = await ward.PostJsonAsync(route.Path, body, clerk);

            Assert.True((int)answer.Status < 500, $"{route.Path}: {(int)answer.Status} for {Shorten(body)}: {Shorten(answer.Text)}");
            Assert.DoesNotContain("   at ", answer.Text);
            Assert.DoesNotContain("Exception", answer.Text);
            if (!answer.Response.IsSuccessStatusCode)
            {
                refusals++;
                var problem = answer.Body<ProblemBody>();
                Assert.False(string.IsNullOrWhiteSpace(problem.Code));
                Assert.DoesNotContain(Marker, answer.Text);
                foreach (var text in texts.Where(t => t.Length >= Marker.Length + 6)) Assert.DoesNotContain(text[Marker.Length..], answer.Text);
                Assert.Equal(stored, ward.Stored());
                Assert.True(ward.Entries().Count > logged, $"{route.Path}: the refusal {problem.Code} was not logged");
            }
            // A body that asks for the number (includeNumber/includeNumbers: true, which the generator can produce by
            // replacing the flag with true) may get it when the affair allows (個人番号記載 on a certificate); no other may.
            var askedForNumbers = body.Contains("\"includeNumber\":true", StringComparison.Ordinal) || body.Contains("\"includeNumbers\":true", StringComparison.Ordinal);
            if (!(answer.Response.IsSuccessStatusCode && askedForNumbers))
                foreach (var digits in numbers) // not Assert.DoesNotContain: its failure would print the number
                    Assert.False(answer.Text.Contains(digits, StringComparison.Ordinal), $"{route.Path}: an answer carried a resident's number");
        }, iter: 250, threads: 1);

        Assert.True(refusals > 50, "the generator produced refusals");
        Assert.DoesNotContain(Marker, ward.ExportedLog());
        var verification = ward.Log.Verify();
        Assert.True(verification.IsIntact, verification.ToString());
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;

    // ------------------------------------------------------------------ the register CSV importer

    private static readonly string Header = string.Join(",", RegisterImportRecord.CsvColumns);

    /// <summary>One cell: valid-looking for its column, or text with quotes, separators and line breaks.</summary>
    private static readonly Gen<string> Cell = Gen.Frequency(
        (3, Gen.OneOf("00000001", "1", "佐藤", "花子", "サトウ", "ハナコ", "1970-01-01", "2", "世帯主", "妻", "東京都品川区広町二丁目1番36号", "2010-04-01", "0", "",
            "0001-01-01", "9999-12-31", "=1+1")),
        (2, Text),
        (1, Gen.Long[10_000_000_000, 999_999_999_999].Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    /// <summary>A row: 10–16 cells, each quoted or not.</summary>
    private static readonly Gen<string> Row = Gen.Select(Cell.Array[10, 16], Gen.Bool.Array[16], (cells, quoted) =>
        string.Join(",", cells.Select((c, i) => quoted[i] ? "\"" + c.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : c)));

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Random_register_CSV_never_crashes_and_refusals_are_line_numbered_without_echoing_cells(string provider)
    {
        using var database = TestDatabase.Create(provider);
        var register = new ResidentRegister(database.Database, TestData.Shinagawa);
        var importer = new RegisterImporter(register);
        long code = 0;

        Gen.Select(Row.Array[0, 12], Gen.Bool, Gen.Bool).Sample((rows, refuseFile, withHeader) =>
        {
            // A valid row now and then, so the insert path runs too.
            var valid = TestData.Records(1, code++ * 13 + 5_000).Single();
            var validRow = string.Join(",", valid.HouseholdNumber, valid.ResidentCode.Digits, valid.FamilyName, valid.GivenName, valid.FamilyNameKana,
                valid.GivenNameKana, valid.BirthDate.ToString("yyyy-MM-dd"), "1", "世帯主", valid.Address, valid.ResidentSince.ToString("yyyy-MM-dd"), "0", "", "");
            var text = (withHeader ? Header + "\n" : "") + string.Join("\n", rows.Append(validRow));
            var lines = System.Text.RegularExpressions.Regex.Split(text, "\r\n|\r|\n").Length; // as the reader counts them

            var result = importer.ImportCsv(new MemoryStream(Encoding.UTF8.GetBytes(text)),
                new RegisterImportOptions(refuseFile ? ImportMode.RefuseFile : ImportMode.SkipBadRows, ImportEncoding.Utf8));

            Assert.Equal(result.Rejected, (long)result.Problems.Count);
            foreach (var problem in result.Problems)
            {
                Assert.InRange(problem.Line, 1, lines);
                Assert.DoesNotContain(Marker, problem.Message);
                Assert.DoesNotMatch("[0-9]{10,}", problem.Message);
            }
            if (!withHeader) Assert.True(result.FileRefused, "a file without its header is refused");
        }, iter: 120, threads: 1);
    }
}
