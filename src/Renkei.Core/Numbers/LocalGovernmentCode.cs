using System.Text.Json;
using System.Text.Json.Serialization;

namespace Renkei.Core.Numbers;

/// <summary>
/// Six-digit nationwide local government code (five digits and a check digit). /// 全国地方公共団体コード
/// e.g. 131091 品川区, 131113 大田区, 131199 板橋区.
/// </summary>
[JsonConverter(typeof(LocalGovernmentCodeJsonConverter))]
public readonly record struct LocalGovernmentCode
{
    public const int Length = 6;

    private LocalGovernmentCode(string digits) => Digits = digits;

    public string Digits { get; }

    /// <summary>Weights 6,5,4,3,2 over the five digits; 11 − (sum mod 11), with 10 → 0 and 11 → 1.</summary>
    public static int ComputeCheckDigit(ReadOnlySpan<char> five)
    {
        if (five.Length != 5) throw new ArgumentException("the base has 5 digits", nameof(five));
        var sum = 0;
        for (var i = 0; i < 5; i++) sum += (five[i] - '0') * (6 - i);
        return (11 - sum % 11) % 10;
    }

    public static ParseResult<LocalGovernmentCode> Parse(string? text)
    {
        var digits = DigitText.Normalize(text, out var error);
        if (digits is null) return ParseResult<LocalGovernmentCode>.Failure(error!);
        var lengthError = DigitText.CheckLength(digits, Length);
        if (lengthError is not null) return ParseResult<LocalGovernmentCode>.Failure(lengthError);
        if (ComputeCheckDigit(digits.AsSpan(0, 5)) != digits[5] - '0')
            return ParseResult<LocalGovernmentCode>.Failure(DigitText.CheckDigitMismatch());
        return ParseResult<LocalGovernmentCode>.Success(new LocalGovernmentCode(digits));
    }

    public static LocalGovernmentCode ParseOrThrow(string? text)
    {
        var result = Parse(text);
        return result.IsValid ? result.Value : throw new InvalidNumberException(nameof(LocalGovernmentCode), result.Error!);
    }

    public override string ToString() => Digits;
}

public sealed class LocalGovernmentCodeJsonConverter : JsonConverter<LocalGovernmentCode>
{
    public override LocalGovernmentCode Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var result = LocalGovernmentCode.Parse(reader.GetString());
        return result.IsValid ? result.Value : throw new JsonException("invalid local government code: " + result.Error!.Message);
    }

    public override void Write(Utf8JsonWriter writer, LocalGovernmentCode value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Digits);
}
