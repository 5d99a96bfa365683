using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Renkei.Documents;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Registry;

namespace Renkei.StaffConsole.Pages;

/// <summary>
/// Tax certificates at the counter, for the resident of the Person page: 課税（非課税）証明書 (also the 所得証明書) and 納税証明書 for
/// a fiscal year the residence-tax system has an assessment for (the latest by default). Only in the affair
/// <see cref="CounterCertificates.TaxAffair"/> (the form is not offered otherwise, and an issue is refused). The POST returns
/// the PDF, after the issuance is in the ledger and the operation log; refusals are on the page in Japanese and in the log too.
/// </summary>
public sealed class TaxCertificateModel : ResidentCounterPageModel
{

    /// <summary>kazei (課税（非課税）証明書) or nozei (納税証明書).</summary>
    [BindProperty] public string Kind { get; set; } = "kazei";
    [BindProperty] public int? FiscalYear { get; set; }
    [BindProperty] public string Requester { get; set; } = "self";
    [BindProperty] public int Copies { get; set; } = 1;


    /// <summary>The fiscal years the residence-tax system has an assessment of the person for, newest first.</summary>
    public IReadOnlyList<int> FiscalYears { get; private set; } = [];
    public bool AffairAllowed => Staff?.ChosenAffair == CounterCertificates.TaxAffair;
    public int FeePerCopy => Runtime.Options.CertificateFee;

    protected override string PageDescription => "税の証明書の交付";

    public async Task<IActionResult> OnGetAsync()
    {
        if (!Load()) return await NotFoundAsync();
        FiscalYear ??= FiscalYears.FirstOrDefault();
        if (!AffairAllowed)
            return await RefusedAsync(StatusCodes.Status403Forbidden, Japanese(TaxCertificates.TaxAffairRequired), TaxCertificates.TaxAffairRequired, "税の証明書の交付");
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!Load()) return await NotFoundAsync();
        var subject = Runtime.SubjectOf(Id);
        var kind = Kind switch { "kazei" => CertificateKind.TaxAssessment, "nozei" => CertificateKind.TaxPayment, _ => (CertificateKind?)null };
        var title = kind?.Title() ?? "税の証明書";
        if (kind is null || !CertificateRequesters.TryParse(Requester, out var requester) || !ModelState.IsValid)
            return await RefusedAsync(StatusCodes.Status400BadRequest, "証明書の種類、年度、請求者または通数の指定が正しくありません。", "bad-input", title + "交付");
        IssuedCertificate issued;
        try
        {
            issued = Runtime.TaxCertificates.Issue(new TaxCertificateRequest(kind.Value, Id, FiscalYear, requester, Copies), Runtime.Today, StaffIdText,
                ConsoleRuntime.Terminal(HttpContext), Staff!.ChosenAffair);
        }
        catch (RegisterException refused)
        {
            var status = refused.Code switch
            {
                TaxCertificates.TaxAffairRequired => StatusCodes.Status403Forbidden,
                TaxCertificates.NoTaxRecord or TaxCertificates.NoTaxDue => StatusCodes.Status409Conflict,
                _ => StatusCodes.Status400BadRequest,
            };
            return await RefusedAsync(status, Japanese(refused.Code), refused.Code, title + "交付");
        }
        catch (DocumentFontMissingException)
        {
            return await RefusedAsync(StatusCodes.Status503ServiceUnavailable, DocumentFontMissingException.CertificateMessage,
                DocumentFontMissingException.Code, title + "交付");
        }
        await Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, subject, OperationAction.Export, OperationResult.Success,
            $"{title}交付 {issued.Certificate.Serial.Text} {issued.Copies}通 手数料{issued.FeeYen}円 resident-id={Id}", HttpContext.RequestAborted);
        return File(issued.Pdf, "application/pdf", $"{kind.Value.Code()}-{issued.LedgerId.ToString(CultureInfo.InvariantCulture)}.pdf");
    }

    private static string Japanese(string code) => code switch
    {
        TaxCertificates.TaxAffairRequired => "税の証明書は、事務「地方税の賦課及び徴収に関する事務」を選択しているときに限り交付できます。",
        TaxCertificates.NoTaxRecord => "年度：指定の年度の課税記録がありません。",
        TaxCertificates.NoTaxDue => "年度：この年度は税額がないため、納税証明書は交付できません。課税（非課税）証明書を交付してください。",
        CounterCertificates.CopiesOutOfRange => $"通数：1から{CounterCertificateSettings.MaxCopies}までの数を入力してください。",
        "unknown-resident" => "該当する住民はいません。",
        _ => "証明書を交付できませんでした。",
    };

    protected override void OnResidentLoaded(Resident resident) => FiscalYears = Runtime.TaxCertificates.FiscalYears(Id);
}
