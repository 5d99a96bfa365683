using System.Globalization;
using System.Text.RegularExpressions;

namespace Renkei.Core.Text;

/// <summary>How names are resolved in an event's sentence; each returns null when it does not know the value.</summary>
/// <param name="Institution">a local government code (131113) or an institution code → its name (大田区)</param>
/// <param name="Resident">a register's resident id → how the viewer may name the person (宛名番号 0000007294)</param>
/// <param name="Affair">an affair code → the affair catalogue's Japanese name</param>
public sealed record EventNames(
    Func<string, string?>? Institution = null,
    Func<long, string?>? Resident = null,
    Func<string, string?>? Affair = null)
{
    public static EventNames None { get; } = new();
}

/// <summary>
/// Operation-log events as Japanese sentences: the one catalogue (event and code → Japanese) that the staff console's
/// 操作記録 and 検査・分析 pages and the portal's やりとり履歴 use. An entry's detail is written by the program that logged
/// it — "address-change; resident-id=19", "affair: chosen; numbers=visible (visible)", "ログイン失敗: secondFactorFailed",
/// "情報照会 提供 申請番号 3 住民票関係情報 → 131113" — and <see cref="Describe"/> reads it for a person: event names
/// (<see cref="Events"/>) and codes (<see cref="Codes"/>) become words, <c>key=value</c> pairs (<see cref="Keys"/>)
/// become 「項目: 値」 with values resolved (municipality codes → names, resident ids → 宛名番号, booleans → words), and
/// anything unknown is quoted as a code in a Japanese sentence, never shown as raw key=value text.
/// </summary>
public static partial class EventText
{
    /// <summary>The events programs log (the first part of a detail) → Japanese. Longer phrases are matched first.</summary>
    public static readonly IReadOnlyDictionary<string, string> Events = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // Staff API sessions (StaffApi: "login: …", "affair: …", "logout: api", "search by …").
        ["login"] = "ログイン",
        ["logout"] = "ログアウト",
        ["affair"] = "事務の選択",
        ["session"] = "セッションの確認",
        ["search"] = "住民検索",
        ["search by name"] = "住民検索（氏名）",
        ["search by kana"] = "住民検索（フリガナ）",
        ["search by birth-date"] = "住民検索（生年月日）",
        ["search by name+kana"] = "住民検索（氏名・フリガナ）",
        ["search by name+birth-date"] = "住民検索（氏名・生年月日）",
        ["search by kana+birth-date"] = "住民検索（フリガナ・生年月日）",
        ["search by name+kana+birth-date"] = "住民検索（氏名・フリガナ・生年月日）",
        ["search by nothing"] = "住民検索（条件なし）",
        ["search by number"] = "住民検索（個人番号）",
        ["certificate"] = "住民票の写し",
        ["residence certificate"] = "住民票の写し",
        ["residence certificate (household)"] = "住民票の写し（世帯全員）",
        ["household certificate"] = "住民票の写し（世帯全員）",
        ["person certificate"] = "住民票の写し（本人）",
        ["certificate pdf"] = "証明書（PDF）の交付",
        ["juminhyo certificate pdf"] = "住民票の写し（PDF）の交付",
        ["kazei certificate pdf"] = "課税（非課税）証明書（PDF）の交付",
        ["nozei certificate pdf"] = "納税証明書（PDF）の交付",
        // Register events (WardModule.MapEvent names).
        ["birth"] = "出生届",
        ["arrival"] = "転入届",
        ["arrival-from-abroad"] = "転入届（国外から）",
        ["departure"] = "転出届",
        ["death"] = "死亡届",
        ["address-change"] = "転居届",
        ["name-change"] = "氏名の変更",
        ["household-change"] = "世帯変更届",
        ["head-change"] = "世帯主変更届",
        ["number-change"] = "個人番号の変更",
        // Other programs.
        ["notification list (通知カード送付先情報)"] = "通知カード送付先情報の出力",
        ["notification list"] = "通知カード送付先情報の出力",
        ["account unlock (ロック解除)"] = "ロック解除",
        ["account unlock"] = "ロック解除",
    };

    /// <summary>Codes inside details (outcomes, reasons, values) → Japanese. Unknown codes are shown quoted as a code.</summary>
    public static readonly IReadOnlyDictionary<string, string> Codes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // Outcomes and values.
        ["success"] = "成功",
        ["refused"] = "拒否",
        ["failed"] = "失敗",
        ["chosen"] = "選択",
        ["left"] = "選択を解除",
        ["api"] = "職員用API",
        ["replayed"] = "同じ届出の再送（変更なし）",
        ["visible"] = "表示",
        ["masked"] = "伏せ字",
        ["shown"] = "表示",
        ["included"] = "記載あり",
        ["not-included"] = "記載なし",
        ["not-requested"] = "求めず",
        ["file"] = "ファイル",
        ["stdout"] = "標準出力",
        ["true"] = "あり",
        // Provider classes (as the workflows name a step's provider).
        ["Municipality"] = "市区町村",
        ["Prefecture"] = "都道府県",
        ["NationalAgency"] = "国の機関",
        ["PensionOrganisation"] = "日本年金機構",
        ["HealthInsurer"] = "医療保険者",
        ["false"] = "なし",
        // Login outcomes (as the API writes them and as the console writes the enum's camelCase name).
        ["invalid-credentials"] = "IDまたはパスワードの誤り",
        ["invalidCredentials"] = "IDまたはパスワードの誤り",
        ["second-factor-failed"] = "ワンタイムコードの誤り",
        ["secondFactorFailed"] = "ワンタイムコードの誤り",
        ["locked"] = "アカウントのロック中",
        ["disabled"] = "失効したアカウント",
        ["login-failed"] = "ログイン失敗",
        ["password-change-required"] = "パスワードの変更が必要",
        // Refusal reasons.
        ["no-session"] = "ログインしていない",
        ["no-affair-chosen"] = "事務が選択されていない",
        ["affair-not-assigned"] = "担当していない事務",
        ["affair-mismatch"] = "選択中の事務と異なる",
        ["role-without-number-access"] = "個人番号を扱わない役割",
        ["role-without-resident-records"] = "住民記録を扱わない役割",
        ["affair-without-resident-records"] = "住民記録を必要としない事務",
        ["affair-without-number-use"] = "個人番号を利用しない事務",
        ["visible-reason"] = "個人番号を利用できる事務",
        ["no-policy-row"] = "法令上の根拠（情報連携の規定）がない",
        ["linkage-not-permitted"] = "情報連携が認められていない",
        ["inquirer-has-no-token"] = "符号が未取得",
        ["missing-field"] = "必須項目の不足",
        ["bad-request"] = "要求の形式の誤り",
        ["bad-limit"] = "件数の指定の誤り",
        ["body-too-large"] = "要求が大きすぎる",
        ["unknown-resident"] = "該当する住民がいない",
        ["unknown-household"] = "該当する世帯がない",
        ["member-not-in-household"] = "世帯に属さない人",
        ["scope-conflict"] = "記載範囲の指定の矛盾",
        ["register-record-invalid"] = "住民記録の誤り",
        ["number-needs-own-request"] = "個人番号の記載は本人の請求が必要",
        ["copies-out-of-range"] = "通数の指定の誤り",
        ["not-eligible"] = "対象外",
        ["already-applied"] = "申請済み",
        ["already-decided"] = "決定済み",
        ["application-not-found"] = "申請が見つからない",
        ["intermediate-unavailable"] = "中間サーバーに接続できない",
        ["provider-unavailable"] = "提供者の応答なし",
        ["not-an-active-administrator"] = "有効なシステム管理者ではない",
        ["invalid-reason"] = "理由の記載の誤り",
        ["unknown-staff"] = "登録されていない職員ID",
        ["generic-staff-id"] = "共用・汎用のID",
        ["staff-exists"] = "既に発行されたID",
        ["invalid-staff-id"] = "職員IDの形式の誤り",
        ["unknown-affair"] = "事務一覧にない事務",
        ["weak-password"] = "パスワードが条件を満たさない",
        ["invalid-display-name"] = "表示名の誤り",
        ["not-administrator"] = "システム管理者ではない",
        ["own-account"] = "自分自身のアカウント",
        ["wrong-password"] = "現在のパスワードの誤り",
        ["same-password"] = "同じパスワード",
        ["not-auditor"] = "監査担当ではない",
        // Workflows (WorkflowException.Codes).
        ["unknown-workflow"] = "手続が見つからない",
        ["invalid-input"] = "入力の誤り",
        ["unknown-addressee"] = "宛名番号が見つからない",
        ["unknown-step"] = "照会の手順が見つからない",
        ["provider-missing"] = "提供者が定まらない",
        ["linkage-incomplete"] = "情報照会が完了していない",
        ["not-decided"] = "未決定",
        ["no-eligible-person"] = "対象となる人がいない",
        ["duplicate-application"] = "重複する申請",
        ["no-child-named"] = "対象児童の指定なし",
        ["paper-attachment-needed"] = "添付書類（紙）の提出が必要",
        ["submission-id-reused"] = "申請IDの重複",
        // The resident register (RegisterException codes).
        ["address-required"] = "住所がない",
        ["already-registered"] = "既に住民として記録されている",
        ["bad-date"] = "日付の誤り",
        ["bad-destination-code"] = "転出先の地方公共団体コードの誤り",
        ["bad-reason"] = "変更事由の誤り",
        ["bad-relationship"] = "続柄の誤り",
        ["bad-sex"] = "性別の誤り",
        ["bad-kana"] = "フリガナの誤り",
        ["bad-text"] = "文字の誤り",
        ["bad-household-number"] = "世帯番号の誤り",
        ["deceased"] = "死亡により消除されている",
        ["empty-search"] = "検索条件がない",
        ["wildcard-search"] = "ワイルドカードによる検索",
        ["search-term-too-long"] = "検索条件が長すぎる",
        ["head-exists"] = "世帯主が既にいる",
        ["head-required"] = "世帯主が必要",
        ["missing-request-id"] = "リクエストIDがない",
        ["request-id-reused"] = "リクエストIDの重複",
        ["nationality-not-allowed"] = "日本人住民に国籍は記載しない",
        ["nationality-required"] = "国籍・地域がない",
        ["no-change"] = "変更がない",
        ["no-number"] = "個人番号が未指定",
        ["no-number-designated"] = "個人番号が未指定",
        ["no-tax-record"] = "課税台帳に記録がない",
        ["number-in-use"] = "個人番号が他の住民に記録されている",
        ["number-unverified"] = "個人番号を確認できない",
        ["number-superseded"] = "個人番号が変更されている",
        ["number-mismatch"] = "個人番号と住民票コードが一致しない",
        ["former-number-incomplete"] = "以前の住民票コードと個人番号の一方がない",
        ["person-required"] = "本人の情報がない",
        ["same-municipality"] = "同じ市区町村内の異動",
        ["not-found"] = "見つからない",
        ["seal-abolition-reason"] = "印鑑登録の廃止理由の誤り",
        ["record-not-removed"] = "除票ではない記録",
        ["certificate-signer-unavailable"] = "証明書の電子署名用の証明書がない",
        ["bad-field"] = "項目の形式の誤り",
    };

    /// <summary>Phrases of several words inside details → Japanese (replaced wherever they appear).</summary>
    public static readonly IReadOnlyDictionary<string, string> Phrases = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["numbers requested"] = "個人番号の記載を請求",
        ["not an active administrator"] = "有効なシステム管理者ではない",
        ["invalid reason"] = "理由の記載の誤り",
        ["unknown staff"] = "登録されていない職員ID",
    };

    /// <summary>Information kinds (a linkage step's "kind → provider") → Japanese.</summary>
    public static readonly IReadOnlyDictionary<string, string> InformationKinds = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["resident-record"] = "住民票関係情報",
        ["local-tax"] = "地方税関係情報",
        ["child-allowance"] = "児童手当関係情報",
        ["nursing-care-insurance"] = "介護保険給付等関係情報",
        ["national-health-insurance"] = "医療保険給付関係情報（国民健康保険）",
        ["public-assistance"] = "生活保護関係情報",
        ["pension-benefit"] = "年金給付関係情報",
        ["health-insurance-qualification"] = "医療保険資格関係情報",
    };

    /// <summary>Keys of <c>key=value</c> pairs in details → the label people read.</summary>
    public static readonly IReadOnlyDictionary<string, string> Keys = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["resident-id"] = "対象者",
        ["resident-ids"] = "表示した住民",
        ["hits"] = "該当件数",
        ["numbers"] = "個人番号",
        ["to"] = "出力先",
        ["staff"] = "対象の職員ID",
        ["reason"] = "理由",
        ["households"] = "対象の世帯",
        ["residents-with-number"] = "個人番号のある住民",
        ["destination"] = "転出地",
        ["from"] = "転出地",
        ["municipality"] = "市区町村",
        ["affair"] = "事務",
    };

    /// <summary>The detail of an operation-log entry as a Japanese sentence ("—" when there is none).</summary>
    public static string Describe(string? detail, EventNames? names = null)
    {
        if (string.IsNullOrWhiteSpace(detail)) return "—";
        names ??= EventNames.None;
        var parts = new List<string>();
        var segments = detail.Split("; ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = 0; i < segments.Length; i++)
            parts.Add(Segment(segments[i], first: i == 0, names));
        return string.Join("、", parts.Where(p => p.Length > 0));
    }

    /// <summary>A code as people read it: its Japanese words, else the code quoted (「コード xxx」).</summary>
    public static string Code(string code) =>
        Codes.TryGetValue(code, out var text) ? text : Events.TryGetValue(code, out var @event) ? @event : $"（コード {code}）";

    /// <summary>True when <paramref name="code"/> has Japanese words in the catalogue.</summary>
    public static bool Knows(string code) => Codes.ContainsKey(code) || Events.ContainsKey(code) || InformationKinds.ContainsKey(code);

    private static string Segment(string segment, bool first, EventNames names)
    {
        var text = segment;
        // The event name at the start (longest phrase first): "search by name: refused: x" → "住民検索（氏名）: 拒否: x".
        if (first)
        {
            foreach (var (phrase, japanese) in Events.OrderByDescending(e => e.Key.Length))
            {
                if (text.Length == phrase.Length ? text == phrase
                    : text.StartsWith(phrase, StringComparison.Ordinal) && text[phrase.Length] is ':' or ' ' or ';')
                {
                    text = japanese + text[phrase.Length..];
                    break;
                }
            }
        }
        foreach (var (phrase, japanese) in Phrases) text = text.Replace(phrase, japanese, StringComparison.Ordinal);
        // One pass, so nothing a replacement wrote is read again.
        text = Parts().Replace(text, m =>
            m.Groups["more"].Success ? $"（ほか{m.Groups["n"].Value}件）"
            : m.Groups["kind"].Success ? $"{Kind(m.Groups["kind"].Value)}（提供元: {Place(m.Groups["provider"].Value, names)}）"
            : m.Groups["key"].Success ? Label(m.Groups["key"].Value, m.Groups["value"].Value, names)
            : Word(m.Value, names));
        return text.Trim();
    }

    private static string Label(string key, string value, EventNames names)
    {
        var label = Keys.TryGetValue(key, out var known) ? known : $"項目（コード {key}）";
        return $"{label}: {Value(key, value, names)}";
    }

    private static string Value(string key, string value, EventNames names)
    {
        switch (key)
        {
            case "resident-id" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id):
                return Resident(id, names);
            case "resident-ids":
                return value.Length == 0 ? "なし" : string.Join("、", value.Split(',').Select(v =>
                    long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var one) ? Resident(one, names) : v));
            case "hits":
                return value + "件";
            case "households":
                return value + "世帯";
            case "residents-with-number":
                return value + "人";
            case "affair":
                return names.Affair?.Invoke(value) ?? value;
            case "reason" or "staff":
                return value;
        }
        if (value.Length == 6 && value.All(char.IsAsciiDigit) && names.Institution?.Invoke(value) is { } place) return place;
        return Codes.TryGetValue(value, out var word) ? word : value;
    }

    private static string Kind(string kind) => InformationKinds.TryGetValue(kind, out var name) ? name : $"（情報の種類 {kind}）";

    private static string Place(string code, EventNames names) => names.Institution?.Invoke(code) ?? code;

    private static string Resident(long id, EventNames names) =>
        names.Resident?.Invoke(id) ?? "住民記録 " + id.ToString(CultureInfo.InvariantCulture);

    /// <summary>A word of a detail outside pairs: a known code → its words; a municipality code → its name; an unknown ASCII code → quoted.</summary>
    private static string Word(string token, EventNames names)
    {
        if (token.All(char.IsAsciiDigit))
            return token.Length == 6 && names.Institution?.Invoke(token) is { } place ? place : token;
        if (Codes.TryGetValue(token, out var word)) return word;
        if (Events.TryGetValue(token, out var @event)) return @event;
        if (JapaneseText.AllowedWords.Contains(token)) return token; // PDF, CSV, JPKI …
        if (InformationKinds.TryGetValue(token, out var kind)) return kind;
        // Ids (kodomo01), serials, application kinds with digits stay as they are; letters-only codes are quoted.
        return token.Any(char.IsAsciiDigit) ? token : $"（コード {token}）";
    }

    /// <summary>
    /// "(+3 more)"; "kind → provider" (a linkage step); "key=value"; and ASCII tokens — codes (kebab-case, camelCase) and
    /// numbers that stand alone (not parts of ids, paths or pairs), and a code right before a colon ("refused:").
    /// </summary>
    [GeneratedRegex(@"(?<more>\(\+(?<n>\d+) more\))"
        + @"|(?<![\w-])(?<kind>[a-z][a-z-]*) → (?<provider>[A-Za-z0-9/-]+)"
        + @"|(?<![\w-])(?<key>[a-z][a-z-]*)=(?<value>[^\s;]*)"
        + @"|(?<![\w.:/=-])[A-Za-z0-9][A-Za-z0-9-]*(?![\w.:/=-])"
        + @"|(?<![\w.:/=-])[A-Za-z][A-Za-z-]*(?=:)")]
    private static partial Regex Parts();
}
