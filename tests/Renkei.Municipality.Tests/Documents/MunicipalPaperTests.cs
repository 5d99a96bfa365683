using Renkei.Documents;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Documents;

/// <summary>The municipal paper layout, rendered with PDFsharp and the IPAex fonts, read back with PdfPig.</summary>
public sealed class MunicipalPaperTests
{
    private static MunicipalDocument Notice(IReadOnlyList<DocumentBlock> body) =>
        new("児童手当認定通知書", new DateOnly(2026, 4, 1), new DocumentIssuer("品川区長"), body)
        {
            Number = new DocumentNumber("品子発", 2026, 123),
            Addressee = new DocumentAddressee("140-0001", "東京都品川区北品川一丁目2番3号", "山田 太郎"),
        };

    [Fact]
    public void A_notice_carries_number_era_date_addressee_issuer_and_body()
    {
        var pdf = MunicipalPaper.Render(Notice([
            new DocumentParagraph("児童手当について、次のとおり決定しましたので通知します。"),
            new DocumentFields(("決定内容", "認定"), ("支給月額", "15,000円")),
            new DocumentHeading("理由"),
            new DocumentList(["第1子は3歳未満です。"]),
        ]));

        Assert.True(PdfText.IsPdf(pdf));
        var text = PdfText.Read(pdf);
        foreach (var expected in new[] { "品子発第123号", "令和8年4月1日", "〒140-0001", "東京都品川区北品川一丁目2番3号", "山田 太郎　様",
                     "品川区長", "印", "児童手当認定通知書", "支給月額", "15,000円", "第1子は3歳未満です。", "- 1 / 1 -" })
            Assert.Contains(expected, text);
    }

    [Fact]
    public void Long_text_and_tables_wrap_and_continue_on_numbered_pages()
    {
        var sentence = string.Concat(Enumerable.Repeat("この文章は折り返して次の行に続きます。", 12));
        var rows = Enumerable.Range(1, 80).Select(i => (IReadOnlyList<string>)[$"行{i}", "世帯員の氏名", "続柄"]).ToList();
        var pdf = MunicipalPaper.Render(Notice([new DocumentParagraph(sentence), new DocumentTable(["番号", "氏名", "続柄"], rows, [1, 3, 1])]));

        var pages = PdfText.Pages(pdf);
        Assert.True(pages.Count >= 2, $"{pages.Count} page(s)");
        Assert.Contains($"- {pages.Count} / {pages.Count} -", pages[^1]);
        Assert.Contains("行80", pages[^1]);
        Assert.Contains("番号", pages[^1]); // the header repeats on the continuation page
        // Every row is there once, and the paragraph's text survives the wrapping.
        var all = string.Concat(pages);
        Assert.All(Enumerable.Range(1, 80), i => Assert.Contains($"行{i}世帯員", all));
        Assert.Equal(12, CountOf(all.Replace("\n", "", StringComparison.Ordinal), "次の行に続きます。"));
    }

    [Fact]
    public void Wrapping_keeps_closing_punctuation_off_the_start_of_a_line()
    {
        // Width of 5 characters of 1 unit each: 「あいうえお。」 would break before 。 — it stays on the line instead.
        var lines = MunicipalPaper.Wrap("あいうえお。かきくけこ", s => s.Length, 5);
        Assert.Equal(["あいうえお。", "かきくけこ"], lines);
        Assert.Equal(["一行目", "二行目"], MunicipalPaper.Wrap("一行目\n二行目", s => s.Length, 40));
    }

    [Fact]
    public void A_certificate_puts_the_attestation_issuer_and_serial_after_its_content()
    {
        var certificate = new Certificate(CertificateKind.ResidenceRecord, [new DocumentFields(("氏名", "山田 太郎"))],
            new DocumentIssuer("品川区長") { Attestation = "この写しは、住民票の原本と相違ないことを証明する。" },
            new CertificateSerial("131091", 2026, 12), new DateOnly(2026, 4, 1));
        var text = PdfText.Read(certificate.ToPdf());
        Assert.Contains("住民票の写し", text);
        Assert.Contains("交付番号 131091-2026-000012", text);
        Assert.True(text.IndexOf("山田 太郎", StringComparison.Ordinal) < text.IndexOf("相違ないことを証明する", StringComparison.Ordinal));
        Assert.DoesNotContain("様", text); // handed over at the counter: no addressee block
    }

    [Fact]
    public void Certificate_kinds_have_stable_codes()
    {
        Assert.True(CertificateKinds.TryParse("juminhyo", out var kind));
        Assert.Equal(CertificateKind.ResidenceRecord, kind);
        Assert.False(CertificateKinds.TryParse("passport", out _));
        Assert.All(Enum.GetValues<CertificateKind>(), k => Assert.True(CertificateKinds.TryParse(k.Code(), out var back) && back == k));
    }

    [Fact]
    public void The_fiscal_year_starts_on_1_April()
    {
        Assert.Equal(2025, DocumentNumber.FiscalYearOf(new DateOnly(2026, 3, 31)));
        Assert.Equal(2026, DocumentNumber.FiscalYearOf(new DateOnly(2026, 4, 1)));
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
