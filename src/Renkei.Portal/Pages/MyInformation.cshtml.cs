using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Renkei.Network.Contracts;
using Renkei.Portal.SelfInformation;

namespace Renkei.Portal.Pages;

/// <summary>
/// わたしの情報 (自己情報表示): on request (a POST, since every query is a provision record), the person's own information
/// from each holder, fetched through the network with the session's portal token, checked and opened by
/// <see cref="SelfInformationReader"/> and shown once. Nothing is kept after the response.
/// </summary>
public sealed class MyInformationModel(ILogger<MyInformationModel> logger) : PortalPageModel
{
    protected override string? NavigationKey => "my-information";

    public SelfInformationReport? Report { get; private set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var reader = new SelfInformationReader(Runtime.Network, Runtime.Network, Runtime.InstitutionCode,
            Runtime.Keys.Sealing, Runtime.Clock);
        try
        {
            Report = await reader.ReadAsync(Session!.Token, HttpContext.RequestAborted);
            foreach (var item in Report.Sources.SelectMany(s => s.Items).Where(i => i.State is SelfInformationState.NotAuthentic))
                logger.LogWarning("self-information answer from {Provider} ({Kind}) failed its checks and was not shown", item.Institution, item.Kind);
        }
        catch (Exception e) when (e is NetworkException or HttpRequestException or TaskCanceledException && !HttpContext.RequestAborted.IsCancellationRequested)
        {
            logger.LogWarning("self-information sources failed: {Kind}", e is NetworkException n ? n.Code : e.GetType().Name);
            Error = "情報を保有する機関の一覧を取得できませんでした。時間をおいてもう一度お試しください。";
        }
        return Page();
    }
}
