using Renkei.Documents.Paper;

namespace Renkei.Documents;

/// <summary>The kinds of certificate a ward issues at the counter (and, later, the convenience-store kiosk).</summary>
public enum CertificateKind
{
    /// <summary>住民票の写し.</summary>
    ResidenceRecord,
    /// <summary>印鑑登録証明書.</summary>
    SealRegistration,
    /// <summary>課税（非課税）証明書.</summary>
    TaxAssessment,
    /// <summary>納税証明書.</summary>
    TaxPayment,
    /// <summary>住民票の除票の写し: the record of a person who moved out or died.</summary>
    RemovedResidenceRecord,
}

/// <summary>Stable codes (CLI, ledger) and Japanese titles of <see cref="CertificateKind"/>.</summary>
public static class CertificateKinds
{
    public static string Code(this CertificateKind kind) => kind switch
    {
        CertificateKind.ResidenceRecord => "juminhyo",
        CertificateKind.SealRegistration => "inkan",
        CertificateKind.TaxAssessment => "kazei",
        CertificateKind.TaxPayment => "nozei",
        CertificateKind.RemovedResidenceRecord => "johyo",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static string Title(this CertificateKind kind) => kind switch
    {
        CertificateKind.ResidenceRecord => "住民票の写し",
        CertificateKind.SealRegistration => "印鑑登録証明書",
        CertificateKind.TaxAssessment => "課税（非課税）証明書",
        CertificateKind.TaxPayment => "納税証明書",
        CertificateKind.RemovedResidenceRecord => "住民票の除票の写し",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The kind for a stable code (juminhyo, inkan, kazei, nozei, johyo); false for anything else.</summary>
    public static bool TryParse(string? code, out CertificateKind kind)
    {
        foreach (var candidate in Enum.GetValues<CertificateKind>())
            if (string.Equals(candidate.Code(), code?.Trim(), StringComparison.Ordinal))
            {
                kind = candidate;
                return true;
            }
        kind = default;
        return false;
    }
}

/// <summary>
/// A certificate as issued: what kind, its content (the blocks a resident reads), who certifies it and its serial (交付番号),
/// and the day. It holds no layout: <see cref="ToDocument"/> puts it on municipal paper, so the counter and the kiosk print
/// the same certificate; the issuance ledger keeps the kind, serial and day, never the content.
/// </summary>
public sealed record Certificate(CertificateKind Kind, IReadOnlyList<DocumentBlock> Content, DocumentIssuer Issuer, CertificateSerial Serial, DateOnly IssuedOn)
{
    /// <summary>The certificate on municipal paper: the title, the content, then the attestation, date, issuer and seal; the serial on every page.</summary>
    public MunicipalDocument ToDocument() => new(Kind.Title(), IssuedOn, Issuer, Content)
    {
        IssuerPlacement = IssuerPlacement.End,
        Footer = Serial.Text,
    };

    /// <summary>The certificate as a PDF, without the signed 2D code and print marks (a draft; issued paper uses the signer).</summary>
    public byte[] ToPdf() => MunicipalPaper.Render(ToDocument());

    /// <summary>
    /// The certificate as issued: a PDF with, on every page, the 2D code signed by the ward's <paramref name="signer"/> (issuer,
    /// serial, date, kind, page, text digest), the latent 「複写」 and the microtext border (<see cref="PaperMarks"/>).
    /// </summary>
    public byte[] ToPdf(PaperSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var pdf = PaperMarks.Render(ToDocument() with { CodeArea = true }, Serial.Ward);
        return PaperMarks.Apply(pdf, new PaperFacts(Serial.Ward, Serial.Number, IssuedOn, Kind.Code()), signer);
    }
}

/// <summary>A certificate's serial as printed (e.g. 交付番号 131091-2026-000012): ward, year of issue and the ledger's number.</summary>
public sealed record CertificateSerial(string Ward, int Year, long Number)
{
    public string Text => $"交付番号 {Ward}-{Year:D4}-{Number:D6}";

    public override string ToString() => Text;
}
