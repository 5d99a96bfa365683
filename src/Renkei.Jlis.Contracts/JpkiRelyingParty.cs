using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Renkei.Core.People;

namespace Renkei.Jlis.Contracts;

/// <summary>
/// The four basic facts (基本4情報) a signing certificate (署名用電子証明書) carries in its subject alternative name.
/// <see cref="ToString"/> withholds them, so a logged subject shows no personal information.
/// </summary>
public sealed record SigningCertificateSubject(string Name, DateOnly BirthDate, Sex Sex, string Address)
{
    public override string ToString() => "SigningCertificateSubject { (four basic facts withheld) }";
}

/// <summary>
/// What a relying party reads from Renkei's JPKI certificates (docs/jpki-profile.md): the object identifiers of the
/// certificate policies and of the four facts, which kind a certificate is, and the facts themselves. The OIDs are under
/// a UUID arc (ITU-T X.667, <c>2.25.&lt;uuid&gt;</c>) that Renkei allocated for itself; the real JPKI uses J-LIS's own
/// registered arc, which this project does not claim. J-LIS's issuing side (Renkei.Jlis.Pki.JpkiProfile) uses these.
/// </summary>
public static class JpkiCertificateProfile
{
    /// <summary>Renkei's private arc: 2.25 + the UUID f76c91fe-c77a-4ea8-8042-7886480aeb76 as an integer.</summary>
    public const string Arc = "2.25.328883044154677167463796262158924966774";

    /// <summary>Certificate policy of signing certificates (署名用電子証明書).</summary>
    public const string SigningPolicyOid = Arc + ".1.1";

    /// <summary>Certificate policy of user-authentication certificates (利用者証明用電子証明書).</summary>
    public const string UserAuthenticationPolicyOid = Arc + ".1.2";

    /// <summary>SAN otherName: the holder's name as on the resident register (氏名), UTF8String.</summary>
    public const string NameOid = Arc + ".2.1";

    /// <summary>SAN otherName: birth date (生年月日), UTF8String <c>yyyy-MM-dd</c> (Gregorian).</summary>
    public const string BirthDateOid = Arc + ".2.2";

    /// <summary>SAN otherName: sex (性別), UTF8String <c>1</c> male, <c>2</c> female (the resident register's codes).</summary>
    public const string SexOid = Arc + ".2.3";

    /// <summary>SAN otherName: address (住所) as on the resident register, UTF8String.</summary>
    public const string AddressOid = Arc + ".2.4";

    /// <summary>RSA modulus size of every CA key, and the least accepted for a holder's key.</summary>
    public const int KeySize = 2048;

    public static readonly HashAlgorithmName Hash = HashAlgorithmName.SHA256;

    /// <summary>Certificates, CRLs, documents and login challenges are all signed with RSA PKCS#1 v1.5 (sha256WithRSAEncryption).</summary>
    public static readonly RSASignaturePadding Padding = RSASignaturePadding.Pkcs1;

    public const string SubjectAltNameOid = "2.5.29.17";
    public const string CertificatePoliciesOid = "2.5.29.32";

    /// <summary>The tag of an otherName in a GeneralNames sequence (<c>[0]</c>, constructed).</summary>
    public static readonly Asn1Tag OtherNameTag = new(TagClass.ContextSpecific, 0, isConstructed: true);

    /// <summary>The tag of an otherName's value (<c>[0] EXPLICIT</c>).</summary>
    public static readonly Asn1Tag ExplicitValueTag = new(TagClass.ContextSpecific, 0, isConstructed: true);

    /// <summary>The policy OID of certificates of <paramref name="kind"/>.</summary>
    public static string PolicyOid(JpkiCertificateKind kind) => kind switch
    {
        JpkiCertificateKind.Signing => SigningPolicyOid,
        JpkiCertificateKind.UserAuthentication => UserAuthenticationPolicyOid,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Which kind a certificate issued by Renkei's JPKI is, from its certificate policy; null if neither.</summary>
    public static JpkiCertificateKind? KindOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var policies = certificate.Extensions[CertificatePoliciesOid];
        if (policies is null) return null;
        try
        {
            var reader = new AsnReader(policies.RawData, AsnEncodingRules.DER).ReadSequence();
            while (reader.HasData)
            {
                var information = reader.ReadSequence();
                switch (information.ReadObjectIdentifier())
                {
                    case SigningPolicyOid: return JpkiCertificateKind.Signing;
                    case UserAuthenticationPolicyOid: return JpkiCertificateKind.UserAuthentication;
                }
            }
        }
        catch (AsnContentException) { }
        return null;
    }

