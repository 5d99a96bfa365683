using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Renkei.Core.Text;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Notices;

namespace Renkei.StaffConsole.Pages;

/// <summary>
/// お知らせ（プッシュ型サービス）: the households that may be eligible for 児童手当 and have not applied (arrived after 1
/// January, a child under 18), each with a button that sends 「児童手当の認定請求のご案内」 to the head's portal through the
/// ward's intermediate server. For staff acting in 児童手当; the list is logged as a search and every send as
/// <see cref="OperationAction.NoticeSent"/> (refusals too).
/// </summary>
public sealed class NoticesModel : ApplicationPageModel
{
    [BindProperty] public long? Addressee { get; set; }

    public bool Unavailable => Runtime.Notices is null;
    public bool InAffair => Staff?.ChosenAffair == EligibilityNotices.ChildAllowanceAffair;
    public IReadOnlyList<ChildAllowanceCandidate> Candidates { get; private set; } = [];
    public EligibilityNoticeResult? Result { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostSendAsync()
    {
        if (Runtime.Notices is not { } notices) return await OnGetAsync();
        if (Addressee is not { } value || !IntegratedAddresseeNumber.TryFromInt64(value, out var addressee, out _))
        {
            Error = "送信先の宛名番号が正しくありません";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            await LoadAsync();
            return Page();
        }
        Result = await notices.SendChildAllowanceGuidanceAsync(Staff!, addressee, View.Today, Terminal, HttpContext.RequestAborted);
        if (!Result.Sent)
        {
            Error = JapaneseText.ForPerson(Result.Message, Result.ReasonCode);
            Response.StatusCode = Result.ReasonCode switch
            {
                EligibilityNotices.Codes.AffairMismatch => StatusCodes.Status403Forbidden,
                EligibilityNotices.Codes.NotEligible or EligibilityNotices.Codes.AlreadyApplied => StatusCodes.Status409Conflict,
                _ => StatusCodes.Status503ServiceUnavailable,
            };
        }
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        if (Runtime.Notices is not { } notices || !InAffair) return;
        Candidates = notices.ChildAllowanceCandidates(View.Today);
        await Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, null, OperationAction.Search, OperationResult.Success,
            $"お知らせ対象の世帯 {Candidates.Count}件（児童手当）", HttpContext.RequestAborted);
    }
}
