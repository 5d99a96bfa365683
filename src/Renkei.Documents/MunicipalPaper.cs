using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using Renkei.Core.Dates;

namespace Renkei.Documents;

/// <summary>
/// Renders a <see cref="MunicipalDocument"/> as an A4 PDF laid out as municipal paper is: 文書番号 and the 和暦 date at the top
/// right, the addressee at the top left, the issuer with the 公印 area (a red-bordered square with 印) on the right, the
/// centred title, the body (text wrapped by character, with 、。」）not starting a line; tables with their header repeated on a
/// new page) and 「- 1 / 2 -」 page numbers. Fonts: <see cref="DocumentFonts"/> (embedded).
/// </summary>
public static class MunicipalPaper
{
    private const double Margin = 56; // about 20 mm
    private const double PageWidth = 595.28; // A4 in points
    private const double PageHeight = 841.89;
    private const double FooterSpace = 36;
    private const double BodySize = 10.5;
    private const double CellPadding = 4;
    private const double SealSize = 44;

    /// <summary>Characters a line must not start with (行頭禁則).</summary>
    private const string NoLineStart = "、。，．）」』】〕・ー！？：；％";

    /// <summary>The height of the band kept for the 2D code when <see cref="MunicipalDocument.CodeArea"/> is set.</summary>
    private const double CodeBand = 112;

    /// <summary>The sentence beside the 2D code.</summary>
    public const string CodeCaption = "この証明書の右の二次元コードには発行団体の電子署名があります。証明書交付センターの真正性確認ページで、署名と印字内容を確認できます。";

    /// <summary>Where the 2D code is printed on each page (points from the top left) when the band is kept.</summary>
    internal static XRect CodeSquare => new(PageWidth - Margin - 100, PageHeight - Margin - FooterSpace - CodeBand + 6, 100, 100);

    internal const double PageWidthPoints = PageWidth;
    internal const double PageHeightPoints = PageHeight;

    /// <summary>
    /// How streams (the embedded font subsets above all) are compressed: fastest. Deflate's best level made the PDF a quarter
    /// smaller and cost 2 ms a font on every save, most of a certificate's rendering time.
    /// </summary>
    internal const PdfFlateEncodeMode FlateMode = PdfFlateEncodeMode.BestSpeed;

    private static readonly XPdfFontOptions Unicode = new(PdfFontEncoding.Unicode);
    private static readonly XColor SealRed = XColor.FromArgb(204, 0, 0);

    /// <summary>What is drawn on every page besides the document itself: under everything, and over it once the page is done.</summary>
    internal interface IPageMarks
    {
        void Underlay(XGraphics page);

        void Overlay(XGraphics page);
    }

    /// <exception cref="DocumentFontMissingException">the Japanese font is not installed.</exception>
    public static byte[] Render(MunicipalDocument document) => Render(document, marks: null);

    /// <summary>The document with <paramref name="marks"/> on every page, drawn in the same pass (one font subset, one save).</summary>
    internal static byte[] Render(MunicipalDocument document, IPageMarks? marks)
    {
        ArgumentNullException.ThrowIfNull(document);
        DocumentFonts.Install();
        using var pdf = new PdfDocument();
        pdf.Options.FlateEncodeMode = FlateMode;
        pdf.Info.Title = document.Title;
        pdf.Info.Creator = "Renkei";
        var layout = new Layout(pdf, document.CodeArea, marks);
        layout.Header(document);
        foreach (var block in document.Body) layout.Block(block);
        if (document.IssuerPlacement == IssuerPlacement.End) layout.Attestation(document);
        layout.Finish();
        Footers(pdf, document.Footer);
        if (document.CodeArea) CodeCaptions(pdf);
        if (marks is not null)
            foreach (var page in pdf.Pages)
            {
                using var gfx = XGraphics.FromPdfPage(page, XGraphicsPdfPageOptions.Append);
                marks.Overlay(gfx);
            }
        using var stream = new MemoryStream();
        pdf.Save(stream, closeStream: false);
        return stream.ToArray();
    }

    private static XFont Font(string family, double size, bool bold = false) =>
        new(family, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, Unicode);

