using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Logging;
using Renkei.Municipality.Contracts;
using Renkei.Portal.EApplications;

namespace Renkei.Portal.Pages;

/// <summary>
/// 申請状況の確認: the applicant asks the ward for the state of an e-application by its receipt number (受付番号) and the
/// inquiry code (照会番号) the receipt showed. The portal kept neither; it forwards the question to the ward's inbox and
/// shows the answer.
/// </summary>
public sealed class EApplicationStatusModel(ILogger<EApplicationStatusModel> logger) : PortalPageModel
{
    protected override string? NavigationKey => "e-application";

    [BindProperty] public string? Ward { get; set; }
    [BindProperty] public string? ReceiptNumber { get; set; }
    [BindProperty] public string? InquiryCode { get; set; }

    public IReadOnlyList<PortalWard> Wards => Runtime.Options.Wards;

    public EApplicationStatus? Status { get; private set; }

    public PortalWard? StatusWard { get; private set; }

    public string? Error { get; private set; }

    public string? ErrorCode { get; private set; }

    public void OnGet()
    {
        if (Wards.Count == 1) Ward = Wards[0].Code;
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var ward = Wards.FirstOrDefault(w => w.Code == Ward);
        var client = ward is null ? null : Runtime.EApplications(ward.Code);
        if (ward is null || client is null) return Refused("ward", "申請先の区を選んでください。");
        if (!long.TryParse(EApplicationStatusText.Digits(ReceiptNumber), out var number) || number <= 0)
            return Refused("receipt-number", "受付番号は数字で入力してください（受付画面の「受付番号」）。");
        var code = EApplicationInquiryCode.Normalise(InquiryCode);
        if (code is null) return Refused("inquiry-code", "照会番号は英数字12文字です（受付画面の「照会番号」）。");
        try
        {
            Status = await client.StatusAsync(new EApplicationStatusRequest(number, code), HttpContext.RequestAborted);
            StatusWard = ward;
        }
        catch (EApplicationException e)
        {
            logger.LogInformation("e-application status not shown: {Code}", e.Code);
            return Refused(e.Code, e.Code == EApplicationRefusalCodes.StatusNotFound
                ? "受付番号または照会番号が違います。受付画面に表示された番号を確認してください。"
                : "申請先の区で状況を確認できませんでした。時間をおいてもう一度お試しください。");
        }
        catch (HttpRequestException)
        {
            return Refused("ward-unreachable", "申請先の区に接続できませんでした。時間をおいてもう一度お試しください。");
        }
        return Page();
    }

    private PageResult Refused(string code, string message)
    {
        (Error, ErrorCode) = (message, code);
        return Page();
    }
}
