using Renkei.Core.Numbers;

namespace Renkei.Core.Tests;

public class IndividualNumberTests
{
    [Theory]
    [InlineData("123456789018")]
    [InlineData("1234 5678 9018")]
    [InlineData("1234-5678-9018")]
    [InlineData("１２３４-５６７８-９０１８")]
    [InlineData("１２３４　５６７８　９０１８")]
    [InlineData(" 123456789018 ")]
    public void Accepts_valid_number_in_the_forms_people_type(string text)
    {
        var result = IndividualNumber.Parse(text);

        Assert.True(result.IsValid);
        Assert.Equal(123456789018L, result.Value.ToInt64());
        Assert.Equal("123456789018", result.Value.Digits);
    }

    [Theory]
    [InlineData("123456789019", NumberFormatErrorKind.CheckDigit)]
    [InlineData("12345678901", NumberFormatErrorKind.WrongLength)]
    [InlineData("1234567890180", NumberFormatErrorKind.WrongLength)]
    [InlineData("12345678901a", NumberFormatErrorKind.NonDigit)]
    [InlineData("１２３４/５６７８/９０１８", NumberFormatErrorKind.NonDigit)]
    [InlineData("", NumberFormatErrorKind.Empty)]
    [InlineData("  - ", NumberFormatErrorKind.Empty)]
    [InlineData(null, NumberFormatErrorKind.Empty)]
    public void Refuses_with_the_reason(string? text, NumberFormatErrorKind expected)
    {
        var result = IndividualNumber.Parse(text);

        Assert.False(result.IsValid);
        Assert.Equal(expected, result.Error!.Kind);
    }