    private static void Footers(PdfDocument pdf, string? footer)
    {
        var font = Font(DocumentFonts.Gothic, 8.5);
        for (var i = 0; i < pdf.PageCount; i++)
        {
            using var gfx = XGraphics.FromPdfPage(pdf.Pages[i], XGraphicsPdfPageOptions.Append);
            var y = PageHeight - Margin + 12;
            gfx.DrawString($"- {i + 1} / {pdf.PageCount} -", font, XBrushes.Black, new XRect(0, y, PageWidth, 12), XStringFormats.TopCenter);
            if (footer is not null) gfx.DrawString(footer, font, XBrushes.Black, new XRect(Margin, y, PageWidth - 2 * Margin, 12), XStringFormats.TopRight);
        }
    }

    private static void CodeCaptions(PdfDocument pdf)
    {
        var font = Font(DocumentFonts.Gothic, 8);
        var square = CodeSquare;
        var width = square.X - Margin - 12;
        for (var i = 0; i < pdf.PageCount; i++)
        {
            using var gfx = XGraphics.FromPdfPage(pdf.Pages[i], XGraphicsPdfPageOptions.Append);
            var y = square.Y + 8;
            foreach (var line in Wrap(CodeCaption, s => gfx.MeasureString(s, font).Width, width))
            {
                gfx.DrawString(line, font, XBrushes.Black, new XPoint(Margin, y), XStringFormats.TopLeft);
                y += font.GetHeight() * 1.3;
            }
        }
    }

    /// <summary>
    /// Breaks text into lines no wider than <paramref name="width"/>, by character, keeping 禁則 characters on the line before.
    /// <paramref name="measure"/> gives the advance width of one text element; a line's width is the sum of its elements' (the
    /// fonts are drawn without kerning), so each element is measured once.
    /// </summary>
    internal static IReadOnlyList<string> Wrap(string text, Func<string, double> measure, double width)
    {
        var lines = new List<string>();
        var line = new System.Text.StringBuilder();
        foreach (var paragraph in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            line.Clear();
            var lineWidth = 0.0;
            foreach (var element in EnumerateElements(paragraph))
            {
                var elementWidth = measure(element);
                if (line.Length > 0 && lineWidth + elementWidth > width && !NoLineStart.Contains(element[0], StringComparison.Ordinal))
                {
                    lines.Add(line.ToString());
                    line.Clear();
                    lineWidth = 0;
                }
                line.Append(element);
                lineWidth += elementWidth;
            }
            lines.Add(line.ToString());
        }
        return lines;
    }

    /// <summary>Text elements (a surrogate pair or a combining sequence stays whole).</summary>
    private static IEnumerable<string> EnumerateElements(string text)
    {
        var e = System.Globalization.StringInfo.GetTextElementEnumerator(text);
        while (e.MoveNext()) yield return e.GetTextElement();
    }

    private sealed class Layout(PdfDocument pdf, bool codeArea, IPageMarks? marks)
    {
        private readonly XFont _body = Font(DocumentFonts.Gothic, BodySize);
        private readonly XFont _bold = Font(DocumentFonts.Gothic, BodySize, bold: true);
        private XGraphics _gfx = null!;
        private double _y;

        private static double ContentWidth => PageWidth - 2 * Margin;
        private double Bottom => PageHeight - Margin - FooterSpace - (codeArea ? CodeBand : 0);
        private double LineHeight => _body.GetHeight() * 1.25;

        public void Header(MunicipalDocument document)
        {
            NewPage();
            var right = new XRect(Margin, _y, ContentWidth, LineHeight);
            if (document.Number is { } number)
            {
                _gfx.DrawString(number.Text, _body, XBrushes.Black, right, XStringFormats.TopRight);
                right.Y += LineHeight;
            }
            if (document.IssuerPlacement == IssuerPlacement.Top)
            {
                _gfx.DrawString(JapaneseEraDate.Format(document.IssuedOn), _body, XBrushes.Black, right, XStringFormats.TopRight);
                right.Y += LineHeight;
            }
            _y = right.Y + LineHeight * 0.5;

            if (document.Addressee is { } to)
            {
                var left = Margin + 8;
                var width = ContentWidth * 0.55;
                if (to.PostalCode is { Length: > 0 } postal) Line("〒" + postal, left, _body);
                foreach (var line in Wrap(to.Address, s => _gfx.MeasureString(s, _body).Width, width)) Line(line, left, _body);
                _y += LineHeight * 0.3;
                var nameFont = Font(DocumentFonts.Mincho, 13);
                foreach (var line in Wrap(to.Name + "　様", s => _gfx.MeasureString(s, nameFont).Width, width)) Line(line, left + 12, nameFont);
                _y += LineHeight;
            }
            if (document.IssuerPlacement == IssuerPlacement.Top)
            {
                Issuer(document.Issuer);
                _y += LineHeight;
            }

            var titleFont = Font(DocumentFonts.Mincho, 17, bold: true);
            foreach (var line in Wrap(document.Title, s => _gfx.MeasureString(s, titleFont).Width, ContentWidth))
            {
                _gfx.DrawString(line, titleFont, XBrushes.Black, new XRect(Margin, _y, ContentWidth, 24), XStringFormats.TopCenter);
                _y += titleFont.GetHeight() * 1.3;
            }
            _y += LineHeight;
        }

