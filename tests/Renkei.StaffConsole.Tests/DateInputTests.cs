namespace Renkei.StaffConsole.Tests;

public class DateInputTests
{
    [Theory]
    [InlineData("1970-01-01", 1970, 1, 1)]
    [InlineData("1970/1/1", 1970, 1, 1)]
    [InlineData("19700101", 1970, 1, 1)]
    [InlineData("1970年1月1日", 1970, 1, 1)]
    [InlineData("昭和45年1月1日", 1970, 1, 1)]
    [InlineData("S45.1.1", 1970, 1, 1)]
    [InlineData("s45.1.1", 1970, 1, 1)]
    [InlineData("令和元年5月1日", 2019, 5, 1)]
    [InlineData("R1/5/1", 2019, 5, 1)]
    [InlineData("平成31年4月30日", 2019, 4, 30)]
    [InlineData("１９８８－０２－２９", 1988, 2, 29)]
    [InlineData(" 昭和 63年 2月 29日 ", 1988, 2, 29)]
    [InlineData("M6.1.1", 1873, 1, 1)]
    public void Accepts_western_and_era_dates(string text, int year, int month, int day)
    {
        Assert.True(DateInput.TryParse(text, out var date, out var error));
        Assert.Null(error);
        Assert.Equal(new DateOnly(year, month, day), date);
    }

    [Theory]
    [InlineData("1970-02-30", "存在しない日付です")]
    [InlineData("19701301", "存在しない日付です")]
    [InlineData("令和元年4月30日", "その元号に存在しない日付です")] // still 平成
    [InlineData("平成32年1月1日", "その元号に存在しない日付です")]
    [InlineData("昭和45年2月30日", "その元号に存在しない日付です")]
    [InlineData("去年", "日付の形式が正しくありません")]
    [InlineData("X45.1.1", "日付の形式が正しくありません")]
    [InlineData("1970-1", "日付の形式が正しくありません")]
    public void Refuses_other_text_saying_what_is_wrong(string text, string message)
    {
        Assert.False(DateInput.TryParse(text, out var date, out var error));
        Assert.Null(date);
        Assert.StartsWith(message, error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("　 ")]
    public void Nothing_typed_is_no_date(string? text)
    {
        Assert.True(DateInput.TryParse(text, out var date, out var error));
        Assert.Null(date);
        Assert.Null(error);
    }
}
