using Renkei.Network.Contracts;

namespace Renkei.Portal.Pages;

/// <summary>トップ: what the portal offers (anonymous) or the menu with the unread notice count (logged in).</summary>
public sealed class IndexModel : PortalPageModel
{
    protected override bool RequiresLogin => false;

    protected override string? NavigationKey => "top";

    public int UnreadNotices { get; private set; }

    public async Task OnGetAsync()
    {
        if (Session is null) return;
        try
        {
            var list = await Runtime.Network.NoticesAsync(new NoticeQuery(Runtime.InstitutionCode, Session.Token), HttpContext.RequestAborted);
            UnreadNotices = list.Notices.Count(n => !n.Read);
        }
        catch (Exception e) when (e is NetworkException or HttpRequestException)
        {
            UnreadNotices = 0; // the menu still shows; the notices page says what failed
        }
    }
}
