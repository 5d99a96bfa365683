using System.Text.Json;
using System.Text.Json.Serialization;

namespace Renkei.Core.Numbers;

/// <summary>
/// The 11-digit resident-record code of the resident network. /// 住民票コード
/// Ten random digits and a check digit (住民基本台帳法施行規則 第1条), computed with the same
/// modulus-11 weights as the individual number's. <see cref="ToString"/> is masked.
/// </summary>
[JsonConverter(typeof(ResidentCodeJsonConverter))]
public readonly struct ResidentCode : IEquatable<ResidentCode>, IComparable<ResidentCode>
{
    public const int Length = 11;
    public const long BodyCount = 10_000_000_000L; // 10^10 possible bodies
    public const string MaskedText = "***********";

    private readonly long _value;

    private ResidentCode(long value) => _value = value;

    public string Digits => _value.ToString("D11");

    /// <summary>The ten-digit body (0 … 10^10 − 1).</summary>
    public long Body => _value / 10;

    public long ToInt64() => _value;

    public static ResidentCode FromInt64(long value)
    {
        if (value is < 0 or >= BodyCount * 10)
            throw new InvalidNumberException(nameof(ResidentCode), new NumberFormatError(NumberFormatErrorKind.WrongLength, "value out of range (11桁ではありません)"));
        if (ComputeCheckDigit(value / 10) != (int)(value % 10))
            throw new InvalidNumberException(nameof(ResidentCode), DigitText.CheckDigitMismatch());
        return new ResidentCode(value);
    }

    public static ResidentCode FromBody(long body)
    {
        if (body is < 0 or >= BodyCount) throw new ArgumentOutOfRangeException(nameof(body), "body must have at most 10 digits");
        return new ResidentCode(body * 10 + ComputeCheckDigit(body));
    }

    /// <summary>Modulus 11 with weights 2–7 then 2–5 from the right; 0 when the remainder is 0 or 1.</summary>
    public static int ComputeCheckDigit(long body)
    {
        var sum = 0;
        for (var n = 1; n <= 10; n++)
        {
            var p = (int)(body % 10);
            body /= 10;
            sum += p * (n <= 6 ? n + 1 : n - 5);
        }
        var r = sum % 11;
        return r <= 1 ? 0 : 11 - r;
    }

    public static ParseResult<ResidentCode> Parse(string? text)
    {
        var digits = DigitText.Normalize(text, out var error);
        if (digits is null) return ParseResult<ResidentCode>.Failure(error!);
        var lengthError = DigitText.CheckLength(digits, Length);
        if (lengthError is not null) return ParseResult<ResidentCode>.Failure(lengthError);
        var value = DigitText.ToInt64(digits);
        if (ComputeCheckDigit(value / 10) != (int)(value % 10))
            return ParseResult<ResidentCode>.Failure(DigitText.CheckDigitMismatch());
        return ParseResult<ResidentCode>.Success(new ResidentCode(value));
    }

    public static ResidentCode ParseOrThrow(string? text)
    {
        var result = Parse(text);
        return result.IsValid ? result.Value : throw new InvalidNumberException(nameof(ResidentCode), result.Error!);
    }

    public bool Equals(ResidentCode other) => _value == other._value;
    public override bool Equals(object? obj) => obj is ResidentCode other && Equals(other);
    public override int GetHashCode() => _value.GetHashCode();
    public int CompareTo(ResidentCode other) => _value.CompareTo(other._value);
    public static bool operator ==(ResidentCode left, ResidentCode right) => left.Equals(right);
    public static bool operator !=(ResidentCode left, ResidentCode right) => !left.Equals(right);
    public override string ToString() => MaskedText;
}

public sealed class ResidentCodeJsonConverter : JsonConverter<ResidentCode>
{
    public override ResidentCode Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var result = ResidentCode.Parse(reader.GetString());
        return result.IsValid ? result.Value : throw new JsonException("invalid resident-record code: " + result.Error!.Message);
    }

    public override void Write(Utf8JsonWriter writer, ResidentCode value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Digits);
}
