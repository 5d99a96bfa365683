using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Renkei.Network.Contracts;

namespace Renkei.Portal.Pages;

/// <summary>お知らせ: the person's notices from institutions (プッシュ型サービス), unread first; each opens on its own page.</summary>
public sealed class NoticesModel(ILogger<NoticesModel> logger) : PortalPageModel
{
    protected override string? NavigationKey => "notices";

    public IReadOnlyList<OpenedNotice> Items { get; private set; } = [];
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        try
        {
            var list = await Runtime.Network.NoticesAsync(new NoticeQuery(Runtime.InstitutionCode, Session!.Token), HttpContext.RequestAborted);
            Items = Notices.Order(list.Notices.Select(n => Notices.Open(Runtime, n)));
        }
        catch (Exception e) when (e is NetworkException or HttpRequestException or TaskCanceledException && !HttpContext.RequestAborted.IsCancellationRequested)
        {
            logger.LogWarning("notices failed: {Kind}", e is NetworkException n ? n.Code : e.GetType().Name);
            Error = "お知らせを取得できませんでした。時間をおいてもう一度お試しください。";
        }
        return Page();
    }
}
