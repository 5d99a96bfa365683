using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Renkei.Municipality.Addressee;

/// <summary>
/// The integrated addressee number. /// 団体内統合宛名番号
/// One per person inside one municipality; it links the resident record, every business system's own person ID and the
/// intermediate server's copies without using the individual number. Ten digits: a nine-digit serial issued in order by
/// the municipality's <see cref="AddresseeSystem"/> (1, 2, 3 …, never reused), then a Luhn check digit that catches a
/// mistyped digit or a swap of neighbouring digits. Unique by construction (one serial, one number).
/// Not secret: it appears in operation logs, URLs and the intermediate server instead of the individual number.
/// </summary>
[JsonConverter(typeof(IntegratedAddresseeNumberJsonConverter))]
public readonly struct IntegratedAddresseeNumber : IEquatable<IntegratedAddresseeNumber>, IComparable<IntegratedAddresseeNumber>
{
    public const int Length = 10;
    public const long MaxSerial = 999_999_999L;

    private readonly long _value;

    private IntegratedAddresseeNumber(long value) => _value = value;

    /// <summary>The serial it was issued with (1 … 999,999,999).</summary>
    public long Serial => _value / 10;

    public string Digits => _value.ToString("D10", CultureInfo.InvariantCulture);

    public long ToInt64() => _value;

    public static IntegratedAddresseeNumber FromSerial(long serial)
    {
        if (serial is < 1 or > MaxSerial) throw new ArgumentOutOfRangeException(nameof(serial), "an addressee serial is 1 to 999,999,999");
        return new IntegratedAddresseeNumber(serial * 10 + CheckDigit(serial));
    }

    /// <exception cref="FormatException">not a valid addressee number (the message says why).</exception>
    public static IntegratedAddresseeNumber FromInt64(long value) =>
        TryFromInt64(value, out var number, out var error) ? number : throw new FormatException(error);

    public static bool TryFromInt64(long value, out IntegratedAddresseeNumber number, out string? error)
    {
        number = default;
        if (value is < 10 or > MaxSerial * 10 + 9) { error = "団体内統合宛名番号は10桁です (an addressee number has 10 digits)"; return false; }
        if (CheckDigit(value / 10) != value % 10) { error = "団体内統合宛名番号の検査数字が一致しません (check digit mismatch)"; return false; }
        number = new IntegratedAddresseeNumber(value);
        error = null;
        return true;
    }

    /// <summary>Parses ten digits; spaces, hyphens and full-width digits are accepted.</summary>
    public static bool TryParse(string? text, out IntegratedAddresseeNumber number, out string? error)
    {
        number = default;
        if (string.IsNullOrWhiteSpace(text)) { error = "団体内統合宛名番号を入力してください (an addressee number is required)"; return false; }
        Span<char> digits = stackalloc char[Length];
        var count = 0;
        foreach (var raw in text)
        {
            var c = raw is >= '０' and <= '９' ? (char)('0' + (raw - '０')) : raw;
            if (c is ' ' or '-' or '\u3000' or '\uFF0D') continue;
            if (c is < '0' or > '9') { error = "団体内統合宛名番号は数字10桁です (only digits are allowed)"; return false; }
            if (count == Length) { error = "団体内統合宛名番号は10桁です (too many digits)"; return false; }
            digits[count++] = c;
        }
        if (count != Length) { error = $"団体内統合宛名番号は10桁です (got {count} digits)"; return false; }
        return TryFromInt64(long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture), out number, out error);
    }

    /// <exception cref="FormatException">not a valid addressee number (the message says why).</exception>
    public static IntegratedAddresseeNumber Parse(string? text) =>
        TryParse(text, out var number, out var error) ? number : throw new FormatException(error);

    /// <summary>Luhn (mod 10) over the serial's nine digits, doubling from the rightmost.</summary>
    public static int CheckDigit(long serial)
    {
        var sum = 0;
        var doubleIt = true;
        for (var i = 0; i < 9; i++)
        {
            var d = (int)(serial % 10);
            serial /= 10;
            if (doubleIt) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
            doubleIt = !doubleIt;
        }
        return (10 - sum % 10) % 10;
    }

    public bool Equals(IntegratedAddresseeNumber other) => _value == other._value;
    public override bool Equals(object? obj) => obj is IntegratedAddresseeNumber other && Equals(other);
    public override int GetHashCode() => _value.GetHashCode();
    public int CompareTo(IntegratedAddresseeNumber other) => _value.CompareTo(other._value);
    public static bool operator ==(IntegratedAddresseeNumber left, IntegratedAddresseeNumber right) => left.Equals(right);
    public static bool operator !=(IntegratedAddresseeNumber left, IntegratedAddresseeNumber right) => !left.Equals(right);
    public override string ToString() => Digits;
}

public sealed class IntegratedAddresseeNumberJsonConverter : JsonConverter<IntegratedAddresseeNumber>
{
    public override IntegratedAddresseeNumber Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.Number ? reader.GetInt64().ToString("D10", CultureInfo.InvariantCulture) : reader.GetString();
        return IntegratedAddresseeNumber.TryParse(text, out var number, out var error) ? number : throw new JsonException(error);
    }

    public override void Write(Utf8JsonWriter writer, IntegratedAddresseeNumber value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Digits);
}