    /// <summary>
    /// The four facts of a signing certificate's subject alternative name; null when the certificate carries none of
    /// them (a user-authentication certificate). Throws <see cref="CryptographicException"/> when only some are present
    /// or one is malformed (the message names the field, never its value).
    /// </summary>
    public static SigningCertificateSubject? ReadSigningSubject(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var facts = ReadOtherNames(certificate);
        if (!facts.Keys.Any(oid => oid is NameOid or BirthDateOid or SexOid or AddressOid)) return null;
        string Fact(string oid) => facts.TryGetValue(oid, out var value)
            ? value
            : throw new CryptographicException($"the certificate's subject alternative name lacks {oid}");
        if (!DateOnly.TryParseExact(Fact(BirthDateOid), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth))
            throw new CryptographicException("the certificate's birth date is not yyyy-MM-dd");
        var sex = Fact(SexOid) switch
        {
            "1" => Sex.Male,
            "2" => Sex.Female,
            _ => throw new CryptographicException("the certificate's sex is neither 1 nor 2"),
        };
        return new SigningCertificateSubject(Fact(NameOid), birth, sex, Fact(AddressOid));
    }

    /// <summary>Every otherName of the certificate's subject alternative name whose value is a UTF8String, by OID.</summary>
    public static IReadOnlyDictionary<string, string> ReadOtherNames(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        var extension = certificate.Extensions[SubjectAltNameOid];
        if (extension is null) return found;
        try
        {
            var names = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
            while (names.HasData)
            {
                if (!names.PeekTag().HasSameClassAndValue(OtherNameTag))
                {
                    names.ReadEncodedValue();
                    continue;
                }
                var otherName = names.ReadSequence(OtherNameTag);
                var oid = otherName.ReadObjectIdentifier();
                var value = otherName.ReadSequence(ExplicitValueTag);
                if (value.PeekTag().HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.UTF8String)))
                    found[oid] = value.ReadCharacterString(UniversalTagNumber.UTF8String);
            }
        }
        catch (AsnContentException)
        {
            throw new CryptographicException("the certificate's subject alternative name is malformed");
        }
        return found;
    }

    /// <summary>
    /// A certificate's serial number as J-LIS records it: upper-case hexadecimal, leading zero octets dropped (what
    /// <see cref="CertificateStatusResponse.SerialNumber"/> and J-LIS's card records hold).
    /// </summary>
    public static string SerialOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var hex = certificate.SerialNumber;
        while (hex.Length > 2 && hex.StartsWith("00", StringComparison.Ordinal)) hex = hex[2..];
        return hex;
    }
}

/// <summary>A JPKI certificate that chained to J-LIS's root, was valid and good at J-LIS, and made the signature checked.</summary>
/// <param name="SerialNumber">Upper-case hexadecimal, leading zero octets dropped (<see cref="JpkiCertificateProfile.SerialOf"/>).</param>
/// <param name="Subject">The four facts of a signing certificate; null for a user-authentication certificate (it names nobody).</param>
public sealed record VerifiedJpkiCertificate(string SerialNumber, JpkiCertificateKind Kind, DateTimeOffset NotAfter, SigningCertificateSubject? Subject);

/// <summary>
/// Stable codes of <see cref="JpkiVerificationException"/>. They are the same strings as the matching
/// <see cref="PortalLoginRefusalCodes"/> and <c>EApplicationRefusalCodes</c>, except that a portal login reports
/// <see cref="CertificateNotTrusted"/> as <see cref="PortalLoginRefusalCodes.CertificateNotIssuedHere"/>.
/// </summary>
public static class JpkiVerificationCodes
{
    /// <summary>Not a certificate, not of the asked kind, not issued by J-LIS's issuing CA of that kind, wrong key usage, or unknown to J-LIS.</summary>
    public const string CertificateNotTrusted = "certificate-not-trusted";
    public const string CertificateRevoked = PortalLoginRefusalCodes.CertificateRevoked;
    public const string CertificateSuspended = PortalLoginRefusalCodes.CertificateSuspended;
    /// <summary>Outside its validity (or its CA's) at the relying party's clock: expired or not yet valid.</summary>
    public const string CertificateExpired = PortalLoginRefusalCodes.CertificateExpired;
    /// <summary>The signature is not base64, or does not verify with the certificate's key over the signed bytes.</summary>
    public const string BadSignature = PortalLoginRefusalCodes.BadSignature;
}

