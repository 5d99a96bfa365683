using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Renkei.Core.People;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Numbering;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Pki;

/// <summary>
/// Renkei's JPKI certificate profile: object identifiers, names and extensions (docs/jpki-profile.md describes it).
/// The OIDs are under a UUID arc (ITU-T X.667, <c>2.25.&lt;uuid&gt;</c>) that Renkei allocated for itself; the real
/// JPKI uses J-LIS's own registered arc, which this project does not claim.
/// </summary>
public static class JpkiProfile
{
    /// <summary>Renkei's private arc: 2.25 + the UUID f76c91fe-c77a-4ea8-8042-7886480aeb76 as an integer.</summary>
    public const string Arc = JpkiCertificateProfile.Arc;

    /// <summary>Certificate policy of signing certificates (署名用電子証明書).</summary>
    public const string SigningPolicyOid = JpkiCertificateProfile.SigningPolicyOid;

    /// <summary>Certificate policy of user-authentication certificates (利用者証明用電子証明書).</summary>
    public const string UserAuthenticationPolicyOid = JpkiCertificateProfile.UserAuthenticationPolicyOid;

    /// <summary>SAN otherName: the holder's name as on the resident register (氏名), UTF8String.</summary>
    public const string NameOid = JpkiCertificateProfile.NameOid;

    /// <summary>SAN otherName: birth date (生年月日), UTF8String <c>yyyy-MM-dd</c> (Gregorian).</summary>
    public const string BirthDateOid = JpkiCertificateProfile.BirthDateOid;

    /// <summary>SAN otherName: sex (性別), UTF8String <c>1</c> male, <c>2</c> female (the resident register's codes).</summary>
    public const string SexOid = JpkiCertificateProfile.SexOid;

    /// <summary>SAN otherName: address (住所) as on the resident register, UTF8String.</summary>
    public const string AddressOid = JpkiCertificateProfile.AddressOid;

    /// <summary>The longest name accepted in a certificate (characters).</summary>
    public const int MaxNameLength = 100;

    /// <summary>The longest address accepted in a certificate (characters).</summary>
    public const int MaxAddressLength = 300;

    /// <summary>RSA modulus size of every CA key, and the least accepted for a holder's key.</summary>
    public const int KeySize = JpkiCertificateProfile.KeySize;

    public static readonly HashAlgorithmName Hash = JpkiCertificateProfile.Hash;

    /// <summary>Certificates, CRLs, documents and login challenges are all signed with RSA PKCS#1 v1.5 (sha256WithRSAEncryption).</summary>
    public static readonly RSASignaturePadding Padding = JpkiCertificateProfile.Padding;

    private const string SubjectAltNameOid = JpkiCertificateProfile.SubjectAltNameOid;
    private const string CertificatePoliciesOid = JpkiCertificateProfile.CertificatePoliciesOid;
    private static readonly Asn1Tag OtherNameTag = JpkiCertificateProfile.OtherNameTag;
    private static readonly Asn1Tag ExplicitValueTag = JpkiCertificateProfile.ExplicitValueTag;

    /// <summary>The policy OID of certificates of <paramref name="kind"/>.</summary>
    public static string PolicyOid(JpkiCertificateKind kind) => JpkiCertificateProfile.PolicyOid(kind);

    /// <summary>Which kind a certificate issued by Renkei's JPKI is, from its certificate policy; null if neither.</summary>
    public static JpkiCertificateKind? KindOf(X509Certificate2 certificate) => JpkiCertificateProfile.KindOf(certificate);

    /// <summary>The four facts of a signing certificate (<see cref="JpkiCertificateProfile.ReadSigningSubject"/>).</summary>
    public static SigningCertificateSubject? ReadSigningSubject(X509Certificate2 certificate) => JpkiCertificateProfile.ReadSigningSubject(certificate);

    /// <summary>Every otherName of the certificate's subject alternative name whose value is a UTF8String, by OID.</summary>
    public static IReadOnlyDictionary<string, string> ReadOtherNames(X509Certificate2 certificate) => JpkiCertificateProfile.ReadOtherNames(certificate);

    /// <summary>Checks the facts before they go into a certificate; a refusal names the field, never its value.</summary>
    internal static void Validate(SigningCertificateSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        CheckText(subject.Name, "name", "氏名", MaxNameLength);
        CheckText(subject.Address, "address", "住所", MaxAddressLength);
        if (!Enum.IsDefined(subject.Sex))
            throw RefusalException.BadRequest("invalid-subject", "sex must be male or female (性別が正しくありません)");
        if (subject.BirthDate.Year < 1800)
            throw RefusalException.BadRequest("invalid-subject", "the birth date is before 1800 (生年月日が正しくありません)");
    }

    private static void CheckText(string? text, string field, string japanese, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw RefusalException.BadRequest("invalid-subject", $"the {field} is empty ({japanese}が空です)");
        if (text.Length > maxLength)
            throw RefusalException.BadRequest("invalid-subject", $"the {field} is longer than {maxLength} characters ({japanese}が長すぎます)");
        if (text.Any(char.IsControl))
            throw RefusalException.BadRequest("invalid-subject", $"the {field} contains control characters ({japanese}に制御文字が含まれています)");
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsSurrogatePair(text, i)) i++;
            else if (char.IsSurrogate(text[i]))
                throw RefusalException.BadRequest("invalid-subject", $"the {field} is not valid Unicode text ({japanese}の文字が正しくありません)");
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
