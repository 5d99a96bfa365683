using System.Text.Json;
using System.Text.Json.Serialization;

namespace Renkei.Core.Numbers;

/// <summary>
/// A per-institution token for a person on the information provision network. /// 符号
/// Sixteen decimal digits, issued by the network to one institution for one person. Two institutions' tokens for the
/// same person bear no relation anyone can compute without the network's key: the network derives each with a keyed
/// permutation of the person's ID code (FF1 with a per-institution key) and converts one to another the same way.
/// A token is not an individual number, but it still identifies a person at an institution: <see cref="ToString"/>
/// is masked so it cannot slip into logs.
/// </summary>
[JsonConverter(typeof(TokenJsonConverter))]
public readonly struct Token : IEquatable<Token>, IComparable<Token>
{
    public const int Length = 16;
    public const long ValueCount = 10_000_000_000_000_000L; // 10^16
    public const string MaskedText = "****************";

    private readonly long _value;

    private Token(long value) => _value = value;

    public string Digits => _value.ToString("D16");

    public long ToInt64() => _value;

    /// <summary>Any value in 0 … 10^16 − 1 is a well-formed token (whether it was issued is the network's question).</summary>
    public static Token FromInt64(long value) =>
        value is >= 0 and < ValueCount
            ? new Token(value)
            : throw new InvalidNumberException(nameof(Token), new NumberFormatError(NumberFormatErrorKind.WrongLength, "value out of range (16桁ではありません)"));

    public static ParseResult<Token> Parse(string? text)
    {
        var digits = DigitText.Normalize(text, out var error);
        if (digits is null) return ParseResult<Token>.Failure(error!);
        var lengthError = DigitText.CheckLength(digits, Length);
        return lengthError is not null
            ? ParseResult<Token>.Failure(lengthError)
            : ParseResult<Token>.Success(new Token(DigitText.ToInt64(digits)));
    }

    public static Token ParseOrThrow(string? text)
    {
        var result = Parse(text);
        return result.IsValid ? result.Value : throw new InvalidNumberException(nameof(Token), result.Error!);
    }

    public bool Equals(Token other) => _value == other._value;
    public override bool Equals(object? obj) => obj is Token other && Equals(other);
    public override int GetHashCode() => _value.GetHashCode();
    public int CompareTo(Token other) => _value.CompareTo(other._value);
    public static bool operator ==(Token left, Token right) => left.Equals(right);
    public static bool operator !=(Token left, Token right) => !left.Equals(right);
    public override string ToString() => MaskedText;
}

public sealed class TokenJsonConverter : JsonConverter<Token>
{
    public override Token Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var result = Token.Parse(reader.GetString());
        return result.IsValid ? result.Value : throw new JsonException("invalid token (符号): " + result.Error!.Message);
    }

    public override void Write(Utf8JsonWriter writer, Token value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Digits);
}
