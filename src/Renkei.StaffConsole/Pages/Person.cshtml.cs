using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Renkei.Core.Numbers;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;

namespace Renkei.StaffConsole.Pages;

/// <summary>A past or current number as the page shows it: digits or the mask, decided by <see cref="NumberMask"/>.</summary>
public sealed record NumberHistoryRow(string Text, DateOnly ValidFrom, DateOnly? ValidTo, string Reason);

/// <summary>
/// 住民詳細: the four basic facts, the household with relationships, the register's events and the number history. The
/// page is addressed by the register's own resident id, never by number. Numbers are masked on every GET; a staff member
/// whose session may see numbers (<see cref="NumberVisibility"/>) can reveal them with a POST, which is recorded in the
/// operation log before the digits are sent. Text for a number comes only from <see cref="NumberMask.Display(IndividualNumber, NumberVisibilityDecision)"/>.
/// </summary>
public sealed class PersonModel : ConsolePageModel
{
    [FromRoute] public long Id { get; set; }

    public Resident? Resident { get; private set; }
    public Household? Household { get; private set; }
    public IReadOnlyList<RegisterEvent> Events { get; private set; } = [];
    public IReadOnlyList<NumberHistoryRow> NumberHistory { get; private set; } = [];
    public string NumberText { get; private set; } = "";
    public bool Revealed { get; private set; }
    /// <summary>Whether the person is under a support measure (支援措置): the page says so, so the clerk checks who asks for their certificates.</summary>
    public bool UnderSupportMeasure => Resident is { } person && Runtime.SupportMeasures.IsUnderMeasure(person.Id);

    public bool CanReveal => !Revealed && Decision.Visible && Resident?.IndividualNumber is not null;
    public string? Error { get; private set; }

    /// <summary>Opening a resident's page (household, 続柄, moves) needs an affair whose need to know includes it.</summary>
    protected override ResidentRecordUse? Needs => ResidentRecordUse.View;
    protected override string PageDescription => "住民詳細";
    protected override string? RefusalDetail => $"resident-id={Id}";

    public async Task<IActionResult> OnGetAsync()
    {
        if (!Load())
        {
            await Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, null, OperationAction.View, OperationResult.Failed,
                $"住民詳細: 該当なし resident-id={Id}", HttpContext.RequestAborted);
            return NotFoundPage();
        }
        await Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, Runtime.SubjectOf(Resident!.Id), OperationAction.View, OperationResult.Success,
            $"住民詳細（個人番号は伏せ字） resident-id={Resident.Id}", HttpContext.RequestAborted);
        Show(reveal: false);
        return Page();
    }

    public async Task<IActionResult> OnPostRevealAsync()
    {
        if (!Load()) return NotFoundPage();
        if (!Decision.Visible)
        {
            await Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, Runtime.SubjectOf(Resident!.Id), OperationAction.View, OperationResult.Refused,
                $"個人番号の表示を拒否: {Decision.ReasonCode} resident-id={Resident.Id}", HttpContext.RequestAborted);
            Error = "個人番号は表示できません: " + Decision.Message;
            Show(reveal: false);
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }
        await Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, Runtime.SubjectOf(Resident!.Id), OperationAction.View, OperationResult.Success,
            $"個人番号を表示 resident-id={Resident.Id}", HttpContext.RequestAborted);
        Show(reveal: true);
        return Page();
    }

    private bool Load()
    {
        Resident = Runtime.Register.Find(Id);
        if (Resident is null) return false;
        Household = Runtime.Register.FindHousehold(Resident.HouseholdNumber);
        Events = Runtime.Register.Events(Resident.Id);
        return true;
    }

    private void Show(bool reveal)
    {
        Revealed = reveal && Decision.Visible;
        NumberText = Resident!.IndividualNumber is { } number ? Text(number) : "未指定";
        NumberHistory = Runtime.Register.NumberHistory(Resident.Id)
            .Select(n => new NumberHistoryRow(Text(n.Number), n.ValidFrom, n.ValidTo, n.Reason)).ToList();
    }

    private string Text(IndividualNumber number) => Revealed ? NumberMask.Display(number, Decision) : NumberMask.Masked;

    private IActionResult NotFoundPage()
    {
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }
}
