using System.Security.Cryptography;
using System.Text;
using UglyToad.PdfPig.Content;

namespace Renkei.Documents.Paper;

/// <summary>
/// The printed text of a page as the 2D code's digest covers it (docs/paper.md): the letters of the page in the order the page
/// draws them (PdfPig's <see cref="Page.Letters"/>), without the print-side marks and without white space, in Unicode NFC,
/// encoded as UTF-8; the digest is SHA-256 of that. A letter is a print mark only when it is both of a mark's alphabet and of its
/// look: microtext (A–Z, 0–9 and '-' under <see cref="MicrotextMaxPoints"/> points, unreadable without a loupe) or the latent
/// 「複写」 (those two characters in the pale tint, every colour component at least <see cref="LatentMinimumTint"/>). Anything else
/// printed on the page — a changed name, amount or date, an added line in any colour or size — changes the digest.
/// </summary>
public static class PaperText
{
    /// <summary>Letters smaller than this (points) in the microtext alphabet are the microtext border.</summary>
    public const double MicrotextMaxPoints = 3;

    /// <summary>The characters the microtext border is made of.</summary>
    public const string MicrotextAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";

    /// <summary>The latent word drawn in the background.</summary>
    public const string LatentText = "複写";

    /// <summary>The least colour component (0 … 1) of the latent word's tint.</summary>
    public const double LatentMinimumTint = 0.8;

    /// <summary>The page's text as the digest covers it.</summary>
    public static string Normalised(Page page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var text = new StringBuilder();
        foreach (var letter in page.Letters)
        {
            if (IsPrintMark(letter)) continue;
            foreach (var c in letter.Value)
                if (!char.IsWhiteSpace(c)) text.Append(c);
        }
        return text.ToString().Normalize(NormalizationForm.FormC);
    }

    /// <summary>
    /// The page's digest: SHA-256 over the UTF-8 of <see cref="Normalised"/>, then, for each image the page draws (in order) that
    /// is not a 2D code (<paramref name="isCode"/>, by the image's index on the page; at issuance there is none yet), the SHA-256 of the image's stream as stored —
    /// so a pasted picture of other text, or another 印影, changes it too.
    /// </summary>
    public static byte[] Digest(Page page, Func<int, bool>? isCode = null)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(Normalised(page)));
        var index = 0;
        foreach (var image in page.GetImages())
            if (isCode is null || !isCode(index++)) hash.AppendData(SHA256.HashData(image.RawBytes));
        return hash.GetHashAndReset();
    }

    internal static bool IsPrintMark(Letter letter)
    {
        if (letter.Value is not { Length: 1 } value) return false;
        if (letter.PointSize < MicrotextMaxPoints && MicrotextAlphabet.Contains(value[0], StringComparison.Ordinal)) return true;
        if (!LatentText.Contains(value[0], StringComparison.Ordinal) || letter.Color is null) return false;
        var (r, g, b) = letter.Color.ToRGBValues();
        return r >= LatentMinimumTint && g >= LatentMinimumTint && b >= LatentMinimumTint;
    }
}
