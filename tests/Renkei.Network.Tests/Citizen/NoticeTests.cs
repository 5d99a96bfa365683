using System.Net;
using System.Text.Json;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Network.Contracts;
using Renkei.TestSupport;

namespace Renkei.Network.Tests.Citizen;

/// <summary>お知らせ (プッシュ型サービス): institutions push notices sealed to the portal; the portal lists and marks its person's.</summary>
public sealed class NoticeTests
{
    private static PushNoticeRequest Notice(NetworkHarness h, string sender, Token token, NoticeContent content, Guid? id = null)
    {
        var noticeId = id ?? Guid.NewGuid();
        var sealedContent = MessageSealing.Seal(Convert.FromBase64String(h.Portal.Keys.SealingPublicKey),
            JsonSerializer.SerializeToUtf8Bytes(content, JsonDefaults.Options), MessageSealing.AssociatedData(PushNoticeRequest.SealingContext(noticeId, sender)));
        return new PushNoticeRequest(noticeId, sender, token, NetworkHarness.PortalCode, sealedContent);
    }

    private static NoticeContent Open(NetworkHarness h, StoredNotice notice) =>
        JsonSerializer.Deserialize<NoticeContent>(MessageSealing.Open(h.Portal.Keys.Sealing, notice.Sealed,
            MessageSealing.AssociatedData(PushNoticeRequest.SealingContext(notice.NoticeId, notice.Sender))), JsonDefaults.Options)!;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_pushed_notice_reaches_only_its_persons_portal_list_once_and_is_marked_read(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        var x = NetworkHarness.Person(90);
        var y = NetworkHarness.Person(91);
        var xAtA = await h.IssueAsync(h.A, x);
        var xAtPension = await h.IssueAsync(h.Pension, x);
        var yAtB = await h.IssueAsync(h.B, y);
        var xAtPortal = await h.IssueAsync(h.Portal, x);
        var yAtPortal = await h.IssueAsync(h.Portal, y);
        var ward = h.ClientOf(h.A);
        var portal = h.ClientOf(h.Portal);

        var allowance = Notice(h, NetworkHarness.WardA, xAtA, new NoticeContent("児童手当のご案内", "児童手当を受けられる可能性があります。", "child-allowance", new DateOnly(2026, 12, 31)));
        var accepted = await ward.PushNoticeAsync(allowance);
        Assert.Equal(allowance.NoticeId, accepted.NoticeId);
        // Resending is a no-op with the first answer; the same id for another notice is refused.
        Assert.Equal(accepted, await ward.PushNoticeAsync(allowance));
        var changed = Notice(h, NetworkHarness.WardA, xAtA, new NoticeContent("別", "別", null, null), allowance.NoticeId);
        var reused = await Assert.ThrowsAsync<NetworkException>(() => ward.PushNoticeAsync(changed));
        Assert.Equal((HttpStatusCode.Conflict, "notice-id-reused"), (reused.Status, reused.Code));
        await Task.Delay(5);
        var pension = Notice(h, NetworkHarness.PensionCode, xAtPension, new NoticeContent("年金のお知らせ", "年金額が改定されました。", null, null));
        await h.ClientOf(h.Pension).PushNoticeAsync(pension);

        // The person's portal list: both, newest first, unread, sealed to the portal; the other person sees none.
        var list = (await portal.NoticesAsync(new NoticeQuery(NetworkHarness.PortalCode, xAtPortal))).Notices;
        Assert.Equal([pension.NoticeId, allowance.NoticeId], list.Select(n => n.NoticeId));
        Assert.All(list, n => Assert.False(n.Read));
        var first = list[1];
        Assert.Equal((NetworkHarness.WardA, "test " + NetworkHarness.WardA, accepted.StoredAt), (first.Sender, first.SenderName, first.SentAt));
        Assert.Equal("児童手当のご案内", Open(h, first).Title);
        Assert.Equal(new DateOnly(2026, 12, 31), Open(h, first).RespondBy);
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() =>
            MessageSealing.Open(h.A.Keys.Sealing, first.Sealed, MessageSealing.AssociatedData(PushNoticeRequest.SealingContext(first.NoticeId, first.Sender))));
        Assert.Empty((await portal.NoticesAsync(new NoticeQuery(NetworkHarness.PortalCode, yAtPortal))).Notices);

