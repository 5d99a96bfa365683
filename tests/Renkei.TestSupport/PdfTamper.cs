using System.Text;
using System.Text.RegularExpressions;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;
using PdfSharp.Pdf.IO;

namespace Renkei.TestSupport;

/// <summary>
/// What a forger does to an issued certificate's PDF (docs/paper.md): change a printed character by rewriting a page's content
/// stream (decompressed with PDFsharp, one glyph code replaced, written back), or paste the 2D code of another certificate.
/// </summary>
public static partial class PdfTamper
{
    /// <summary>
    /// The PDF with one printed character changed on page <paramref name="page"/> (0-based): in the first text string of 3 to 60
    /// glyphs (the body, not the 2-glyph latent word or the long microtext lines), the first glyph becomes the second one.
    /// </summary>
    public static byte[] ChangeOneCharacter(byte[] pdf, int page = 0)
    {
        using var document = PdfReader.Open(new MemoryStream(pdf), PdfDocumentOpenMode.Modify);
        var contents = document.Pages[page].Contents;
        for (var i = 0; i < contents.Elements.Count; i++)
        {
            if (contents.Elements.GetDictionary(i) is not { Stream: { } stream } dictionary) continue;
            stream.TryUncompress();
            var text = Encoding.Latin1.GetString(stream.Value);
            foreach (Match match in GlyphString().Matches(text))
            {
                var hex = match.Groups[1].Value;
                var glyphs = hex.Length / 4;
                if (hex.Length % 4 != 0 || glyphs is < 3 or > 60 || hex[..4] == hex[4..8]) continue;
                var changed = hex[4..8] + hex[4..];
                dictionary.Stream.Value = Encoding.Latin1.GetBytes(text[..match.Groups[1].Index] + changed + text[(match.Groups[1].Index + hex.Length)..]);
                return Save(document);
            }
        }
        throw new InvalidOperationException("no text string of 3 to 60 glyphs on the page");
    }

    /// <summary>
    /// <paramref name="onto"/> with the 2D code image of page <paramref name="page"/> replaced by that of <paramref name="from"/>'s
    /// page (the image XObject's pixels, size and filter copied, as an image editor would paste it).
    /// </summary>
    public static byte[] CopyCode(byte[] from, byte[] onto, int page = 0) => CopyImage(from, onto, largest: true, page);

    /// <summary>
    /// <paramref name="onto"/> with an image of page <paramref name="page"/> replaced by the same image of <paramref name="from"/>:
    /// the largest (the 2D code) or the smallest (e.g. the 印影 of a 印鑑登録証明書).
    /// </summary>
    public static byte[] CopyImage(byte[] from, byte[] onto, bool largest, int page = 0)
    {
        using var source = PdfReader.Open(new MemoryStream(from), PdfDocumentOpenMode.Import);
        using var target = PdfReader.Open(new MemoryStream(onto), PdfDocumentOpenMode.Modify);
        var code = Image(source.Pages[page], largest);
        var replaced = Image(target.Pages[page], largest);
        foreach (var key in new[] { "/Width", "/Height", "/BitsPerComponent", "/ColorSpace", "/Filter", "/DecodeParms" })
        {
            replaced.Elements.Remove(key);
            if (code.Elements[key] is { } value && value is not PdfReference) replaced.Elements[key] = value;
        }
        replaced.Stream.Value = code.Stream.Value;
        return Save(target);
    }

    /// <summary>The page's largest (the 2D code) or smallest (a seal image) image XObject.</summary>
    private static PdfDictionary Image(PdfPage page, bool largest)
    {
        var objects = page.Resources.Elements.GetDictionary("/XObject") ?? throw new InvalidOperationException("the page has no images");
        var images = objects.Elements.Keys.Select(k => objects.Elements.GetDictionary(k)).OfType<PdfDictionary>()
            .Where(d => d.Elements.GetName("/Subtype") == "/Image")
            .OrderByDescending(d => d.Elements.GetInteger("/Width"))
            .ToList();
        return largest ? images[0] : images[^1];
    }

    private static byte[] Save(PdfDocument document)
    {
        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    [GeneratedRegex("<([0-9A-Fa-f]+)>\\s*Tj")]
    private static partial Regex GlyphString();
}
