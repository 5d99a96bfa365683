using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;

namespace Renkei.Core.Cards;

/// <summary>
/// Where a software card's bytes live (the "chip"). <see cref="SoftwareCard"/> reads it before every operation and
/// writes it after every change, so two programs using the same card see the same retry counters.
/// </summary>
public interface ICardMedium
{
    /// <summary>The stored card, or null when there is none yet.</summary>
    byte[]? Read();

    /// <summary>Replaces the stored card as a whole (atomically: a reader sees the old or the new card, never a mix).</summary>
    void Write(byte[] content);
}

/// <summary>A card held in memory (tests, and programs that keep cards in their own storage).</summary>
public sealed class InMemoryCardMedium : ICardMedium
{
    private readonly Lock _lock = new();
    private byte[]? _content;

    public InMemoryCardMedium(byte[]? content = null) => _content = content?.ToArray();

    public byte[]? Read()
    {
        lock (_lock) return _content?.ToArray();
    }

    public void Write(byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        lock (_lock) _content = content.ToArray();
    }
}

/// <summary>
/// The PINs a holder sets at the counter (交付時の暗証番号設定). <see cref="Signing"/> is null when no signing certificate
/// is issued (under 15, or the holder declined it). Printing it shows nothing (each PIN is masked).
/// </summary>
public sealed record CardPinSet(CardPin UserAuthentication, CardPin? Signing, CardPin TextEntrySupport, CardPin ResidentRegistry)
{
    public CardPin? For(CardPinKind kind) => kind switch
    {
        CardPinKind.UserAuthentication => UserAuthentication,
        CardPinKind.Signing => Signing,
        CardPinKind.TextEntrySupport => TextEntrySupport,
        CardPinKind.ResidentRegistry => ResidentRegistry,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}

/// <summary>
/// A wrong PIN, or a locked application. <see cref="RemainingAttempts"/> is what is left after this try; at 0 the
/// application is locked (<see cref="Locked"/>) and only the counter can unlock it. The message never carries the PIN.
/// </summary>
public sealed class CardPinException(CardPinKind kind, int remainingAttempts, bool lockedBefore)
    : Exception(lockedBefore
        ? $"the {CardPinRules.Describe(kind)} is locked; unlock it at the municipal counter with an identity check (暗証番号がロックされています。窓口で解除してください)"
        : remainingAttempts == 0
            ? $"wrong {CardPinRules.Describe(kind)}; it is now locked (暗証番号が誤っています。ロックされました)"
            : $"wrong {CardPinRules.Describe(kind)}; {remainingAttempts} tries left (暗証番号が誤っています。残り{remainingAttempts}回)")
{
    public CardPinKind Kind { get; } = kind;
    public int RemainingAttempts { get; } = remainingAttempts;
    public bool Locked => RemainingAttempts == 0;

    /// <summary>"pin-locked" when the application was already locked, else "wrong-pin".</summary>
    public string Code { get; } = lockedBefore ? "pin-locked" : "wrong-pin";
}

/// <summary>The stored card is not a readable Renkei software card (damaged, altered or another file).</summary>
public sealed class CardFormatException(string message) : Exception(message);

/// <summary>
/// The software card: a file (or any <see cref="ICardMedium"/>) standing for the chip of an individual number card
/// (個人番号カード), with its applications (AP構成, seed 001):
/// <list type="bullet">
/// <item>the face data (券面AP, <see cref="CardFace"/>), in clear as it is printed on the card;</item>
/// <item>JPKI (公的個人認証): a user-authentication key pair and a signing key pair (RSA-2048, generated on the card at
/// the counter; the private keys never leave it) with J-LIS's certificates; signatures are RSA PKCS#1 v1.5 with
/// SHA-256;</item>
/// <item>text-entry support (券面事項入力補助AP): the number and the four facts signed by J-LIS (<see cref="TextEntrySupportData"/>);</item>
/// <item>resident registry (住基AP): the resident-record code.</item>
/// </list>
/// <para><b>Format.</b> UTF-8 JSON:
/// <code>
/// { "format": "renkei-software-card/1", "cardNumber": "…", "cardSecret": base64(32 random bytes),
///   "issuerKey": base64(J-LIS's ECDH P-256 unlock key, SubjectPublicKeyInfo),
///   "face": { name, address, birthDate, sex, issuedOn, cardExpires, municipality, photo },
///   "applications": { "user-authentication" | "signing" | "text-entry-support" | "resident-registry": {
///       "maxAttempts": 3|5, "remaining": n,               // the retry counter (残り回数); 0 = locked
///       "salt": base64(16), "iterations": 100000,
///       "wrappedKey": { nonce, data, tag },                // the application's data key under the PIN key
///       "issuerWrappedKey": SealedPayload,                 // the same data key sealed to J-LIS, for a counter unlock
///       "content": { nonce, data, tag },                   // PKCS#8 private key, or the application's data as JSON
///       "publicKey": base64 SPKI | null, "certificate": base64 DER | null } } }
/// </code>
/// Each application has its own random 256-bit data key; its content is AES-256-GCM under that key. The data key is
/// wrapped (AES-256-GCM) under the PIN key = PBKDF2-HMAC-SHA256(PIN, SHA-256(label ‖ card secret ‖ salt ‖ application),
/// 100,000 iterations): without the right PIN the GCM tag does not verify and the key stays sealed. Associated data binds
/// every ciphertext to the card number and application, so nothing can be moved between cards or applications.
/// </para>
/// <para><b>Retry counters.</b> Before a PIN is tried the counter goes down and the card is written; a right PIN puts it
/// back to the maximum. At 0 the application is locked: even the right PIN is refused. A locked application is unlocked
/// only at the counter: J-LIS records the identity check, opens <c>issuerWrappedKey</c> (sealed to its key, bound to
/// this card and application) and hands the data key to the counter terminal, which wraps it under the holder's new PIN
/// (<see cref="UnlockRequest"/>, <see cref="CompleteUnlock"/>).</para>
/// <para><b>Limits of a software card — read before trusting one.</b> A chip keeps its keys and counters in tamper-resistant
/// hardware and never lets them out. A file cannot: whoever copies the file can restore an old copy to reset the counters,
/// and can try all 10,000 four-digit PINs offline against the copy (the key derivation makes that take minutes, not
/// years). The card secret only makes each card's PIN keys its own (no precomputed tables across cards); it lives in the
/// same file. The counters therefore bind only software that uses this class, and the file must be guarded like a
/// private key (mode 600). The face data is in clear, as it is printed on a real card. This is a faithful model of the
/// card's rules for a demo and for tests, not a substitute for the chip.</para>
/// </summary>
public sealed class SoftwareCard
{
    public const string FormatName = "renkei-software-card/1";
    public const int KdfIterations = 100_000;
    public const int RsaKeySize = 2048;

