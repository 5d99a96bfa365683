using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Renkei.Core.Numbers;
using Renkei.Core.People;

namespace Renkei.Core.Cards;

/// <summary>
/// The card's serial number as J-LIS assigns it at issuance (カード発行番号): 12 characters of Crockford base32
/// (0–9 and A–Z without I, L, O, U), random, carrying nothing about the holder. Not personal information, so it
/// may appear in URLs and logs.
/// </summary>
[JsonConverter(typeof(CardNumberJsonConverter))]
public readonly record struct CardNumber
{
    public const int Length = 12;
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    private CardNumber(string text) => Text = text;

    public string Text { get; }

    /// <summary>A new random card number.</summary>
    public static CardNumber NewRandom()
    {
        Span<char> chars = stackalloc char[Length];
        for (var i = 0; i < Length; i++) chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        return new CardNumber(new string(chars));
    }

    /// <summary>Parses a card number (case-insensitive, hyphens and spaces ignored); the error says what was wrong.</summary>
    public static bool TryParse(string? text, out CardNumber number, out string? error)
    {
        number = default;
        var cleaned = (text ?? "").Replace("-", "").Replace(" ", "").ToUpperInvariant();
        if (cleaned.Length != Length)
        {
            error = $"a card number has {Length} characters (カード番号は{Length}文字です)";
            return false;
        }
        foreach (var c in cleaned)
            if (!Alphabet.Contains(c))
            {
                error = "a card number holds digits and the letters A–Z except I, L, O and U (カード番号に使えない文字があります)";
                return false;
            }
        number = new CardNumber(cleaned);
        error = null;
        return true;
    }

    public static CardNumber Parse(string? text) =>
        TryParse(text, out var number, out var error) ? number : throw new FormatException(error);

    public override string ToString() => Text ?? "";
}

public sealed class CardNumberJsonConverter : JsonConverter<CardNumber>
{
    public override CardNumber Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        CardNumber.TryParse(reader.GetString(), out var number, out var error) ? number : throw new JsonException("invalid card number: " + error);

    public override void Write(Utf8JsonWriter writer, CardNumber value, JsonSerializerOptions options) => writer.WriteStringValue(value.Text);
}

/// <summary>
/// The face data (券面AP): what is printed on the front of the card, for checking a card face against its chip and as
/// the image record of an in-person identity check: the four basic facts, the photo, the validity and the issuing
/// municipality. The back side's image of the number is not modelled here: on the software card the number lives only
/// in the text-entry-support application, behind its PIN.
/// </summary>
/// <param name="Photo">The face photo (JPEG, base64) or null: the demo and the tests use no photo (a placeholder on the face).</param>
public sealed record CardFace(
    string Name,
    string Address,
    DateOnly BirthDate,
    Sex Sex,
    DateOnly IssuedOn,
    DateOnly CardExpires,
    LocalGovernmentCode Municipality,
    string? Photo)
{
    /// <summary>What stands on the face when there is no photo (顔写真).</summary>
    public const string PhotoPlaceholder = "（顔写真）";

    /// <summary>Masked: the holder's facts never slip into a log.</summary>
    public override string ToString() => "CardFace { *** }";
}

/// <summary>
/// The text-entry-support data (券面事項入力補助AP): the individual number and the four basic facts as text, with J-LIS's
/// signature over them so that whoever reads them can tell they were not altered. The signature is ECDSA P-256 / SHA-256
/// (IEEE P1363, base64) over <see cref="Canonical"/>, by J-LIS's card-data key.
/// </summary>
public sealed record TextEntrySupportData(IndividualNumber IndividualNumber, string Name, string Address, DateOnly BirthDate, Sex Sex, string Signature)
{
    /// <summary>The signed text: a version line, then number, name, address, birth date (ISO) and sex (1 male, 2 female), one per line.</summary>
    public static string Canonical(IndividualNumber number, string name, string address, DateOnly birthDate, Sex sex) =>
        "renkei/card/text-entry-support/v1\n" + number.Digits + "\n" + name + "\n" + address + "\n"
        + birthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "\n" + ((int)sex).ToString(CultureInfo.InvariantCulture);

    /// <summary>Signs the facts with J-LIS's card-data key.</summary>
    public static TextEntrySupportData Sign(ECDsa jlisKey, IndividualNumber number, string name, string address, DateOnly birthDate, Sex sex)
    {
        ArgumentNullException.ThrowIfNull(jlisKey);
        var signature = jlisKey.SignData(Encoding.UTF8.GetBytes(Canonical(number, name, address, birthDate, sex)),
            HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return new TextEntrySupportData(number, name, address, birthDate, sex, Convert.ToBase64String(signature));
    }

    /// <summary>Whether the signature is J-LIS's over exactly these facts.</summary>
    public bool Verify(ECDsa jlisPublicKey)
    {
        ArgumentNullException.ThrowIfNull(jlisPublicKey);
        Span<byte> raw = stackalloc byte[64];
        if (!Convert.TryFromBase64String(Signature, raw, out var written) || written != 64) return false;
        return jlisPublicKey.VerifyData(Encoding.UTF8.GetBytes(Canonical(IndividualNumber, Name, Address, BirthDate, Sex)), raw,
            HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Masked: the number and the facts never slip into a log.</summary>
    public override string ToString() => "TextEntrySupportData { *** }";
}
