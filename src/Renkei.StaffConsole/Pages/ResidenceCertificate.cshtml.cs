using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Renkei.Documents;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;

namespace Renkei.StaffConsole.Pages;

/// <summary>
/// 住民票の写しの交付 at the counter, for the resident of the Person page: 本人 / 世帯全員 / 一部 (chosen members), 世帯主・続柄, and
/// the individual number or resident-record code only on the person's express request while the session may see numbers
/// (a number-using affair chosen; asked for otherwise, it is refused, not silently left out). The POST returns the PDF,
/// after the issuance is in the ledger and the operation log; refusals are on the page in Japanese and in the log too.
/// </summary>
public sealed class ResidenceCertificateModel : ResidentCounterPageModel
{

    /// <summary>self (本人), household (世帯全員) or members (一部).</summary>
    [BindProperty] public string Scope { get; set; } = "self";
    [BindProperty] public List<long> Members { get; set; } = [];
    [BindProperty] public bool WithRelationship { get; set; }
    [BindProperty] public bool WithNumber { get; set; }
    [BindProperty] public bool WithResidentCode { get; set; }
    [BindProperty] public string Requester { get; set; } = "self";
    [BindProperty] public int Copies { get; set; } = 1;

    public IReadOnlyList<Resident> Household { get; private set; } = [];
    public int FeePerCopy => Runtime.Options.CertificateFee;

    protected override string PageDescription => "住民票の写しの交付";

    public async Task<IActionResult> OnGetAsync()
    {
        if (!Load()) return await NotFoundAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!Load()) return await NotFoundAsync();
        var subject = Runtime.SubjectOf(Id);
        var scope = Scope switch { "household" => "世帯全員", "members" => "一部", "self" => "本人", _ => null };
        if (scope is null || !CertificateRequesters.TryParse(Requester, out var requester))
            return await RefusedAsync(StatusCodes.Status400BadRequest, "交付の範囲または請求者の指定が正しくありません。", "bad-input", "住民票の写し交付");
        var request = new ResidenceCertificateRequest(Id, Scope == "household", WithNumber)
        {
            Members = Scope == "members" ? Members : null,
            IncludeResidentCode = WithResidentCode,
        };
        var options = new ResidenceRecordOptions(WithRelationship, requester, Copies);
        IssuedCertificate issued;
        try
        {
            CounterCertificates.CheckOptions(request, options);
            var data = Runtime.ResidenceCertificates.Build(request, Decision);
            issued = Runtime.Counter.IssueResidenceRecord(data, request, options, StaffIdText, ConsoleRuntime.Terminal(HttpContext), Staff!.ChosenAffair);
        }
        catch (AffairNumberUseRefusedException refused)
        {
            return await RefusedAsync(StatusCodes.Status403Forbidden, "個人番号・住民票コードは、個人番号を利用できる事務を選択しているときに限り記載できます。" + Decision.Message,
                refused.Code, "住民票の写し交付");
        }
        catch (RegisterException refused)
        {
            return await RefusedAsync(refused.Code == ResidenceCertificates.RecordInvalid ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest,
                Japanese(refused.Code), refused.Code, "住民票の写し交付");
        }
        catch (DocumentFontMissingException)
        {
            return await RefusedAsync(StatusCodes.Status503ServiceUnavailable, DocumentFontMissingException.CertificateMessage,
                DocumentFontMissingException.Code, "住民票の写し交付");
        }
        var printed = issued.NumbersIncluded ? "個人番号記載あり" : "個人番号記載なし";
        await Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, subject, OperationAction.Export, OperationResult.Success,
            $"住民票の写し交付 {issued.Certificate.Serial.Text} {scope} {issued.ResidentIds.Count}人 {printed} {issued.Copies}通 手数料{issued.FeeYen}円 resident-id={Id}",
            HttpContext.RequestAborted);
        return File(issued.Pdf, "application/pdf", $"juminhyo-{issued.LedgerId.ToString(CultureInfo.InvariantCulture)}.pdf");
    }

    /// <summary>住民票の除票の写し for a person who moved out or died (no numbers printed); refused for a current resident.</summary>
    public async Task<IActionResult> OnPostRemovedAsync()
    {
        if (!Load()) return await NotFoundAsync();
        var subject = Runtime.SubjectOf(Id);
        if (!CertificateRequesters.TryParse(Requester, out var requester))
            return await RefusedAsync(StatusCodes.Status400BadRequest, "請求者の指定が正しくありません。", "bad-input", "住民票の除票の写し交付");
        IssuedCertificate issued;
        try
        {
            issued = Runtime.Counter.IssueRemovedResidenceRecord(Runtime.Municipality.Digits, Resident!, requester, Copies, StaffIdText,
                ConsoleRuntime.Terminal(HttpContext), Staff!.ChosenAffair);
        }
        catch (RegisterException refused)
        {
            return await RefusedAsync(refused.Code == CounterCertificates.StillResident ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest,
                Japanese(refused.Code), refused.Code, "住民票の除票の写し交付");
        }
        catch (DocumentFontMissingException)
        {
            return await RefusedAsync(StatusCodes.Status503ServiceUnavailable, DocumentFontMissingException.CertificateMessage,
                DocumentFontMissingException.Code, "住民票の除票の写し交付");
        }
        await Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, subject, OperationAction.Export, OperationResult.Success,
            $"住民票の除票の写し交付 {issued.Certificate.Serial.Text} {issued.Copies}通 手数料{issued.FeeYen}円 resident-id={Id}", HttpContext.RequestAborted);
        return File(issued.Pdf, "application/pdf", $"johyo-{issued.LedgerId.ToString(CultureInfo.InvariantCulture)}.pdf");
    }

    private static string Japanese(string code) => code switch
    {
        ResidenceCertificates.MemberNotInHousehold => "世帯員の選択：同じ世帯の世帯員を一人以上選んでください。",
        ResidenceCertificates.ScopeConflict => "交付の範囲：世帯全員と一部は同時に指定できません。",
        ResidenceCertificates.RecordInvalid => "住民記録に誤りがあるため証明できません。記録を訂正してください。",
        CounterCertificates.CopiesOutOfRange => $"通数：1から{CounterCertificateSettings.MaxCopies}までの数を入力してください。",
        CounterCertificates.NumberNeedsOwnRequest => "請求者：個人番号・住民票コードの記載は、本人又は同一世帯の者の請求に限ります。",
        CounterCertificates.StillResident => "この方は住民です。除票の写しは、転出又は死亡により消除された方に限り交付します。",
        "unknown-resident" => "該当する住民はいません。",
        _ => "証明書を交付できませんでした。",
    };

    protected override void OnResidentLoaded(Resident resident) =>
        Household = resident.Status == RegisterStatus.Resident ? Runtime.Register.FindHousehold(resident.HouseholdNumber)?.Members ?? [resident] : [resident];

    protected override string RefusalNote => WithNumber ? " 個人番号の記載を請求" : "";
}
