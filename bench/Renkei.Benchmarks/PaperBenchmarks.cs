using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using Renkei.Documents;
using Renkei.Documents.Paper;
using PdfPigDocument = UglyToad.PdfPig.PdfDocument;

namespace Renkei.Benchmarks;

/// <summary>
/// Issue 15: what one convenience-store certificate costs on paper — a 住民票の写し（世帯全員, four people) rendered as a draft
/// (<see cref="Certificate.ToPdf()"/>), as issued with the signed 2D code and print marks (<see cref="Certificate.ToPdf(PaperSigner)"/>),
/// and the verifier reading it back (<see cref="PaperVerifier"/>'s page text digest). Run:
/// <c>dotnet run -c Release --project bench/Renkei.Benchmarks -- --filter '*Paper*'</c>
/// </summary>
[MemoryDiagnoser]
public class PaperBenchmarks
{
    private Certificate _certificate = null!;
    private PaperSigner _signer = null!;
    private byte[] _issued = [];

    [GlobalSetup]
    public void Setup()
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=131091, O=品川区", key, HashAlgorithmName.SHA256);
        using var self = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        _signer = new PaperSigner(key, self.RawData);
        string[][] people =
        [
            ["品川　太郎\n（シナガワ　タロウ）", "昭和55年4月1日", "男", "世帯主", "平成22年5月10日"],
            ["品川　花子\n（シナガワ　ハナコ）", "昭和57年8月20日", "女", "妻", "平成22年5月10日"],
            ["品川　一郎\n（シナガワ　イチロウ）", "平成24年1月5日", "男", "子", "平成24年1月5日"],
            ["品川　さくら\n（シナガワ　サクラ）", "平成27年3月3日", "女", "子", "平成27年3月3日"],
        ];
        List<DocumentBlock> content =
        [
            new DocumentFields(("住所", "東京都品川区広町二丁目1番36号"), ("世帯主", "品川　太郎"), ("本籍", "省略"), ("筆頭者", "省略")),
            new DocumentTable(["氏名（フリガナ）", "生年月日", "性別", "続柄", "住民となった年月日"], people, [2.6, 1.6, 0.6, 0.8, 1.6]),
            new DocumentParagraph("記載人数 4人　以下余白"),
        ];
        _certificate = new Certificate(CertificateKind.ResidenceRecord, content,
            new DocumentIssuer("品川区長　森澤　恭子") { Attestation = "この写しは、住民票の原本と相違ないことを証明する。" },
            new CertificateSerial("131091", 2026, 12), new DateOnly(2026, 12, 7));
        _issued = _certificate.ToPdf(_signer);
    }

    [GlobalCleanup]
    public void Cleanup() => _signer.Dispose();

    [Benchmark(Baseline = true)]
    public byte[] Draft() => _certificate.ToPdf();

    [Benchmark]
    public byte[] Issued() => _certificate.ToPdf(_signer);

    [Benchmark]
    public int ReadBackDigest()
    {
        using var document = PdfPigDocument.Open(_issued);
        return document.GetPages().Sum(page => PaperText.Digest(page).Length);
    }
}
