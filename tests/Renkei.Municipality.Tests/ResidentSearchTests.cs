using System.Text;
using Renkei.Core.People;
using Renkei.Infrastructure;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests;

/// <summary>Search a clerk can trust: kana and kanji variants find each other (docs/search.md), and nothing else does.</summary>
public class ResidentSearchTests
{
    [Theory]
    [InlineData("やまだ", "ヤマダ")]
    [InlineData("ﾔﾏﾀﾞ", "ヤマダ")]
    [InlineData("ﾊﾟﾊﾞﾊ", "パバハ")]
    [InlineData("ゞゝ", "ヾヽ")]
    [InlineData("ユーキ", "ユｰキ")]
    [InlineData("ユーキ", "ユ－キ")]
    [InlineData("ユーキ", "ユ-キ")]
    [InlineData("ユーキ", "ユ‐キ")]
    [InlineData("ユーキ", "ユ—キ")]
    [InlineData("ユーキ", "ユ−キ")]
    [InlineData("ﾀカはし", "タカハシ")]
    [InlineData("山田　太郎", "山田太郎")]
    [InlineData("ＡＢＣ１２", "ABC12")]
    public void Kana_widths_scripts_and_long_vowels_fold_together(string typed, string stored) =>
        Assert.Equal(NameSearchKey.Fold(stored), NameSearchKey.Fold(typed));

    [Theory]
    [InlineData("ハ", "バ")]
    [InlineData("ハ", "パ")]
    [InlineData("ﾊ", "ﾊﾞ")]
    [InlineData("ヤ", "ャ")]
    [InlineData("ツ", "ッ")]
    [InlineData("竜", "龍")]
    [InlineData("高", "嵩")]
    [InlineData("斎", "斉")]
    [InlineData("ヨシ", "ヨシー")]
    public void Different_sounds_and_different_kanji_stay_apart(string one, string other) =>
        Assert.NotEqual(NameSearchKey.Fold(one), NameSearchKey.Fold(other));

    public static TheoryData<string, string> VariantRows()
    {
        var rows = new TheoryData<string, string>();
        foreach (var (variant, common) in NameSearchKey.VariantTable) rows.Add(variant, common);
        return rows;
    }

    [Theory]
    [MemberData(nameof(VariantRows))]
    public void Every_variant_in_the_table_folds_to_its_common_form_and_docs_list_it(string variant, string common)
    {
        Assert.Equal(common, NameSearchKey.Fold(variant));
        Assert.Equal(NameSearchKey.Fold(common + "田"), NameSearchKey.Fold(variant + "田"));
        var docs = File.ReadAllText(RepositoryFiles.Path("docs", "search.md"));
        Assert.Contains($"| {variant} | {common} |", docs);
    }

    [Fact]
    public void The_table_never_folds_a_common_form_again_and_names_each_variant_once()
    {
        var variants = NameSearchKey.VariantTable.Select(r => r.Variant).ToList();
        Assert.Equal(variants.Count, variants.Distinct().Count());
        Assert.All(NameSearchKey.VariantTable, row => Assert.DoesNotContain(row.Common, variants));
        Assert.All(NameSearchKey.VariantTable, row => Assert.True(row.Variant.IsNormalized(NormalizationForm.FormKC)));
    }

    private sealed class Fixture : IDisposable
    {
        public Fixture(string provider)
        {
            Db = TestDatabase.Create(provider);
            Register = new ResidentRegister(Db.Database, TestData.Shinagawa);
            Events = new RegisterEvents(Register, new FakeJlis(), new ManualClock(new DateTimeOffset(2026, 4, 1, 9, 0, 0, TimeSpan.FromHours(9))));
        }

        public TestDatabase Db { get; }
        public ResidentRegister Register { get; }
        public RegisterEvents Events { get; }

