using System.Globalization;

namespace Renkei.Core.Dates;

/// <summary>
/// Formats dates for residents in the Japanese era (和暦), e.g. 令和8年11月22日, 令和元年5月1日.
/// The system stores ISO dates; this is only for what a resident reads.
/// </summary>
public static class JapaneseEraDate
{
    private static readonly JapaneseCalendar Calendar = new();

    // Era numbers as JapaneseCalendar returns them: 1 Meiji … 5 Reiwa.
    private static readonly string[] EraNames = ["", "明治", "大正", "昭和", "平成", "令和"];

    /// <summary>
    /// First day with a Japanese-era form here: 明治元年1月1日 (1868-01-01; the 改元の詔 made 明治 apply from the start of that
    /// year). .NET's calendar starts at 明治6年 (1873), when Japan took up the Gregorian calendar; the years before are
    /// written as 明治 1–5 with the Gregorian month and day, as registers converted them.
    /// </summary>
    public static readonly DateOnly MinSupported = new(1868, 1, 1);

    private static readonly DateOnly CalendarStart = DateOnly.FromDateTime(Calendar.MinSupportedDateTime);

    public static string Format(DateOnly date) =>
        TryFormat(date, out var text) ? text : throw new ArgumentOutOfRangeException(nameof(date), "dates before 1868 have no Japanese-era form here");

    /// <summary>The Japanese-era form, or false for a date before <see cref="MinSupported"/> (never throws).</summary>
    public static bool TryFormat(DateOnly date, out string text)
    {
        if (date < MinSupported)
        {
            text = "";
            return false;
        }
        if (date < CalendarStart)
        {
            var meiji = date.Year - 1867;
            text = $"{EraNames[1]}{(meiji == 1 ? "元" : meiji.ToString(CultureInfo.InvariantCulture))}年{date.Month}月{date.Day}日";
            return true;
        }
        var dateTime = date.ToDateTime(TimeOnly.MinValue);
        var era = Calendar.GetEra(dateTime);
        var year = Calendar.GetYear(dateTime);
        var eraName = era < EraNames.Length ? EraNames[era] : $"era{era}";
        var yearText = year == 1 ? "元" : year.ToString(CultureInfo.InvariantCulture);
        text = $"{eraName}{yearText}年{date.Month}月{date.Day}日";
        return true;
    }
}
