using System.Collections.Frozen;
using System.Text;

namespace Renkei.Municipality.Registry;

/// <summary>
/// The folded form of a name or kana reading that the register searches on (検索キー), so that the ways people write the
/// same name find each other (docs/search.md):
/// <list type="number">
/// <item>Unicode NFKC: half-width katakana become full-width with their (han)dakuten composed (ﾀﾞ → ダ, ﾊﾟ → パ), full-width
/// letters and digits become ASCII, compatibility ideographs become their unified form;</item>
/// <item>hiragana become katakana (や → ヤ, ゞ → ヾ);</item>
/// <item>every long-vowel mark and dash people type for it (ー ｰ － - ‐ ‑ ‒ – — ― −) becomes ー;</item>
/// <item>旧字体 and 異体字 become the common form by <see cref="VariantTable"/> (髙 → 高, 齋/齊 → 斎, 﨑 → 崎 …);</item>
/// <item>white space is removed.</item>
/// </list>
/// Nothing else is folded: voiced and unvoiced kana (ハ / バ / パ), small and large kana (ャ / ヤ) and distinct kanji
/// (竜 / 龍) stay distinct. Keys are stored beside the names and written on every insert and name change; when this table
/// or the rules change, <see cref="Version"/> changes and the register folds every stored name again when it opens.
/// </summary>
public static class NameSearchKey
{
    /// <summary>The version of the folding rules and table; stored in <c>register_info</c> as <c>search-key-version</c>.</summary>
    public const string Version = "1";

    /// <summary>
    /// 旧字体・異体字 → the form the key uses, one row per variant. docs/search.md lists the same rows (a test checks);
    /// add a row here and there together.
    /// </summary>
    public static readonly IReadOnlyList<(string Variant, string Common)> VariantTable =
    [
        ("髙", "高"), ("齋", "斎"), ("齊", "斎"), ("﨑", "崎"), ("嵜", "崎"), ("碕", "崎"),
        ("邊", "辺"), ("邉", "辺"), ("濱", "浜"), ("澤", "沢"), ("櫻", "桜"), ("𠮷", "吉"),
        ("德", "徳"), ("廣", "広"), ("國", "国"), ("榮", "栄"), ("惠", "恵"), ("眞", "真"),
        ("藏", "蔵"), ("淺", "浅"), ("嶋", "島"), ("嶌", "島"), ("冨", "富"), ("萬", "万"),
        ("彌", "弥"), ("實", "実"), ("條", "条"), ("壽", "寿"), ("傳", "伝"), ("瀨", "瀬"),
        ("賴", "頼"), ("槇", "槙"), ("黑", "黒"), ("靑", "青"), ("舘", "館"), ("圓", "円"),
        ("會", "会"), ("澁", "渋"), ("關", "関"), ("鐵", "鉄"), ("兒", "児"), ("邨", "村"),
        ("淵", "渕"), ("桒", "桑"), ("龜", "亀"), ("嶽", "岳"), ("驛", "駅"), ("戶", "戸"),
    ];

    private static readonly FrozenDictionary<int, string> Variants =
        VariantTable.ToFrozenDictionary(row => char.ConvertToUtf32(row.Variant, 0), row => row.Common);

    /// <summary>The search key of <paramref name="text"/> (empty for null or blank).</summary>
    public static string Fold(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var normalized = text.IsNormalized(NormalizationForm.FormKC) ? text : text.Normalize(NormalizationForm.FormKC);
        var key = new StringBuilder(normalized.Length);
        foreach (var rune in normalized.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune)) continue;
            var value = rune.Value;
            if (Variants.TryGetValue(value, out var common)) { key.Append(common); continue; }
            switch (value)
            {
                case >= 0x3041 and <= 0x3096 or 0x309D or 0x309E: // ぁ–ゖ, ゝ ゞ → ァ–ヶ, ヽ ヾ
                    key.Append((char)(value + 0x60));
                    break;
                case 0x002D or 0x2010 or 0x2011 or 0x2012 or 0x2013 or 0x2014 or 0x2015 or 0x2212 or 0x30FC or 0xFF70:
                    key.Append('ー');
                    break;
                default:
                    key.Append(rune.ToString());
                    break;
            }
        }
        return key.ToString();
    }

    /// <summary>The upper bound of a prefix range: every key that starts with <paramref name="prefix"/> sorts below it (bytewise).</summary>
    internal static string PrefixUpperBound(string prefix) => prefix + char.ConvertFromUtf32(0x10FFFF);
}
