namespace Renkei.Core.Numbers;

/// <summary>
/// Normalises digit strings as people type them: ASCII and full-width digits (１２３),
/// with spaces and hyphens of every common width ignored. Anything else is refused.
/// Messages never contain the input: it may be a number (DESIGN.md trust rule 9).
/// </summary>
public static class DigitText
{
    /// <summary>Strips separators and folds full-width digits. Returns null and an error when a non-digit remains.</summary>
    public static string? Normalize(string? text, out NumberFormatError? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = new NumberFormatError(NumberFormatErrorKind.Empty, "no digits given (番号が入力されていません)");
            return null;
        }

        Span<char> buffer = text.Length <= 64 ? stackalloc char[text.Length] : new char[text.Length];
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is >= '0' and <= '9') buffer[count++] = c;
            else if (c is >= '０' and <= '９') buffer[count++] = (char)('0' + (c - '０'));
            else if (IsSeparator(c)) continue;
            else
            {
                error = new NumberFormatError(NumberFormatErrorKind.NonDigit,
                    $"character {i + 1} is not a digit, space or hyphen ({i + 1}文字目に数字以外の文字が含まれています)");
                return null;
            }
        }

        if (count == 0)
        {
            error = new NumberFormatError(NumberFormatErrorKind.Empty, "no digits given (番号が入力されていません)");
            return null;
        }
        return new string(buffer[..count]);
    }

    private static bool IsSeparator(char c) => c switch
    {
        ' ' or '\t' or '\u3000' => true,                       // ASCII, tab, ideographic space
        '-' or '\uFF0D' or '\u2010' or '\u2011' or '\u2012'
            or '\u2013' or '\u2014' or '\u2015' or '\u2212'
            or '\u30FC' or '\uFF70' => true,                    // hyphens, dashes, minus, prolonged sound marks
        _ => false,
    };

    /// <summary>Checks a normalised digit string has exactly <paramref name="length"/> digits.</summary>
    public static NumberFormatError? CheckLength(string digits, int length) =>
        digits.Length == length
            ? null
            : new NumberFormatError(NumberFormatErrorKind.WrongLength,
                $"expected {length} digits, got {digits.Length} ({length}桁ではありません)");

    internal static NumberFormatError CheckDigitMismatch() =>
        new(NumberFormatErrorKind.CheckDigit, "check digit does not match (検査数字が一致しません)");

    internal static long ToInt64(ReadOnlySpan<char> digits)
    {
        long value = 0;
        foreach (var c in digits) value = value * 10 + (c - '0');
        return value;
    }
}

public enum NumberFormatErrorKind { Empty, NonDigit, WrongLength, CheckDigit }

/// <summary>Why a value is not a valid number. The message never repeats the value.</summary>
public sealed record NumberFormatError(NumberFormatErrorKind Kind, string Message)
{
    public override string ToString() => Message;
}

/// <summary>Thrown when code that trusts its input is given an invalid number. Carries no digits.</summary>
public sealed class InvalidNumberException(string typeName, NumberFormatError error)
    : FormatException($"invalid {typeName}: {error.Message}")
{
    public NumberFormatError Error { get; } = error;
}

/// <summary>The outcome of parsing a number at the edge of the system.</summary>
public readonly struct ParseResult<T>
{
    private readonly T? _value;

    private ParseResult(T? value, NumberFormatError? error)
    {
        _value = value;
        Error = error;
    }

    public static ParseResult<T> Success(T value) => new(value, null);
    public static ParseResult<T> Failure(NumberFormatError error) => new(default, error);

    public bool IsValid => Error is null;
    public NumberFormatError? Error { get; }

    public T Value => IsValid ? _value! : throw new InvalidOperationException("parse failed: " + Error!.Message);
}
