using PdfSharp.Drawing;
using PdfSharp.Pdf;
using PdfSharp.Pdf.IO;
using QRCoder;
using PdfPigDocument = UglyToad.PdfPig.PdfDocument;

namespace Renkei.Documents.Paper;

/// <summary>What the 2D code states about the certificate as a whole (each page adds its number and text digest).</summary>
/// <param name="Issuer">The municipality code (6 digits).</param>
/// <param name="IssuanceId">The issuance ledger's serial (交付番号's last part).</param>
/// <param name="IssuedOn">The date of issue.</param>
/// <param name="Kind">The kind's stable code (juminhyo, inkan …).</param>
public sealed record PaperFacts(string Issuer, long IssuanceId, DateOnly IssuedOn, string Kind);

/// <summary>
/// Puts the anti-forgery marks on a rendered certificate (docs/paper.md): on every page a QR code (ECC level M) with the signed
/// <see cref="PaperStatement"/> in the band <see cref="MunicipalDocument.CodeArea"/> keeps free, a latent 「複写」 background
/// (the word in a pale tint, diagonal, under everything) and a microtext border (RENKEI and the municipality code, 1.6 pt). The
/// text digest is taken from the rendered PDF read back by the verifier's own reader before any mark is added, so the
/// signature covers exactly what a verifier extracts.
/// </summary>
public static class PaperMarks
{
    /// <summary>Size of the microtext (points).</summary>
    public const double MicrotextPoints = 1.6;

    private const double BorderInset = 24;
    private const int PixelsPerModule = 3;
    private static readonly XColor MicrotextColour = XColor.FromArgb(70, 70, 70);
    private static readonly XColor LatentColour = XColor.FromArgb(238, 238, 238);
    private static readonly XPdfFontOptions Unicode = new(PdfFontEncoding.Unicode);

    /// <summary>The PDF with the marks on every page, each page's code signed by <paramref name="signer"/>.</summary>
    public static byte[] Apply(byte[] pdf, PaperFacts facts, PaperSigner signer)
    {
        ArgumentNullException.ThrowIfNull(pdf);
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(signer);
        List<byte[]> digests;
        using (var read = PdfPigDocument.Open(pdf))
            digests = read.GetPages().Select(page => PaperText.Digest(page)).ToList();

        DocumentFonts.Install();
        using var input = new MemoryStream(pdf, writable: false);
        using var document = PdfReader.Open(input, PdfDocumentOpenMode.Modify);
        var microtext = new XFont(DocumentFonts.Gothic, MicrotextPoints, XFontStyleEx.Regular, Unicode);
        var latent = new XFont(DocumentFonts.Gothic, 44, XFontStyleEx.Regular, Unicode);
        for (var i = 0; i < document.PageCount; i++)
        {
            var statement = new PaperStatement(facts.Issuer, facts.IssuanceId, facts.IssuedOn, facts.Kind, i + 1, document.PageCount, digests[i]);
            var encoded = statement.Encode();
            var code = new PaperCode(statement, signer.Certificate, signer.Sign(encoded));
            var page = document.Pages[i];
            using (var gfx = XGraphics.FromPdfPage(page, XGraphicsPdfPageOptions.Prepend)) Latent(gfx, latent);
            using (var gfx = XGraphics.FromPdfPage(page, XGraphicsPdfPageOptions.Append))
            {
                Microtext(gfx, microtext, "RENKEI-" + facts.Issuer + "-");
                using var image = QrImage(code.ToText());
                gfx.DrawImage(image, MunicipalPaper.CodeSquare);
            }
        }
        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    private static XImage QrImage(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        // A BMP (24-bit): PDFsharp's importer takes it as it is; the PDF stores the pixels losslessly (Flate).
        var bitmap = new BitmapByteQRCode(data).GetGraphic(PixelsPerModule);
        return XImage.FromStream(new MemoryStream(bitmap, writable: false));
    }

    /// <summary>「複写」 in a pale tint, rotated, in a grid over the whole page.</summary>
    private static void Latent(XGraphics gfx, XFont font)
    {
        var brush = new XSolidBrush(LatentColour);
        for (var y = 90.0; y < MunicipalPaper.PageHeightPoints; y += 150)
            for (var x = 40.0; x < MunicipalPaper.PageWidthPoints; x += 170)
            {
                var state = gfx.Save();
                gfx.RotateAtTransform(-30, new XPoint(x, y));
                gfx.DrawString(PaperText.LatentText, font, brush, new XPoint(x, y), XStringFormats.Center);
                gfx.Restore(state);
            }
    }

    /// <summary>A line of microtext along each edge, <see cref="BorderInset"/> points in.</summary>
    private static void Microtext(XGraphics gfx, XFont font, string unit)
    {
        var brush = new XSolidBrush(MicrotextColour);
        var (width, height) = (MunicipalPaper.PageWidthPoints, MunicipalPaper.PageHeightPoints);
        var unitWidth = gfx.MeasureString(unit, font).Width;
        string Line(double length) => string.Concat(Enumerable.Repeat(unit, Math.Max(1, (int)(length / unitWidth))));
        var horizontal = Line(width - 2 * BorderInset);
        var vertical = Line(height - 2 * BorderInset);
        gfx.DrawString(horizontal, font, brush, new XPoint(BorderInset, BorderInset), XStringFormats.BottomLeft);
        gfx.DrawString(horizontal, font, brush, new XPoint(BorderInset, height - BorderInset), XStringFormats.TopLeft);
        foreach (var x in new[] { BorderInset, width - BorderInset })
        {
            var state = gfx.Save();
            gfx.RotateAtTransform(90, new XPoint(x, BorderInset));
            gfx.DrawString(vertical, font, brush, new XPoint(x, BorderInset), x < width / 2 ? XStringFormats.TopLeft : XStringFormats.BottomLeft);
            gfx.Restore(state);
        }
    }
}
