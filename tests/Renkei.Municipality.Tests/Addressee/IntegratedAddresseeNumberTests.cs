using Renkei.Municipality.Addressee;

namespace Renkei.Municipality.Tests.Addressee;

public class IntegratedAddresseeNumberTests
{
    [Fact]
    public void Serial_and_check_digit_round_trip_through_text()
    {
        var number = IntegratedAddresseeNumber.FromSerial(123_456);
        Assert.Equal(10, number.Digits.Length);
        Assert.Equal(123_456, number.Serial);
        Assert.Equal(number, IntegratedAddresseeNumber.Parse(number.Digits));
        Assert.Equal(number, IntegratedAddresseeNumber.Parse("０００１２３-４５６" + number.Digits[^1]));
        Assert.Equal(number, IntegratedAddresseeNumber.FromInt64(number.ToInt64()));
    }

    [Fact]
    public void A_mistyped_digit_or_a_swap_of_neighbours_is_caught()
    {
        var digits = IntegratedAddresseeNumber.FromSerial(987_654_321).Digits;
        for (var i = 0; i < digits.Length; i++)
        {
            var typo = digits[..i] + (char)('0' + (digits[i] - '0' + 1) % 10) + digits[(i + 1)..];
            Assert.False(IntegratedAddresseeNumber.TryParse(typo, out _, out var error));
            Assert.Contains("検査数字", error);
        }
        var swapped = digits[1].ToString() + digits[0] + digits[2..];
        Assert.False(IntegratedAddresseeNumber.TryParse(swapped, out _, out _));
    }

    [Theory]
    [InlineData("", "入力")]
    [InlineData("12345", "got 5 digits")]
    [InlineData("12345678901", "too many")]
    [InlineData("12345a7890", "only digits")]
    public void Bad_text_is_refused_with_what_was_wrong(string text, string expected)
    {
        Assert.False(IntegratedAddresseeNumber.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
    }
}
