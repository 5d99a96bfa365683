namespace Renkei.Core.Text;

/// <summary>
/// Cells of the CSV files Renkei writes (RFC 4180: a cell holding a comma, a quote or a line break is quoted, quotes
/// doubled), safe to open in a spreadsheet. A text cell that begins with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab
/// or a carriage return (or their full-width forms) would run as a formula (CSV injection), so it is written with a
/// leading apostrophe, as OWASP recommends; spreadsheets show the text as it was. Cells whose value the program formats
/// itself — numbers, dates, times, codes, hashes — go through <see cref="Value"/> and keep their sign and form.
/// </summary>
public static class CsvCell
{
    /// <summary>True when a spreadsheet would read <paramref name="text"/> as a formula.</summary>
    public static bool LooksLikeFormula(ReadOnlySpan<char> text) =>
        text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' or '＝' or '＋' or '－' or '＠';

    /// <summary>A text cell (names, addresses, free text): neutralised if it looks like a formula, quoted when needed. Null is empty.</summary>
    public static string Text(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        return Value(LooksLikeFormula(value) ? "'" + value : value);
    }

    /// <summary>A cell the program formatted (a number, possibly negative; a date; a code): quoted when needed, otherwise as it is.</summary>
    public static string Value(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