        /// <summary>The issuer on the right, with the 公印 square overlapping the end of the title (as 公印 are stamped).</summary>
        private void Issuer(DocumentIssuer issuer)
        {
            var font = Font(DocumentFonts.Mincho, 13);
            var height = issuer.OfficialSeal ? SealSize : font.GetHeight() * 1.4;
            Ensure(height + 4);
            var textWidth = _gfx.MeasureString(issuer.Title, font).Width;
            var sealX = Margin + ContentWidth - SealSize;
            var textRight = issuer.OfficialSeal ? sealX + SealSize * 0.45 : Margin + ContentWidth;
            var textY = _y + (height - font.GetHeight()) / 2;
            _gfx.DrawString(issuer.Title, font, XBrushes.Black, new XPoint(textRight - textWidth - (issuer.OfficialSeal ? SealSize * 0.55 : 0), textY),
                XStringFormats.TopLeft);
            if (issuer.OfficialSeal)
            {
                var pen = new XPen(SealRed, 1.6);
                _gfx.DrawRectangle(pen, sealX, _y, SealSize, SealSize);
                _gfx.DrawRectangle(new XPen(SealRed, 0.6), sealX + 3, _y + 3, SealSize - 6, SealSize - 6);
                _gfx.DrawString("印", Font(DocumentFonts.Mincho, 20), new XSolidBrush(SealRed), new XRect(sealX, _y, SealSize, SealSize), XStringFormats.Center);
            }
            _y += height + 4;
        }

        public void Attestation(MunicipalDocument document)
        {
            _y += LineHeight;
            if (document.Issuer.Attestation is { } attestation) Paragraph(attestation, 1);
            _y += LineHeight * 0.5;
            Ensure(LineHeight * 2 + SealSize);
            Line(JapaneseEraDate.Format(document.IssuedOn), Margin + 16, _body);
            _y += LineHeight * 0.5;
            Issuer(document.Issuer);
        }

        public void Block(DocumentBlock block)
        {
            switch (block)
            {
                case DocumentHeading heading:
                    _y += LineHeight * 0.4;
                    Ensure(LineHeight * 3); // a heading is not left alone at the foot of a page
                    Line(heading.Text, Margin, _bold);
                    break;
                case DocumentParagraph paragraph:
                    Paragraph(paragraph.Text, paragraph.Indent);
                    break;
                case DocumentList list:
                    foreach (var item in list.Items) Item(item);
                    break;
                case DocumentFields fields:
                    Table(null, fields.Fields.Select(f => (IReadOnlyList<string>)[f.Key, f.Value]).ToList(), [1, 3]);
                    break;
                case DocumentTable table:
                    Table(table.Headers, table.Rows, table.Widths);
                    break;
                case DocumentImage image:
                    Image(image);
                    break;
                case DocumentSpace:
                    _y += LineHeight;
                    break;
                default:
                    throw new ArgumentException("unknown document block " + block.GetType().Name, nameof(block));
            }
        }

        private void Paragraph(string text, int indent)
        {
            var left = Margin + indent * BodySize;
            foreach (var line in Wrap(text, Measure, ContentWidth - indent * BodySize)) Line(line, left, _body);
        }

        private void Item(string text)
        {
            var mark = Measure("・");
            var lines = Wrap(text, Measure, ContentWidth - BodySize - mark);
            for (var i = 0; i < lines.Count; i++)
            {
                Ensure(LineHeight);
                if (i == 0) _gfx.DrawString("・", _body, XBrushes.Black, new XPoint(Margin + BodySize, _y), XStringFormats.TopLeft);
                _gfx.DrawString(lines[i], _body, XBrushes.Black, new XPoint(Margin + BodySize + mark, _y), XStringFormats.TopLeft);
                _y += LineHeight;
            }
        }