        public async Task<long> ArriveAsync(string family, string given, string familyKana, string givenKana)
        {
            var result = await Events.ArrivalFromAbroadAsync(new ArrivalFromAbroadRequest(Guid.NewGuid(),
                new NewPerson(family, given, familyKana, givenKana, new DateOnly(1980, 5, 5), Sex.Female), "東京都品川区広町二丁目1番36号",
                null, Relationship.Head, new DateOnly(2026, 3, 1), "アメリカ合衆国"));
            return result.ResidentId;
        }

        public List<long> ByName(string name) => Register.Search(new ResidentSearch(Name: name)).Select(s => s.ResidentId).Order().ToList();
        public List<long> ByKana(string kana) => Register.Search(new ResidentSearch(Kana: kana)).Select(s => s.ResidentId).Order().ToList();

        public void Dispose() => Db.Dispose();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Hiragana_half_width_and_long_vowel_variants_find_the_katakana_reading(string provider)
    {
        using var f = new Fixture(provider);
        var yamada = await f.ArriveAsync("山田", "花子", "ヤマダ", "ハナコ");
        var yuki = await f.ArriveAsync("佐藤", "優希", "サトウ", "ユーキ");
        var hamada = await f.ArriveAsync("浜田", "正", "ハマダ", "タダシ");
        var baba = await f.ArriveAsync("馬場", "正", "ババ", "タダシ");

        foreach (var typed in new[] { "ヤマダ", "やまだ", "ﾔﾏﾀﾞ", "ﾔまダ", "ヤマダハナコ", "やまだ　はなこ" })
            Assert.Equal([yamada], f.ByKana(typed));
        foreach (var typed in new[] { "ゆーき", "ﾕｰｷ", "ユ－キ", "ユ-キ", "さとうゆーき" })
            Assert.Equal([yuki], f.ByKana(typed));
        Assert.Equal([hamada], f.ByKana("はま"));
        Assert.Equal([yamada, hamada], f.ByKana("は")); // ハナコ is a given name
        Assert.Equal([baba], f.ByKana("ば"));
        Assert.Equal([baba], f.ByKana("ﾊﾞ"));
        Assert.Empty(f.ByKana("ぱ"));
        Assert.Equal([hamada, baba], f.ByKana("ただし"));
        Assert.Empty(f.ByKana("ゆうき"));
        Assert.Empty(f.ByKana("マダ")); // neither the whole reading nor the given name starts with it
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Old_and_variant_kanji_find_each_other_through_the_table(string provider)
    {
        using var f = new Fixture(provider);
        var takahashi = await f.ArriveAsync("髙橋", "美咲", "タカハシ", "ミサキ");
        var saito = await f.ArriveAsync("齋藤", "一郎", "サイトウ", "イチロウ");
        var watanabe = await f.ArriveAsync("渡邊", "聡", "ワタナベ", "サトシ");
        var yoshida = await f.ArriveAsync("𠮷田", "﨑子", "ヨシダ", "サキコ");
        var other = await f.ArriveAsync("嵩橋", "一", "スウハシ", "ハジメ");

        Assert.Equal([takahashi], f.ByName("高橋"));
        Assert.Equal([takahashi], f.ByName("髙橋"));
        Assert.Equal([saito], f.ByName("斎藤"));
        Assert.Equal([saito], f.ByName("齊藤"));
        Assert.Equal([saito], f.ByName("齋藤一郎"));
        Assert.Equal([watanabe], f.ByName("渡辺"));
        Assert.Equal([watanabe], f.ByName("渡邉 聡"));
        Assert.Equal([yoshida], f.ByName("吉田"));
        Assert.Equal([yoshida], f.ByName("崎子"));
        Assert.Equal([other], f.ByName("嵩"));
        Assert.Empty(f.ByName("斉藤"));
        Assert.Empty(f.ByName("渡部"));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Wildcards_match_only_themselves(string provider)
    {
        using var f = new Fixture(provider);
        await f.ArriveAsync("山田", "花子", "ヤマダ", "ハナコ");
        await f.ArriveAsync("山本", "太郎", "ヤマモト", "タロウ");

        Assert.Empty(f.ByName("山%"));
        Assert.Empty(f.ByName("山_"));
        Assert.Empty(f.ByName("山％"));
        Assert.Empty(f.ByKana("ヤマ\\"));
        Assert.Equal("wildcard-search", Assert.Throws<RegisterException>(() => f.ByName("％＿")).Code);
        Assert.Equal("wildcard-search", Assert.Throws<RegisterException>(() => f.ByKana("%")).Code);
        Assert.Equal(2, f.ByName("山").Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Keys_follow_name_changes_reinstatement_and_imports(string provider)
    {
        using var f = new Fixture(provider);
        var id = await f.ArriveAsync("髙橋", "美咲", "タカハシ", "ミサキ");
        await f.Events.NameChangeAsync(new NameChangeRequest(Guid.NewGuid(), id, "濱田", "美咲", "ハマダ", "ミサキ", new DateOnly(2026, 3, 10), "婚姻"));
        Assert.Empty(f.ByName("高橋"));
        Assert.Empty(f.ByKana("たかはし"));
        Assert.Equal([id], f.ByName("浜田"));
        Assert.Equal([id], f.ByKana("はまだ"));

        var csv = string.Join(",", RegisterImportRecord.CsvColumns) + "\r\n"
            + string.Join(",", "00000009", TestData.Code(7).Digits, "澤田", "櫻子", "サワダ", "サクラコ", "1990-01-02", "2", "世帯主",
                "東京都品川区広町二丁目1番36号", "2000-04-01", "0", "", "") + "\r\n";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        var imported = new RegisterImporter(f.Register).ImportCsv(stream, new RegisterImportOptions(ImportMode.RefuseFile));
        Assert.Equal(1, imported.Imported);
        var sawada = f.Register.FindByCode(TestData.Code(7))!.Id;
        Assert.Equal([sawada], f.ByName("沢田桜子"));
        Assert.Equal([sawada], f.ByKana("さわだ"));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_register_from_before_the_keys_is_folded_when_it_opens(string provider)
    {
        using var f = new Fixture(provider);
        var id = await f.ArriveAsync("髙橋", "美咲", "タカハシ", "ミサキ");
        // As a register written before migration 0005 (or by older folding rules) looks: no keys, no version.
        using (var connection = f.Db.Database.Open())
        {
            connection.Command("UPDATE residents SET search_name = NULL, search_given_name = NULL, search_kana = NULL, search_given_kana = NULL").ExecuteNonQuery();
            connection.Command("DELETE FROM register_info WHERE name = 'search-key-version'").ExecuteNonQuery();
        }
        Assert.Empty(f.ByName("高橋"));

        var reopened = new ResidentRegister(f.Db.Database, TestData.Shinagawa);

        Assert.Equal([id], reopened.Search(new ResidentSearch(Name: "高橋")).Select(s => s.ResidentId));
        Assert.Equal([id], reopened.Search(new ResidentSearch(Kana: "みさき")).Select(s => s.ResidentId));
        using var check = f.Db.Database.Open();
        Assert.Equal(NameSearchKey.Version, check.Command("SELECT value FROM register_info WHERE name = 'search-key-version'").ExecuteScalar());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void The_search_is_answered_from_the_key_indexes(string provider)
    {
        using var db = TestDatabase.Create(provider);
        _ = new ResidentRegister(db.Database, TestData.Shinagawa);
        using var connection = db.Database.Open();
        var sqlite = db.Database.Provider == DatabaseProvider.Sqlite;
        // An empty table: PostgreSQL would scan it whatever the indexes; told not to, it shows which index it can use.
        if (!sqlite) connection.Command("SET enable_seqscan = off").ExecuteNonQuery();
        using var search = ResidentRegister.SearchCommand(connection, new ResidentSearch(Kana: "やまだ"));
        search.CommandText = (sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + search.CommandText;
        var plan = new StringBuilder();
        using (var reader = search.ExecuteReader())
            while (reader.Read()) plan.AppendLine(reader.GetValue(reader.FieldCount - 1).ToString());
        Assert.Contains("ix_residents_search_kana", plan.ToString());
        Assert.Contains("ix_residents_search_given_kana", plan.ToString());
    }
}
