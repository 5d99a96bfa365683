using System.Text;

namespace Renkei.Core.Text;

/// <summary>
/// What a person reads of a message: clerks and residents read Japanese only, programs read the stable <c>code</c>.
/// <para>The convention: messages in the code base are written "English (日本語)" (the Japanese part in the last
/// parentheses) or "日本語 (English)"; engineers read both in logs and the CLI. Wherever a message reaches a person — a
/// problem's <c>detail</c>, a page of the staff console or the portal — it passes through <see cref="ForPerson"/>, which
/// keeps the Japanese part (and a leading field name such as <c>birthDate: </c>), and falls back to a Japanese sentence for
/// the code or the status when a message has no Japanese part at all. A message that is Japanese already is kept as it
/// is.</para>
/// <para><see cref="EnglishSentences"/> finds what a person should not read: a line with three or more consecutive ASCII
/// words of letters (codes such as <c>131091</c>, ids such as <c>kodomo01</c>, hyphenated codes, file names and the words
/// of <see cref="AllowedWords"/> are not words).</para>
/// </summary>
public static partial class JapaneseText
{
    /// <summary>ASCII words a Japanese page uses as they are (abbreviations, units, names of standards).</summary>
    public static readonly IReadOnlySet<string> AllowedWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "PDF", "CSV", "JSON", "ID", "IDs", "JPKI", "PIN", "TOTP", "URL", "QR", "OK", "API", "HTTP", "HTTPS", "TLS", "HTML",
        "Merkle", "SHA", "ECDSA", "RSA", "KB", "MB", "GB", "kB", "yen", "PDFsharp", "Renkei", "OpenAPI", "IC",
    };

    /// <summary>How many consecutive ASCII words make an English sentence.</summary>
    public const int SentenceWords = 3;

    /// <summary>
    /// The Japanese a person reads of <paramref name="message"/>: the message itself when it has no English sentence; else
    /// its Japanese part ("English (日本語)" → 日本語, "日本語 (English)" → 日本語, "field: English (日本語)" → "field: 日本語");
    /// else <see cref="FallbackFor"/> the code and status. Never returns English sentences.
    /// </summary>
    public static string ForPerson(string? message, string? code = null, int? status = null)
    {
        if (string.IsNullOrWhiteSpace(message)) return FallbackFor(code, status);
        message = message.Trim();
        if (ListForPerson(message, code, status) is { } list) return list;
        var groups = TopLevelGroups(message);
        // "English (日本語)": the Japanese in the last parentheses, after a leading field name if there is one.
        if (groups.Count > 0 && groups[^1].End == message.Length - 1 && HasJapanese(Inner(message, groups[^1]))
            && HasEnglishWord(message[..groups[^1].Start]))
            return FieldPrefix(message) + ForPerson(Inner(message, groups[^1]), code, status);
        // "日本語 (English)": Japanese once the English asides are left out.
        var outside = Outside(message, groups.Where(g => !HasJapanese(Inner(message, g)) && HasEnglishWord(Inner(message, g))));
        if (HasJapanese(outside) && !HasEnglishSentence(outside)) return WithoutCodeAside(outside);
        // English around a Japanese part: the last Japanese part that reads as Japanese.
        foreach (var group in groups.AsEnumerable().Reverse())
        {
            var inner = Inner(message, group).Trim();
            if (!HasJapanese(inner)) continue;
            var japanese = ForPerson(inner, code, status);
            if (!HasEnglishSentence(japanese)) return FieldPrefix(message) + japanese;
        }
        // "English context: 日本語" (a client's exception around a problem's detail): the Japanese after the context.
        for (var colon = message.IndexOf(": ", StringComparison.Ordinal); colon >= 0; colon = message.IndexOf(": ", colon + 2, StringComparison.Ordinal))
        {
            var rest = message[(colon + 2)..];
            if (!HasJapanese(rest) || !HasEnglishWord(message[..colon])) continue;
            var japanese = ForPerson(rest, code, status);
            if (HasJapanese(japanese) && !HasEnglishSentence(japanese)) return japanese;
        }
        return HasEnglishWord(message) ? FieldPrefix(message) + FallbackFor(code, status) : message;
    }

    /// <summary>
    /// A list of problems by field with a Japanese summary: "a: rule: English (日本語); b: rule: English; and 2 more (要約)"
    /// → "要約: a: rule: 日本語; b: rule; ほか2件". Null when <paramref name="message"/> is not such a list.
    /// </summary>
    private static string? ListForPerson(string message, string? code, int? status)
    {
        var groups = TopLevelGroups(message);
        if (groups.Count == 0 || groups[^1].End != message.Length - 1 || !HasJapanese(Inner(message, groups[^1]))) return null;
        // Items start with a field ("a.b: rule: …"); a "; " inside an item's own sentence does not start one.
        var items = new List<string>();
        foreach (var part in message[..groups[^1].Start].Trim().Split("; "))
        {
            if (FieldPrefix(part).Length > 0 || MoreProblems().IsMatch(part) || items.Count == 0) items.Add(part);
            else items[^1] += "; " + part;
        }
        if (FieldPrefix(items[0]).Length == 0 || items.Count == 1 && !HasJapanese(items[0])) return null; // "field: English (日本語)" is no list
        var rendered = new List<string>();
        foreach (var item in items)
        {
            if (MoreProblems().Match(item) is { Success: true } more)
            {
                rendered.Add($"ほか{more.Groups[1].Value}件");
                continue;
            }
            var prefix = FieldPrefix(item);
            rendered.Add(HasJapanese(item) ? ForPerson(item, code, status) : HasEnglishWord(item[prefix.Length..]) ? prefix.TrimEnd(' ', ':') : item);
        }
        return ForPerson(Inner(message, groups[^1]), code, status) + ": " + string.Join("; ", rendered);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^and (\d+) more$")]
    private static partial System.Text.RegularExpressions.Regex MoreProblems();

    /// <summary>
    /// A Japanese sentence for a refusal whose message has no Japanese part: the sentence of a known code, else the
    /// sentence of the status (or a generic one), with the code in parentheses so the help desk can look it up.
    /// </summary>
    public static string FallbackFor(string? code, int? status)
    {
        if (code is not null && CodeSentences.TryGetValue(code, out var sentence)) return sentence;
        var general = status is { } s ? StatusSentence(s) : "処理できませんでした。";
        return code is { Length: > 0 } && IsCode(code) ? $"{general}（コード: {code}）" : general;
    }

    /// <summary>The Japanese title of a problem with <paramref name="status"/> (the same for every code of that status).</summary>
    public static string StatusTitle(int status) => status switch
    {
        400 => "要求の内容に誤りがあります",
        401 => "認証が必要です",
        403 => "この操作は許可されていません",
        404 => "見つかりません",
        409 => "現在の状態では実行できません",
        413 => "要求が大きすぎます",
        415 => "要求の形式に対応していません",
        422 => "要求を処理できません",
        429 => "要求が多すぎます",
        500 => "内部エラーが発生しました",
        502 => "連携先のサービスが要求を拒否しました",
        503 => "サービスを利用できません",
        504 => "連携先のサービスが応答しません",
        >= 400 and < 500 => "要求を受け付けられません",
        _ => "サービスでエラーが発生しました",
    };

    /// <summary><see cref="StatusTitle"/> as a sentence.</summary>
    public static string StatusSentence(int status) => StatusTitle(status) + "。";

    /// <summary>Sentences for codes whose messages are English only somewhere in the code base.</summary>
    private static readonly Dictionary<string, string> CodeSentences = new(StringComparer.Ordinal)
    {
        ["internal-error"] = "内部エラーが発生しました。時間をおいてもう一度お試しください。",
        ["bad-request"] = "要求を読み取れません。",
        ["unauthenticated"] = "ログインしてください。",
        ["forbidden"] = "この操作は許可されていません。",
        ["not-found"] = "見つかりません。",
        ["rate-limited"] = "要求が多すぎます。しばらく待ってからもう一度お試しください。",
        ["provider-unavailable"] = "提供先のサービスが応答しません。時間をおいてもう一度お試しください。",
        ["intermediate-unavailable"] = "中間サーバーに接続できません。時間をおいてもう一度お試しください。",
    };

    /// <summary>True when some line of <paramref name="text"/> has <see cref="SentenceWords"/> or more consecutive ASCII words.</summary>
    public static bool HasEnglishSentence(string? text) => EnglishSentences(text).Count > 0;

    /// <summary>The lines of <paramref name="text"/> (trimmed) that have an English sentence.</summary>
    public static IReadOnlyList<string> EnglishSentences(string? text)
    {
        if (string.IsNullOrEmpty(text)) return [];
        var lines = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (LongestWordRun(line) >= SentenceWords) lines.Add(line);
        }
        return lines;
    }

    /// <summary>True when <paramref name="text"/> has a kana or kanji character (or a full-width form).</summary>
    public static bool HasJapanese(string? text) => text is not null && text.Any(IsJapanese);

    private static bool IsJapanese(char c) =>
        c is >= '\u3040' and <= '\u30FF' // hiragana, katakana
            or >= '\u3400' and <= '\u4DBF' or >= '\u4E00' and <= '\u9FFF' or >= '\uF900' and <= '\uFAFF' // kanji
            or >= '\u3000' and <= '\u303F' // Japanese punctuation
            or >= '\uFF01' and <= '\uFF9F'; // full-width forms, half-width katakana

    private static int LongestWordRun(string line)
    {
        int longest = 0, run = 0;
        var start = -1;
        for (var i = 0; i <= line.Length; i++)
        {
            var boundary = i == line.Length || char.IsWhiteSpace(line[i]);
            if (!boundary)
            {
                if (start < 0) start = i;
                continue;
            }
            if (start < 0) continue;
            var token = line[start..i];
            start = -1;
            run = IsWord(token) ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        return longest;
    }

    /// <summary>A token of ASCII letters only (after trimming punctuation around it) that is not an allowed word.</summary>
    private static bool IsWord(string token)
    {
        var core = token.TrimStart('(', '[', '{', '"', '\'', '“', '‘');
        var trimmed = core.TrimEnd(')', ']', '}', '"', '\'', ',', '.', ';', ':', '!', '?', '”', '’');
        return trimmed.Length > 0 && trimmed.All(char.IsAsciiLetter) && !AllowedWords.Contains(trimmed);
    }

    /// <summary>A Japanese message without a trailing "(an-english-code)" aside: "…してください (password-change-required)" → "…してください".</summary>
    private static string WithoutCodeAside(string message)
    {
        var groups = TopLevelGroups(message);
        if (groups.Count == 0 || groups[^1].End != message.Length - 1) return message;
        var inner = Inner(message, groups[^1]);
        var rest = message[..groups[^1].Start].TrimEnd();
        return HasJapanese(rest) && inner.Any(char.IsAsciiLetter) && inner.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? rest : message;
    }

    /// <summary>True when <paramref name="text"/> has an ASCII word of letters (not an allowed word, not a code or an id).</summary>
    private static bool HasEnglishWord(string text)
    {
        var ascii = new string(text.Select(c => IsJapanese(c) ? ' ' : c).ToArray());
        return ascii.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Any(IsWord);
    }

    /// <summary>
    /// "birthDate: " or "children[0].name: " at the start of <paramref name="message"/> (a field name a contract declares),
    /// with the rule codes that follow it ("copies[2].kind: enum: ", "actor: required: ").
    /// </summary>
    private static string FieldPrefix(string message)
    {
        var end = 0;
        while (true)
        {
            var colon = message.IndexOf(": ", end, StringComparison.Ordinal);
            if (colon <= end || colon - end > 80) break;
            var name = message[end..colon];
            if (!char.IsAsciiLetter(name[0]) || name.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-' or '.' or '[' or ']'))) break;
            end = colon + 2;
        }
        return message[..end];
    }

    private readonly record struct Group(int Start, int End);

    private static string Inner(string text, Group group) => text[(group.Start + 1)..group.End];

    /// <summary>The parenthesised groups ("(…)" and "（…）") at the top level, in order.</summary>
    private static List<Group> TopLevelGroups(string text)
    {
        var groups = new List<Group>();
        var depth = 0;
        var start = -1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '(' or '（')
            {
                if (depth == 0) start = i;
                depth++;
            }
            else if (c is ')' or '）' && depth > 0)
            {
                depth--;
                if (depth == 0) groups.Add(new Group(start, i));
            }
        }
        return groups;
    }

    private static string Outside(string text, IEnumerable<Group> removed)
    {
        var builder = new StringBuilder(text.Length);
        var at = 0;
        foreach (var group in removed.OrderBy(g => g.Start))
        {
            builder.Append(text, at, group.Start - at);
            at = group.End + 1;
        }
        builder.Append(text, at, text.Length - at);
        var result = builder.ToString();
        while (result.Contains("  ", StringComparison.Ordinal)) result = result.Replace("  ", " ", StringComparison.Ordinal);
        return result.Replace(" 。", "。", StringComparison.Ordinal).Replace(" 、", "、", StringComparison.Ordinal).Trim().TrimEnd(':').Trim();
    }

    private static bool IsCode(string code) =>
        code.Length <= 64 && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