        // Read: only by the person's own token; marking again keeps the first time.
        var notYours = await Assert.ThrowsAsync<NetworkException>(() => portal.MarkNoticeReadAsync(new NoticeReadRequest(NetworkHarness.PortalCode, yAtPortal, allowance.NoticeId)));
        Assert.Equal((HttpStatusCode.NotFound, "notice-not-found"), (notYours.Status, notYours.Code));
        var read = await portal.MarkNoticeReadAsync(new NoticeReadRequest(NetworkHarness.PortalCode, xAtPortal, allowance.NoticeId));
        Assert.Equal(read, await portal.MarkNoticeReadAsync(new NoticeReadRequest(NetworkHarness.PortalCode, xAtPortal, allowance.NoticeId)));
        list = (await portal.NoticesAsync(new NoticeQuery(NetworkHarness.PortalCode, xAtPortal))).Notices;
        Assert.Equal([(false, (DateTimeOffset?)null), (true, read.ReadAt)], list.Select(n => (n.Read, n.ReadAt)));
        var unknown = await Assert.ThrowsAsync<NetworkException>(() => portal.MarkNoticeReadAsync(new NoticeReadRequest(NetworkHarness.PortalCode, xAtPortal, Guid.NewGuid())));
        Assert.Equal("notice-not-found", unknown.Code);

        // Nothing the network stored or answered carries the text: it passes sealed.
        Assert.All(h.Tap.Messages, m => Assert.DoesNotContain("児童手当のご案内", m.Body));
        _ = yAtB;
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Pushes_and_lists_are_refused_to_the_wrong_callers(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        var x = NetworkHarness.Person(92);
        var xAtA = await h.IssueAsync(h.A, x);
        var xAtB = await h.IssueAsync(h.B, x);
        var xAtPortal = await h.IssueAsync(h.Portal, x);
        var content = new NoticeContent("t", "b", null, null);
        var ward = h.ClientOf(h.A);

        async Task<NetworkException> Refused(Func<Task> call) => await Assert.ThrowsAsync<NetworkException>(call);

        // A token the sender does not hold (B's token for the same person) is unknown, as is the portal's.
        Assert.Equal((HttpStatusCode.NotFound, "unknown-token"), await Code(() => ward.PushNoticeAsync(Notice(h, NetworkHarness.WardA, xAtB, content))));
        // The portal named must be a portal.
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "not-a-portal"),
            await Code(() => ward.PushNoticeAsync(Notice(h, NetworkHarness.WardA, xAtA, content) with { Portal = NetworkHarness.WardB })));
        // J-LIS and the portal send no notices; nobody sends in another's name.
        Assert.Equal((HttpStatusCode.Forbidden, "sender-not-allowed"),
            await Code(() => h.ClientOf(h.Portal).PushNoticeAsync(Notice(h, NetworkHarness.PortalCode, xAtPortal, content))));
        Assert.Equal((HttpStatusCode.Forbidden, "sender-not-allowed"),
            await Code(() => h.Client(NetworkHarness.JlisCode, h.Jlis).PushNoticeAsync(Notice(h, NetworkHarness.JlisCode, xAtA, content))));
        Assert.Equal((HttpStatusCode.Forbidden, "sender-mismatch"),
            await Code(() => ward.PushNoticeAsync(Notice(h, NetworkHarness.WardB, xAtB, content))));
        // Only the portal lists and marks.
        Assert.Equal((HttpStatusCode.Forbidden, "portal-only"), await Code(() => ward.NoticesAsync(new NoticeQuery(NetworkHarness.WardA, xAtA))));
        Assert.Equal((HttpStatusCode.Forbidden, "portal-only"),
            await Code(() => ward.MarkNoticeReadAsync(new NoticeReadRequest(NetworkHarness.WardA, xAtA, Guid.NewGuid()))));
        Assert.Equal((HttpStatusCode.NotFound, "unknown-token"),
            await Code(() => h.ClientOf(h.Portal).NoticesAsync(new NoticeQuery(NetworkHarness.PortalCode, xAtA))));
        Assert.Empty((await h.ClientOf(h.Portal).NoticesAsync(new NoticeQuery(NetworkHarness.PortalCode, xAtPortal))).Notices);

        async Task<(HttpStatusCode, string)> Code(Func<Task> call)
        {
            var e = await Refused(call);
            return (e.Status, e.Code);
        }
    }
}
