using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Renkei.Core.Json;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults;

namespace Renkei.Portal.Pages;

/// <summary>
/// やりとり履歴 (情報提供等記録の表示): the network's provision records about the logged-in person, newest first, filtered
/// by period and institution, exportable as CSV. Each row's 「検証」 fetches the record's inclusion proof
/// (<see cref="OnGetProofAsync"/>) for the in-page verifier (proof-verifier.js). Nothing is kept after the page is sent.
/// </summary>
public sealed class HistoryModel(ILogger<HistoryModel> logger) : PortalPageModel
{
    protected override string? NavigationKey => "history";

    public HistoryFilter Filter { get; private set; } = new(null, null, null);
    public IReadOnlyList<HistoryRow> Rows { get; private set; } = [];

    /// <summary><see cref="Rows"/> as the page shows them: each わたしの情報 fetch's queries as one line (<see cref="History.Groups"/>).</summary>
    public IReadOnlyList<HistoryGroup> Groups => History.Groups(Rows, Runtime.InstitutionCode);

    /// <summary>The institutions that appear in the period's records (for the institution filter), by name.</summary>
    public IReadOnlyList<(string Code, string Name)> Institutions { get; private set; } = [];

    public int TotalInPeriod { get; private set; }
    public string? Error { get; private set; }

    /// <summary>The network's signed name table the rows' names come from (JSON), for the page's verifier.</summary>
    public string? NameTable { get; private set; }

    /// <summary>
    /// The consistency proof between a tree head the browser kept and a later one (the network's public proof), so the page
    /// can check that the log it verified today extends the one it verified last time.
    /// </summary>
    public async Task<IActionResult> OnGetConsistencyAsync(long first, long second)
    {
        if (first < 0 || second < first) return ProblemJson(StatusCodes.Status400BadRequest, "invalid-request", "サイズの指定が正しくありません。");
        try
        {
            return new JsonResult(await Runtime.Network.ConsistencyAsync(first, second, HttpContext.RequestAborted), JsonDefaults.Options);
        }
        catch (Exception e) when (e is NetworkException or HttpRequestException or TaskCanceledException && !HttpContext.RequestAborted.IsCancellationRequested)
        {
            logger.LogWarning("consistency proof failed: {Kind}", e is NetworkException n ? n.Code : e.GetType().Name);
            return ProblemJson(StatusCodes.Status502BadGateway, "network-unavailable", "情報提供ネットワークシステムから一貫性の証明を取得できませんでした。");
        }
    }

    /// <summary>The network key the operator pinned (base64 SPKI), or null.</summary>
    public string? PinnedNetworkKey => Runtime.Options.NetworkLogPublicKey;

    public async Task<IActionResult> OnGetAsync(string? from, string? to, string? institution)
    {
        if (!await LoadAsync(from, to, institution)) return Page();
        return Page();
    }

    /// <summary>CSV of the rows the filter selects (UTF-8 with BOM, Japanese headers).</summary>
    public async Task<IActionResult> OnGetCsvAsync(string? from, string? to, string? institution)
    {
        if (!await LoadAsync(from, to, institution) || Error is not null) return Page();
        var name = $"yaritori-rireki-{Runtime.Today:yyyyMMdd}.csv";
        return File(History.Csv(Rows), "text/csv; charset=utf-8", name);
    }

    /// <summary>The record's inclusion proof as the network gave it (JSON), for the page's verifier; 404 when it is not the person's.</summary>
    public async Task<IActionResult> OnGetProofAsync(long sequence)
    {
        if (sequence < 1) return NotFound();
        try
        {
            var proof = await Runtime.Network.RecordProofAsync(new RecordProofRequest(Runtime.InstitutionCode, Session!.Token, sequence),
                HttpContext.RequestAborted);
            return new JsonResult(proof, JsonDefaults.Options);
        }
        catch (NetworkException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
        {
            return ProblemJson(StatusCodes.Status404NotFound, "record-not-found", "この記録の証明はありません。");
        }
        catch (Exception e) when (e is NetworkException or HttpRequestException or TaskCanceledException && !HttpContext.RequestAborted.IsCancellationRequested)
        {
            logger.LogWarning("record proof failed: {Kind}", e is NetworkException n ? n.Code : e.GetType().Name);
            return ProblemJson(StatusCodes.Status502BadGateway, "network-unavailable", "情報提供ネットワークシステムから証明を取得できませんでした。");
        }
    }

    /// <summary>A problem body (RFC 9457, as every service writes them) for the page's scripts.</summary>
    private static JsonResult ProblemJson(int status, string code, string detail) =>
        new(ErrorResponses.Body(status, code, detail), JsonDefaults.Options) { StatusCode = status, ContentType = ProblemBody.MediaType };

    private async Task<bool> LoadAsync(string? from, string? to, string? institution)
    {
        Filter = HistoryFilter.Parse(from, to, institution, out var error);
        Error = error;
        IReadOnlyList<ProvisionRecord> records;
        try
        {
            records = (await Runtime.Network.ProvisionRecordsAsync(
                new ProvisionRecordQuery(Runtime.InstitutionCode, Session!.Token, Filter.From, Filter.To), HttpContext.RequestAborted)).Records;
        }
        catch (Exception e) when (e is NetworkException or HttpRequestException or TaskCanceledException && !HttpContext.RequestAborted.IsCancellationRequested)
        {
            logger.LogWarning("provision records failed: {Kind}", e is NetworkException n ? n.Code : e.GetType().Name);
            Error = "情報提供ネットワークシステムに接続できませんでした。時間をおいてもう一度お試しください。";
            return false;
        }
        TotalInPeriod = records.Count;
        VerifiedNames names;
        try
        {
            names = await Runtime.Names.CurrentAsync(records.SelectMany(r => new[] { r.Inquirer, r.Provider, r.Affair, r.Kind }), HttpContext.RequestAborted);
        }
        catch (Exception e) when (e is NetworkException or HttpRequestException or TaskCanceledException && !HttpContext.RequestAborted.IsCancellationRequested)
        {
            logger.LogWarning("name table failed: {Kind}", e is NetworkException n ? n.Code : e.GetType().Name);
            Error = "情報提供ネットワークシステムから名称表を取得できませんでした。時間をおいてもう一度お試しください。";
            return false;
        }
        NameTable = JsonSerializer.Serialize(names.Signed, JsonDefaults.Options);
        Institutions = records.SelectMany(r => new[] { r.Inquirer, r.Provider }).Distinct(StringComparer.Ordinal)
            .Select(code => (code, names.Institution(code))).OrderBy(i => i.Item2, StringComparer.Ordinal).ToList();
        Rows = History.Rows(names, Filter.Apply(records));
        return true;
    }
}
