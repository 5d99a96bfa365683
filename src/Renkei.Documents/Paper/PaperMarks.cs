using PdfSharp.Drawing;
using PdfSharp.Pdf;
using PdfSharp.Pdf.IO;
using ZXing;
using ZXing.QrCode;
using ZXing.QrCode.Internal;
using PdfPigDocument = UglyToad.PdfPig.PdfDocument;

namespace Renkei.Documents.Paper;

/// <summary>What the 2D code states about the certificate as a whole (each page adds its number and text digest).</summary>
/// <param name="Issuer">The municipality code (6 digits).</param>
/// <param name="IssuanceId">The issuance ledger's serial (交付番号's last part).</param>
/// <param name="IssuedOn">The date of issue.</param>
/// <param name="Kind">The kind's stable code (juminhyo, inkan …).</param>
public sealed record PaperFacts(string Issuer, long IssuanceId, DateOnly IssuedOn, string Kind);

/// <summary>
/// The anti-forgery marks of a certificate (docs/paper.md): on every page a latent 「複写」 background (the word in a pale tint,
/// diagonal, under everything) and a microtext border (RENKEI and the municipality code, 1.6 pt), drawn with the page
/// (<see cref="Render"/>); then a QR code (ECC level M) with the signed <see cref="PaperStatement"/> in the band
/// <see cref="MunicipalDocument.CodeArea"/> keeps free (<see cref="Apply"/>). The text digest is taken from the rendered PDF read
/// back by the verifier's own reader before the code is added, so the signature covers exactly what a verifier extracts (the
/// latent word and the microtext are print marks it leaves out: <see cref="PaperText"/>).
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

    /// <summary>The document on municipal paper with the latent word and the microtext of <paramref name="issuer"/> on every page, without the code.</summary>
    public static byte[] Render(MunicipalDocument document, string issuer)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentException.ThrowIfNullOrWhiteSpace(issuer);
        DocumentFonts.Install();
        return MunicipalPaper.Render(document, new PrintMarks("RENKEI-" + issuer + "-"));
    }

    /// <summary>The PDF (made by <see cref="Render"/>) with each page's code signed by <paramref name="signer"/>.</summary>
    public static byte[] Apply(byte[] pdf, PaperFacts facts, PaperSigner signer)
    {
        ArgumentNullException.ThrowIfNull(pdf);
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(signer);
        List<byte[]> digests;
        using (var read = PdfPigDocument.Open(pdf))
            digests = read.GetPages().Select(page => PaperText.Digest(page)).ToList();

        using var input = new MemoryStream(pdf, writable: false);
        using var document = PdfReader.Open(input, PdfDocumentOpenMode.Modify);
        document.Options.FlateEncodeMode = MunicipalPaper.FlateMode;
        for (var i = 0; i < document.PageCount; i++)
        {
            var statement = new PaperStatement(facts.Issuer, facts.IssuanceId, facts.IssuedOn, facts.Kind, i + 1, document.PageCount, digests[i]);
            var code = new PaperCode(statement, signer.Certificate, signer.Sign(statement.Encode()));
            using var gfx = XGraphics.FromPdfPage(document.Pages[i], XGraphicsPdfPageOptions.Append);
            using var image = QrImage(code.ToText());
            gfx.DrawImage(image, MunicipalPaper.CodeSquare);
        }
        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    /// <summary>The latent word under each page and the microtext border over it.</summary>
    private sealed class PrintMarks(string unit) : MunicipalPaper.IPageMarks
    {
        private readonly XFont _microtext = new(DocumentFonts.Gothic, MicrotextPoints, XFontStyleEx.Regular, Unicode);
        private readonly XFont _latent = new(DocumentFonts.Gothic, 44, XFontStyleEx.Regular, Unicode);

        public void Underlay(XGraphics page) => Latent(page, _latent);

        public void Overlay(XGraphics page) => Microtext(page, _microtext, unit);
    }

    /// <summary>
    /// The code as a 1-bit image, <see cref="PixelsPerModule"/> pixels a module with the 4-module quiet zone. The mask is fixed
    /// (<see cref="MaskPattern"/>): ISO/IEC 18004 lets the encoder choose, every reader takes it from the format information,
    /// and the content (base32 of DER with a signature and a key) is random enough that the penalty search, which costs most
    /// of the encoding, gains nothing measurable.
    /// </summary>
    private static XImage QrImage(string text)
    {
        var hints = new Dictionary<EncodeHintType, object>
        {
            [EncodeHintType.ERROR_CORRECTION] = ErrorCorrectionLevel.M,
            [EncodeHintType.QR_MASK_PATTERN] = MaskPattern,
            [EncodeHintType.MARGIN] = QuietZoneModules,
        };
        var modules = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0, hints);
        return XImage.FromStream(new MemoryStream(MonochromeBitmap(modules, PixelsPerModule), writable: false));
    }

    /// <summary>The mask pattern every code uses (0 … 7).</summary>
    private const int MaskPattern = 2;

    private const int QuietZoneModules = 4;

    /// <summary>
    /// A 1-bit BMP (BITMAPINFOHEADER, two-colour palette: 0 black, 1 white; rows bottom-up, padded to 4 bytes) of
    /// <paramref name="modules"/>, each module <paramref name="scale"/> pixels square. PDFsharp stores it as a 1-bit DeviceGray
    /// image, a fraction of the size and time of a 24-bit one.
    /// </summary>
    private static byte[] MonochromeBitmap(ZXing.Common.BitMatrix modules, int scale)
    {
        const int HeaderBytes = 14 + 40 + 8;
        var side = modules.Width * scale;
        var rowBytes = (side + 31) / 32 * 4;
        var bitmap = new byte[HeaderBytes + rowBytes * side];
        using (var writer = new BinaryWriter(new MemoryStream(bitmap)))
        {
            writer.Write("BM"u8);
            writer.Write(bitmap.Length);
            writer.Write(0);
            writer.Write(HeaderBytes);
            writer.Write(40);
            writer.Write(side);
            writer.Write(side);
            writer.Write((short)1); // planes
            writer.Write((short)1); // bits per pixel
            writer.Write(0); // no compression
            writer.Write(rowBytes * side);
            writer.Write(2835); // 72 dpi
            writer.Write(2835);
            writer.Write(2); // palette entries
            writer.Write(2);
            writer.Write(0x00000000); // black
            writer.Write(0x00FFFFFF); // white
        }
        // One row of pixels per row of modules, copied to the module's other pixel rows (bottom-up).
        var pixels = bitmap.AsSpan(HeaderBytes);
        for (var moduleRow = 0; moduleRow < modules.Height; moduleRow++)
        {
            var first = pixels.Slice((side - 1 - moduleRow * scale) * rowBytes, rowBytes);
            for (var x = 0; x < side; x++)
                if (!modules[x / scale, moduleRow]) first[x >> 3] |= (byte)(0x80 >> (x & 7));
            for (var copy = 1; copy < scale; copy++) first.CopyTo(pixels.Slice((side - 1 - moduleRow * scale - copy) * rowBytes, rowBytes));
        }
        return bitmap;
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
