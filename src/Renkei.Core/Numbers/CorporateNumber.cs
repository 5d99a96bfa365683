using System.Text.Json;
using System.Text.Json.Serialization;

namespace Renkei.Core.Numbers;

/// <summary>
/// The 13-digit corporate number, public information. /// 法人番号
/// The first digit is the check digit over the 12-digit base (法人番号の指定等に関する省令 第2条).
/// </summary>
[JsonConverter(typeof(CorporateNumberJsonConverter))]
public sealed class CorporateNumber : IEquatable<CorporateNumber>
{
    public const int Length = 13;

    private CorporateNumber(string digits) => Digits = digits;

    public string Digits { get; }

    /// <summary>P_n the n-th digit of the base from the right, Q_n = 1 for odd n, 2 for even n: 9 − (Σ P_n·Q_n mod 9).</summary>
    public static int ComputeCheckDigit(ReadOnlySpan<char> base12)
    {
        if (base12.Length != 12) throw new ArgumentException("the base has 12 digits", nameof(base12));
        var sum = 0;
        for (var n = 1; n <= 12; n++)
        {
            var p = base12[12 - n] - '0';
            sum += p * (n % 2 == 1 ? 1 : 2);
        }
        return 9 - sum % 9;
    }

    public static ParseResult<CorporateNumber> Parse(string? text)
    {
        var digits = DigitText.Normalize(text, out var error);
        if (digits is null) return ParseResult<CorporateNumber>.Failure(error!);
        var lengthError = DigitText.CheckLength(digits, Length);
        if (lengthError is not null) return ParseResult<CorporateNumber>.Failure(lengthError);
        if (ComputeCheckDigit(digits.AsSpan(1)) != digits[0] - '0')
            return ParseResult<CorporateNumber>.Failure(DigitText.CheckDigitMismatch());
        return ParseResult<CorporateNumber>.Success(new CorporateNumber(digits));
    }

    public bool Equals(CorporateNumber? other) => other is not null && Digits == other.Digits;
    public override bool Equals(object? obj) => Equals(obj as CorporateNumber);
    public override int GetHashCode() => Digits.GetHashCode(StringComparison.Ordinal);

    /// <summary>Corporate numbers are public, so the digits are shown.</summary>
    public override string ToString() => Digits;
}

public sealed class CorporateNumberJsonConverter : JsonConverter<CorporateNumber>
{
    public override CorporateNumber Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var result = CorporateNumber.Parse(reader.GetString());
        return result.IsValid ? result.Value : throw new JsonException("invalid corporate number: " + result.Error!.Message);
    }

    public override void Write(Utf8JsonWriter writer, CorporateNumber value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Digits);
}
