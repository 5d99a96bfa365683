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

    /// <summary>First day .NET's JapaneseCalendar supports (明治6年1月1日).</summary>
    public static readonly DateOnly MinSupported = DateOnly.FromDateTime(Calendar.MinSupportedDateTime);

    public static string Format(DateOnly date)
    {
        if (date < MinSupported)
            throw new ArgumentOutOfRangeException(nameof(date), "dates before 1873 have no Japanese-era form here");
        var dateTime = date.ToDateTime(TimeOnly.MinValue);
        var era = Calendar.GetEra(dateTime);
        var year = Calendar.GetYear(dateTime);
        var eraName = era < EraNames.Length ? EraNames[era] : $"era{era}";
        var yearText = year == 1 ? "元" : year.ToString(CultureInfo.InvariantCulture);
        return $"{eraName}{yearText}年{date.Month}月{date.Day}日";
    }
}
