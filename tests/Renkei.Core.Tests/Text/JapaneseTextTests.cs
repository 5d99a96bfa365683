using Renkei.Core.Text;

namespace Renkei.Core.Tests.Text;

public class JapaneseTextTests
{
    [Theory]
    [InlineData("no household with this number (該当する世帯がありません)", "該当する世帯がありません")]
    [InlineData("sex is 1 (男) or 2 (女) (性別が不正です)", "性別が不正です")]
    [InlineData("destinationCode: not a local government code of 6 digits with its check digit (転出先の地方公共団体コードが正しくありません)",
        "destinationCode: 転出先の地方公共団体コードが正しくありません")]
    [InlineData("children[0].birthDate: the date is in the future (生年月日が未来の日付です)", "children[0].birthDate: 生年月日が未来の日付です")]
    [InlineData("the request body is larger than this route accepts (65536 bytes) (要求が大きすぎます)", "要求が大きすぎます")]
    [InlineData("every event needs a request id (requestId がありません)", "requestId がありません")]
    [InlineData("職員IDは一人ひとりに発行します。部署名や共用の名前のIDは発行できません (generic staff id)", "職員IDは一人ひとりに発行します。部署名や共用の名前のIDは発行できません")]
    [InlineData("指定された事務は選択中の事務と異なります。事務を選択し直してください (the affair in the request is not the session's chosen affair)",
        "指定された事務は選択中の事務と異なります。事務を選択し直してください")]
    [InlineData("個人番号を扱う異動は、個人番号を利用できる事務を選択して行ってください: 事務が選択されていません (this change handles an individual number)",
        "個人番号を扱う異動は、個人番号を利用できる事務を選択して行ってください: 事務が選択されていません")]
    [InlineData("the English the user reads（全角の括弧の日本語）", "全角の括弧の日本語")]
    [InlineData("unknown 続柄 (続柄が不明です)", "続柄が不明です")]
    [InlineData("J-LIS refused the request (bad-challenge): この画面はすでに使われています", "この画面はすでに使われています")]
    [InlineData("the intermediate server refused the query (no-policy-row): policy: 法令上の根拠がありません", "policy: 法令上の根拠がありません")]
    [InlineData("requestId: 必須です (required)", "requestId: 必須です")]
    public void A_bilingual_message_gives_its_Japanese_part(string message, string japanese) =>
        Assert.Equal(japanese, JapaneseText.ForPerson(message, "some-code", 400));

    [Theory]
    [InlineData("住民票の写し（世帯全員）を交付しました。")]
    [InlineData("職員ID kodomo01 は 131091 の職員です。")]
    [InlineData("requestId がありません")]
    [InlineData("2026-11 131091")]
    [InlineData("必須の項目がありません: requestId、addresseeNumber、token、asOf、actor")]
    public void A_message_without_an_English_sentence_is_kept(string message) =>
        Assert.Equal(message, JapaneseText.ForPerson(message, "some-code", 400));

    [Fact]
    public void A_list_of_problems_by_field_keeps_each_field_and_rule_under_the_Japanese_summary()
    {
        Assert.Equal("副本の内容が正しくありません: copies[2].body.householdNumber: individual-number: 個人番号は記録できません; copies[4].kind: enum; ほか3件",
            JapaneseText.ForPerson("copies[2].body.householdNumber: individual-number: an individual number is not stored here (個人番号は記録できません); "
                + "copies[4].kind: enum: not one of the kinds; and 3 more (副本の内容が正しくありません)", "invalid-copy", 400));
        Assert.Equal("副本の内容が正しくありません: addresseeNumber: oneOf: 宛名番号か符号のどちらか一方を指定してください",
            JapaneseText.ForPerson("addresseeNumber: oneOf: give exactly one of addresseeNumber and token (宛名番号か符号のどちらか一方を指定してください) (副本の内容が正しくありません)", "invalid-copy", 400));
        Assert.Equal("actor: required: 操作者・端末・事務の指定がありません",
            JapaneseText.ForPerson("actor: required: the staff member, terminal and affair the request is made for (操作者・端末・事務の指定がありません)", "invalid-request", 400));
        // Sentences joined by "; " are not a list.
        Assert.Equal("世帯主変更を使用してください", JapaneseText.ForPerson("the household already has a head; use a change of head (世帯主変更を使用してください)", "head-exists", 409));
    }

    [Fact]
    public void A_trailing_code_aside_is_dropped_from_a_Japanese_message() =>
        Assert.Equal("パスワードの変更が必要です。職員用画面でパスワードを変更してください",
            JapaneseText.ForPerson("パスワードの変更が必要です。職員用画面でパスワードを変更してください (password-change-required)", "password-change-required", 403));

    [Fact]
    public void A_message_with_no_Japanese_part_falls_back_to_the_code_or_the_status()
    {
        Assert.Equal("内部エラーが発生しました。時間をおいてもう一度お試しください。", JapaneseText.ForPerson("internal error, see the logs", "internal-error", 500));
        Assert.Equal("要求の内容に誤りがあります。（コード: bad-limit）", JapaneseText.ForPerson("limit must be between one and fifty", "bad-limit", 400));
        Assert.Equal("limit: 要求の内容に誤りがあります。（コード: bad-limit）", JapaneseText.ForPerson("limit: must be between one and fifty", "bad-limit", 400));
        Assert.Equal("actor: 要求の内容に誤りがあります。（コード: bad-actor）", JapaneseText.ForPerson("actor: required", "bad-actor", 400));
        Assert.Equal("連携先のサービスが要求を拒否しました。（コード: http-502）", JapaneseText.ForPerson("Bad Gateway", "http-502", 502));
        Assert.Equal("この操作は許可されていません。", JapaneseText.ForPerson(null, null, 403));
        Assert.Equal("処理できませんでした。", JapaneseText.ForPerson("   ", null, null));
        // A code that could be anything someone sent is not repeated.
        Assert.Equal("見つかりません。", JapaneseText.ForPerson("no such thing here at all", "not a code!", 404));
    }

    [Fact]
    public void What_the_function_gives_never_has_an_English_sentence()
    {
        string[] messages =
        [
            "English only and nothing else here", "English (still English inside) and more (また日本語)", "(日本語) followed by an English sentence here",
            "a: b c d (e f g)", "one two three (four five six)",
        ];
        foreach (var message in messages)
            Assert.False(JapaneseText.HasEnglishSentence(JapaneseText.ForPerson(message, "code", 400)), message);
    }

    [Theory]
    [InlineData("Linkage results show raw field names", true)]
    [InlineData("secondFactorFailed", false)]
    [InlineData("affair: chosen; numbers=visible", false)]
    [InlineData("the request was refused", true)]
    [InlineData("PDF CSV JPKI で保存", false)]
    [InlineData("令和8年11月22日 R8 kodomo01 131091 notice-12.pdf", false)]
    [InlineData("second-factor-failed no-policy-row x", false)]
    [InlineData("検索: search by name (名前)", true)]
    [InlineData("Merkle 木の検証", false)]
    public void An_English_sentence_is_three_consecutive_ASCII_words(string line, bool english) =>
        Assert.Equal(english, JapaneseText.HasEnglishSentence(line));

    [Fact]
    public void English_sentences_lists_the_offending_lines_only() =>
        Assert.Equal(["this line is English"], JapaneseText.EnglishSentences("住民検索\n  this line is English  \nkodomo01 ログイン"));
}
