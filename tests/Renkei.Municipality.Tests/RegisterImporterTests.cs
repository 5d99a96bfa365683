using System.Text;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Municipality.Registry;
using Renkei.TestSupport;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Tests;

public class RegisterImporterTests
{
    private static readonly string Header = string.Join(",", RegisterImportRecord.CsvColumns);

    private static string Row(ResidentCode code, string household = "00000001", string family = "山田", string given = "太郎",
        string familyKana = "ヤマダ", string givenKana = "タロウ", string birth = "1980-05-05", string sex = "1", string relationship = "世帯主",
        string address = "東京都品川区広町二丁目1番36号", string since = "2000-04-01", string foreign = "0", string nationality = "", string number = "")
        => string.Join(",", household, code.Digits, family, given, familyKana, givenKana, birth, sex, relationship, address, since, foreign, nationality, number);

    private static MemoryStream Csv(Encoding encoding, bool bom, params string[] lines)
    {
        var text = string.Join("\r\n", lines.Prepend(Header)) + "\r\n";
        var bytes = encoding.GetBytes(text);
        return new MemoryStream(bom ? [.. encoding.GetPreamble(), .. bytes] : bytes);
    }

    private static string WrongCheckDigit(ResidentCode code) =>
        code.Digits[..10] + (char)('0' + (code.Digits[10] - '0' + 1) % 10);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Imports_good_rows_with_quoting_and_reads_them_back(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var register = new ResidentRegister(db.Database, TestData.Shinagawa);
        var number = FakeJlis.NumberFor(TestData.Code(2));
        using var csv = Csv(new UTF8Encoding(false), bom: true,
            Row(TestData.Code(1), address: "\"東京都品川区広町二丁目1番36号, \"\"品川ハイツ\"\" 101号\""),
            Row(TestData.Code(2), given: "花子", givenKana: "ハナコ", sex: "2", relationship: "妻", number: number.Digits),
            Row(TestData.Code(3), household: "00000002", family: "Smith", given: "John", familyKana: "スミス", givenKana: "ジョン",
                foreign: "1", nationality: "アメリカ合衆国", relationship: "1"));

        var result = new RegisterImporter(register).ImportCsv(csv, new RegisterImportOptions(ImportMode.RefuseFile));

        Assert.Empty(result.Problems);
        Assert.Equal(3, result.Imported);
        Assert.Equal("utf-8", result.Encoding);
        var head = register.FindByCode(TestData.Code(1))!;
        Assert.Equal("東京都品川区広町二丁目1番36号, \"品川ハイツ\" 101号", head.Address);
        Assert.Equal(Relationship.Head, head.Relationship);
        Assert.Null(head.IndividualNumber);
        var wife = register.FindByCode(TestData.Code(2))!;
        Assert.Equal(number.ToInt64(), wife.IndividualNumber!.Value.ToInt64());
        Assert.Equal(Sex.Female, wife.Sex);
        Assert.Equal(Relationship.Wife, wife.Relationship);
        Assert.Single(register.NumberHistory(wife.Id));
        var foreigner = register.FindByCode(TestData.Code(3))!;
        Assert.True(foreigner.ForeignResident);
        Assert.Equal("アメリカ合衆国", foreigner.Nationality);
        Assert.Equal(2, register.FindHousehold("00000001")!.Members.Count);
        Assert.Equal(head.Id, register.FindHousehold("00000001")!.Head!.Id);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Bad_rows_are_reported_by_line_and_skipped(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var register = new ResidentRegister(db.Database, TestData.Shinagawa);
        var badCode = WrongCheckDigit(TestData.Code(11));
        using var csv = Csv(new UTF8Encoding(false), bom: false,
            Row(TestData.Code(10)),                                                    // line 2 good
            Row(TestData.Code(11)).Replace(TestData.Code(11).Digits, badCode),          // line 3 check digit
            Row(TestData.Code(12), birth: "1980-02-30"),                               // line 4 date
            Row(TestData.Code(13), relationship: "いとこ"),                              // line 5 relationship
            Row(TestData.Code(14)) + ",extra",                                         // line 6 columns
            Row(TestData.Code(15), givenKana: "たろう"),                                 // line 7 kana
            Row(TestData.Code(16), foreign: "1"),                                      // line 8 nationality
            Row(TestData.Code(17), household: "00000002", number: "123456789012"),      // line 9 number check digit
            Row(TestData.Code(19), address: "\"東京都品川区\r\n広町\""),                  // lines 10-11 line break in a field
            Row(TestData.Code(18), household: "00000002"));                            // line 12 good

        var result = new RegisterImporter(register).ImportCsv(csv);

        Assert.False(result.FileRefused);
        Assert.Equal(2, result.Imported);
        Assert.Equal(8, result.Rejected);
        Assert.Equal(10, result.RowsRead);
        Assert.Equal(new long[] { 3, 4, 5, 6, 7, 8, 9, 10 }, result.Problems.Select(p => p.Line));
        Assert.Contains("resident_code", result.Problems[0].Message);
        Assert.Contains("check digit", result.Problems[0].Message);
        Assert.Contains("birth_date", result.Problems[1].Message);
        Assert.Contains("relationship", result.Problems[2].Message);
        Assert.Contains("columns", result.Problems[3].Message);
        Assert.Contains("given_name_kana", result.Problems[4].Message);
        Assert.Contains("nationality", result.Problems[5].Message);
        Assert.Contains("individual_number", result.Problems[6].Message);
        Assert.Contains("address", result.Problems[7].Message);
        // Problems never echo digits of codes or numbers.
        Assert.DoesNotContain(result.Problems, p => p.Message.Contains(badCode) || p.Message.Contains("123456789012"));
        Assert.NotNull(register.FindByCode(TestData.Code(10)));
        Assert.NotNull(register.FindByCode(TestData.Code(18)));
        Assert.Null(register.FindByCode(TestData.Code(12)));
        Assert.Equal(2, register.Counts().Residents);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Text_a_spreadsheet_would_run_as_a_formula_is_refused_by_line_without_echoing_it(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var register = new ResidentRegister(db.Database, TestData.Shinagawa);
        using var csv = Csv(new UTF8Encoding(false), bom: false,
            Row(TestData.Code(30), family: "\"=cmd|' /C calc'!A0\""),                 // line 2
            Row(TestData.Code(31), given: "+SUM(1)"),                                 // line 3
            Row(TestData.Code(32), address: "@IMPORTXML(1)"),                         // line 4
            Row(TestData.Code(33), given: "-2+3"),                                    // line 5
            Row(TestData.Code(34), family: "\"\t=1+1\""),                              // line 6 (a tab, then a formula)
            Row(TestData.Code(35), foreign: "1", nationality: "＝HYPERLINK()"),       // line 7 full-width
            Row(TestData.Code(36), family: "山田=", address: "東京都品川区広町二丁目1番-36号", birth: "1980-01-01")); // line 8 good: not first

        var result = new RegisterImporter(register).ImportCsv(csv);

        Assert.Equal(new long[] { 2, 3, 4, 5, 6, 7 }, result.Problems.Select(p => p.Line));
        Assert.Equal(["family_name", "given_name", "address", "given_name", "family_name", "nationality"],
            result.Problems.Select(p => p.Message.Split(':')[0]));
        Assert.All(result.Problems, p => Assert.Contains("formula", p.Message));
        foreach (var cell in new[] { "cmd", "SUM", "IMPORTXML", "-2+3", "1+1", "HYPERLINK" })
            Assert.DoesNotContain(result.Problems, p => p.Message.Contains(cell));
        Assert.Equal(1, result.Imported);
        Assert.Equal("山田=", register.FindByCode(TestData.Code(36))!.Name.FamilyName);
        Assert.Equal(1, register.Counts().Residents);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void RefuseFile_imports_nothing_when_any_row_is_bad(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var register = new ResidentRegister(db.Database, TestData.Shinagawa);
        var rows = Enumerable.Range(0, 50).Select(i => Row(TestData.Code(100 + i), household: (i / 3 + 1).ToString("D8"),
            relationship: i % 3 == 0 ? "世帯主" : "子")).ToList();
        rows.Add(Row(TestData.Code(999), sex: "3"));

        var result = new RegisterImporter(register).ImportCsv(Csv(new UTF8Encoding(false), false, [.. rows]),
            new RegisterImportOptions(ImportMode.RefuseFile, BatchSize: 10));

        Assert.True(result.FileRefused);
        Assert.Equal(0, result.Imported);
        Assert.Equal(52, Assert.Single(result.Problems).Line);
        Assert.Contains("sex", result.Problems[0].Message);
        Assert.Equal(0, register.Counts().Residents);
        Assert.Null(register.FindHousehold("00000001"));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Shift_jis_file_is_detected_and_read(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var register = new ResidentRegister(db.Database, TestData.Shinagawa);
        using var csv = Csv(RegisterImporter.ShiftJis, false,
            Row(TestData.Code(20), family: "渡邊", given: "髙志", familyKana: "ワタナベ", givenKana: "タカシ", address: "東京都品川区西品川一丁目２８番３号"),
            Row(TestData.Code(21), given: "美咲", givenKana: "ミサキ", relationship: "子", sex: "女"));

        var result = new RegisterImporter(register).ImportCsv(csv);

        Assert.Equal("shift_jis", result.Encoding);
        Assert.Empty(result.Problems);
        var person = register.FindByCode(TestData.Code(20))!;
        Assert.Equal("渡邊", person.Name.FamilyName);
        Assert.Equal("東京都品川区西品川一丁目２８番３号", person.Address);
        Assert.Equal(Sex.Female, register.FindByCode(TestData.Code(21))!.Sex);

        // Explicit encoding works as well (and reading Shift_JIS as UTF-8 does not silently succeed).
        using var again = Csv(RegisterImporter.ShiftJis, false, Row(TestData.Code(22), family: "斎藤", familyKana: "サイトウ"));
        var explicitResult = new RegisterImporter(register).ImportCsv(again, new RegisterImportOptions(Encoding: ImportEncoding.ShiftJis));
        Assert.Equal(1, explicitResult.Imported);
        Assert.Equal("斎藤", register.FindByCode(TestData.Code(22))!.Name.FamilyName);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Duplicates_in_the_file_or_already_on_the_register_are_refused(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var register = new ResidentRegister(db.Database, TestData.Shinagawa);
        var number = FakeJlis.NumberFor(TestData.Code(30));
        var first = new RegisterImporter(register).ImportCsv(Csv(new UTF8Encoding(false), false,
            Row(TestData.Code(30), number: number.Digits),
            Row(TestData.Code(30), given: "次郎", givenKana: "ジロウ")));                 // same code twice
        Assert.Equal(1, first.Imported);
        Assert.Equal(3, Assert.Single(first.Problems).Line);
        Assert.Contains("already", first.Problems[0].Message);

        var second = new RegisterImporter(register).ImportCsv(Csv(new UTF8Encoding(false), false,
            Row(TestData.Code(30)),                                                    // already on the register
            Row(TestData.Code(31), number: number.Digits),                              // number already recorded for someone
            Row(TestData.Code(32))));
        Assert.Equal(1, second.Imported);
        Assert.Equal(new long[] { 2, 3 }, second.Problems.Select(p => p.Line));
        Assert.Contains("resident_code", second.Problems[0].Message);
        Assert.Contains("individual_number", second.Problems[1].Message);
        Assert.Equal(2, register.Counts().Residents);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Fast_path_imports_records_and_skips_reimported_ones(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var register = new ResidentRegister(db.Database, TestData.Shinagawa);
        var records = TestData.Records(1_000).ToList();
        var progress = new List<long>();

        var result = new RegisterImporter(register).Import(records, batchSize: 300, new SyncProgress<long>(progress.Add));
        var again = new RegisterImporter(register).Import(records.Take(10));

        Assert.Equal(1_000, result.Imported);
        Assert.Equal(new long[] { 300, 600, 900, 1000 }, progress);
        Assert.Equal(0, again.Imported);
        Assert.Equal(10, again.Rejected);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), again.Problems.Select(p => p.Line));
        var counts = register.Counts();
        Assert.Equal(1_000, counts.Residents);
        Assert.Equal(1_000, counts.ResidentsWithoutNumber);
        Assert.Equal(250, counts.Households);
    }

    [Fact]
    public void A_forward_only_stream_is_detected_and_read_from_the_start()
    {
        using var db = TestDatabase.CreateSqlite();
        var register = new ResidentRegister(db.Database, TestData.Shinagawa);
        using var sjis = Csv(RegisterImporter.ShiftJis, false, Row(TestData.Code(40), family: "髙橋", familyKana: "タカハシ"), Row(TestData.Code(41)));

        var result = new RegisterImporter(register).ImportCsv(new ForwardOnlyStream(sjis));

        Assert.Equal(("shift_jis", 2L), (result.Encoding, result.Imported));
        Assert.Equal("髙橋", register.FindByCode(TestData.Code(40))!.Name.FamilyName);
    }

    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 7));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void Header_must_name_the_columns()
    {
        using var db = TestDatabase.CreateSqlite();
        var register = new ResidentRegister(db.Database, TestData.Shinagawa);
        using var csv = new MemoryStream(Encoding.UTF8.GetBytes("household,code\r\n1,2\r\n"));
        var result = new RegisterImporter(register).ImportCsv(csv);
        Assert.True(result.FileRefused);
        Assert.Equal(1, Assert.Single(result.Problems).Line);
        Assert.Contains("header", result.Problems[0].Message);
    }

    [Fact]
    public void A_register_database_belongs_to_one_municipality()
    {
        using var db = TestDatabase.CreateSqlite();
        _ = new ResidentRegister(db.Database, TestData.Shinagawa);
        _ = new ResidentRegister(db.Database, TestData.Shinagawa); // idempotent schema
        Assert.Throws<InvalidOperationException>(() => new ResidentRegister(db.Database, TestData.Ota));
    }
}

/// <summary>IProgress that reports synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