/// <summary>A JPKI certificate or signature was refused. <see cref="Code"/> is one of <see cref="JpkiVerificationCodes"/>; the message (English, then Japanese) carries no personal value.</summary>
public sealed class JpkiVerificationException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>J-LIS's three CA certificates a relying party trusts: the root, and the issuing CA of each kind.</summary>
public sealed record JpkiTrustAnchors(X509Certificate2 Root, X509Certificate2 SigningCa, X509Certificate2 UserAuthenticationCa)
{
    public X509Certificate2 IssuingCa(JpkiCertificateKind kind) => kind switch
    {
        JpkiCertificateKind.Signing => SigningCa,
        JpkiCertificateKind.UserAuthentication => UserAuthenticationCa,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Fetches the three CA certificates from J-LIS (<see cref="JpkiHttpClient"/>).</summary>
    public static async Task<JpkiTrustAnchors> FetchAsync(JpkiHttpClient jpki, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jpki);
        var root = await jpki.RootCertificateAsync(cancellationToken);
        var signing = await jpki.CaCertificateAsync(JpkiCertificateKind.Signing, cancellationToken);
        var user = await jpki.CaCertificateAsync(JpkiCertificateKind.UserAuthentication, cancellationToken);
        return new JpkiTrustAnchors(root, signing, user);
    }
}

/// <summary>How a <see cref="JpkiRelyingParty"/> learns J-LIS's CAs and what time it checks validity at.</summary>
public sealed record JpkiRelyingPartyOptions
{
    /// <summary>J-LIS's CA certificates pinned by the caller; null: fetched once from J-LIS (and again after a failed fetch).</summary>
    public JpkiTrustAnchors? Anchors { get; init; }

    /// <summary>The clock certificates must be valid at.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>
/// A relying party's check of a JPKI certificate and a signature made with its key (公的個人認証の署名検証): the portal at
/// login (user-authentication certificate over a <c>CardLoginChallenge</c>), a ward's e-application inbox (signing
/// certificate over the application document), J-LIS itself. <see cref="VerifyAsync(JpkiCertificateKind, ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, CancellationToken)"/>
/// checks, in this order: the certificate chains to J-LIS's root through the issuing CA of the asked kind (no other
/// path); its certificate policy and key usage are those of that kind; it and its CAs are valid at the clock's time;
/// the signature (RSA PKCS#1 v1.5, SHA-256) verifies with its key; and J-LIS reports it good (suspended and revoked are
/// distinct refusals). Refusals are <see cref="JpkiVerificationException"/>s. Failing to reach J-LIS is not a verdict:
/// <see cref="JlisException"/>, <see cref="HttpRequestException"/> or a cancellation propagates.
/// Safe for concurrent use.
/// </summary>
public sealed class JpkiRelyingParty
{
    /// <summary>Asks J-LIS for a certificate's status (kind, normalised serial) → what its CA records.</summary>
    public delegate Task<CertificateStatus> StatusSource(JpkiCertificateKind kind, string serialNumber, CancellationToken cancellationToken);

    private readonly StatusSource _status;
    private readonly TimeProvider _clock;
    private readonly Func<CancellationToken, Task<JpkiTrustAnchors>>? _fetch;
    private readonly SemaphoreSlim _fetchLock = new(1, 1);
    private volatile JpkiTrustAnchors? _anchors;

    /// <summary>A relying party that asks J-LIS over HTTP for the status of each certificate and, unless pinned, for the CA certificates (once).</summary>
    public JpkiRelyingParty(JpkiHttpClient jpki, JpkiRelyingPartyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(jpki);
        options ??= new JpkiRelyingPartyOptions();
        _clock = options.Clock;
        _anchors = options.Anchors;
        _fetch = ct => JpkiTrustAnchors.FetchAsync(jpki, ct);
        _status = async (kind, serial, ct) => (await jpki.StatusAsync(new CertificateStatusRequest(kind, serial), ct)).Status;
    }

