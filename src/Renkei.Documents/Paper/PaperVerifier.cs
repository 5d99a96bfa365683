using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Renkei.Core.Crypto;
using StbImageSharp;
using UglyToad.PdfPig.Content;
using ZXing;
using PdfPigDocument = UglyToad.PdfPig.PdfDocument;

namespace Renkei.Documents.Paper;

/// <summary>
/// Checks a certificate's paper (docs/paper.md): reads the QR code from each page's image, checks the ward's signature, that the
/// ward's certificate chains to J-LIS's certificate-signing root, names the same municipality, was valid on the date of issue and
/// is not on the CRL, and — for a PDF — that every page's printed text matches the signed digest, page number and count. A
/// scanned image (PNG or JPEG) gets the signature and chain checks only; its signed fields are returned for a person to compare.
/// Never throws for a bad file: every outcome is a <see cref="PaperVerification"/> with a reason code.
/// </summary>
public static class PaperVerifier
{
    /// <summary>The largest file taken (a certificate of a few pages, or a scan).</summary>
    public const int MaxFileBytes = 20 * 1024 * 1024;

    private static readonly TimeSpan Japan = TimeSpan.FromHours(9);

    public static PaperVerification Verify(byte[] file, PaperTrust trust, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(trust);
        if (file.Length == 0 || file.Length > MaxFileBytes) return Refused(PaperReasons.Unreadable);
        var crl = RevocationList.Read(trust.Crl, trust.Root);
        if (crl is null) return Refused(PaperReasons.CrlInvalid);
        if (crl.NextUpdate < now) return Refused(PaperReasons.CrlStale);
        return file.AsSpan().StartsWith("%PDF-"u8) ? VerifyPdf(file, trust, crl) : VerifyImage(file, trust, crl);
    }

    private static PaperVerification VerifyPdf(byte[] file, PaperTrust trust, RevocationList crl)
    {
        List<Page> pages;
        PdfPigDocument document;
        try
        {
            document = PdfPigDocument.Open(file);
            pages = document.GetPages().ToList();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Refused(PaperReasons.Unreadable);
        }
        using (document)
        {
            PaperVerification? first = null;
            for (var i = 0; i < pages.Count; i++)
            {
                var (codes, codeImages) = Codes(pages[i]);
                if (codes.Count == 0) return Refused(PaperReasons.NoCode, first) with { Page = i + 1 };
                if (codes.Count > 1) return Refused(PaperReasons.PageMismatch, first) with { Page = i + 1 };
                var code = codes[0];
                var checkedCode = Check(code, trust, crl);
                if (!checkedCode.Genuine) return checkedCode with { Page = i + 1 };
                first ??= checkedCode;
                var (s, f) = (code.Statement, first.Statement!);
                if (s.Page != i + 1 || s.Pages != pages.Count || s.Issuer != f.Issuer || s.IssuanceId != f.IssuanceId || s.IssuedOn != f.IssuedOn
                    || s.Kind != f.Kind)
                    return Refused(PaperReasons.PageMismatch, first) with { Page = i + 1 };
                if (!PaperText.Digest(pages[i], codeImages.Contains).AsSpan().SequenceEqual(s.TextDigest))
                    return Refused(PaperReasons.TextMismatch, first) with { Page = i + 1 };
            }
            return first is null ? Refused(PaperReasons.NoCode) : first with { TextChecked = true };
        }
    }

    private static PaperVerification VerifyImage(byte[] file, PaperTrust trust, RevocationList crl)
    {
        var text = Decode(file);
        if (text is null) return Refused(PaperReasons.Unreadable);
        if (text.Count == 0 || PaperCode.TryParse(text[0]) is not { } code) return Refused(PaperReasons.NoCode);
        var result = Check(code, trust, crl);
        return result.Genuine ? result with { Reason = PaperReasons.SignatureOnly, ReasonJapanese = PaperReasons.ToJapanese(PaperReasons.SignatureOnly) } : result;
    }

