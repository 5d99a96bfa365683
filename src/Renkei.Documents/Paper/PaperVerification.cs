using System.Security.Cryptography.X509Certificates;

namespace Renkei.Documents.Paper;

/// <summary>
/// What a verifier trusts: the root certificate of J-LIS's certificate-signing CA (the wards' certificates chain to it and
/// travel in the 2D code) and that CA's current CRL (DER), which must be signed by the root and not past its next update.
/// </summary>
public sealed record PaperTrust(X509Certificate2 Root, byte[] Crl);

/// <summary>
/// The verdict on a certificate (PDF or a scanned image). <see cref="Genuine"/> with a stable <see cref="Reason"/> code and its
/// Japanese sentence; for anything whose code could be read, the signed fields (<see cref="Statement"/>, issuer, date) so a
/// person can compare them with the paper. <see cref="TextChecked"/> says whether the printed text was compared with the
/// signed digest (a PDF: yes; a scan: no — compare the fields by eye).
/// </summary>
public sealed record PaperVerification(bool Genuine, string Reason, string ReasonJapanese)
{
    /// <summary>The issuing municipality's code, from the signed statement.</summary>
    public string? Issuer => Statement?.Issuer;

    /// <summary>The issuing municipality's name, from the signer's certificate (its organisation).</summary>
    public string? IssuerName { get; init; }

    /// <summary>The date of issue, from the signed statement.</summary>
    public DateOnly? IssuedOn => Statement?.IssuedOn;

    /// <summary>The signed statement of the first page read (null when no code could be read).</summary>
    public PaperStatement? Statement { get; init; }

    /// <summary>The Japanese title of the kind (住民票の写し …), when the code names a known kind.</summary>
    public string? KindTitle => Statement is { } s && CertificateKinds.TryParse(s.Kind, out var kind) ? kind.Title() : null;

    /// <summary>The serial of the ward's signing certificate (hexadecimal).</summary>
    public string? SignerSerial { get; init; }

    /// <summary>Whether the page text was compared with the signed digests.</summary>
    public bool TextChecked { get; init; }

    /// <summary>Which page the refusal is about (1-based), when it is about one.</summary>
    public int? Page { get; init; }
}

/// <summary>The stable reason codes of <see cref="PaperVerification"/> and their Japanese sentences.</summary>
public static class PaperReasons
{
    public const string Genuine = "genuine";
    public const string SignatureOnly = "genuine-signature-only";
    public const string Unreadable = "unreadable-file";
    public const string NoCode = "no-code";
    public const string BadSignature = "bad-signature";
    public const string UntrustedSigner = "untrusted-signer";
    public const string NotCertificateSigning = "not-certificate-signing";
    public const string SignerRevoked = "signer-revoked";
    public const string SignerExpired = "signer-not-valid-then";
    public const string CrlInvalid = "crl-invalid";
    public const string CrlStale = "crl-stale";
    public const string IssuerMismatch = "issuer-mismatch";
    public const string PageMismatch = "page-mismatch";
    public const string TextMismatch = "text-mismatch";

    private static readonly Dictionary<string, string> Japanese = new(StringComparer.Ordinal)
    {
        [Genuine] = "真正な証明書です。印字内容は発行団体の電子署名と一致しています。",
        [SignatureOnly] = "二次元コードの電子署名は有効です。画像からは印字内容を照合できないため、表示された項目が用紙と一致するか確認してください。",
        [Unreadable] = "ファイルを読み取れません（PDF、PNG 又は JPEG を指定してください）。",
        [NoCode] = "真正性確認用の二次元コードが見つかりません。",
        [BadSignature] = "二次元コードの電子署名が正しくありません。",
        [UntrustedSigner] = "署名した証明書が証明書署名用の認証局につながりません。",
        [NotCertificateSigning] = "署名した証明書は証明書の署名用ではありません。",
        [SignerRevoked] = "署名した発行団体の証明書は失効しています。",
        [SignerExpired] = "署名した証明書は発行日に有効ではありませんでした。",
        [CrlInvalid] = "失効リストが認証局の署名を持っていません。",
        [CrlStale] = "失効リストの有効期限が切れています。新しい失効リストを取得してください。",
        [IssuerMismatch] = "署名した証明書の発行団体と二次元コードの発行団体が一致しません。",
        [PageMismatch] = "二次元コードのページ番号又は証明書の内容が、このページと一致しません。",
        [TextMismatch] = "印字内容が署名された内容と一致しません（改ざん又は別の証明書の二次元コードの可能性があります）。",
    };

    /// <summary>The Japanese sentence of a reason code.</summary>
    public static string ToJapanese(string reason) => Japanese.TryGetValue(reason, out var text) ? text : reason;

    /// <summary>Every reason code.</summary>
    public static IReadOnlyCollection<string> All => Japanese.Keys;
}
