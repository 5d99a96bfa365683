using Microsoft.AspNetCore.Mvc;
using Renkei.Municipality.Applications;

namespace Renkei.StaffConsole.Pages;

/// <summary>
/// 申請（添付書類の省略）: the procedures of the chosen affair, its applications, and a batch linkage (一括照会) over the open
/// applications the staff member selects (one procedure per batch).
/// </summary>
public sealed class ApplicationsModel : ApplicationPageModel
{
    [BindProperty] public List<long> Selected { get; set; } = [];

    public bool Unavailable => Workflows is null;
    public IReadOnlyList<Application> Applications { get; private set; } = [];
    public BatchLinkageRun? BatchResult { get; private set; }

    public IActionResult OnGet()
    {
        try
        {
            Load();
            return Page();
        }
        catch (WorkflowException refused)
        {
            return Refused(refused);
        }
    }

    public async Task<IActionResult> OnPostBatchAsync()
    {
        if (Workflows is null || Staff!.ChosenAffair is null) return OnGet();
        try
        {
            if (Selected.Count == 0)
            {
                Error = "一括照会する申請を選択してください";
                Load();
                Response.StatusCode = Microsoft.AspNetCore.Http.StatusCodes.Status400BadRequest;
                return Page();
            }
            BatchResult = await Workflows.RunBatchLinkageAsync(Staff, Selected, View.Today, terminal: Terminal, cancellationToken: HttpContext.RequestAborted);
            Load();
            return Page();
        }
        catch (WorkflowException refused)
        {
            Load();
            return Refused(refused);
        }
    }

    private void Load()
    {
        if (Workflows is null || Staff!.ChosenAffair is null || AffairWorkflows.Count == 0) return;
        Applications = Workflows.List(Staff, new ApplicationQuery(), Terminal);
    }
}
