using Renkei.Core.Text;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Renkei.Municipality.Staff;

/// <summary>
/// Time-based one-time passwords (RFC 6238) as authenticator apps make them: HMAC-SHA1 over the 30-second step
/// counter (RFC 4226 dynamic truncation), 6 digits.
/// </summary>
public static class Totp
{
    public const int StepSeconds = 30;
    public const int Digits = 6;

    /// <summary>Size of a new shared secret: 160 bits, the HMAC-SHA1 block recommendation of RFC 4226.</summary>
    public const int SecretBytes = 20;

    /// <summary>The step counter T = floor(unix time / 30).</summary>
    public static long Step(DateTimeOffset time)
    {
        var seconds = time.ToUnixTimeSeconds();
        return seconds >= 0 ? seconds / StepSeconds : (seconds - (StepSeconds - 1)) / StepSeconds;
    }

    /// <summary>The code for one step with <paramref name="digits"/> digits (6 for staff; 8 appears in RFC 6238's test vectors).</summary>
    public static string Code(ReadOnlySpan<byte> secret, long step, int digits = Digits)
    {
        if (digits is < 6 or > 9) throw new ArgumentOutOfRangeException(nameof(digits));
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> mac = stackalloc byte[20];
        HMACSHA1.HashData(secret, counter, mac);
        var offset = mac[^1] & 0x0f;
        var binary = (BinaryPrimitives.ReadInt32BigEndian(mac[offset..]) & 0x7fffffff);
        CryptographicOperations.ZeroMemory(mac);
        var modulus = 1;
        for (var i = 0; i < digits; i++) modulus *= 10;
        return (binary % modulus).ToString("D" + digits, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The step whose code equals <paramref name="code"/> within ±1 step of <paramref name="now"/> and after
    /// <paramref name="lastUsedStep"/> (so a code, once accepted, is never accepted again); null if none.
    /// Every candidate is compared in constant time.
    /// </summary>
    public static long? Match(ReadOnlySpan<byte> secret, string? code, DateTimeOffset now, long? lastUsedStep)
    {
        var normalized = NormalizeCode(code);
        if (normalized is null) return null;
        var given = Encoding.ASCII.GetBytes(normalized);
        var current = Step(now);
        long? matched = null;
        for (var step = current - 1; step <= current + 1; step++)
        {
            var expected = Encoding.ASCII.GetBytes(Code(secret, step));
            if (CryptographicOperations.FixedTimeEquals(given, expected) && (lastUsedStep is null || step > lastUsedStep.Value) && matched is null)
                matched = step;
        }
        return matched;
    }

    /// <summary>
    /// The <c>otpauth://</c> URI an authenticator app reads from a QR code at enrolment. It carries the secret:
    /// show it once to the staff member, never log or store it.
    /// </summary>
    public static string ProvisioningUri(ReadOnlySpan<byte> secret, string issuer, string account) =>
        $"otpauth://totp/{Uri.EscapeDataString(issuer)}:{Uri.EscapeDataString(account)}?secret={Base32.Encode(secret)}"
        + $"&issuer={Uri.EscapeDataString(issuer)}&algorithm=SHA1&digits={Digits}&period={StepSeconds}";

    /// <summary>Six ASCII digits from what was typed (spaces and full-width digits allowed), or null.</summary>
    private static string? NormalizeCode(string? code)
    {
        if (code is null) return null;
        var text = code.Normalize(NormalizationForm.FormKC).Replace(" ", "", StringComparison.Ordinal).Trim();
        return text.Length == Digits && text.All(char.IsAsciiDigit) ? text : null;
    }
}