    /// <summary>
    /// The texts of the QR codes in a file as a verifier reads them (for a PDF, every page's images in order; for a PNG/JPEG, the
    /// code found in it): for tests and tools that look at what the code carries. Empty when there is none or the file is unreadable.
    /// </summary>
    public static IReadOnlyList<string> QrTexts(byte[] file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!file.AsSpan().StartsWith("%PDF-"u8)) return Decode(file) ?? [];
        try
        {
            using var document = PdfPigDocument.Open(file);
            return document.GetPages().SelectMany(page => page.GetImages().SelectMany(image => Decode(ImageBytes(image)) ?? [])).ToList();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return [];
        }
    }

    /// <summary>The signature and the signer: chain to the root at the date of issue, certificate-signing use, municipality, CRL.</summary>
    private static PaperVerification Check(PaperCode code, PaperTrust trust, RevocationList crl)
    {
        var statement = code.Statement;
        X509Certificate2 signer;
        try
        {
            signer = X509CertificateLoader.LoadCertificate(code.SignerCertificate);
        }
        catch (CryptographicException)
        {
            return Refused(PaperReasons.UntrustedSigner) with { Statement = statement };
        }
        using (signer)
        {
            var name = signer.SubjectName.EnumerateRelativeDistinguishedNames()
                .FirstOrDefault(n => n.GetSingleElementType().Value == "2.5.4.10")?.GetSingleElementValue();
            var seen = new PaperVerification(true, PaperReasons.Genuine, PaperReasons.ToJapanese(PaperReasons.Genuine))
            {
                Statement = statement, IssuerName = name, SignerSerial = signer.SerialNumber,
            };
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(trust.Root);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            // The statement has the date of issue (Japan): the certificate must be valid at some time that day; the chain is checked then.
            var dayStart = new DateTimeOffset(statement.IssuedOn, TimeOnly.MinValue, Japan).UtcDateTime;
            var dayEnd = dayStart.AddDays(1).AddSeconds(-1);
            var (notBefore, notAfter) = (signer.NotBefore.ToUniversalTime(), signer.NotAfter.ToUniversalTime());
            if (notBefore > dayEnd || notAfter < dayStart) return Refuse(seen, PaperReasons.SignerExpired);
            chain.ChainPolicy.VerificationTime = DateTime.SpecifyKind(notBefore > dayStart ? notBefore : dayStart, DateTimeKind.Utc);
            chain.ChainPolicy.VerificationTimeIgnored = false;
            if (!chain.Build(signer))
            {
                var onlyTime = chain.ChainStatus.All(s => s.Status is X509ChainStatusFlags.NotTimeValid or X509ChainStatusFlags.NoError);
                return Refuse(seen, onlyTime ? PaperReasons.SignerExpired : PaperReasons.UntrustedSigner);
            }
            var usage = signer.Extensions.OfType<X509EnhancedKeyUsageExtension>().SingleOrDefault();
            if (usage is null || !usage.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == PaperSigningProfile.CertificateSigningOid))
                return Refuse(seen, PaperReasons.NotCertificateSigning);
            if (signer.GetNameInfo(X509NameType.SimpleName, forIssuer: false) != statement.Issuer) return Refuse(seen, PaperReasons.IssuerMismatch);
            using var key = signer.GetECDsaPublicKey();
            if (key is null || !key.VerifyData(code.Signed, code.Signature, PaperSigningProfile.Hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
                return Refuse(seen, PaperReasons.BadSignature);
            if (crl.Lists(signer.SerialNumber)) return Refuse(seen, PaperReasons.SignerRevoked);
            return seen;
        }
    }

    /// <summary>The paper codes among the QR codes of the page's images.</summary>
    private static (List<PaperCode> Codes, HashSet<int> Images) Codes(Page page)
    {
        var codes = new List<PaperCode>();
        var images = new HashSet<int>();
        var index = 0;
        foreach (var image in page.GetImages())
        {
            foreach (var text in Decode(ImageBytes(image)) ?? [])
                if (PaperCode.TryParse(text) is { } code)
                {
                    codes.Add(code);
                    images.Add(index);
                }
            index++;
        }
        return (codes, images);
    }

    /// <summary>A PDF image as PNG (decoded by PdfPig) or its own bytes (a JPEG passes through).</summary>
    private static byte[] ImageBytes(IPdfImage image) => image.TryGetPng(out var png) ? png : image.RawBytes.ToArray();

    /// <summary>The QR codes' texts in a PNG or JPEG; null when it is not an image this reads.</summary>
    private static List<string>? Decode(byte[] image)
    {
        ImageResult pixels;
        try
        {
            pixels = ImageResult.FromMemory(image, ColorComponents.RedGreenBlueAlpha);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NotSupportedException)
        {
            return null;
        }
        if (pixels?.Data is null) return null;
        var reader = new BarcodeReaderGeneric
        {
            AutoRotate = true,
            Options = { TryHarder = true, PossibleFormats = [BarcodeFormat.QR_CODE] },
        };
        var result = reader.Decode(new RGBLuminanceSource(pixels.Data, pixels.Width, pixels.Height, RGBLuminanceSource.BitmapFormat.RGBA32));
        return result?.Text is { } text ? [text] : [];
    }

    private static PaperVerification Refused(string reason, PaperVerification? seen = null) =>
        seen is null ? new PaperVerification(false, reason, PaperReasons.ToJapanese(reason)) : Refuse(seen, reason);

    private static PaperVerification Refuse(PaperVerification seen, string reason) =>
        seen with { Genuine = false, Reason = reason, ReasonJapanese = PaperReasons.ToJapanese(reason), TextChecked = false };

    /// <summary>
    /// A CRL read with nothing but the root: its signature (ecdsa-with-SHA256 by the root's key), issuer, next update and the
    /// revoked serials (RFC 5280 §5.1).
    /// </summary>
    private sealed class RevocationList
    {
        private readonly HashSet<string> _serials;

        private RevocationList(DateTimeOffset nextUpdate, HashSet<string> serials)
        {
            NextUpdate = nextUpdate;
            _serials = serials;
        }

        public DateTimeOffset NextUpdate { get; }

        public bool Lists(string serialHex) => _serials.Contains(Normalize(serialHex));

        /// <summary>The CRL when the root signed it; null otherwise (damaged, another issuer, bad signature, no next update).</summary>
        public static RevocationList? Read(byte[] der, X509Certificate2 root)
        {
            try
            {
                var outer = new AsnReader(der, AsnEncodingRules.DER);
                var list = outer.ReadSequence();
                outer.ThrowIfNotEmpty();
                var tbsBytes = list.PeekEncodedValue().ToArray();
                var tbs = list.ReadSequence();
                list.ReadSequence(); // signatureAlgorithm (the root's key decides: ECDSA, checked by the verification below)
                var signature = list.ReadBitString(out _);
                using var key = root.GetECDsaPublicKey();
                if (key is null || !key.VerifyData(tbsBytes, signature, PaperSigningProfile.Hash, DSASignatureFormat.Rfc3279DerSequence)) return null;

                if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer)) tbs.ReadInteger();
                tbs.ReadSequence(); // signature algorithm
                if (!tbs.ReadEncodedValue().Span.SequenceEqual(root.SubjectName.RawData)) return null;
                ReadTime(tbs); // thisUpdate
                if (tbs.HasData && tbs.PeekTag() is var tag && (tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
                {
                    var nextUpdate = ReadTime(tbs);
                    var serials = new HashSet<string>(StringComparer.Ordinal);
                    if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
                    {
                        var entries = tbs.ReadSequence();
                        while (entries.HasData)
                        {
                            var entry = entries.ReadSequence();
                            serials.Add(Normalize(Convert.ToHexString(entry.ReadIntegerBytes().Span)));
                        }
                    }
                    return new RevocationList(nextUpdate, serials);
                }
                return null;
            }
            catch (Exception e) when (e is AsnContentException or CryptographicException)
            {
                return null;
            }
        }

        private static DateTimeOffset ReadTime(AsnReader reader) =>
            reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();

        private static string Normalize(string hex)
        {
            var upper = hex.ToUpperInvariant();
            while (upper.Length > 2 && upper.StartsWith("00", StringComparison.Ordinal)) upper = upper[2..];
            return upper;
        }
    }
}