    [Fact]
    public void Error_messages_never_repeat_the_digits()
    {
        foreach (var text in new[] { "123456789019", "12345678901", "12345678901x" })
        {
            var message = IndividualNumber.Parse(text).Error!.Message;
            Assert.DoesNotContain("1234", message, StringComparison.Ordinal);
            var thrown = Assert.Throws<InvalidNumberException>(() => IndividualNumber.ParseOrThrow(text));
            Assert.DoesNotContain("1234", thrown.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ToString_is_masked_so_numbers_do_not_leak_into_logs()
    {
        var number = IndividualNumber.ParseOrThrow("123456789018");

        Assert.Equal("************", number.ToString());
        Assert.Equal("************", $"{number}");
    }

    [Theory]
    [InlineData(12345678901L, 8)]   // the example every document uses: Σ = 212, r = 3
    [InlineData(0L, 0)]             // r = 0 → 0
    [InlineData(10000000000L, 5)]   // P_11 = 1, Q_11 = 6: r = 6 → 5
    [InlineData(1L, 9)]             // P_1 = 1, Q_1 = 2: r = 2 → 9
    [InlineData(100000L, 4)]        // P_6 = 1, Q_6 = 7: r = 7 → 4
    [InlineData(5L, 1)]             // P_1 = 5, Q_1 = 2: r = 10 → 1
    [InlineData(6L, 0)]             // r = 12 mod 11 = 1 → 0
    public void Check_digit_follows_the_ministerial_ordinance(long body, int expected)
    {
        Assert.Equal(expected, IndividualNumber.ComputeCheckDigit(body));
    }

    [Fact]
    public void Exactly_one_check_digit_is_valid_for_each_body()
    {
        var random = new Random(20261122);
        for (var i = 0; i < 2_000; i++)
        {
            var body = random.NextInt64(0, IndividualNumber.BodyCount);
            var valid = Enumerable.Range(0, 10).Count(d => IndividualNumber.Parse((body * 10 + d).ToString("D12")).IsValid);
            Assert.Equal(1, valid);
            Assert.Equal(body, IndividualNumber.FromBody(body).Body);
        }
    }

    [Fact]
    public void Check_digit_of_body_text_is_computed_and_validated()
    {
        Assert.Equal(8, IndividualNumber.ComputeCheckDigit("1234-5678-901").Value);
        Assert.Equal(NumberFormatErrorKind.WrongLength, IndividualNumber.ComputeCheckDigit("123456789018").Error!.Kind);
    }

    [Fact]
    public void FromInt64_refuses_a_wrong_check_digit()
    {
        Assert.Throws<InvalidNumberException>(() => IndividualNumber.FromInt64(123456789019L));
        Assert.Equal(123456789018L, IndividualNumber.FromInt64(123456789018L).ToInt64());
    }

    [Fact]
    public void Json_round_trip_uses_the_digits_and_rejects_invalid_ones()
    {
        var number = IndividualNumber.ParseOrThrow("123456789018");
        var json = System.Text.Json.JsonSerializer.Serialize(number);
        Assert.Equal("\"123456789018\"", json);
        Assert.Equal(number, System.Text.Json.JsonSerializer.Deserialize<IndividualNumber>(json));
        var error = Assert.Throws<System.Text.Json.JsonException>(() => System.Text.Json.JsonSerializer.Deserialize<IndividualNumber>("\"123456789019\""));
        Assert.DoesNotContain("123456789019", error.Message, StringComparison.Ordinal);
    }
}

public class CorporateNumberTests
{
    [Theory]
    [InlineData("7000012050002")] // 国税庁
    [InlineData("9234567890123")] // base 234567890123: 28 + 2·22 = 72, 9 − 0 = 9
    [InlineData("7-0000-1205-0002")]
    [InlineData("７０００ ０１２０ ５０００２")]
    public void Accepts_valid_corporate_numbers(string text)
    {
        Assert.True(CorporateNumber.Parse(text).IsValid);
    }

    [Theory]
    [InlineData("8000012050002", NumberFormatErrorKind.CheckDigit)]
    [InlineData("700001205000", NumberFormatErrorKind.WrongLength)]
    [InlineData("70000120500O2", NumberFormatErrorKind.NonDigit)]
    public void Refuses_invalid_corporate_numbers(string text, NumberFormatErrorKind kind)
    {
        Assert.Equal(kind, CorporateNumber.Parse(text).Error!.Kind);
    }

    [Fact]
    public void Check_digit_is_nine_minus_weighted_sum_mod_nine()
    {
        // base 000012050002: digits from the right weighted 1,2,1,2,…: 2+5+2+2 = 11; 9 − 11 mod 9 = 7
        Assert.Equal(7, CorporateNumber.ComputeCheckDigit("000012050002"));
        Assert.Equal(9, CorporateNumber.ComputeCheckDigit("000000000000"));
    }

    [Fact]
    public void Corporate_numbers_are_public_so_ToString_shows_them()
    {
        Assert.Equal("7000012050002", CorporateNumber.Parse("7000012050002").Value.ToString());
    }
}

public class ResidentCodeTests
{
    [Fact]
    public void FromBody_appends_a_check_digit_that_Parse_accepts()
    {
        var random = new Random(7);
        for (var i = 0; i < 1_000; i++)
        {
            var code = ResidentCode.FromBody(random.NextInt64(0, ResidentCode.BodyCount));
            var parsed = ResidentCode.Parse(code.Digits);
            Assert.True(parsed.IsValid);
            Assert.Equal(code, parsed.Value);
        }
    }

    [Fact]
    public void A_changed_digit_is_detected()
    {
        var code = ResidentCode.FromBody(1234567890);
        var digits = code.Digits.ToCharArray();
        digits[3] = digits[3] == '9' ? '0' : (char)(digits[3] + 1);
        Assert.Equal(NumberFormatErrorKind.CheckDigit, ResidentCode.Parse(new string(digits)).Error!.Kind);
        Assert.Equal("***********", code.ToString());
    }
}

public class LocalGovernmentCodeTests
{
    [Theory]
    [InlineData("131091")] // 品川区
    [InlineData("131113")] // 大田区
    [InlineData("131199")] // 板橋区
    [InlineData("130001")] // 東京都
    [InlineData("011002")] // 札幌市
    public void Accepts_real_codes(string code) => Assert.True(LocalGovernmentCode.Parse(code).IsValid);

    [Fact]
    public void Refuses_a_wrong_check_digit() =>
        Assert.Equal(NumberFormatErrorKind.CheckDigit, LocalGovernmentCode.Parse("131092").Error!.Kind);
}
