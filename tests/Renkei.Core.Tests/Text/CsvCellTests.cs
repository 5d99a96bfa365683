using Renkei.Core.Text;

namespace Renkei.Core.Tests.Text;

public class CsvCellTests
{
    [Theory]
    [InlineData("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0")]
    [InlineData("+SUM(1)", "'+SUM(1)")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(1)", "'@SUM(1)")]
    [InlineData("\t=1", "'\t=1")]
    [InlineData("\r=1", "\"'\r=1\"")]
    [InlineData("＝HYPERLINK()", "'＝HYPERLINK()")]
    [InlineData("=A1,B1", "\"'=A1,B1\"")]
    [InlineData("山田=", "山田=")]
    [InlineData("品川区, \"区役所\"", "\"品川区, \"\"区役所\"\"\"")]
    [InlineData("", "")]
    public void Text_cells_that_would_run_as_formulas_get_an_apostrophe_and_are_quoted_when_needed(string value, string cell) =>
        Assert.Equal(cell, CsvCell.Text(value));

    [Theory]
    [InlineData("-1250")]
    [InlineData("+81")]
    [InlineData("2026-04-06T09:00:00+09:00")]
    [InlineData("1985-04-01")]
    public void Values_the_program_formatted_keep_their_sign_and_form(string value) => Assert.Equal(value, CsvCell.Value(value));

    [Fact]
    public void Null_is_an_empty_cell()
    {
        Assert.Equal("", CsvCell.Text(null));
        Assert.Equal("", CsvCell.Value(null));
        Assert.False(CsvCell.LooksLikeFormula(""));
        Assert.True(CsvCell.LooksLikeFormula("@x"));
    }
}
