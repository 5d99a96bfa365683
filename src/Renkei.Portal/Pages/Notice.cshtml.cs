using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Renkei.Network.Contracts;

namespace Renkei.Portal.Pages;

/// <summary>One notice: opened on the server (sealed to the portal) and marked read at the network when it is shown.</summary>
public sealed class NoticeModel(ILogger<NoticeModel> logger) : PortalPageModel
{
    protected override string? NavigationKey => "notices";

    public OpenedNotice? Item { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id)
    {
        var cancellation = HttpContext.RequestAborted;
        try
        {
            var list = await Runtime.Network.NoticesAsync(new NoticeQuery(Runtime.InstitutionCode, Session!.Token), cancellation);
            var stored = list.Notices.FirstOrDefault(n => n.NoticeId == id);
            if (stored is null) return NotFound();
            Item = Notices.Open(Runtime, stored);
            if (!stored.Read && Item.Readable)
            {
                var ack = await Runtime.Network.MarkNoticeReadAsync(new NoticeReadRequest(Runtime.InstitutionCode, Session.Token, id), cancellation);
                Item = Item with { Read = true, ReadAt = ack.ReadAt };
            }
        }
        catch (Exception e) when (e is NetworkException or HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
        {
            logger.LogWarning("notice failed: {Kind}", e is NetworkException n ? n.Code : e.GetType().Name);
            Error = "お知らせを取得できませんでした。時間をおいてもう一度お試しください。";
        }
        return Page();
    }
}
