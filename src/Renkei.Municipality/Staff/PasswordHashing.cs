using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Renkei.Municipality.Staff;

/// <summary>
/// Password hashing with PBKDF2-HMAC-SHA256, a 16-byte random salt per password and a 32-byte hash, stored as
/// <c>pbkdf2-sha256$iterations$salt$hash</c> (salt and hash in base64) so the count can be raised later: hashes
/// made with fewer iterations than configured still verify and are re-hashed on the next successful login.
/// Passwords are NFKC-normalised first, so full-width and half-width input of the same password agree.
/// </summary>
public sealed class PasswordHashing
{
    public const string Scheme = "pbkdf2-sha256";

    /// <summary>The least count allowed outside tests and demos.</summary>
    public const int MinimumIterations = 210_000;

    /// <summary>The production count: OWASP's 2023 figure for PBKDF2-HMAC-SHA256.</summary>
    public const int DefaultIterations = 600_000;

    public const int MinimumPasswordLength = 12;
    public const int MaximumPasswordLength = 256;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private PasswordHashing(int iterations) => Iterations = iterations;

    public int Iterations { get; }

    public static PasswordHashing Default { get; } = new(DefaultIterations);

    /// <summary>A production setting with more (or at least <see cref="MinimumIterations"/>) iterations.</summary>
    public static PasswordHashing WithIterations(int iterations) => iterations >= MinimumIterations
        ? new PasswordHashing(iterations)
        : throw new ArgumentOutOfRangeException(nameof(iterations), $"at least {MinimumIterations} iterations; use InsecureForTestsAndDemos for fewer");

    /// <summary>A deliberately weak setting so tests and demo seeding run fast. Never for real accounts.</summary>
    public static PasswordHashing InsecureForTestsAndDemos(int iterations) => iterations >= 1
        ? new PasswordHashing(iterations)
        : throw new ArgumentOutOfRangeException(nameof(iterations));

    /// <summary>Why a password is not acceptable, or null. Never repeats the password.</summary>
    public static string? Weakness(string? password)
    {
        if (password is null) return "パスワードを入力してください (password required)";
        var length = Normalize(password).Length;
        if (length < MinimumPasswordLength) return $"パスワードは{MinimumPasswordLength}文字以上にしてください (password too short)";
        if (length > MaximumPasswordLength) return $"パスワードは{MaximumPasswordLength}文字以内にしてください (password too long)";
        if (password.Any(char.IsControl)) return "パスワードに制御文字は使えません (control characters in password)";
        return null;
    }

    public string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(password, salt, Iterations);
        try
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Scheme}${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(hash);
        }
    }

    /// <summary>
    /// Whether <paramref name="password"/> matches <paramref name="encoded"/> (constant-time comparison).
    /// <paramref name="needsRehash"/> says the stored hash uses another iteration count than this setting.
    /// A malformed stored hash never matches.
    /// </summary>
    public bool Verify(string password, string encoded, out bool needsRehash)
    {
        needsRehash = false;
        if (!TryDecode(encoded, out var iterations, out var salt, out var expected)) return false;
        var actual = Derive(password, salt, iterations);
        try
        {
            var match = CryptographicOperations.FixedTimeEquals(actual, expected);
            needsRehash = match && iterations != Iterations;
            return match;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(actual);
        }
    }

    /// <summary>The iteration count recorded in a stored hash, or null if it is not one of ours.</summary>
    public static int? IterationsOf(string encoded) => TryDecode(encoded, out var iterations, out _, out _) ? iterations : null;

    private static bool TryDecode(string encoded, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = hash = [];
        var parts = encoded.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme) return false;
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out iterations) || iterations < 1) return false;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            hash = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }
        return salt.Length >= SaltBytes && hash.Length == HashBytes;
    }

    private static byte[] Derive(string password, byte[] salt, int iterations)
    {
        var normalized = Normalize(password);
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(normalized.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(normalized, buffer);
            return Rfc2898DeriveBytes.Pbkdf2(buffer.AsSpan(0, length), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string Normalize(string password) => password.Normalize(NormalizationForm.FormKC);
}