    private const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int SaltSize = 16;

    private static readonly JsonSerializerOptions Json = new(JsonDefaults.Options) { WriteIndented = true };

    private readonly ICardMedium _medium;
    private readonly Lock _lock = new();
    private CardDocument _document;

    private SoftwareCard(ICardMedium medium, CardDocument document)
    {
        _medium = medium;
        _document = document;
    }

    // ------------------------------------------------------------------ creating and opening

    /// <summary>
    /// Personalises a new card at the counter: generates the JPKI key pairs on the card (the signing pair only when
    /// <paramref name="pins"/> has a signing PIN), stores the face data, the text-entry-support data and the
    /// resident-record code, each application under the holder's PIN, and writes the card to <paramref name="medium"/>.
    /// The certificates come afterwards (<see cref="InstallCertificate"/>) for the public keys the card now shows.
    /// </summary>
    /// <param name="issuerUnlockKey">J-LIS's ECDH P-256 public key (SubjectPublicKeyInfo DER) for counter unlocks.</param>
    public static SoftwareCard Create(ICardMedium medium, CardNumber number, CardFace face, TextEntrySupportData textEntry,
        ResidentCode residentCode, CardPinSet pins, ReadOnlySpan<byte> issuerUnlockKey)
    {
        ArgumentNullException.ThrowIfNull(medium);
        ArgumentNullException.ThrowIfNull(face);
        ArgumentNullException.ThrowIfNull(textEntry);
        ArgumentNullException.ThrowIfNull(pins);
        foreach (var kind in CardPinRules.All)
            if (pins.For(kind) is { } pin && pin.Kind != kind)
                throw new ArgumentException($"the PIN given for {CardPinRules.Name(kind)} is a {CardPinRules.Name(pin.Kind)} PIN", nameof(pins));
        using (var check = ECDiffieHellman.Create())
        {
            try { check.ImportSubjectPublicKeyInfo(issuerUnlockKey, out _); }
            catch (CryptographicException) { throw new ArgumentException("the issuer unlock key is not an ECDH public key", nameof(issuerUnlockKey)); }
        }

        var document = new CardDocument
        {
            Format = FormatName,
            CardNumber = number.Text,
            CardSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeySize)),
            IssuerKey = Convert.ToBase64String(issuerUnlockKey),
            Face = face,
        };
        var card = new SoftwareCard(medium, document);
        lock (card._lock)
        {
            card.PutKeyPair(CardPinKind.UserAuthentication, pins.UserAuthentication);
            if (pins.Signing is { } signing) card.PutKeyPair(CardPinKind.Signing, signing);
            card.PutApplication(CardPinKind.TextEntrySupport, pins.TextEntrySupport,
                JsonSerializer.SerializeToUtf8Bytes(textEntry, JsonDefaults.Options), null);
            card.PutApplication(CardPinKind.ResidentRegistry, pins.ResidentRegistry,
                JsonSerializer.SerializeToUtf8Bytes(new ResidentRegistryContent(residentCode), JsonDefaults.Options), null);
            card.Save();
        }
        return card;
    }

    /// <summary>Opens the card stored in <paramref name="medium"/>; <see cref="CardFormatException"/> when there is none or it is not a card.</summary>
    public static SoftwareCard Open(ICardMedium medium)
    {
        ArgumentNullException.ThrowIfNull(medium);
        return new SoftwareCard(medium, Load(medium));
    }

    // ------------------------------------------------------------------ what anyone may read

    public CardNumber Number
    {
        get { lock (_lock) return CardNumber.Parse(_document.CardNumber); }
    }

    /// <summary>The face data (券面AP).</summary>
    public CardFace Face
    {
        get { lock (_lock) return _document.Face; }
    }

    /// <summary>Whether the card has the application: always, except the signing one (none under 15, or declined).</summary>
    public bool Has(CardPinKind kind)
    {
        lock (_lock)
        {
            Reload();
            return _document.Applications.ContainsKey(CardPinRules.Name(kind));
        }
    }

    /// <summary>Wrong tries left before the application locks (its maximum after a right PIN; 0 when locked).</summary>
    public int RemainingAttempts(CardPinKind kind)
    {
        lock (_lock)
        {
            Reload();
            return App(kind).Remaining;
        }
    }

    public bool IsLocked(CardPinKind kind) => RemainingAttempts(kind) == 0;

    /// <summary>The public key of a JPKI key pair (SubjectPublicKeyInfo DER), for J-LIS to certify.</summary>
    public byte[] PublicKey(CardPinKind kind)
    {
        RequireKeyPair(kind);
        lock (_lock)
        {
            Reload();
            return Convert.FromBase64String(App(kind).PublicKey ?? throw new InvalidOperationException("no key pair"));
        }
    }

    /// <summary>The certificate of a JPKI key pair, or null before J-LIS issued it (or after its key was replaced).</summary>
    public X509Certificate2? Certificate(CardPinKind kind)
    {
        RequireKeyPair(kind);
        lock (_lock)
        {
            Reload();
            return _document.Applications.TryGetValue(CardPinRules.Name(kind), out var app) && app.Certificate is { } der
                ? X509CertificateLoader.LoadCertificate(Convert.FromBase64String(der))
                : null;
        }
    }

    // ------------------------------------------------------------------ counter operations without a PIN

    /// <summary>Stores the certificate J-LIS issued for the card's key pair; refused when it certifies another key.</summary>
    public void InstallCertificate(CardPinKind kind, X509Certificate2 certificate)
    {
        RequireKeyPair(kind);
        ArgumentNullException.ThrowIfNull(certificate);
        lock (_lock)
        {
            Reload();
            var app = App(kind);
            var key = Convert.ToBase64String(certificate.PublicKey.ExportSubjectPublicKeyInfo());
            if (key != app.PublicKey)
                throw new CardRuleException("certificate-key-mismatch",
                    $"the certificate does not certify this card's {CardPinRules.Name(kind)} key (証明書の公開鍵がカードの鍵と一致しません)");
            app.Certificate = Convert.ToBase64String(certificate.RawData);
            Save();
        }
    }

    /// <summary>
    /// The application's data key sealed to J-LIS, bound to this card and application: the counter sends it to J-LIS
    /// together with the identity check to have a locked PIN reset.
    /// </summary>
    public SealedPayload UnlockRequest(CardPinKind kind)
    {
        lock (_lock)
        {
            Reload();
            return App(kind).IssuerWrappedKey;
        }
    }

    /// <summary>The associated data J-LIS's unlock seal is bound to: card number and application.</summary>
    public static byte[] UnlockAssociatedData(CardNumber number, CardPinKind kind) =>
        Encoding.UTF8.GetBytes($"{FormatName}|unlock|{number.Text}|{CardPinRules.Name(kind)}");

    /// <summary>
    /// Finishes a counter unlock: <paramref name="dataKey"/> is what J-LIS opened from <see cref="UnlockRequest"/>; the
    /// application is wrapped under the holder's new PIN and its counter reset. A key that does not open this
    /// application is refused and changes nothing.
    /// </summary>
    public void CompleteUnlock(CardPinKind kind, ReadOnlySpan<byte> dataKey, CardPin newPin)
    {
        RequirePin(kind, newPin);
        lock (_lock)
        {
            Reload();
            var app = App(kind);
            byte[] content;
            try
            {
                content = Decrypt(dataKey, app.Content, Aad(kind, "content"));
            }
            catch (CryptographicException)
            {
                throw new CardRuleException("unlock-key-mismatch", "the unlock key does not fit this card (解除鍵がこのカードに対応していません)");
            }
            CryptographicOperations.ZeroMemory(content);
            Wrap(kind, app, newPin, dataKey);
            app.Remaining = app.MaxAttempts;
            Save();
        }
    }

    // ------------------------------------------------------------------ operations with a PIN

    /// <summary>Checks a PIN (and counts it like any other try).</summary>
    public void VerifyPin(CardPin pin)
    {
        ArgumentNullException.ThrowIfNull(pin);
        lock (_lock)
        {
            var key = UnwrapWithPin(pin.Kind, pin);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// Signs <paramref name="data"/> with a JPKI private key (RSA PKCS#1 v1.5, SHA-256): the user-authentication key for
    /// a login challenge, the signing key for a document. Needs that key's PIN.
    /// </summary>
    public byte[] Sign(CardPin pin, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(pin);
        RequireKeyPair(pin.Kind);
        lock (_lock)
        {
            var pkcs8 = OpenContent(pin.Kind, pin);
            try
            {
                using var rsa = RSA.Create();
                rsa.ImportPkcs8PrivateKey(pkcs8, out _);
                return rsa.SignData(data.ToArray(), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }
        }
    }

    /// <summary>The text-entry-support data (number and four facts with J-LIS's signature). Needs the text-entry-support PIN.</summary>
    public TextEntrySupportData ReadTextEntrySupport(CardPin pin)
    {
        RequirePin(CardPinKind.TextEntrySupport, pin);
        lock (_lock)
        {
            var content = OpenContent(CardPinKind.TextEntrySupport, pin);
            try
            {
                return JsonSerializer.Deserialize<TextEntrySupportData>(content, JsonDefaults.Options)
                    ?? throw new CardFormatException("the text-entry-support data is empty");
            }
            finally
            {
                CryptographicOperations.ZeroMemory(content);
            }
        }
    }

    /// <summary>The resident-record code (住基AP). Needs the resident-registry PIN.</summary>
    public ResidentCode ReadResidentCode(CardPin pin)
    {
        RequirePin(CardPinKind.ResidentRegistry, pin);
        lock (_lock)
        {
            var content = OpenContent(CardPinKind.ResidentRegistry, pin);
            return JsonSerializer.Deserialize<ResidentRegistryContent>(content, JsonDefaults.Options)?.ResidentCode
                ?? throw new CardFormatException("the resident-registry data is empty");
        }
    }

    /// <summary>The holder changes a PIN (暗証番号の変更), knowing the current one.</summary>
    public void ChangePin(CardPin current, CardPin next)
    {
        ArgumentNullException.ThrowIfNull(current);
        RequirePin(current.Kind, next);
        lock (_lock)
        {
            var key = UnwrapWithPin(current.Kind, current);
            try
            {
                Wrap(current.Kind, App(current.Kind), next, key);
                Save();
            }
            finally
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }
    }

    /// <summary>
    /// A new key pair on the card for a new certificate (renewal of the certificates, a signing certificate again after
    /// a change of name or address, or a first one at 15), under <paramref name="pin"/>; the old key and certificate are
    /// gone. The caller has J-LIS certify <see cref="PublicKey"/> and installs the certificate.
    /// </summary>
    public void ReplaceKeyPair(CardPin pin)
    {
        ArgumentNullException.ThrowIfNull(pin);
        RequireKeyPair(pin.Kind);
        lock (_lock)
        {
            Reload();
            PutKeyPair(pin.Kind, pin);
            Save();
        }
    }

    /// <summary>
    /// Rewrites the face data and the text-entry-support data after a change of name or address (the counter writes the
    /// new facts to the chip as it endorses the card's back, 裏書). Needs the text-entry-support PIN.
    /// </summary>
    public void UpdateFacts(CardFace face, TextEntrySupportData textEntry, CardPin textEntryPin)
    {
        ArgumentNullException.ThrowIfNull(face);
        ArgumentNullException.ThrowIfNull(textEntry);
        RequirePin(CardPinKind.TextEntrySupport, textEntryPin);
        lock (_lock)
        {
            var key = UnwrapWithPin(CardPinKind.TextEntrySupport, textEntryPin);
            try
            {
                var app = App(CardPinKind.TextEntrySupport);
                app.Content = Encrypt(key, JsonSerializer.SerializeToUtf8Bytes(textEntry, JsonDefaults.Options), Aad(CardPinKind.TextEntrySupport, "content"));
                _document.Face = face;
                Save();
            }
            finally
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }
    }

    // ------------------------------------------------------------------ internals

    private void PutKeyPair(CardPinKind kind, CardPin pin)
    {
        using var rsa = RSA.Create(RsaKeySize);
        var pkcs8 = rsa.ExportPkcs8PrivateKey();
        try
        {
            PutApplication(kind, pin, pkcs8, Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private void PutApplication(CardPinKind kind, CardPin pin, byte[] content, string? publicKey)
    {
        RequirePin(kind, pin);
        var dataKey = RandomNumberGenerator.GetBytes(KeySize);
        try
        {
            var app = new ApplicationState
            {
                MaxAttempts = CardPinRules.MaxAttempts(kind),
                Remaining = CardPinRules.MaxAttempts(kind),
                Content = Encrypt(dataKey, content, Aad(kind, "content")),
                IssuerWrappedKey = MessageSealing.Seal(Convert.FromBase64String(_document.IssuerKey), dataKey,
                    UnlockAssociatedData(CardNumber.Parse(_document.CardNumber), kind)),
                PublicKey = publicKey,
            };
            Wrap(kind, app, pin, dataKey);
            _document.Applications[CardPinRules.Name(kind)] = app;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private void Wrap(CardPinKind kind, ApplicationState app, CardPin pin, ReadOnlySpan<byte> dataKey)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var pinKey = DerivePinKey(kind, pin, salt, KdfIterations);
        try
        {
            app.Salt = Convert.ToBase64String(salt);
            app.Iterations = KdfIterations;
            app.WrappedKey = Encrypt(pinKey, dataKey, Aad(kind, "key"));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pinKey);
        }
    }

    /// <summary>The application's data key for a PIN, counting the try: the counter is written down before the check and back up after a right PIN.</summary>
    private byte[] UnwrapWithPin(CardPinKind kind, CardPin pin)
    {
        if (pin.Kind != kind) throw new ArgumentException($"a {CardPinRules.Name(kind)} PIN is needed", nameof(pin));
        Reload();
        var app = App(kind);
        if (app.Remaining <= 0) throw new CardPinException(kind, 0, lockedBefore: true);
        app.Remaining--;
        Save();
        var pinKey = DerivePinKey(kind, pin, Convert.FromBase64String(app.Salt), app.Iterations);
        byte[] dataKey;
        try
        {
            dataKey = Decrypt(pinKey, app.WrappedKey, Aad(kind, "key"));
        }
        catch (CryptographicException)
        {
            throw new CardPinException(kind, app.Remaining, lockedBefore: false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pinKey);
        }
        app.Remaining = app.MaxAttempts;
        Save();
        return dataKey;
    }

    private byte[] OpenContent(CardPinKind kind, CardPin pin)
    {
        var dataKey = UnwrapWithPin(kind, pin);
        try
        {
            return Decrypt(dataKey, App(kind).Content, Aad(kind, "content"));
        }
        catch (CryptographicException)
        {
            throw new CardFormatException("the card's data does not decrypt: the card file was altered");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private byte[] DerivePinKey(CardPinKind kind, CardPin pin, byte[] salt, int iterations)
    {
        if (iterations is < 10_000 or > 10_000_000) throw new CardFormatException("the card's key derivation settings are out of range");
        var secret = Convert.FromBase64String(_document.CardSecret);
        var label = Encoding.UTF8.GetBytes("renkei/card/pin-key/v1|" + CardPinRules.Name(kind) + "|");
        var combined = SHA256.HashData([.. label, .. secret, .. salt]);
        CryptographicOperations.ZeroMemory(secret);
        return Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(pin.Reveal()), combined, iterations, HashAlgorithmName.SHA256, KeySize);
    }

    private byte[] Aad(CardPinKind kind, string part) =>
        Encoding.UTF8.GetBytes($"{FormatName}|{_document.CardNumber}|{CardPinRules.Name(kind)}|{part}");

    private static Ciphertext Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, byte[] associatedData)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[TagSize];
        using (var aes = new AesGcm(key, TagSize)) aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
        return new Ciphertext(Convert.ToBase64String(nonce), Convert.ToBase64String(ciphertext), Convert.ToBase64String(tag));
    }

    private static byte[] Decrypt(ReadOnlySpan<byte> key, Ciphertext sealedData, byte[] associatedData)
    {
        if (key.Length != KeySize) throw new CryptographicException("wrong key size");
        byte[] nonce, ciphertext, tag;
        try
        {
            nonce = Convert.FromBase64String(sealedData.Nonce);
            ciphertext = Convert.FromBase64String(sealedData.Data);
            tag = Convert.FromBase64String(sealedData.Tag);
        }
        catch (FormatException)
        {
            throw new CardFormatException("the card file is damaged (a field is not base64)");
        }
        if (nonce.Length != NonceSize || tag.Length != TagSize) throw new CardFormatException("the card file is damaged (nonce or tag size)");
        var plaintext = new byte[ciphertext.Length];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
        return plaintext;
    }

    private ApplicationState App(CardPinKind kind) =>
        _document.Applications.TryGetValue(CardPinRules.Name(kind), out var app)
            ? app
            : throw new CardRuleException("no-such-application", kind == CardPinKind.Signing
                ? "this card has no signing certificate (署名用電子証明書が搭載されていません)"
                : $"this card has no {CardPinRules.Name(kind)} application");

    private static void RequireKeyPair(CardPinKind kind)
    {
        if (kind is not (CardPinKind.UserAuthentication or CardPinKind.Signing))
            throw new ArgumentException("only the user-authentication and signing applications hold key pairs", nameof(kind));
    }

    private static void RequirePin(CardPinKind kind, CardPin? pin)
    {
        ArgumentNullException.ThrowIfNull(pin);
        if (pin.Kind != kind) throw new ArgumentException($"a {CardPinRules.Name(kind)} PIN is needed", nameof(pin));
    }

    private void Reload() => _document = Load(_medium);

    private void Save() => _medium.Write(JsonSerializer.SerializeToUtf8Bytes(_document, Json));

    private static CardDocument Load(ICardMedium medium)
    {
        var bytes = medium.Read() ?? throw new CardFormatException("there is no card here (カードがありません)");
        CardDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<CardDocument>(bytes, Json);
        }
        catch (JsonException)
        {
            throw new CardFormatException("this is not a Renkei software card, or it is damaged (カードを読み取れません)");
        }
        if (document is null || document.Format != FormatName || document.Face is null
            || !CardNumber.TryParse(document.CardNumber, out _, out _))
            throw new CardFormatException("this is not a Renkei software card, or it is damaged (カードを読み取れません)");
        foreach (var (name, app) in document.Applications)
        {
            if (!CardPinRules.All.Any(k => CardPinRules.Name(k) == name) || app.WrappedKey is null || app.Content is null
                || app.IssuerWrappedKey is null || app.Remaining < 0 || app.Remaining > app.MaxAttempts
                || app.MaxAttempts != CardPinRules.MaxAttempts(CardPinRules.All.First(k => CardPinRules.Name(k) == name)))
                throw new CardFormatException("this is not a Renkei software card, or it is damaged (カードを読み取れません)");
        }
        return document;
    }

    private sealed class CardDocument
    {
        public string Format { get; set; } = "";
        public string CardNumber { get; set; } = "";
        public string CardSecret { get; set; } = "";
        public string IssuerKey { get; set; } = "";
        public CardFace Face { get; set; } = null!;
        public Dictionary<string, ApplicationState> Applications { get; set; } = new();
    }

    private sealed class ApplicationState
    {
        public int MaxAttempts { get; set; }
        public int Remaining { get; set; }
        public string Salt { get; set; } = "";
        public int Iterations { get; set; }
        public Ciphertext WrappedKey { get; set; } = null!;
        public SealedPayload IssuerWrappedKey { get; set; } = null!;
        public Ciphertext Content { get; set; } = null!;
        public string? PublicKey { get; set; }
        public string? Certificate { get; set; }
    }

    private sealed record Ciphertext(string Nonce, string Data, string Tag);

    private sealed record ResidentRegistryContent(ResidentCode ResidentCode);
}