    /// <summary>A relying party with pinned CAs and its own status source (J-LIS checking against its own records).</summary>
    public JpkiRelyingParty(JpkiTrustAnchors anchors, StatusSource status, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        ArgumentNullException.ThrowIfNull(status);
        _anchors = anchors;
        _status = status;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>
    /// Checks the certificate (<paramref name="certificateBase64"/>, DER in base64) and the signature
    /// (<paramref name="signatureBase64"/>, base64) over <paramref name="signedData"/>, as the JSON messages carry them.
    /// </summary>
    /// <exception cref="JpkiVerificationException">refused; the code says why.</exception>
    public async Task<VerifiedJpkiCertificate> VerifyAsync(JpkiCertificateKind kind, string? certificateBase64, ReadOnlyMemory<byte> signedData,
        string? signatureBase64, CancellationToken cancellationToken = default)
    {
        var certificate = FromBase64(certificateBase64) ?? throw NotTrusted("the certificate is not base64 (電子証明書の形式が正しくありません)");
        var signature = FromBase64(signatureBase64) ?? throw new JpkiVerificationException(JpkiVerificationCodes.BadSignature,
            "the signature is not base64 (署名の形式が正しくありません)");
        return await VerifyAsync(kind, certificate, signedData, signature, cancellationToken);
    }

    /// <summary>Checks the certificate (DER) of <paramref name="kind"/> and its RSA PKCS#1 v1.5 SHA-256 <paramref name="signature"/> over <paramref name="signedData"/>.</summary>
    /// <exception cref="JpkiVerificationException">refused; the code says why.</exception>
    public async Task<VerifiedJpkiCertificate> VerifyAsync(JpkiCertificateKind kind, ReadOnlyMemory<byte> certificateDer, ReadOnlyMemory<byte> signedData,
        ReadOnlyMemory<byte> signature, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind));
        var anchors = await AnchorsAsync(cancellationToken);
        using var certificate = Load(certificateDer);
        var issuingCa = anchors.IssuingCa(kind);

        CheckChain(certificate, issuingCa, anchors.Root, kind);
        CheckProfile(certificate, kind);
        CheckValidity(certificate, issuingCa, anchors.Root);
        var subject = ReadSubject(certificate, kind);
        CheckSignature(certificate, signedData.Span, signature.Span);

        var serial = JpkiCertificateProfile.SerialOf(certificate);
        switch (await _status(kind, serial, cancellationToken))
        {
            case CertificateStatus.Good:
                break;
            case CertificateStatus.Revoked:
                throw new JpkiVerificationException(JpkiVerificationCodes.CertificateRevoked, "the certificate has been revoked (電子証明書は失効しています)");
            case CertificateStatus.Suspended:
                throw new JpkiVerificationException(JpkiVerificationCodes.CertificateSuspended,
                    "the certificate is suspended (電子証明書は一時保留中です)");
            default:
                throw NotTrusted("J-LIS has no record of the certificate (地方公共団体情報システム機構が発行した電子証明書ではありません)");
        }
        return new VerifiedJpkiCertificate(serial, kind, new DateTimeOffset(certificate.NotAfter.ToUniversalTime()), subject);
    }

    private async Task<JpkiTrustAnchors> AnchorsAsync(CancellationToken cancellationToken)
    {
        if (_anchors is { } anchors) return anchors;
        await _fetchLock.WaitAsync(cancellationToken);
        try
        {
            return _anchors ??= await _fetch!(cancellationToken);
        }
        finally
        {
            _fetchLock.Release();
        }
    }

    private static X509Certificate2 Load(ReadOnlyMemory<byte> der)
    {
        if (der.IsEmpty || der.Length > 16_384) throw NotTrusted("the certificate is empty or too long (電子証明書の形式が正しくありません)");
        try
        {
            return X509CertificateLoader.LoadCertificate(der.Span);
        }
        catch (CryptographicException)
        {
            throw NotTrusted("the certificate is not a DER X.509 certificate (電子証明書の形式が正しくありません)");
        }
    }

