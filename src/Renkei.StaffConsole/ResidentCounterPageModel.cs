using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Registry;

namespace Renkei.StaffConsole;

/// <summary>
/// A counter page about one resident (<c>/residents/{id}/…</c>: 住民票の写し, 税の証明書, 印鑑登録): it needs the register's
/// view right, loads the resident (an unknown one is a logged 404), and shows a refusal as the page's Japanese message after
/// logging it as 「(what) 拒否: (code) resident-id=(id)」.
/// </summary>
public abstract class ResidentCounterPageModel : ConsolePageModel
{
    [FromRoute] public long Id { get; set; }

    public Resident? Resident { get; private set; }

    /// <summary>The refusal shown on the page, in Japanese.</summary>
    public string? Error { get; private set; }

    protected override ResidentRecordUse? Needs => ResidentRecordUse.View;
    protected override string? RefusalDetail => $"resident-id={Id}";

    /// <summary>Loads the resident and what the page shows of them (<see cref="OnResidentLoaded"/>); false for an unknown id.</summary>
    protected bool Load()
    {
        Resident = Runtime.Register.Find(Id);
        if (Resident is null) return false;
        OnResidentLoaded(Resident);
        return true;
    }

    /// <summary>What the page reads besides the resident (household, tax years, seal registrations).</summary>
    protected virtual void OnResidentLoaded(Resident resident)
    {
    }

    /// <summary>Words the refusal's log line adds after the code (e.g. that the number was asked for).</summary>
    protected virtual string RefusalNote => "";

    protected async Task<IActionResult> NotFoundAsync()
    {
        await Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, null, OperationAction.View, OperationResult.Failed,
            $"{PageDescription}: 該当なし resident-id={Id}", HttpContext.RequestAborted);
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }

    /// <summary>Logs the refusal of <paramref name="what"/> (failed when the service could not, refused otherwise) and shows <paramref name="message"/>.</summary>
    protected async Task<IActionResult> RefusedAsync(int status, string message, string code, string what, OperationAction action = OperationAction.Export)
    {
        await Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, Runtime.SubjectOf(Id), action,
            status == StatusCodes.Status503ServiceUnavailable ? OperationResult.Failed : OperationResult.Refused,
            $"{what} 拒否: {code}{RefusalNote} resident-id={Id}", HttpContext.RequestAborted);
        Error = message;
        Response.StatusCode = status;
        return Page();
    }
}
