namespace Renkei.Core.Cards;

/// <summary>The four PINs of an individual number card (暗証番号), one per application on the chip.</summary>
public enum CardPinKind
{
    /// <summary>User authentication (利用者証明用電子証明書): 4 digits, 3 tries.</summary>
    UserAuthentication,
    /// <summary>Signing (署名用電子証明書): 6–16 of A–Z and 0–9, 5 tries.</summary>
    Signing,
    /// <summary>Text-entry support (券面事項入力補助AP): 4 digits, 3 tries.</summary>
    TextEntrySupport,
    /// <summary>Resident registry (住基AP): 4 digits, 3 tries.</summary>
    ResidentRegistry,
}

/// <summary>The PIN rules of DESIGN.md §3: format and how many wrong tries lock the application.</summary>
public static class CardPinRules
{
    public const int SigningMinLength = 6;
    public const int SigningMaxLength = 16;

    public static readonly IReadOnlyList<CardPinKind> All =
        [CardPinKind.UserAuthentication, CardPinKind.Signing, CardPinKind.TextEntrySupport, CardPinKind.ResidentRegistry];

    /// <summary>Consecutive wrong tries that lock the application until it is unlocked at the counter.</summary>
    public static int MaxAttempts(CardPinKind kind) => kind switch
    {
        CardPinKind.Signing => 5,
        CardPinKind.UserAuthentication or CardPinKind.TextEntrySupport or CardPinKind.ResidentRegistry => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>English name with the Japanese once, for messages.</summary>
    public static string Describe(CardPinKind kind) => kind switch
    {
        CardPinKind.UserAuthentication => "user-authentication PIN (利用者証明用暗証番号)",
        CardPinKind.Signing => "signing PIN (署名用パスワード)",
        CardPinKind.TextEntrySupport => "text-entry-support PIN (券面事項入力補助用暗証番号)",
        CardPinKind.ResidentRegistry => "resident-registry PIN (住民基本台帳用暗証番号)",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The kebab-case name used on the command line and in JSON (user-authentication, signing, …).</summary>
    public static string Name(CardPinKind kind) => kind switch
    {
        CardPinKind.UserAuthentication => "user-authentication",
        CardPinKind.Signing => "signing",
        CardPinKind.TextEntrySupport => "text-entry-support",
        CardPinKind.ResidentRegistry => "resident-registry",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Why <paramref name="text"/> is not a valid PIN of <paramref name="kind"/>, or null when it is. Never repeats the PIN.</summary>
    public static string? Check(CardPinKind kind, string? text)
    {
        if (string.IsNullOrEmpty(text)) return $"the {Describe(kind)} is empty";
        if (kind == CardPinKind.Signing)
        {
            if (text.Length is < SigningMinLength or > SigningMaxLength)
                return $"the {Describe(kind)} must be {SigningMinLength}–{SigningMaxLength} characters (6～16文字で入力してください)";
            foreach (var c in text)
                if (c is not (>= 'A' and <= 'Z' or >= '0' and <= '9'))
                    return $"the {Describe(kind)} may hold only upper-case letters A–Z and digits 0–9 (英大文字と数字のみ使えます)";
            return null;
        }
        if (text.Length != 4) return $"the {Describe(kind)} must be 4 digits (4桁の数字で入力してください)";
        foreach (var c in text)
            if (c is not (>= '0' and <= '9')) return $"the {Describe(kind)} may hold only digits 0–9 (数字のみ使えます)";
        return null;
    }
}

/// <summary>
/// A PIN of the right format for its application. <see cref="ToString"/> is masked: a PIN never reaches a log or a
/// message by accident; <see cref="Reveal"/> is for the key derivation only.
/// </summary>
public sealed class CardPin
{
    private readonly string _text;

    private CardPin(CardPinKind kind, string text)
    {
        Kind = kind;
        _text = text;
    }

    public CardPinKind Kind { get; }

    /// <summary>Parses a PIN typed by the holder; throws <see cref="CardPinFormatException"/> (which never repeats it) when the format is wrong.</summary>
    public static CardPin Parse(CardPinKind kind, string? text)
    {
        var error = CardPinRules.Check(kind, text);
        if (error is not null) throw new CardPinFormatException(kind, error);
        return new CardPin(kind, text!);
    }

    /// <summary>The PIN itself, for deriving the key that unwraps the application's data. Never log or display it.</summary>
    public string Reveal() => _text;

    public override string ToString() => "****";
}

/// <summary>A PIN of the wrong format was given. Not counted as a wrong try. The message never contains the PIN.</summary>
public sealed class CardPinFormatException(CardPinKind kind, string message) : FormatException(message)
{
    public CardPinKind Kind { get; } = kind;
}
