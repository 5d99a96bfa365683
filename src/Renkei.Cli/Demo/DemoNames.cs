using Renkei.Core.People;

namespace Renkei.Cli.Demo;

/// <summary>A name as written (kanji, or alphabet for foreign residents) and its katakana reading.</summary>
internal readonly record struct NameEntry(string Written, string Kana);

/// <summary>
/// Name tables of the demo country. Japanese surnames are weighted by rank (the most common names are far
/// more frequent); given names depend on sex and birth cohort, because names went out of fashion and came back
/// (清, 和子 before the war; 誠, 恵子 after it; 翔太, 美咲 around 1990; 蓮, 陽葵 today).
/// Foreign residents carry names as on their residence card (在留カード): alphabet, with a katakana reading.
/// </summary>
internal static class DemoNames
{
    private static NameEntry[] Parse(string table) =>
        table.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)
            .Select(pair =>
            {
                var parts = pair.Split(':');
                if (parts.Length != 2) throw new InvalidOperationException("malformed name table entry");
                return new NameEntry(parts[0].Replace('_', ' '), parts[1]);
            })
            .ToArray();

    /// <summary>Common Japanese surnames, most frequent first.</summary>
    public static readonly NameEntry[] Surnames = Parse("""
        佐藤:サトウ 鈴木:スズキ 高橋:タカハシ 田中:タナカ 伊藤:イトウ 渡辺:ワタナベ 山本:ヤマモト 中村:ナカムラ
        小林:コバヤシ 加藤:カトウ 吉田:ヨシダ 山田:ヤマダ 佐々木:ササキ 山口:ヤマグチ 松本:マツモト 井上:イノウエ
        木村:キムラ 林:ハヤシ 斎藤:サイトウ 清水:シミズ 山崎:ヤマザキ 森:モリ 池田:イケダ 橋本:ハシモト
        阿部:アベ 石川:イシカワ 山下:ヤマシタ 中島:ナカジマ 石井:イシイ 小川:オガワ 前田:マエダ 岡田:オカダ
        長谷川:ハセガワ 藤田:フジタ 後藤:ゴトウ 近藤:コンドウ 村上:ムラカミ 遠藤:エンドウ 青木:アオキ 坂本:サカモト
        斉藤:サイトウ 福田:フクダ 太田:オオタ 西村:ニシムラ 藤井:フジイ 金子:カネコ 岡本:オカモト 藤原:フジワラ
        中野:ナカノ 三浦:ミウラ 原田:ハラダ 中川:ナカガワ 松田:マツダ 竹内:タケウチ 小野:オノ 田村:タムラ
        中山:ナカヤマ 和田:ワダ 石田:イシダ 森田:モリタ 上田:ウエダ 原:ハラ 内田:ウチダ 柴田:シバタ
        酒井:サカイ 宮崎:ミヤザキ 横山:ヨコヤマ 高木:タカギ 安藤:アンドウ 宮本:ミヤモト 大野:オオノ 小島:コジマ
        谷口:タニグチ 工藤:クドウ 今井:イマイ 高田:タカダ 丸山:マルヤマ 増田:マスダ 杉山:スギヤマ 村田:ムラタ
        大塚:オオツカ 小山:コヤマ 平野:ヒラノ 藤本:フジモト 河野:コウノ 上野:ウエノ 野口:ノグチ 武田:タケダ
        松井:マツイ 千葉:チバ 岩崎:イワサキ 菅原:スガワラ 木下:キノシタ 久保:クボ 佐野:サノ 野村:ノムラ
        松尾:マツオ 市川:イチカワ 菊地:キクチ 杉本:スギモト 古川:フルカワ 大西:オオニシ 島田:シマダ 水野:ミズノ
        桜井:サクライ 高野:タカノ 渡部:ワタナベ 吉川:ヨシカワ 山内:ヤマウチ 西田:ニシダ 飯田:イイダ 菊池:キクチ
        西川:ニシカワ 小松:コマツ 北村:キタムラ 安田:ヤスダ 五十嵐:イガラシ 川口:カワグチ 平田:ヒラタ 関:セキ
        中田:ナカタ 久保田:クボタ 服部:ハットリ 岩田:イワタ 土屋:ツチヤ 川崎:カワサキ 福島:フクシマ 本田:ホンダ
        辻:ツジ 樋口:ヒグチ 秋山:アキヤマ 田口:タグチ 永井:ナガイ 山中:ヤマナカ 中西:ナカニシ 吉村:ヨシムラ
        川上:カワカミ 石原:イシハラ 大橋:オオハシ 松岡:マツオカ 馬場:ババ 浅野:アサノ 荒木:アラキ 大久保:オオクボ
        野田:ノダ 小池:コイケ 田辺:タナベ 松下:マツシタ 星野:ホシノ 大石:オオイシ 新井:アライ 渡邊:ワタナベ
        """);

    /// <summary>Rank weighting: the n-th surname is roughly 1/(n+8) as common (佐藤 ~ 12× the 100th name).</summary>
    public static readonly WeightedTable SurnameTable =
        new(Enumerable.Range(0, Surnames.Length).Select(rank => 1.0 / (rank + 8)).ToArray());

    /// <summary>Birth cohorts for given names: before 1945, 1945–1964, 1965–1984, 1985–2004, 2005 and later.</summary>
    public static int Cohort(int birthYear) => birthYear switch
    {
        < 1945 => 0,
        < 1965 => 1,
        < 1985 => 2,
        < 2005 => 3,
        _ => 4,
    };

    private static readonly NameEntry[][] MaleGiven =
    [
        Parse("""
            清:キヨシ 勇:イサム 博:ヒロシ 茂:シゲル 実:ミノル 進:ススム 正:タダシ 武:タケシ 弘:ヒロシ 稔:ミノル
            三郎:サブロウ 正雄:マサオ 一郎:イチロウ 次郎:ジロウ 義雄:ヨシオ 正夫:マサオ 幸雄:ユキオ 昭:アキラ
            勝:マサル 修:オサム 秀夫:ヒデオ 和夫:カズオ 保:タモツ 貞夫:サダオ 忠:タダシ 栄一:エイイチ
            """),
        Parse("""
            誠:マコト 浩:ヒロシ 隆:タカシ 明:アキラ 健一:ケンイチ 和彦:カズヒコ 正樹:マサキ 浩二:コウジ 秀樹:ヒデキ
            隆之:タカユキ 博之:ヒロユキ 茂樹:シゲキ 修一:シュウイチ 裕:ユタカ 幸一:コウイチ 俊夫:トシオ 哲也:テツヤ
            雅之:マサユキ 英樹:ヒデキ 孝:タカシ 敏明:トシアキ 正人:マサト 和也:カズヤ 康夫:ヤスオ 光男:ミツオ
            """),
        Parse("""
            大輔:ダイスケ 拓也:タクヤ 直樹:ナオキ 健太:ケンタ 達也:タツヤ 剛:ツヨシ 健:ケン 洋平:ヨウヘイ 学:マナブ
            聡:サトシ 亮:リョウ 大介:ダイスケ 徹:トオル 智之:トモユキ 健二:ケンジ 和樹:カズキ 秀一:シュウイチ
            雄一:ユウイチ 慎一:シンイチ 淳:ジュン 浩之:ヒロユキ 伸也:シンヤ 貴之:タカユキ 誠:マコト 圭介:ケイスケ
            """),
        Parse("""
            翔太:ショウタ 大輝:ダイキ 拓海:タクミ 健太:ケンタ 翔:ショウ 大樹:ダイキ 亮太:リョウタ 翔平:ショウヘイ
            悠斗:ユウト 駿:シュン 海斗:カイト 優太:ユウタ 健人:ケント 直人:ナオト 蓮:レン 陸:リク 颯太:ソウタ
            雄大:ユウダイ 和也:カズヤ 祐介:ユウスケ 拓哉:タクヤ 裕太:ユウタ 竜也:タツヤ 涼:リョウ 大地:ダイチ
            """),
        Parse("""
            蓮:レン 陽翔:ハルト 湊:ミナト 蒼:アオイ 樹:イツキ 悠真:ユウマ 大翔:ヒロト 朝陽:アサヒ 悠人:ユウト
            陽太:ヨウタ 奏太:カナタ 律:リツ 颯真:ソウマ 結翔:ユイト 碧:アオイ 新:アラタ 蒼空:ソラ 湊斗:ミナト
            悠翔:ユウト 陽向:ヒナタ 瑛太:エイタ 大和:ヤマト 岳:ガク 柊:シュウ 蒼真:ソウマ
            """),
    ];

    private static readonly NameEntry[][] FemaleGiven =
    [
        Parse("""
            和子:カズコ 幸子:サチコ 節子:セツコ 弘子:ヒロコ 京子:キョウコ 洋子:ヨウコ 久子:ヒサコ 美代子:ミヨコ
            文子:フミコ 信子:ノブコ 照子:テルコ 静子:シズコ 千代子:チヨコ 芳子:ヨシコ 清子:キヨコ 春子:ハルコ
            花子:ハナコ 光子:ミツコ 良子:ヨシコ 登美子:トミコ 八重子:ヤエコ 敏子:トシコ 富子:トミコ 君子:キミコ 正子:マサコ
            """),
        Parse("""
            恵子:ケイコ 由美子:ユミコ 久美子:クミコ 洋子:ヨウコ 明美:アケミ 真由美:マユミ 悦子:エツコ 孝子:タカコ
            直美:ナオミ 裕子:ユウコ 順子:ジュンコ 智子:トモコ 美智子:ミチコ 典子:ノリコ 由紀子:ユキコ 千恵子:チエコ
            陽子:ヨウコ 純子:ジュンコ 雅子:マサコ 康子:ヤスコ 啓子:ケイコ 広美:ヒロミ 澄子:スミコ 真理子:マリコ 和美:カズミ
            """),
        Parse("""
            愛:アイ 恵:メグミ 麻衣:マイ 彩:アヤ 陽子:ヨウコ 裕美:ユミ 智美:トモミ 香織:カオリ 美穂:ミホ 直子:ナオコ
            奈美:ナミ 由香:ユカ 理恵:リエ 久美子:クミコ 恵美:エミ 亜希子:アキコ 綾:アヤ 沙織:サオリ 舞:マイ
            千尋:チヒロ 瞳:ヒトミ 明日香:アスカ 真紀:マキ 美香:ミカ 紀子:ノリコ
            """),
        Parse("""
            美咲:ミサキ 愛:アイ 彩香:アヤカ 葵:アオイ 七海:ナナミ 萌:モエ 遥:ハルカ 明日香:アスカ 陽菜:ヒナ 優花:ユウカ
            菜々子:ナナコ 沙希:サキ 結衣:ユイ 愛美:マナミ 真央:マオ 杏:アン 玲奈:レイナ 彩乃:アヤノ 千尋:チヒロ
            奈々:ナナ 里奈:リナ 優衣:ユイ 舞:マイ 未来:ミク 美月:ミヅキ
            """),
        Parse("""
            陽葵:ヒマリ 凛:リン 結菜:ユイナ 芽依:メイ 紬:ツムギ 澪:ミオ 結愛:ユア 咲良:サクラ 莉子:リコ 美桜:ミオ
            葵:アオイ 陽菜:ヒナ 杏:アン 結月:ユヅキ 心春:コハル 花:ハナ 凪:ナギ 詩:ウタ 琴葉:コトハ 柚葉:ユズハ
            彩葉:イロハ 芽衣:メイ 乃愛:ノア 一花:イチカ 紗奈:サナ
            """),
    ];

    public static NameEntry[] Given(Sex sex, int cohort) => sex == Sex.Male ? MaleGiven[cohort] : FemaleGiven[cohort];

    public static int GivenNameCount(Sex sex) => (sex == Sex.Male ? MaleGiven : FemaleGiven).Sum(c => c.Length);

    /// <summary>Nationalities of the demo country's foreign residents, weighted roughly like Tokyo's.</summary>
    public static readonly ForeignNames[] Foreign =
    [
        new("中国", 40, wifeKeepsName: true,
            family: Parse("WANG:ワン LI:リ ZHANG:ジャン LIU:リュウ CHEN:チェン YANG:ヤン ZHAO:ジャオ HUANG:ホアン ZHOU:ジョウ WU:ウー XU:シュー SUN:スン MA:マー ZHU:ジュー HU:フー GUO:グオ LIN:リン GAO:ガオ"),
            male: Parse("WEI:ウェイ HAO:ハオ JIE:ジエ TAO:タオ MING:ミン QIANG:チアン JUN:ジュン LEI:レイ YONG:ヨン PENG:ポン HAOYU:ハオユー YUXUAN:ユーシュエン"),
            female: Parse("FANG:ファン JING:ジン YAN:イエン XIN:シン NA:ナー MIN:ミン LING:リン XIAOYAN:シャオイエン YUE:ユエ TING:ティン HUI:フイ XUE:シュエ")),
        new("韓国", 14, wifeKeepsName: true,
            family: Parse("KIM:キム LEE:イ PARK:パク CHOI:チェ JUNG:チョン KANG:カン CHO:チョ YOON:ユン JANG:チャン LIM:イム HAN:ハン SHIN:シン"),
            male: Parse("MINJUN:ミンジュン SEOJUN:ソジュン JIHOON:ジフン HYUNWOO:ヒョヌ DONGHYUN:ドンヒョン SUNGMIN:ソンミン JAEHO:ジェホ YOUNGSOO:ヨンス"),
            female: Parse("SEOYEON:ソヨン JIWOO:ジウ MINJI:ミンジ HYEJIN:ヘジン EUNJI:ウンジ JIYEON:ジヨン SUJIN:スジン YUNA:ユナ")),
        new("ベトナム", 10, wifeKeepsName: true,
            family: Parse("NGUYEN:グエン TRAN:チャン LE:レ PHAM:ファム HOANG:ホアン VU:ヴー DANG:ダン BUI:ブイ DO:ドー NGO:ゴー"),
            male: Parse("VAN_HUNG:ヴァン・フン VAN_NAM:ヴァン・ナム DUC_ANH:ドゥック・アイン MINH_TUAN:ミン・トゥアン QUANG_HUY:クアン・フイ THANH_LONG:タイン・ロン VAN_DUC:ヴァン・ドゥック"),
            female: Parse("THI_HOA:ティ・ホア THI_LAN:ティ・ラン THU_TRANG:トゥー・チャン NGOC_ANH:ゴック・アイン THI_MAI:ティ・マイ THANH_HUONG:タイン・フオン THI_LINH:ティ・リン")),
        new("フィリピン", 7, wifeKeepsName: false,
            family: Parse("SANTOS:サントス REYES:レイエス CRUZ:クルス BAUTISTA:バウティスタ GARCIA:ガルシア MENDOZA:メンドーサ RAMOS:ラモス AQUINO:アキノ TORRES:トーレス FLORES:フローレス"),
            male: Parse("JOSE:ホセ MARK:マーク JOHN:ジョン MICHAEL:マイケル JUAN:フアン RAFAEL:ラファエル CARLO:カルロ"),
            female: Parse("MARIA:マリア ANGELICA:アンジェリカ KRISTINE:クリスティン MARY_JOY:メアリー・ジョイ JENNIFER:ジェニファー ROSALIE:ロザリー MARICEL:マリセル")),
        new("ネパール", 7, wifeKeepsName: false,
            family: Parse("GURUNG:グルン TAMANG:タマン SHRESTHA:シュレスタ RAI:ライ THAPA:タパ MAGAR:マガル ADHIKARI:アディカリ POUDEL:ポウデル"),
            male: Parse("RAM:ラム BIKASH:ビカス SURESH:スレシュ RAJESH:ラジェシュ SANTOSH:サントス PRAKASH:プラカシュ DIPENDRA:ディペンドラ"),
            female: Parse("SITA:シタ SARITA:サリタ ANITA:アニタ SABINA:サビナ PUJA:プジャ GITA:ギタ SUNITA:スニタ")),
        new("台湾", 4, wifeKeepsName: true,
            family: Parse("CHEN:チェン LIN:リン HUANG:ホアン CHANG:チャン LI:リー WANG:ワン WU:ウー LIU:リウ TSAI:ツァイ YANG:ヤン"),
            male: Parse("CHIH-WEI:ジーウェイ CHIA-HAO:ジャーハオ CHENG-EN:チェンエン TSUNG-HAN:ツンハン CHIH-MING:ジーミン"),
            female: Parse("YU-TING:ユーティン SHU-FEN:シューフェン YA-TING:ヤーティン HSIN-YI:シンイー MEI-LING:メイリン CHIA-HUI:ジャーフイ")),
        new("米国", 4, wifeKeepsName: false,
            family: Parse("SMITH:スミス JOHNSON:ジョンソン WILLIAMS:ウィリアムズ BROWN:ブラウン JONES:ジョーンズ MILLER:ミラー DAVIS:デイビス WILSON:ウィルソン ANDERSON:アンダーソン TAYLOR:テイラー"),
            male: Parse("JAMES:ジェームズ JOHN:ジョン MICHAEL:マイケル DAVID:デイビッド ROBERT:ロバート DANIEL:ダニエル CHRISTOPHER:クリストファー MATTHEW:マシュー"),
            female: Parse("EMILY:エミリー SARAH:サラ JESSICA:ジェシカ ASHLEY:アシュリー ELIZABETH:エリザベス JENNIFER:ジェニファー LAUREN:ローレン RACHEL:レイチェル")),
        new("インド", 3, wifeKeepsName: false,
            family: Parse("SHARMA:シャルマ SINGH:シン KUMAR:クマール PATEL:パテル GUPTA:グプタ REDDY:レディ IYER:アイヤー RAO:ラオ"),
            male: Parse("RAHUL:ラフル AMIT:アミット VIKRAM:ヴィクラム ARJUN:アルジュン SANJAY:サンジェイ RAJ:ラジ"),
            female: Parse("PRIYA:プリヤ ANJALI:アンジャリ DEEPA:ディーパ NEHA:ネハ KAVYA:カーヴィヤ POOJA:プージャ")),
    ];

    public static readonly WeightedTable ForeignTable = new(Foreign.Select(f => f.Weight).ToArray());
}

/// <summary>Name tables of one nationality (国籍・地域). <c>wifeKeepsName</c>: spouses keep their own surnames (夫婦別姓).</summary>
internal sealed class ForeignNames(string nationality, double weight, bool wifeKeepsName, NameEntry[] family, NameEntry[] male, NameEntry[] female)
{
    public string Nationality { get; } = nationality;
    public double Weight { get; } = weight;
    public bool WifeKeepsName { get; } = wifeKeepsName;
    public NameEntry[] Family { get; } = family;
    public NameEntry[] Given(Sex sex) => sex == Sex.Male ? male : female;
}
