using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Renkei.Core.Dates;

namespace Renkei.StaffConsole;

/// <summary>
/// Dates as staff type them: 1970-01-01, 1970/1/1, 19700101, 昭和45年1月1日, 令和元年5月1日, S45.1.1 or R1/5/1, in half- or
/// full-width characters. Everything else is refused with a message that says what is accepted.
/// </summary>
public static partial class DateInput
{
    public const string Hint = "例: 昭和45年1月1日、S45.1.1、1970-01-01";

    private static readonly JapaneseCalendar Calendar = new();

    // Era index as JapaneseCalendar numbers them: 1 明治 … 5 令和.
    private static readonly Dictionary<string, int> Eras = new(StringComparer.OrdinalIgnoreCase)
    {
        ["明治"] = 1, ["M"] = 1, ["大正"] = 2, ["T"] = 2, ["昭和"] = 3, ["S"] = 3, ["平成"] = 4, ["H"] = 4, ["令和"] = 5, ["R"] = 5,
    };

    [GeneratedRegex(@"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")]
    private static partial Regex Gregorian();

    [GeneratedRegex(@"^(\d{4})(\d{2})(\d{2})$")]
    private static partial Regex Compact();

    [GeneratedRegex(@"^(\d{4})年(\d{1,2})月(\d{1,2})日$")]
    private static partial Regex GregorianKanji();

    [GeneratedRegex(@"^(明治|大正|昭和|平成|令和|[MTSHR])(元|\d{1,2})[年./-](\d{1,2})[月./-](\d{1,2})日?$", RegexOptions.IgnoreCase)]
    private static partial Regex Era();

    /// <summary>Null input or only spaces is "no date" (true, with null).</summary>
    public static bool TryParse(string? text, out DateOnly? date, out string? error)
    {
        date = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        var input = string.Concat(text.Normalize(NormalizationForm.FormKC).Where(c => !char.IsWhiteSpace(c)));
        Match m;
        if ((m = Gregorian().Match(input)).Success || (m = Compact().Match(input)).Success || (m = GregorianKanji().Match(input)).Success)
        {
            if (TryMake(Int(m.Groups[1]), Int(m.Groups[2]), Int(m.Groups[3]), out var gregorian)) { date = gregorian; return true; }
            error = "存在しない日付です";
            return false;
        }
        if ((m = Era().Match(input)).Success)
        {
            var era = Eras[m.Groups[1].Value];
            var year = m.Groups[2].Value == "元" ? 1 : Int(m.Groups[2]);
            try
            {
                var value = DateOnly.FromDateTime(Calendar.ToDateTime(year, Int(m.Groups[3]), Int(m.Groups[4]), 0, 0, 0, 0, era));
                // JapaneseCalendar accepts some dates of an era's first year that fall before the era began; refuse them.
                if (!JapaneseEraDate.Format(value).StartsWith(EraName(era), StringComparison.Ordinal)) throw new ArgumentOutOfRangeException(nameof(text));
                date = value;
                return true;
            }
            catch (ArgumentOutOfRangeException)
            {
                error = "その元号に存在しない日付です";
                return false;
            }
        }
        error = "日付の形式が正しくありません（" + Hint + "）";
        return false;
    }

    private static string EraName(int era) => era switch { 1 => "明治", 2 => "大正", 3 => "昭和", 4 => "平成", _ => "令和" };

    private static int Int(Group group) => int.Parse(group.Value, NumberStyles.None, CultureInfo.InvariantCulture);

    private static bool TryMake(int year, int month, int day, out DateOnly date)
    {
        date = default;
        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        date = new DateOnly(year, month, day);
        return true;
    }
}
