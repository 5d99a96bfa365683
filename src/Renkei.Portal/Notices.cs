using System.Security.Cryptography;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Network.Contracts;

namespace Renkei.Portal;

/// <summary>A notice as the お知らせ pages show it: opened on the server for this page only (content is not kept).</summary>
public sealed record OpenedNotice(Guid NoticeId, string SenderName, DateTimeOffset SentAt, bool Read, DateTimeOffset? ReadAt, NoticeContent? Content)
{
    /// <summary>False when the sealed content did not open (sealed to another key, or altered): the page says so.</summary>
    public bool Readable => Content is not null;
}

/// <summary>Opens notices sealed to the portal (<see cref="PushNoticeRequest.SealingContext"/>) and orders them unread first.</summary>
internal static class Notices
{
    public static OpenedNotice Open(PortalRuntime runtime, StoredNotice notice)
    {
        NoticeContent? content = null;
        try
        {
            var bytes = runtime.Open(notice.Sealed, PushNoticeRequest.SealingContext(notice.NoticeId, notice.Sender));
            content = JsonSerializer.Deserialize<NoticeContent>(bytes, JsonDefaults.Options);
            if (content is { Title.Length: 0 } || content?.Title is null || content.Body is null) content = null;
        }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException)
        {
            content = null;
        }
        return new OpenedNotice(notice.NoticeId, notice.SenderName, notice.SentAt, notice.Read, notice.ReadAt, content);
    }

    /// <summary>Unread first, then newest first.</summary>
    public static IReadOnlyList<OpenedNotice> Order(IEnumerable<OpenedNotice> notices) =>
        notices.OrderBy(n => n.Read).ThenByDescending(n => n.SentAt).ToList();
}
