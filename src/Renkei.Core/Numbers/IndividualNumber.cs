using System.Text.Json;
using System.Text.Json.Serialization;

namespace Renkei.Core.Numbers;

/// <summary>
/// The 12-digit individual number. /// 個人番号（マイナンバー）
/// Eleven digits and a check digit (番号法施行規則 第5条). Only valid values can exist.
/// <see cref="ToString"/> is masked so a number never slips into a log by accident;
/// use <see cref="Digits"/> where the digits are really wanted.
/// </summary>
[JsonConverter(typeof(IndividualNumberJsonConverter))]
public readonly struct IndividualNumber : IEquatable<IndividualNumber>, IComparable<IndividualNumber>
{
    public const int Length = 12;
    public const long BodyCount = 100_000_000_000L; // 10^11 possible bodies
    public const string MaskedText = "************";

    private readonly long _value;

    private IndividualNumber(long value) => _value = value;

    /// <summary>The twelve digits. Handle with care: this is specific personal information.</summary>
    public string Digits => _value.ToString("D12");

    /// <summary>The eleven-digit body as an integer (0 … 10^11 − 1).</summary>
    public long Body => _value / 10;

    public int CheckDigit => (int)(_value % 10);

    /// <summary>The number as a 12-digit integer for compact storage.</summary>
    public long ToInt64() => _value;

    public static IndividualNumber FromInt64(long value)
    {
        if (value is < 0 or >= BodyCount * 10)
            throw new InvalidNumberException(nameof(IndividualNumber), new NumberFormatError(NumberFormatErrorKind.WrongLength, "value out of range (12桁ではありません)"));
        var number = new IndividualNumber(value);
        if (ComputeCheckDigit(number.Body) != number.CheckDigit)
            throw new InvalidNumberException(nameof(IndividualNumber), DigitText.CheckDigitMismatch());
        return number;
    }

    /// <summary>Builds the number from an eleven-digit body by appending its check digit.</summary>
    public static IndividualNumber FromBody(long body)
    {
        if (body is < 0 or >= BodyCount) throw new ArgumentOutOfRangeException(nameof(body), "body must have at most 11 digits");
        return new IndividualNumber(body * 10 + ComputeCheckDigit(body));
    }

    /// <summary>
    /// 番号法施行規則 第5条: P_n is the n-th digit of the body from the right, Q_n = n + 1 for n ≤ 6
    /// and n − 5 for n ≥ 7; r = Σ P_n·Q_n mod 11; the check digit is 0 when r ≤ 1, else 11 − r.
    /// </summary>
    public static int ComputeCheckDigit(long body)
    {
        var sum = 0;
        for (var n = 1; n <= 11; n++)
        {
            var p = (int)(body % 10);
            body /= 10;
            sum += p * (n <= 6 ? n + 1 : n - 5);
        }
        var r = sum % 11;
        return r <= 1 ? 0 : 11 - r;
    }

    /// <summary>Check digit of an 11-digit body given as text (normalised like any number input).</summary>
    public static ParseResult<int> ComputeCheckDigit(string? bodyText)
    {
        var digits = DigitText.Normalize(bodyText, out var error);
        if (digits is null) return ParseResult<int>.Failure(error!);
        var lengthError = DigitText.CheckLength(digits, Length - 1);
        if (lengthError is not null) return ParseResult<int>.Failure(lengthError);
        return ParseResult<int>.Success(ComputeCheckDigit(DigitText.ToInt64(digits)));
    }

    public static ParseResult<IndividualNumber> Parse(string? text)
    {
        var digits = DigitText.Normalize(text, out var error);
        if (digits is null) return ParseResult<IndividualNumber>.Failure(error!);
        var lengthError = DigitText.CheckLength(digits, Length);
        if (lengthError is not null) return ParseResult<IndividualNumber>.Failure(lengthError);
        var value = DigitText.ToInt64(digits);
        if (ComputeCheckDigit(value / 10) != (int)(value % 10))
            return ParseResult<IndividualNumber>.Failure(DigitText.CheckDigitMismatch());
        return ParseResult<IndividualNumber>.Success(new IndividualNumber(value));
    }

    /// <summary>Parses or throws an exception that names the problem but never the digits.</summary>
    public static IndividualNumber ParseOrThrow(string? text)
    {
        var result = Parse(text);
        return result.IsValid ? result.Value : throw new InvalidNumberException(nameof(IndividualNumber), result.Error!);
    }

    public bool Equals(IndividualNumber other) => _value == other._value;
    public override bool Equals(object? obj) => obj is IndividualNumber other && Equals(other);
    public override int GetHashCode() => _value.GetHashCode();
    public int CompareTo(IndividualNumber other) => _value.CompareTo(other._value);
    public static bool operator ==(IndividualNumber left, IndividualNumber right) => left.Equals(right);
    public static bool operator !=(IndividualNumber left, IndividualNumber right) => !left.Equals(right);

    /// <summary>Always masked. Use <see cref="Digits"/> deliberately.</summary>
    public override string ToString() => MaskedText;
}

public sealed class IndividualNumberJsonConverter : JsonConverter<IndividualNumber>
{
    public override IndividualNumber Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var result = IndividualNumber.Parse(reader.GetString());
        return result.IsValid ? result.Value : throw new JsonException("invalid individual number: " + result.Error!.Message);
    }

    public override void Write(Utf8JsonWriter writer, IndividualNumber value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Digits);
}
