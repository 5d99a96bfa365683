using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Renkei.Core.Text;

namespace Renkei.Portal.Pages;

/// <summary>
/// ログイン: the page carries a fresh challenge (its text base64 for the card reader, its nonce in the form); the card reader
/// signs the text with the user-authentication key; the post carries the nonce, the certificate and the signature — never
/// the PIN. On success a new session (a fresh cookie).
/// </summary>
public sealed class LoginModel(ILogger<LoginModel> logger) : PortalPageModel
{
    protected override bool RequiresLogin => false;

    [BindProperty] public string? Nonce { get; set; }
    [BindProperty] public string? Certificate { get; set; }
    [BindProperty] public string? Signature { get; set; }

    /// <summary>The challenge text (UTF-8, base64) the card signs.</summary>
    public string ChallengeText { get; private set; } = "";

    public string? Error { get; private set; }
    public string? ErrorCode { get; private set; }
    public bool LoggedOut { get; private set; }

    public IActionResult OnGet([FromQuery(Name = "done")] string? done)
    {
        if (Session is not null) return Redirect("/");
        LoggedOut = done == "logout";
        IssueChallenge();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var result = await new PortalLogin(Runtime, logger).LoginAsync(Nonce, Certificate, Signature, HttpContext.RequestAborted);
        Certificate = null;
        Signature = null;
        if (!result.Succeeded)
        {
            Error = JapaneseText.ForPerson(result.Message, result.Code);
            ErrorCode = result.Code;
            IssueChallenge();
            return Page();
        }
        StartSession(result.Session!);
        return Redirect("/");
    }

    private void IssueChallenge()
    {
        var challenge = Runtime.Challenges.Issue();
        Nonce = challenge.Nonce;
        ChallengeText = Convert.ToBase64String(Encoding.UTF8.GetBytes(challenge.Text));
    }
}
