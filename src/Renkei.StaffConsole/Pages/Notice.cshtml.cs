using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Renkei.Documents;
using Renkei.Municipality.Applications;

namespace Renkei.StaffConsole.Pages;

/// <summary>
/// 決定通知書の出力: the decided application's notice as a PDF on municipal paper with <c>?format=pdf</c> (addressed by name and
/// address, 文書番号, the ward's head and 公印 area, 教示), a UTF-8 text file by default, or JSON with <c>?format=json</c>; dates
/// in the Japanese era; the export is written to the operation log by the backend.
/// </summary>
public sealed class NoticeModel : ApplicationPageModel
{
    [FromRoute] public long Id { get; set; }
    [FromQuery(Name = "format")] public string? Format { get; set; }

    public IActionResult OnGet()
    {
        if (Workflows is null)
        {
            Error = "この職員用画面には中間サーバーが設定されていないため、申請の画面は利用できません。";
            return Page();
        }
        try
        {
            var notice = Workflows.ExportNotice(Staff!, Id, Terminal);
            if (Format == "pdf") return File(notice.ToPdf(), "application/pdf", $"decision-notice-{notice.ApplicationId}.pdf");
            var json = Format == "json";
            var bytes = Encoding.UTF8.GetBytes(json ? notice.Json : notice.Text);
            return File(bytes, json ? "application/json; charset=utf-8" : "text/plain; charset=utf-8",
                $"decision-notice-{notice.ApplicationId}.{(json ? "json" : "txt")}");
        }
        catch (WorkflowException refused)
        {
            return Refused(refused);
        }
        catch (DocumentFontMissingException)
        {
            Error = "日本語フォントが導入されていないため、PDFを作成できません。システム管理者に連絡してください（テキストの通知書は出力できます）。";
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Page();
        }
    }
}
