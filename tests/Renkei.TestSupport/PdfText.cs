using UglyToad.PdfPig;

namespace Renkei.TestSupport;

/// <summary>Reads a printed document (PDF) back as text with PdfPig: what a resident would read, page by page.</summary>
public static class PdfText
{
    /// <summary>Each page's text, in order (PdfPig joins the letters of a page; lines drawn as one string stay whole).</summary>
    public static IReadOnlyList<string> Pages(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return document.GetPages().Select(p => p.Text).ToList();
    }

    /// <summary>All pages' text joined.</summary>
    public static string Read(byte[] pdf) => string.Join("\n", Pages(pdf));

    /// <summary>The images drawn on each page, as PdfPig lists them (width × height in pixels).</summary>
    public static IReadOnlyList<IReadOnlyList<(int Width, int Height)>> Images(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return document.GetPages().Select(p => (IReadOnlyList<(int, int)>)p.GetImages().Select(i => (i.WidthInSamples, i.HeightInSamples)).ToList()).ToList();
    }

    /// <summary>Whether the bytes are a PDF (the header every PDF starts with).</summary>
    public static bool IsPdf(byte[] bytes) => bytes.Length > 5 && bytes.AsSpan(0, 5).SequenceEqual("%PDF-"u8);
}
