using System.Text.RegularExpressions;

namespace Renkei.Municipality.Registry;

/// <summary>
/// The bounds on what enters the resident register, in one place: the staff API, register events and the CSV importer all
/// check against these. Every refusal names the field and the rule and never repeats the value.
/// <list type="table">
/// <listheader><term>what</term><description>bound</description></listheader>
/// <item><term>family / given name, and each kana reading</term><description>1–<see cref="MaxNamePart"/> characters</description></item>
/// <item><term>address, destination (転出先)</term><description>1–<see cref="MaxAddress"/> characters</description></item>
/// <item><term>reason, country of origin, nationality</term><description>1–<see cref="MaxShortText"/> characters</description></item>
/// <item><term>household number</term><description>1–<see cref="MaxHouseholdNumber"/> ASCII digits</description></item>
/// <item><term>every free-text field</term><description>no control characters; no run of <see cref="MaxDigitRun"/>+1 or more
/// digits (half- or full-width, also grouped with spaces or hyphens), which is what an individual number (12) or a
/// resident-record code (11) looks like</description></item>
/// <item><term>dates that are days in a life (birth, event, move)</term><description><see cref="EarliestDate"/> to today + 1 year</description></item>
/// <item><term>search terms (name, kana)</term><description>at most <see cref="MaxSearchTerm"/> characters, not only wildcards</description></item>
/// <item><term>search page size</term><description>1–<see cref="MaxSearchLimit"/></description></item>
/// <item><term>staff API request body</term><description>at most <see cref="MaxRequestBodyBytes"/> bytes</description></item>
/// </list>
/// </summary>
public static partial class RegisterInputRules
{
    public const int MaxNamePart = 100;
    public const int MaxAddress = 200;
    public const int MaxShortText = 100;
    public const int MaxHouseholdNumber = 12;
    public const int MaxDigitRun = 10;
    public const int MaxSearchTerm = 100;
    public const int MaxSearchLimit = 200;
    public const int MaxRequestBodyBytes = 64 * 1024;

    /// <summary>明治元年: the register holds no day before it.</summary>
    public static readonly DateOnly EarliestDate = new(1868, 1, 1);

    /// <summary>The latest accepted date: a year after <paramref name="today"/> (a notice may be filed ahead).</summary>
    public static DateOnly LatestDate(DateOnly today) => today.AddYears(1);

    /// <summary>The maximum length of a free-text field by its (camelCase or CSV) name; <see cref="MaxShortText"/> for the rest.</summary>
    public static int MaxLength(string field) => field switch
    {
        "familyName" or "givenName" or "familyNameKana" or "givenNameKana"
            or "family_name" or "given_name" or "family_name_kana" or "given_name_kana" => MaxNamePart,
        "address" or "newAddress" or "destination" => MaxAddress,
        _ => MaxShortText,
    };

    /// <summary>Null when the text is acceptable for <paramref name="field"/> (after trimming), otherwise why not (code, English and Japanese).</summary>
    public static (string Code, string Message)? CheckText(string? text, string field)
    {
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value)) return ("missing-field", $"{field} is required ({field} が未記入です)");
        var max = MaxLength(field);
        if (value.Length > max) return ("field-too-long", $"{field} is longer than {max} characters ({field} は{max}文字以内で記入してください)");
        if (value.Any(char.IsControl)) return ("bad-text", $"{field} contains a control character (制御文字が含まれています)");
        if (HasNumberLikeDigits(value))
            return ("digits-not-allowed", $"{field} holds a long run of digits such as an individual number; such numbers are never written into free text ({field} に個人番号のような数字の並びは記入できません)");
        return null;
    }

    /// <summary>The trimmed text, or a <see cref="RegisterException"/> naming the field and the rule.</summary>
    public static string RequireText(string? text, string field)
    {
        if (CheckText(text, field) is { } problem) throw new RegisterException(problem.Code, problem.Message);
        return text!.Trim();
    }

    /// <summary>Null when <paramref name="date"/> is a day between <see cref="EarliestDate"/> and a year after <paramref name="today"/>.</summary>
    public static (string Code, string Message)? CheckDate(DateOnly date, string field, DateOnly today)
    {
        var latest = LatestDate(today);
        return date < EarliestDate || date > latest
            ? ("date-out-of-range", $"{field} must be between {EarliestDate:yyyy-MM-dd} and {latest:yyyy-MM-dd} ({field} の日付が範囲外です)")
            : null;
    }

    public static DateOnly RequireDate(DateOnly date, string field, DateOnly today)
    {
        if (CheckDate(date, field, today) is { } problem) throw new RegisterException(problem.Code, problem.Message);
        return date;
    }

    /// <summary>Whether a household number is 1–12 ASCII digits (after trimming).</summary>
    public static bool IsHouseholdNumber(string? text) =>
        text?.Trim() is { Length: > 0 and <= MaxHouseholdNumber } trimmed && trimmed.All(char.IsAsciiDigit);

    public static string RequireHouseholdNumber(string text, string field) => IsHouseholdNumber(text)
        ? text.Trim()
        : throw new RegisterException("bad-household-number", $"{field}: expected 1 to {MaxHouseholdNumber} digits (世帯番号が不正です)");

    /// <summary>
    /// Whether the text holds more than <see cref="MaxDigitRun"/> digits in a row (full-width digits count; single spaces or
    /// hyphens between digits do not break the run): what an individual number or a resident-record code looks like.
    /// </summary>
    public static bool HasNumberLikeDigits(string text)
    {
        var run = 0;
        var separator = false;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c) || c is >= '０' and <= '９')
            {
                run++;
                separator = false;
                if (run > MaxDigitRun) return true;
            }
            else if (run > 0 && !separator && IsSeparator(c)) separator = true;
            else
            {
                run = 0;
                separator = false;
            }
        }
        return false;
    }

    private static bool IsSeparator(char c) =>
        c is ' ' or '\u3000' or '-' or '\uFF0D' or '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2015' or '\u2212' or '\u30FC' or '\uFF70';

    /// <summary>
    /// Escapes a term for <c>LIKE … ESCAPE '\'</c> (the same on SQLite and PostgreSQL): the escape character itself, <c>%</c>
    /// and <c>_</c> are matched literally.
    /// </summary>
    public static string EscapeLike(string term) => LikeMeta().Replace(term, @"\$0");

    /// <summary>Whether a search term is nothing but LIKE wildcards and the escape character (it would match everyone).</summary>
    public static bool IsWildcardOnly(string term) => term.Length > 0 && term.All(c => c is '%' or '_' or '\\' or '％' or '＿');

    [GeneratedRegex(@"[\\%_]")]
    private static partial Regex LikeMeta();
}
