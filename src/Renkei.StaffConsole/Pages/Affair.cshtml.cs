using Microsoft.AspNetCore.Mvc;
using Renkei.Core.Text;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Staff;

namespace Renkei.StaffConsole.Pages;

/// <summary>One assigned affair as the choice page lists it, with whether numbers may be used in it today.</summary>
public sealed record AffairChoice(string Code, string Name, bool NumberUse, string NumberUseText, bool Chosen);

/// <summary>事務の選択: the staff member acts in one of their assigned affairs at a time (or none).</summary>
public sealed class AffairModel : ConsolePageModel
{
    [BindProperty] public string? Affair { get; set; }

    public IReadOnlyList<AffairChoice> Choices { get; private set; } = [];
    public string? Error { get; private set; }

    public void OnGet() => Choices = BuildChoices();

    public async Task<IActionResult> OnPostAsync()
    {
        var session = Staff!;
        if (string.IsNullOrWhiteSpace(Affair))
        {
            ReplaceSession(session.LeaveAffair());
            await Runtime.RecordAsync(HttpContext, StaffIdText, null, null, OperationAction.AffairChosen, OperationResult.Success, "事務の選択を解除",
                HttpContext.RequestAborted);
            return RedirectToPage("/Search");
        }
        StaffSession chosen;
        try
        {
            chosen = session.ChooseAffair(Affair);
        }
        catch (StaffException refused)
        {
            var code = Runtime.Catalogue.Find(Affair)?.Code;
            await Runtime.RecordAsync(HttpContext, StaffIdText, code, null, OperationAction.AffairChosen, OperationResult.Refused,
                "担当していない事務", HttpContext.RequestAborted);
            Error = JapaneseText.ForPerson(refused.Message, refused.Code, Microsoft.AspNetCore.Http.StatusCodes.Status403Forbidden);
            Choices = BuildChoices();
            Response.StatusCode = Microsoft.AspNetCore.Http.StatusCodes.Status403Forbidden;
            return Page();
        }
        ReplaceSession(chosen);
        await Runtime.RecordAsync(HttpContext, StaffIdText, chosen.ChosenAffair, null, OperationAction.AffairChosen, OperationResult.Success,
            Decision.Visible ? "個人番号利用事務" : "個人番号を利用しない事務", HttpContext.RequestAborted);
        return RedirectToPage("/Search");
    }

    private List<AffairChoice> BuildChoices()
    {
        var today = Runtime.Today;
        return Staff!.AssignedAffairs.Select(code =>
        {
            var affair = Runtime.Catalogue.Find(code, today) ?? Runtime.Catalogue.Find(code);
            var use = Runtime.Catalogue.CheckNumberUse(code, today);
            var text = use.Allowed ? "個人番号利用事務" : "個人番号を利用しない事務";
            if (!Staff.Role.MayHandleNumbers()) text += "・" + Staff.Role.ToJapanese() + "は個人番号を表示できません";
            return new AffairChoice(code, affair?.Name ?? code, use.Allowed, text, Staff.ChosenAffair == code);
        }).ToList();
    }
}
