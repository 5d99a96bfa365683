using Renkei.Core.Dates;

namespace Renkei.Core.Tests;

public class JapaneseEraDateTests
{
    [Theory]
    [InlineData("2026-11-22", "令和8年11月22日")]
    [InlineData("2019-05-01", "令和元年5月1日")]
    [InlineData("2019-04-30", "平成31年4月30日")]
    [InlineData("1989-01-08", "平成元年1月8日")]
    [InlineData("1989-01-07", "昭和64年1月7日")]
    [InlineData("1926-12-25", "昭和元年12月25日")]
    [InlineData("1926-12-24", "大正15年12月24日")]
    [InlineData("1912-07-30", "大正元年7月30日")]
    [InlineData("1900-01-01", "明治33年1月1日")]
    public void Formats_in_the_era_of_the_day(string iso, string expected)
    {
        Assert.Equal(expected, JapaneseEraDate.Format(DateOnly.Parse(iso, System.Globalization.CultureInfo.InvariantCulture)));
    }
}
