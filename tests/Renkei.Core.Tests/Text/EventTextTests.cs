using Renkei.Core.Text;

namespace Renkei.Core.Tests.Text;

public class EventTextTests
{
    private static readonly EventNames Names = new(
        Institution: code => code == "131113" ? "大田区" : null,
        Resident: id => id == 19 ? "宛名番号 0000007294" : null,
        Affair: code => code == "child-allowance" ? "児童手当の支給に関する事務" : null);

    [Theory]
    [InlineData("ログイン失敗: secondFactorFailed", "ログイン失敗: ワンタイムコードの誤り")]
    [InlineData("affair: chosen; numbers=visible (visible)", "事務の選択: 選択、個人番号: 表示 (表示)")]
    [InlineData("address-change; resident-id=19", "転居届、対象者: 宛名番号 0000007294")]
    [InlineData("address-change; resident-id=20; refused: affair-mismatch", "転居届、対象者: 住民記録 20、拒否: 選択中の事務と異なる")]
    [InlineData("login: second-factor-failed", "ログイン: ワンタイムコードの誤り")]
    [InlineData("logout: api", "ログアウト: 職員用API")]
    [InlineData("search by name+kana; hits=12; numbers=not-requested; resident-ids=19,20 (+10 more)",
        "住民検索（氏名・フリガナ）、該当件数: 12件、個人番号: 求めず、表示した住民: 宛名番号 0000007294、住民記録 20 （ほか10件）")]
    [InlineData("residence certificate (household); resident-id=19; numbers requested: refused: affair-without-number-use",
        "住民票の写し（世帯全員）、対象者: 宛名番号 0000007294、個人番号の記載を請求: 拒否: 個人番号を利用しない事務")]
    [InlineData("notification list (通知カード送付先情報); households=2; residents-with-number=3; to=file",
        "通知カード送付先情報の出力、対象の世帯: 2世帯、個人番号のある住民: 3人、出力先: ファイル")]
    [InlineData("account unlock (ロック解除); staff=jumin01; refused: not an active administrator", "ロック解除、対象の職員ID: jumin01、拒否: 有効なシステム管理者ではない")]
    [InlineData("情報照会 提供 申請番号 3 resident-record → 131113 提供等記録 12", "情報照会 提供 申請番号 3 住民票関係情報（提供元: 大田区） 提供等記録 12")]
    [InlineData("情報照会 拒否 no-policy-row 申請番号 5 local-tax (Municipality)", "情報照会 拒否 法令上の根拠（情報連携の規定）がない 申請番号 5 地方税関係情報 (市区町村)")]
    [InlineData("転入届（転出地 131113）", "転入届（転出地 大田区）")]
    [InlineData("申請者の検索（kodomo01）: 3件", "申請者の検索（kodomo01）: 3件")]
    [InlineData("住民票の写し交付 R8-000123 世帯全員 2人 1通 手数料300円 resident-id=19", "住民票の写し交付 R8-000123 世帯全員 2人 1通 手数料300円 対象者: 宛名番号 0000007294")]
    public void Details_read_as_Japanese_sentences_with_names_resolved(string detail, string sentence) =>
        Assert.Equal(sentence, EventText.Describe(detail, Names));

    [Fact]
    public void Unknown_events_keys_and_codes_are_quoted_as_codes_in_Japanese_never_raw()
    {
        var sentence = EventText.Describe("somethingNew; colour=blue; shade=dark-blue");
        Assert.Equal("（コード somethingNew）、項目（コード colour）: blue、項目（コード shade）: dark-blue", sentence);
        Assert.DoesNotContain("=", sentence);
        Assert.False(JapaneseText.HasEnglishSentence(EventText.Describe("an event nobody has written a template for")));
    }

    [Fact]
    public void An_entry_without_detail_reads_as_a_dash_and_ids_without_a_resolver_name_the_register_record()
    {
        Assert.Equal("—", EventText.Describe(null));
        Assert.Equal("—", EventText.Describe("  "));
        Assert.Equal("個人番号を表示 対象者: 住民記録 19", EventText.Describe("個人番号を表示 resident-id=19"));
        Assert.Equal("転入届（転出地 131113）", EventText.Describe("転入届（転出地 131113）"));
    }

    [Fact]
    public void Every_code_word_and_label_of_the_catalogue_is_Japanese()
    {
        foreach (var text in EventText.Events.Values.Concat(EventText.Codes.Values).Concat(EventText.Keys.Values)
                     .Concat(EventText.InformationKinds.Values).Concat(EventText.Phrases.Values))
        {
            Assert.True(JapaneseText.HasJapanese(text), text);
            Assert.False(JapaneseText.HasEnglishSentence(text), text);
        }
    }
}
