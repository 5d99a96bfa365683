using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Renkei.Core.People;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Numbering;

namespace Renkei.Jlis.Pki;

/// <summary>
/// The four basic facts (基本4情報) a signing certificate (署名用電子証明書) carries in its subject alternative name.
/// <see cref="ToString"/> withholds them, so a logged subject shows no personal information.
/// </summary>
public sealed record SigningCertificateSubject(string Name, DateOnly BirthDate, Sex Sex, string Address)
{
    public override string ToString() => "SigningCertificateSubject { (four basic facts withheld) }";
}

/// <summary>
/// Renkei's JPKI certificate profile: object identifiers, names and extensions (docs/jpki-profile.md describes it).
/// The OIDs are under a UUID arc (ITU-T X.667, <c>2.25.&lt;uuid&gt;</c>) that Renkei allocated for itself; the real
/// JPKI uses J-LIS's own registered arc, which this project does not claim.
/// </summary>
public static class JpkiProfile
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

    /// <summary>The longest name accepted in a certificate (characters).</summary>
    public const int MaxNameLength = 100;

    /// <summary>The longest address accepted in a certificate (characters).</summary>
    public const int MaxAddressLength = 300;

    /// <summary>RSA modulus size of every CA key, and the least accepted for a holder's key.</summary>
    public const int KeySize = 2048;

    public static readonly HashAlgorithmName Hash = HashAlgorithmName.SHA256;

    /// <summary>Certificates, CRLs, documents and login challenges are all signed with RSA PKCS#1 v1.5 (sha256WithRSAEncryption).</summary>
    public static readonly RSASignaturePadding Padding = RSASignaturePadding.Pkcs1;

    private const string SubjectAltNameOid = "2.5.29.17";
    private const string CertificatePoliciesOid = "2.5.29.32";
    private static readonly Asn1Tag OtherNameTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag ExplicitValueTag = new(TagClass.ContextSpecific, 0, isConstructed: true);

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
    /// or one is malformed.
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

    /// <summary>Checks the facts before they go into a certificate; a refusal names the field, never its value.</summary>
    internal static void Validate(SigningCertificateSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        CheckText(subject.Name, "name", "氏名", MaxNameLength);
        CheckText(subject.Address, "address", "住所", MaxAddressLength);
        if (!Enum.IsDefined(subject.Sex))
            throw JlisRefusalException.BadRequest("invalid-subject", "sex must be male or female (性別が正しくありません)");
        if (subject.BirthDate.Year < 1800)
            throw JlisRefusalException.BadRequest("invalid-subject", "the birth date is before 1800 (生年月日が正しくありません)");
    }

    private static void CheckText(string? text, string field, string japanese, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw JlisRefusalException.BadRequest("invalid-subject", $"the {field} is empty ({japanese}が空です)");
        if (text.Length > maxLength)
            throw JlisRefusalException.BadRequest("invalid-subject", $"the {field} is longer than {maxLength} characters ({japanese}が長すぎます)");
        if (text.Any(char.IsControl))
            throw JlisRefusalException.BadRequest("invalid-subject", $"the {field} contains control characters ({japanese}に制御文字が含まれています)");
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsSurrogatePair(text, i)) i++;
            else if (char.IsSurrogate(text[i]))
                throw JlisRefusalException.BadRequest("invalid-subject", $"the {field} is not valid Unicode text ({japanese}の文字が正しくありません)");
        }
    }

    /// <summary>The subject alternative name of a signing certificate: the four facts as otherName UTF8Strings.</summary>
    internal static X509Extension SubjectAlternativeName(SigningCertificateSubject subject)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            WriteOtherName(writer, NameOid, subject.Name);
            WriteOtherName(writer, BirthDateOid, subject.BirthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            WriteOtherName(writer, SexOid, ((int)subject.Sex).ToString(CultureInfo.InvariantCulture));
            WriteOtherName(writer, AddressOid, subject.Address);
        }
        // Not critical: the subject DN is not empty (RFC 5280 4.2.1.6).
        return new X509Extension(SubjectAltNameOid, writer.Encode(), critical: false);
    }

    private static void WriteOtherName(AsnWriter writer, string oid, string value)
    {
        using (writer.PushSequence(OtherNameTag))
        {
            writer.WriteObjectIdentifier(oid);
            using (writer.PushSequence(ExplicitValueTag))
                writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
        }
    }

    /// <summary>certificatePolicies with one policy OID (not critical).</summary>
    internal static X509Extension CertificatePolicies(string policyOid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
            writer.WriteObjectIdentifier(policyOid);
        return new X509Extension(CertificatePoliciesOid, writer.Encode(), critical: false);
    }
}
