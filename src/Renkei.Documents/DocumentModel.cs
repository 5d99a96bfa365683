using System.Globalization;

namespace Renkei.Documents;

/// <summary>
/// A document on municipal paper (A4): the title, the document number (文書番号) and the date of issue in the Japanese era at
/// the top right, the addressee (postal address, name 様) at the top left, the issuer (e.g. 品川区長) with the area of the
/// official seal (公印), and the body. Everything here is what a resident reads: Japanese only. Rendering is
/// <see cref="MunicipalPaper.Render"/>.
/// </summary>
/// <param name="Title">e.g. 児童手当認定通知書, 住民票の写し.</param>
/// <param name="IssuedOn">The date of issue, printed in the Japanese era (令和8年4月1日).</param>
/// <param name="Issuer">Who issues it (区長) and whether the 公印 area is printed.</param>
/// <param name="Body">The blocks in order.</param>
public sealed record MunicipalDocument(string Title, DateOnly IssuedOn, DocumentIssuer Issuer, IReadOnlyList<DocumentBlock> Body)
{
    /// <summary>文書番号 (e.g. 品子発第12号); null: none printed (certificates carry a serial instead).</summary>
    public DocumentNumber? Number { get; init; }

    /// <summary>To whom it is sent (notices); null: no addressee block (certificates handed over at the counter).</summary>
    public DocumentAddressee? Addressee { get; init; }

    /// <summary>
    /// Where the issuer and the seal stand: <see cref="IssuerPlacement.Top"/> under the date (notices, 〜長 の名で通知) or
    /// <see cref="IssuerPlacement.End"/> after the body under an attestation (certificates: 「…相違ないことを証明する。」).
    /// </summary>
    public IssuerPlacement IssuerPlacement { get; init; } = IssuerPlacement.Top;

    /// <summary>Printed at the foot of every page beside the page number (e.g. the certificate's serial); null: page number only.</summary>
    public string? Footer { get; init; }

    /// <summary>
    /// Keep a band above the footer of every page free for the signed 2D code (<see cref="Paper.PaperMarks"/>), with the sentence
    /// that says how to verify it; false: the body runs down to the footer.
    /// </summary>
    public bool CodeArea { get; init; }
}

public enum IssuerPlacement
{
    Top,
    End,
}

/// <summary>The issuer as printed, e.g. 品川区長; <paramref name="OfficialSeal"/>: print the 公印 area (a red-bordered square with 印).</summary>
public sealed record DocumentIssuer(string Title, bool OfficialSeal = true)
{
    /// <summary>The certifying sentence printed above the issuer when it stands at the end (certificates).</summary>
    public string? Attestation { get; init; }
}

/// <summary>The addressee block: postal code (optional), address and name; the renderer adds 様.</summary>
public sealed record DocumentAddressee(string? PostalCode, string Address, string Name);

/// <summary>
/// 文書番号: a prefix naming the issuing office (e.g. 品子発 — 品川区 子ども家庭課 発) and a sequence numbered per ward per fiscal year
/// (年度, from 1 April), e.g. 品子発第123号.
/// </summary>
public sealed record DocumentNumber(string Prefix, int FiscalYear, long Sequence)
{
    public string Text => Prefix + "第" + Sequence.ToString(CultureInfo.InvariantCulture) + "号";

    /// <summary>The fiscal year (年度) a date belongs to: 1 April … 31 March.</summary>
    public static int FiscalYearOf(DateOnly date) => date.Month >= 4 ? date.Year : date.Year - 1;

    public override string ToString() => Text;
}

/// <summary>One part of a document's body.</summary>
public abstract record DocumentBlock;

/// <summary>A short heading (e.g. 理由, 教示).</summary>
public sealed record DocumentHeading(string Text) : DocumentBlock;

/// <summary>Running text, wrapped to the page width; a new line in <paramref name="Text"/> starts a new line.</summary>
public sealed record DocumentParagraph(string Text) : DocumentBlock
{
    /// <summary>Indent of the whole paragraph in characters (e.g. 1 for 「１　…」 items).</summary>
    public int Indent { get; init; }
}

/// <summary>Items each led by a mark (・), wrapped under the text.</summary>
public sealed record DocumentList(IReadOnlyList<string> Items) : DocumentBlock;

/// <summary>
/// A bordered table: a header row and rows of cells, each wrapped within its column. <paramref name="Widths"/> are the
/// columns' relative widths (null: equal). A table longer than the page continues on the next with its header repeated.
/// </summary>
public sealed record DocumentTable(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<double>? Widths = null)
    : DocumentBlock;

/// <summary>Label–value pairs in a bordered two-column table (e.g. 決定内容, 支給月額).</summary>
public sealed record DocumentFields(IReadOnlyList<KeyValuePair<string, string>> Fields) : DocumentBlock
{
    public DocumentFields(params (string Label, string Value)[] fields)
        : this(fields.Select(f => new KeyValuePair<string, string>(f.Label, f.Value)).ToList())
    {
    }
}

/// <summary>
/// An image printed at its real size inside a framed box with a label beside it (e.g. the 印影 of a 印鑑登録証明書):
/// <paramref name="Image"/> is a PNG or JPEG, <paramref name="SideMillimetres"/> the printed length of its longer side,
/// <paramref name="BoxMillimetres"/> the side of the square frame it is centred in.
/// </summary>
public sealed record DocumentImage(string Label, byte[] Image, double SideMillimetres, double BoxMillimetres = 30) : DocumentBlock;

/// <summary>Vertical space of about one line.</summary>
public sealed record DocumentSpace : DocumentBlock;