    private static void CheckChain(X509Certificate2 certificate, X509Certificate2 issuingCa, X509Certificate2 root, JpkiCertificateKind kind)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.Add(issuingCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        // Validity is checked against the relying party's own clock below, so that "expired" is its own refusal.
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreNotTimeNested;
        var built = chain.Build(certificate);
        var elements = chain.ChainElements;
        if (!built || elements.Count != 3
            || !elements[1].Certificate.RawDataMemory.Span.SequenceEqual(issuingCa.RawDataMemory.Span)
            || !elements[2].Certificate.RawDataMemory.Span.SequenceEqual(root.RawDataMemory.Span))
            throw NotTrusted(kind == JpkiCertificateKind.Signing
                ? "the certificate was not issued by J-LIS's signing CA (署名用電子証明書の認証局が発行した電子証明書ではありません)"
                : "the certificate was not issued by J-LIS's user-authentication CA (利用者証明用電子証明書の認証局が発行した電子証明書ではありません)");
    }

    private static void CheckProfile(X509Certificate2 certificate, JpkiCertificateKind kind)
    {
        if (JpkiCertificateProfile.KindOf(certificate) != kind)
            throw NotTrusted("the certificate's policy is not that of the expected kind (電子証明書の種類が違います)");
        if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true })
            throw NotTrusted("the certificate is a CA certificate (認証局の証明書は使えません)");
        var required = kind == JpkiCertificateKind.Signing
            ? X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation
            : X509KeyUsageFlags.DigitalSignature;
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (usage is null || (usage.KeyUsages & required) != required
            || (usage.KeyUsages & (X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign)) != 0)
            throw NotTrusted("the certificate's key usage does not allow this signature (電子証明書の鍵用途が正しくありません)");
    }

    private void CheckValidity(X509Certificate2 certificate, X509Certificate2 issuingCa, X509Certificate2 root)
    {
        var now = _clock.GetUtcNow();
        foreach (var (item, what) in new[] { (certificate, "certificate"), (issuingCa, "issuing CA's certificate"), (root, "root CA's certificate") })
        {
            var notBefore = new DateTimeOffset(item.NotBefore.ToUniversalTime());
            var notAfter = new DateTimeOffset(item.NotAfter.ToUniversalTime());
            if (now > notAfter)
                throw new JpkiVerificationException(JpkiVerificationCodes.CertificateExpired,
                    $"the {what} expired at {notAfter.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)} (電子証明書の有効期間が過ぎています)");
            if (now < notBefore)
                throw new JpkiVerificationException(JpkiVerificationCodes.CertificateExpired,
                    $"the {what} is not valid before {notBefore.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)} (電子証明書の有効期間が始まっていません)");
        }
    }

    private static SigningCertificateSubject? ReadSubject(X509Certificate2 certificate, JpkiCertificateKind kind)
    {
        SigningCertificateSubject? subject;
        try
        {
            subject = JpkiCertificateProfile.ReadSigningSubject(certificate);
        }
        catch (CryptographicException)
        {
            throw NotTrusted("the certificate's subject alternative name is malformed (電子証明書の記載事項が正しくありません)");
        }
        if (kind == JpkiCertificateKind.Signing && subject is null)
            throw NotTrusted("the signing certificate carries no basic facts (署名用電子証明書に基本4情報がありません)");
        if (kind == JpkiCertificateKind.UserAuthentication && subject is not null)
            throw NotTrusted("a user-authentication certificate must carry no personal information (利用者証明用電子証明書に個人情報が記載されています)");
        return subject;
    }

    private static void CheckSignature(X509Certificate2 certificate, ReadOnlySpan<byte> signedData, ReadOnlySpan<byte> signature)
    {
        using var key = certificate.GetRSAPublicKey();
        if (key is null || key.KeySize < JpkiCertificateProfile.KeySize)
            throw NotTrusted($"the certificate's key is not RSA of at least {JpkiCertificateProfile.KeySize} bits (電子証明書の鍵が正しくありません)");
        bool valid;
        try
        {
            valid = key.VerifyData(signedData, signature, JpkiCertificateProfile.Hash, JpkiCertificateProfile.Padding);
        }
        catch (CryptographicException)
        {
            valid = false;
        }
        if (!valid)
            throw new JpkiVerificationException(JpkiVerificationCodes.BadSignature,
                "the signature does not verify with the certificate's key (署名を検証できません)");
    }

    private static byte[]? FromBase64(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 32_768) return null;
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static JpkiVerificationException NotTrusted(string message) => new(JpkiVerificationCodes.CertificateNotTrusted, message);
}