        private void Table(IReadOnlyList<string>? headers, IReadOnlyList<IReadOnlyList<string>> rows, IReadOnlyList<double>? widths)
        {
            var columns = headers?.Count ?? rows.FirstOrDefault()?.Count ?? 0;
            if (columns == 0) return;
            var relative = widths is { } w && w.Count == columns ? w : Enumerable.Repeat(1.0, columns).ToList();
            var total = relative.Sum();
            var columnWidths = relative.Select(r => ContentWidth * r / total).ToList();
            var pen = new XPen(XColors.Black, 0.6);
            var lineHeight = _body.GetHeight() * 1.2;

            IReadOnlyList<IReadOnlyList<string>> Cells(IReadOnlyList<string> row) =>
                Enumerable.Range(0, columns).Select(c => Wrap(c < row.Count ? row[c] : "", Measure, columnWidths[c] - 2 * CellPadding)).ToList();

            void Row(IReadOnlyList<string> row, bool header)
            {
                var cells = Cells(row);
                var height = cells.Max(c => c.Count) * lineHeight + 2 * CellPadding;
                if (_y + height > Bottom && _y > Margin + 1)
                {
                    NewPage();
                    if (!header && headers is not null) Row(headers, header: true);
                }
                var x = Margin;
                for (var c = 0; c < columns; c++)
                {
                    if (header || (headers is null && c == 0))
                        _gfx.DrawRectangle(new XSolidBrush(XColor.FromArgb(238, 238, 238)), x, _y, columnWidths[c], height);
                    _gfx.DrawRectangle(pen, x, _y, columnWidths[c], height);
                    var ty = _y + CellPadding;
                    foreach (var line in cells[c])
                    {
                        _gfx.DrawString(line, header ? _bold : _body, XBrushes.Black, new XPoint(x + CellPadding, ty), XStringFormats.TopLeft);
                        ty += lineHeight;
                    }
                    x += columnWidths[c];
                }
                _y += height;
            }

            if (headers is not null) Row(headers, header: true);
            foreach (var row in rows) Row(row, header: false);
            _y += LineHeight * 0.5;
        }

        /// <summary>The label cell and the framed square with the image at its printed size, centred (aspect kept).</summary>
        private void Image(DocumentImage block)
        {
            const double PointsPerMillimetre = 72 / 25.4;
            var box = block.BoxMillimetres * PointsPerMillimetre;
            Ensure(box + LineHeight);
            var labelWidth = ContentWidth / 4;
            var pen = new XPen(XColors.Black, 0.6);
            _gfx.DrawRectangle(new XSolidBrush(XColor.FromArgb(238, 238, 238)), Margin, _y, labelWidth, box);
            _gfx.DrawRectangle(pen, Margin, _y, labelWidth, box);
            _gfx.DrawString(block.Label, _body, XBrushes.Black, new XRect(Margin, _y, labelWidth, box), XStringFormats.Center);
            var boxX = Margin + labelWidth;
            _gfx.DrawRectangle(pen, boxX, _y, box, box);
            _gfx.DrawRectangle(pen, boxX + 2, _y + 2, box - 4, box - 4);
            using (var stream = new MemoryStream(block.Image, writable: false))
            using (var image = XImage.FromStream(stream))
            {
                var side = Math.Min(block.SideMillimetres * PointsPerMillimetre, box - 8);
                var (w, h) = (image.PixelWidth, image.PixelHeight);
                var (width, height) = w >= h ? (side, side * h / w) : (side * w / h, side);
                _gfx.DrawImage(image, boxX + (box - width) / 2, _y + (box - height) / 2, width, height);
            }
            _y += box + LineHeight * 0.5;
        }

        private double Measure(string text) => _gfx.MeasureString(text, _body).Width;

        private void Line(string text, double x, XFont font)
        {
            var height = font.GetHeight() * 1.25;
            Ensure(height);
            _gfx.DrawString(text, font, XBrushes.Black, new XPoint(x, _y), XStringFormats.TopLeft);
            _y += height;
        }

        private void Ensure(double height)
        {
            if (_y + height > Bottom) NewPage();
        }

        private void NewPage()
        {
            _gfx?.Dispose();
            var page = pdf.AddPage();
            page.Size = PageSize.A4;
            _gfx = XGraphics.FromPdfPage(page);
            marks?.Underlay(_gfx);
            _y = Margin;
        }

        public void Finish() => _gfx.Dispose();
    }
}
