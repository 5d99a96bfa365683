using System.Globalization;
using System.Text.Json;
using Renkei.Core.Numbers;

namespace Renkei.Intermediate.Kinds;

/// <summary>
/// Trust rule 3 at the door: the intermediate server never holds an individual number nor the four basic facts
/// (基本4情報: name, address, birth date, sex). There are no columns for them, and this guard refuses a body that
/// has a property named like one of them (at any depth) or any string that is a valid individual number (whole, or as
/// a run of twelve digits inside the text) or any JSON number that is an integer of twelve digits (a number written as a
/// JSON number, <c>683950747692</c>, <c>6.83950747692e11</c> or <c>-683950747692</c>, whatever its check digit: no amount or
/// count in a copy has twelve digits, so the rule is kept simple and strict). Schemas are checked with the same names when
/// they load.
/// </summary>
public static class ForbiddenContent
{
    /// <summary>Fragments that make a property name forbidden, matched on the lower-cased name without separators.</summary>
    private static readonly string[] Fragments =
    [
        "name", "kana", "furigana", "address", "birth", "dob", "sex", "gender",
        "individualnumber", "mynumber", "kojinbango", "shimei", "namae", "jusho", "juusho", "seinengappi", "seibetsu",
        "氏名", "名前", "フリガナ", "ふりがな", "カナ", "住所", "所在地", "生年月日", "誕生日", "性別", "個人番号", "マイナンバー",
    ];

    internal const string PropertyMessage =
        "a copy may not hold a name, kana, address, birth date, sex or individual number (基本4情報・個人番号は保有できません)";
    internal const string NameNumberMessage =
        "a property name holds a valid individual number; the intermediate server never holds one (個人番号は保有できません)";
    internal const string ValueNumberMessage =
        "the value is a valid individual number; the intermediate server never holds one (個人番号は保有できません)";

    internal const string NumericNumberMessage =
        "the value is a 12-digit integer, which could be an individual number; the intermediate server never holds one (個人番号は保有できません)";

    private const decimal SmallestTwelveDigits = 100_000_000_000m;
    private const decimal SmallestThirteenDigits = 1_000_000_000_000m;

    /// <summary>True when <paramref name="number"/> (a JSON number) is an integer with exactly twelve digits, however it is written.</summary>
    public static bool IsTwelveDigitInteger(JsonElement number)
    {
        if (number.ValueKind != JsonValueKind.Number || !number.TryGetDecimal(out var value)) return false;
        var magnitude = Math.Abs(value);
        return magnitude >= SmallestTwelveDigits && magnitude < SmallestThirteenDigits && magnitude == decimal.Truncate(magnitude);
    }

    /// <summary>True when <paramref name="propertyName"/> looks like a name, kana, address, birth date, sex or number field.</summary>
    public static bool IsForbiddenPropertyName(string propertyName)
    {
        var normalized = new System.Text.StringBuilder(propertyName.Length);
        foreach (var c in propertyName)
            if (char.IsLetterOrDigit(c)) normalized.Append(char.ToLowerInvariant(c));
        // "addressee" (宛名, the integrated addressee number) is the key the server is built on, not an address.
        var text = normalized.ToString().Replace("addressee", "", StringComparison.Ordinal);
        foreach (var fragment in Fragments)
            if (text.Contains(fragment, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>True when <paramref name="text"/> is, or contains as a run of twelve digits, a valid individual number.</summary>
    public static bool ContainsIndividualNumber(string text)
    {
        var digits = 0;
        foreach (var c in text) if (IsDigit(c)) digits++;
        if (digits < IndividualNumber.Length) return false;
        if (IndividualNumber.Parse(text).IsValid) return true;
        var run = 0;
        long value = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && IsDigit(text[i]))
            {
                run++;
                value = run <= IndividualNumber.Length ? value * 10 + DigitValue(text[i]) : 0;
                continue;
            }
            if (run == IndividualNumber.Length && IndividualNumber.ComputeCheckDigit(value / 10) == (int)(value % 10)) return true;
            run = 0;
            value = 0;
        }
        return false;
    }

    /// <summary>
    /// Adds an error for every forbidden property name and every string holding a valid individual number in
    /// <paramref name="value"/>, whatever the schema says (the schema validator calls it for parts it does not know).
    /// </summary>
    public static void Check(JsonElement value, string path, List<ValidationError> errors)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    var where = JsonSchemaNode.PathOf(path, property.Name);
                    if (IsForbiddenPropertyName(property.Name))
                        errors.Add(new ValidationError(where, "forbidden-property", PropertyMessage));
                    else if (ContainsIndividualNumber(property.Name))
                        errors.Add(new ValidationError(where, "individual-number", NameNumberMessage));
                    Check(property.Value, where, errors);
                }
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                    Check(item, path + "[" + (index++).ToString(CultureInfo.InvariantCulture) + "]", errors);
                break;
            case JsonValueKind.String:
                if (ContainsIndividualNumber(value.GetString()!))
                    errors.Add(new ValidationError(path, "individual-number", ValueNumberMessage));
                break;
            case JsonValueKind.Number:
                if (IsTwelveDigitInteger(value))
                    errors.Add(new ValidationError(path, "individual-number", NumericNumberMessage));
                break;
        }
    }

    private static bool IsDigit(char c) => c is >= '0' and <= '9' or >= '０' and <= '９';

    private static int DigitValue(char c) => c <= '9' ? c - '0' : c - '０';
}
