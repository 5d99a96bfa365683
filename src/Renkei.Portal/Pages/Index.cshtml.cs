namespace Renkei.Portal.Pages;

/// <summary>トップ: what the portal offers (anonymous) or the menu with the unread notice count (logged in).</summary>
public sealed class IndexModel : PortalPageModel
{
    protected override bool RequiresLogin => false;

    protected override string? NavigationKey => "top";

    public int UnreadNotices { get; private set; }

    public Task OnGetAsync() => Task.CompletedTask;
}
