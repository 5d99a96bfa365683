using System.Globalization;
using System.Security.Cryptography;

namespace Renkei.Core.Cards;

/// <summary>
/// A challenge a relying party (the portal, a kiosk) asks a card to sign with its user-authentication key
/// (利用者証明用電子証明書) at login. The signed bytes are the UTF-8 of <see cref="Text"/>:
/// <c>renkei-card-login/1 "\n" RELYING-PARTY "\n" ISSUED-AT (Unix seconds) "\n" NONCE (base64url, 32 random bytes)</c>.
/// The signature is RSA PKCS#1 v1.5 with SHA-256 (what the card's user key does). Naming the relying party stops a
/// signature made for one service being replayed at another; the time and nonce stop it being replayed later.
/// A challenge is good for <see cref="MaxAge"/>.
/// </summary>
public sealed record CardLoginChallenge(string RelyingParty, DateTimeOffset IssuedAt, string Nonce)
{
    public const string Prefix = "renkei-card-login/1";

    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    public string Text => Prefix + "\n" + RelyingParty + "\n" + IssuedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + "\n" + Nonce;

    public static CardLoginChallenge Create(string relyingParty, TimeProvider clock)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(relyingParty);
        if (relyingParty.Contains('\n')) throw new ArgumentException("the relying party cannot contain a line break", nameof(relyingParty));
        var now = DateTimeOffset.FromUnixTimeSeconds(clock.GetUtcNow().ToUnixTimeSeconds());
        return new CardLoginChallenge(relyingParty, now, Base64Url(RandomNumberGenerator.GetBytes(32)));
    }

    /// <summary>Parses <see cref="Text"/>; false for anything else (wrong prefix, field count, time or nonce shape).</summary>
    public static bool TryParse(string? text, out CardLoginChallenge? challenge)
    {
        challenge = null;
        if (text is null || text.Length > 400) return false;
        var parts = text.Split('\n');
        if (parts.Length != 4 || parts[0] != Prefix || parts[1].Length == 0) return false;
        if (!long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253402300799) return false;
        if (parts[3].Length != 43 || !parts[3].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return false;
        challenge = new CardLoginChallenge(parts[1], DateTimeOffset.FromUnixTimeSeconds(seconds), parts[3]);
        return true;
    }

    /// <summary>True while the challenge is no older than <see cref="MaxAge"/> and not from the future (30 s of skew allowed).</summary>
    public bool IsFresh(TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return IssuedAt <= now.AddSeconds(30) && now - IssuedAt <= MaxAge;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
