using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Renkei.Core.Text;
using Renkei.Municipality.Contracts;
using Renkei.Portal.EApplications;

namespace Renkei.Portal.Pages;

/// <summary>
/// 電子申請 — the one-stop childcare application (保育所等の利用申込み + 児童手当 認定請求). Three steps on one page: the form;
/// the confirmation, which shows exactly the document to be signed and lets the in-page card reader sign its UTF-8 bytes with
/// the signing key (the password never leaves the browser); the receipt from the ward. The portal checks the signed text is
/// the one it prepared for this session, forwards it to the ward and keeps nothing.
/// </summary>
public sealed class EApplicationModel(IDataProtectionProvider protection, ILogger<EApplicationModel> logger) : PortalPageModel
{
    protected override string? NavigationKey => "e-application";

    [BindProperty]
    public EApplicationForm Form { get; set; } = new();

    /// <summary>The confirmation step: the document to sign.</summary>
    public PreparedEApplication? Prepared { get; private set; }

    /// <summary>The last step: what the ward filed.</summary>
    public EApplicationReceipt? Receipt { get; private set; }

    public PortalWard? ReceiptWard { get; private set; }

    public string? Error { get; private set; }

    public string? ErrorCode { get; private set; }

    public IReadOnlyList<PortalWard> Wards => Runtime.Options.Wards;

    private EApplicationDesk Desk => new(protection, Runtime.Options.Wards, Runtime.Clock);

    public void OnGet()
    {
        if (Wards.Count == 1) Form.Ward = Wards[0].Code;
    }

    /// <summary>Checks the form and shows the document to sign.</summary>
    public IActionResult OnPostConfirm()
    {
        var (prepared, errors) = Desk.Prepare(Form, SessionCookie!);
        if (errors is not null)
        {
            foreach (var (field, message) in errors.Fields) ModelState.AddModelError(field, message);
            PadChildren();
            return Page();
        }
        Prepared = prepared;
        return Page();
    }

    /// <summary>Takes the signed document back from the page, checks it and forwards it to the ward.</summary>
    public async Task<IActionResult> OnPostSubmitAsync(string? document, string? ticket, string? signature, string? certificate)
    {
        PadChildren();
        try
        {
            var signed = Desk.Check(SessionCookie!, document, ticket, signature, certificate);
            var ward = Runtime.EApplications(signed.Ward.Code)
                ?? throw new EApplicationDeskException(EApplicationDeskException.UnknownWard, "申請先の区は現在、電子申請を受け付けていません。");
            Receipt = await EApplicationDesk.SubmitAsync(signed, ward, HttpContext.RequestAborted);
            ReceiptWard = signed.Ward;
        }
        catch (EApplicationDeskException e)
        {
            logger.LogInformation("e-application not submitted: {Code}", e.Code);
            Error = JapaneseText.ForPerson(e.Message, e.Code);
            ErrorCode = e.Code;
        }
        return Page();
    }

    private void PadChildren()
    {
        Form.Children ??= [];
        while (Form.Children.Count < EApplicationForm.ChildSlots) Form.Children.Add(new EApplicationChildInput());
    }

    /// <summary>The form's message for a field, or null.</summary>
    public string? FieldError(string field) =>
        ModelState.TryGetValue(field, out var entry) && entry.Errors.Count > 0 ? entry.Errors[0].ErrorMessage : null;
}
